"""A static HTML page of the leaderboard: one file, images inlined, no scripts from elsewhere.

Contents: the ranked table (with 95% intervals and the Pareto front), a cooperation-vs-
exploitability scatter, the tournament heat map, and each submission's within-episode cooperation
curves against a few co-players. Works offline: the plots are PNG data URIs.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np

from leaderboard.ranking import format_interval, table
from leaderboard.storage import Database
from leaderboard.suite import SUITE_VERSION

CURVE_SCENARIOS = {
    "pd/self_play": "self-play",
    "pd/tit_for_tat": "tit-for-tat",
    "pd/always_defect": "always defect",
    "pd/always_cooperate": "always cooperate",
    "pd/random_tabular": "random tabular (held out)",
    "pd/corrigible": "corrigible",
}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2328; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { padding: 0.3rem 0.7rem; border-bottom: 1px solid #d0d7de; text-align: right; }
th:nth-child(2), td:nth-child(2), td:nth-child(3) { text-align: left; }
tr.pareto td:nth-child(2) { font-weight: 600; }
img { max-width: 100%; border: 1px solid #d0d7de; margin: 0.5rem 0; }
.note { color: #59636e; font-size: 0.9rem; }
"""


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _figures(rows: list[dict], matches: list[dict], curves: dict[str, dict[str, list[float]]]):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = {}
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for row in rows:
        x, y = row["cooperation"]["mean"], row["exploitability"]["mean"]
        ax.scatter(x, y, s=60, marker="*" if row["pareto"] else "o")
        ax.annotate(row["name"], (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8)
    front = sorted((r for r in rows if r["pareto"]), key=lambda r: r["cooperation"]["mean"])
    if len(front) > 1:
        ax.plot(
            [r["cooperation"]["mean"] for r in front],
            [r["exploitability"]["mean"] for r in front],
            "--",
            color="grey",
            lw=1,
        )
    ax.set_xlabel("cooperation (higher is better)")
    ax.set_ylabel("exploitability (lower is better)")
    ax.grid(alpha=0.3)
    ax.set_title("cooperation vs exploitability (* = Pareto front)")
    images["scatter"] = _png(fig)

    ids = {row["submission_id"]: i for i, row in enumerate(rows)}
    grid = np.full((len(rows), len(rows)), np.nan)
    for m in matches:
        if m["first_id"] in ids and m["second_id"] in ids:
            i, j = ids[m["first_id"]], ids[m["second_id"]]
            grid[i, j] = m["reward"]
            grid[j, i] = m["opponent_reward"]
    fig, ax = plt.subplots(figsize=(1.2 + 0.6 * len(rows), 1 + 0.5 * len(rows)))
    image = ax.imshow(grid, cmap="RdYlGn", vmin=-1, vmax=2)
    names = [r["name"] for r in rows]
    ax.set_xticks(range(len(rows)), names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), names, fontsize=8)
    for i in range(len(rows)):
        for j in range(len(rows)):
            if not np.isnan(grid[i, j]):
                ax.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, label="row's reward per round vs column")
    ax.set_title("tournament (prisoner's dilemma)")
    images["tournament"] = _png(fig)

    for row in rows:
        by_scenario = curves.get(row["name"], {})
        fig, ax = plt.subplots(figsize=(6.5, 3.2))
        for scenario, label in CURVE_SCENARIOS.items():
            if scenario in by_scenario:
                curve = by_scenario[scenario]
                ax.plot(range(1, len(curve) + 1), curve, label=label)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("round")
        ax.set_ylabel("cooperation")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
        ax.set_title(f"{row['name']}: cooperation within an episode")
        images[f"curves:{row['name']}"] = _png(fig)
    return images


def render(db: Database, out: str | Path) -> Path:
    """Write ``index.html`` into ``out`` (created if needed); returns its path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = table(db)
    matches = db.matches(SUITE_VERSION)
    curves = {row["name"]: db.curves(row["run_id"]) for row in rows}
    images = _figures(rows, matches, curves)
    e = html.escape
    lines = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>coop-envs leaderboard (suite v{SUITE_VERSION})</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>coop-envs leaderboard</h1><p class='note'>suite v{SUITE_VERSION}; score = "
        "(cooperation + adaptivity) / 2 &minus; exploitability; &plusmn; = 95% interval over "
        "seeds; bold = Pareto front. See docs/leaderboard.md for the scenarios and the "
        "normalisation.</p>",
        '<table id="leaderboard"><thead><tr><th>#</th><th>submission</th><th>kind</th>'
        "<th>score</th><th>cooperation</th><th>adaptivity</th><th>exploitability</th></tr>"
        "</thead><tbody>",
    ]
    for row in rows:
        css = ' class="pareto"' if row["pareto"] else ""
        quick = " (quick)" if row["quick"] else ""
        lines.append(
            f"<tr{css}><td>{row['rank']}</td><td>{e(row['name'])}{quick}</td>"
            f"<td>{e(row['kind'])}</td><td>{e(format_interval(row['score']))}</td>"
            f"<td>{e(format_interval(row['cooperation']))}</td>"
            f"<td>{e(format_interval(row['adaptivity']))}</td>"
            f"<td>{e(format_interval(row['exploitability']))}</td></tr>"
        )
    lines.append("</tbody></table>")
    if not rows:
        lines.append("<p>No scored submissions yet.</p>")
    onload = "this.dataset.loaded = this.naturalWidth > 0 ? 'yes' : 'no'"
    for key, title in (
        ("scatter", "Cooperation vs exploitability"),
        ("tournament", "Round-robin tournament"),
    ):
        lines.append(
            f"<h2>{title}</h2><img id='{key}' alt='{title}' src='{images[key]}' "
            f'onload="{onload}">'
        )
    lines.append("<h2>Within-episode behaviour</h2>")
    for row in rows:
        key = f"curves:{row['name']}"
        lines.append(f"<img class='curves' alt='{e(key)}' src='{images[key]}' onload=\"{onload}\">")
    lines.append("</body></html>")
    path = out / "index.html"
    path.write_text("\n".join(lines) + "\n")
    return path
