"""A static HTML page of the leaderboard: one file, images inlined, no scripts from elsewhere.

Contents: the ranked boards (full suite; quick runs on a provisional board of their own; the
game suites' and older matrix suite versions' boards apart, each ranked on its own), each
entry expandable into its per-scenario scores (every co-player, which exploiter sets its worst
case, the exact best-response gap where there is one), sortable columns and a filter (a few lines
of inline JavaScript; ``#sort=<column>`` or ``#sort=-<column>`` in the address sorts on load,
``&open=<name>`` expands an entry), the
failed submissions with their reasons, a cooperation-vs-exploitability scatter (points numbered as
in the tables), the tournament heat map (its diagonal is self-play) and the within-episode
cooperation curves on one grid. Works offline: the plots are PNG data URIs.

Scatter points carry the entry's number rather than its name: names collide when entries score
alike, and the tables beside the plot are the key (no label-placement dependency needed).
"""

from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path
from typing import Any

import numpy as np

from leaderboard.game_suites import GAME_SUITES
from leaderboard.ranking import (
    BOARDS,
    archived_versions,
    format_interval,
    format_number,
    scenarios_of,
    table,
)
from leaderboard.storage import Database
from leaderboard.suite import GROUPS, SCENARIOS, SUITE_VERSION

CURVE_SCENARIOS = {
    "pd/self_play": "self-play",
    "pd/tit_for_tat": "tit-for-tat",
    "pd/always_defect": "always defect",
    "pd/always_cooperate": "always cooperate",
    "pd/random_tabular": "random tabular (held out)",
    "pd/corrigible": "corrigible",
    "pd/held_out_learners": "held-out learners",
}
GAME_BOARD_TITLES = {"full": "full suite", "quick": "quick suite (provisional: one seed)"}
BOARD_TITLES = {
    "full": "Full suite",
    "quick": "Quick suite (provisional: one seed, no trained exploiter; ranked apart)",
}
DETAIL_METRICS = (
    ("welfare", "cooperation score"),
    ("adaptivity", "adaptivity score"),
    ("exploitability", "exploitability"),
    ("reward", "reward / round"),
    ("opponent_reward", "co-player reward"),
    ("cooperation", "share C"),
)
"""Per-scenario columns of an entry's breakdown: stored metric, heading."""
DOC_SECTIONS = {
    "the suite": f"the-suite-version-{SUITE_VERSION}",
    "normalisation and rank rule": f"the-suite-version-{SUITE_VERSION}",
    "reading the page": "the-page",
}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1f2328; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { padding: 0.3rem 0.6rem; border-bottom: 1px solid #d0d7de; text-align: right;
  white-space: nowrap; }
th { background: #f6f8fa; }
th[data-sort] { cursor: pointer; user-select: none; }
th[aria-sort=ascending]::after { content: " \\25B2"; }
th[aria-sort=descending]::after { content: " \\25BC"; }
.left { text-align: left; }
tr.pareto td.name { font-weight: 600; }
.badge { font-size: 0.75rem; border: 1px solid #8c959f; border-radius: 0.6rem;
  padding: 0 0.35rem; margin-left: 0.3rem; color: #59636e; font-weight: 400; }
button.toggle { font: inherit; border: none; background: none; cursor: pointer; padding: 0;
  color: #0969da; }
tr.detail > td { background: #fbfcfd; text-align: left; }
tr.detail table { margin: 0.3rem 0 0.6rem 1.5rem; font-size: 0.9rem; }
tr.worst td { color: #b3261e; font-weight: 600; }
img { max-width: 100%; border: 1px solid #d0d7de; margin: 0.5rem 0; }
.note { color: #59636e; font-size: 0.9rem; white-space: normal; max-width: 60rem; }
.controls { margin: 0.5rem 0; display: flex; gap: 1rem; flex-wrap: wrap; align-items: center; }
"""

SCRIPT = """
function sortTable(table, key, descending) {
  const entries = Array.from(table.tBodies).filter(b => b.classList.contains('entry'));
  entries.sort((a, b) => {
    const x = a.dataset[key], y = b.dataset[key];
    const nx = parseFloat(x), ny = parseFloat(y);
    const order = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
    return descending ? -order : order;
  });
  entries.forEach(b => table.appendChild(b));
  table.querySelectorAll('th[data-sort]').forEach(th => th.removeAttribute('aria-sort'));
  const th = table.querySelector(`th[data-sort="${key}"]`);
  if (th) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
}
function applyFilter() {
  const text = document.getElementById('filter').value.toLowerCase();
  const hideRef = document.getElementById('hide-ref').checked;
  document.querySelectorAll('tbody.entry').forEach(b => {
    b.hidden = !b.dataset.name.toLowerCase().includes(text) && !b.dataset.kind.includes(text)
      || (hideRef && b.dataset.reference === '1');
  });
}
document.querySelectorAll('table.board th[data-sort]').forEach(th => th.addEventListener(
  'click', () => sortTable(th.closest('table'), th.dataset.sort,
                           th.getAttribute('aria-sort') === 'ascending')));
document.querySelectorAll('button.toggle').forEach(button => button.addEventListener(
  'click', () => {
    const detail = button.closest('tbody').querySelector('tr.detail');
    detail.hidden = !detail.hidden;
    button.setAttribute('aria-expanded', String(!detail.hidden));
  }));
document.getElementById('filter').addEventListener('input', applyFilter);
document.getElementById('hide-ref').addEventListener('change', applyFilter);
const wanted = /sort=(-?)(\\w+)/.exec(location.hash);
if (wanted) document.querySelectorAll('table.board').forEach(
  t => sortTable(t, wanted[2], wanted[1] === '-'));
const opened = /open=([^&]+)/.exec(location.hash);
if (opened) document.querySelectorAll('tbody.entry').forEach(b => {
  if (b.dataset.name === decodeURIComponent(opened[1])) b.querySelector('button.toggle').click();
});
document.body.dataset.ready = 'yes';
"""

COLUMNS = (
    ("rank", "#", "numeric"),
    ("name", "submission", "text"),
    ("kind", "kind", "text"),
    ("score", "score", "numeric"),
    ("cooperation", "cooperation", "numeric"),
    ("adaptivity", "adaptivity", "numeric"),
    ("exploitability", "exploitability", "numeric"),
    ("worst", "worst exploiter", "text"),
)
"""Board columns: data key (``data-<key>`` on each entry, what sorting reads), heading, type."""


WORST, PARETO, ASCENDING = ' class="worst"', ' class="pareto"', ' aria-sort="ascending"'


def label(row: dict[str, Any]) -> str:
    """The entry's number on the plots: its rank, prefixed ``q`` on the quick board."""
    return f"{'q' if row['board'] == 'quick' else ''}{row['rank']}"


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _scatter(plt, rows: list[dict]) -> str:
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for board, marker in (("full", "o"), ("quick", "s")):
        entries = [r for r in rows if r["board"] == board]
        if not entries:
            continue
        x = [r["cooperation"]["mean"] for r in entries]
        y = [r["exploitability"]["mean"] for r in entries]
        filled = board == "full"
        ax.scatter(
            x,
            y,
            s=50,
            marker=marker,
            facecolors="C0" if filled else "none",
            edgecolors="C0" if filled else "C1",
            label=f"{board} suite" + ("" if filled else " (provisional)"),
        )
        for row, xi, yi in zip(entries, x, y, strict=True):
            ax.annotate(label(row), (xi, yi), textcoords="offset points", xytext=(4, 4), fontsize=8)
        front = sorted((r for r in entries if r["pareto"]), key=lambda r: r["cooperation"]["mean"])
        if len(front) > 1:
            ax.plot(
                [r["cooperation"]["mean"] for r in front],
                [r["exploitability"]["mean"] for r in front],
                "--",
                color="C0" if filled else "C1",
                lw=1,
            )
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("cooperation (higher is better)")
    ax.set_ylabel("exploitability (lower is better)")
    ax.grid(alpha=0.3)
    ax.set_title("cooperation vs exploitability (numbers as in the tables; -- = Pareto front)")
    if rows:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    else:
        ax.text(0.5, 0.5, "no scored submissions yet", ha="center", va="center", color="grey")
    return _png(fig)


def _tournament(plt, rows: list[dict], matches: list[dict]) -> str:
    ids = {row["submission_id"]: i for i, row in enumerate(rows)}
    n = len(rows)
    grid = np.full((n, n), np.nan)
    for m in matches:
        if m["first_id"] in ids and m["second_id"] in ids:
            i, j = ids[m["first_id"]], ids[m["second_id"]]
            grid[i, j] = m["reward"]
            grid[j, i] = m["opponent_reward"]
    for i, row in enumerate(rows):  # the diagonal: the entry against a copy of itself
        self_play = row["scenarios"].get("pd/self_play", {}).get("reward")
        if self_play is not None:
            grid[i, i] = self_play["mean"]
    size = max(n, 1)
    fig, ax = plt.subplots(figsize=(2.5 + 0.6 * size, 1.5 + 0.5 * size))
    image = ax.imshow(grid if n else np.full((1, 1), np.nan), cmap="RdYlGn", vmin=-1, vmax=2)
    names = [f"{label(r)} {r['name']}" for r in rows]
    ax.set_xticks(range(n), names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(n), names, fontsize=8)
    for i in range(n):
        for j in range(n):
            if not np.isnan(grid[i, j]):
                text = f"{round(grid[i, j], 2) + 0.0:.2f}"
                style = "italic" if i == j else "normal"
                ax.text(j, i, text, ha="center", va="center", fontsize=7, fontstyle=style)
    fig.colorbar(image, ax=ax, label="row's reward per round vs column")
    ax.set_title("tournament, prisoner's dilemma (diagonal: self-play)")
    if not n:
        ax.text(0, 0, "no entries", ha="center", va="center", color="grey")
    return _png(fig)


def _curves(plt, rows: list[dict], curves: dict[int, dict[str, list[float]]]) -> str | None:
    if not rows:
        return None
    ncols = min(3, len(rows))
    nrows = -(-len(rows) // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(3.6 * ncols, 2.4 * nrows + 0.6),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    handles = {}
    for ax, row in zip(axes.flat, rows, strict=False):
        by_scenario = curves.get(row["run_id"], {})
        for k, (scenario, name) in enumerate(CURVE_SCENARIOS.items()):
            if scenario in by_scenario:
                curve = by_scenario[scenario]
                (line,) = ax.plot(range(1, len(curve) + 1), curve, color=f"C{k}", lw=1.2)
                handles[name] = line
        ax.set_title(f"{label(row)} {row['name']}", fontsize=9)
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(rows) :]:
        ax.set_visible(False)
    for column in range(ncols):  # the lowest panel of each column carries the x axis
        lowest = axes[(len(rows) - 1 - column) // ncols, column]
        lowest.xaxis.set_tick_params(labelbottom=True)
        lowest.set_xlabel("round")
    for ax in axes[:, 0]:
        ax.set_ylabel("share cooperating")
    if handles:
        fig.legend(
            handles.values(),
            handles.keys(),
            loc="lower center",
            ncol=min(len(handles), 6),
            fontsize=8,
            frameon=False,
            bbox_to_anchor=(0.5, -0.02),
        )
    fig.suptitle("cooperation within an episode, per co-player", fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return _png(fig)


def _figures(rows: list[dict], matches: list[dict], curves: dict[int, dict[str, list[float]]]):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return {
        "scatter": _scatter(plt, rows),
        "tournament": _tournament(plt, rows, matches),
        "curves": _curves(plt, rows, curves),
    }


def _complete(grid: np.ndarray) -> list[int]:
    """Entries kept for the evolutionary analysis: drop the least-matched until no gap is left."""
    keep = list(range(len(grid)))
    while keep and np.isnan(grid[np.ix_(keep, keep)]).any():
        gaps = np.isnan(grid[np.ix_(keep, keep)]).sum(axis=0) + np.isnan(
            grid[np.ix_(keep, keep)]
        ).sum(axis=1)
        keep.pop(int(np.argmax(gaps)))
    return keep


def _evolution(rows: list[dict], matches: list[dict]) -> list[str]:
    """The evolutionary analysis of the tournament (:mod:`leaderboard.evolution`) as HTML."""
    from leaderboard import evolution

    full = [r for r in rows if r["board"] == "full"]
    grid = evolution.payoff_matrix(full, matches)
    keep = _complete(grid)
    head = "<h2 id='evolution'>Evolutionary analysis of the tournament</h2>"
    if len(keep) < 2:
        return [
            head,
            "<p class='note'>Needs two entries of the full board with all their "
            "tournament matches.</p>",
        ]
    names = [f"{label(full[i])} {full[i]['name']}" for i in keep]
    try:
        e = evolution.analyse(grid[np.ix_(keep, keep)], names)
    except ImportError as error:
        return [head, f"<p class='note'>{html.escape(str(error))}</p>"]
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2.5 + 0.55 * len(names), 3.2))
    x = np.arange(len(names))
    ax.bar(x - 0.2, e.stationary, 0.4, label="α-Rank (stationary distribution)")
    ax.bar(x + 0.2, e.replicator, 0.4, label="replicator dynamics (final share)")
    ax.set_xticks(x, names, rotation=45, ha="right", fontsize=8)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(f"population N = {e.population}, α = {e.alpha:g}; replicator from the uniform mix")
    onload = "this.dataset.loaded = this.naturalWidth > 0 ? 'yes' : 'no'"
    lines = [
        head,
        f"<p class='note'>The round-robin payoff matrix (row's reward per round vs column; the "
        f"diagonal is self-play) of {len(names)} entries of the full board, read as a game "
        "between strategies. An entry <em>invades</em> another when one mutant of it takes over "
        f"a population of N = {e.population} of the other with probability above the neutral "
        f"1/N (pairwise-comparison process, selection intensity {e.beta:g}; computed with "
        "egttools).</p>",
        f"<img id='evolution-chart' alt='evolutionary analysis' src='{_png(fig)}' "
        f'onload="{onload}">',
        "<div class='scroll'><table id='invasions'><thead><tr><th class='left'>invader</th>"
        "<th class='left'>resident</th><th>fixation probability</th></tr></thead><tbody>",
    ]
    for invader, resident, rho in e.invasions:
        lines.append(
            f"<tr><td class='left'>{html.escape(invader)}</td><td class='left'>"
            f"{html.escape(resident)}</td><td>{rho:.3f}</td></tr>"
        )
    if not e.invasions:
        lines.append("<tr><td class='left' colspan='3'>no entry invades another</td></tr>")
    return [*lines, "</tbody></table></div>"]


def _detail(row: dict[str, Any], scenarios: tuple = SCENARIOS) -> str:
    """An entry's per-scenario table (hidden until its row is expanded)."""
    e = html.escape
    heads = "".join(f"<th>{e(h)}</th>" for _, h in DETAIL_METRICS)
    lines = [
        "<table><thead><tr><th class='left'>scenario</th><th class='left'>co-player</th>"
        f"<th class='left'>groups</th>{heads}</tr></thead><tbody>"
    ]
    for scenario in scenarios:
        metrics = row["scenarios"].get(scenario.name)
        if metrics is None:
            continue
        worst = scenario.name == row["worst_exploiter"]
        cells = "".join(
            f"<td>{e(format_interval(metrics[m])) if m in metrics else '—'}</td>"
            for m, _ in DETAIL_METRICS
        )
        mark = " ← worst case" if worst else ""
        lines.append(
            f"<tr{WORST if worst else ''}><td class='left'>{e(scenario.name)}{mark}"
            f"</td><td class='left'>{e(scenario.opponent)}</td>"
            f"<td class='left'>{e(', '.join(scenario.groups))}</td>{cells}</tr>"
        )
    lines.append("</tbody></table>")
    notes = []
    exact = row["scenarios"].get("pd/exploiter_best_response", {}).get("exploitability")
    if exact is not None:
        notes.append(f"exact best-response gap: {format_number(exact['mean'])}")
    if row["worst_exploiter"]:
        notes.append(f"exploitability is set by {row['worst_exploiter']} (the maximum)")
    notes.append(
        "cooperation and adaptivity are means over their scenarios; ± is a 95% interval over "
        "seeds where there are several"
    )
    lines.append(f"<p class='note'>{e('; '.join(notes))}.</p>")
    return "".join(lines)


def _entry(row: dict[str, Any], scenarios: tuple = SCENARIOS) -> str:
    """One entry: a ``<tbody>`` with its board row and its per-scenario row (sorted together)."""
    e = html.escape
    data = {
        "rank": row["rank"],
        "name": row["name"],
        "kind": row["kind"],
        "worst": row["worst_exploiter"] or "",
        "reference": int(row["reference"]),
        **{g: f"{row[g]['mean']:.6f}" for g in ("score", *GROUPS)},
    }
    attributes = " ".join(f'data-{k}="{e(str(v))}"' for k, v in data.items())
    badges = ("<span class='badge'>reference</span>" if row["reference"] else "") + (
        "<span class='badge' title='Pareto front of this board'>front</span>"
        if row["pareto"]
        else ""
    )
    cells = "".join(f"<td>{e(format_interval(row[g]))}</td>" for g in ("score", *GROUPS))
    return (
        f"<tbody class='entry' {attributes}><tr{PARETO if row['pareto'] else ''}>"
        f"<td>{label(row)}</td><td class='left name'><button class='toggle' "
        f"aria-expanded='false' title='per-scenario scores'>&#9656; {e(row['name'])}</button>"
        f"{badges}</td><td class='left'>{e(row['kind'])}</td>{cells}"
        f"<td class='left'>{e(row['worst_exploiter'] or '—')}</td></tr>"
        f"<tr class='detail' hidden><td colspan='{len(COLUMNS)}'>{_detail(row, scenarios)}</td>"
        "</tr></tbody>"
    )


def _board(
    key: str,
    rows: list[dict[str, Any]],
    suite: Any = None,
    scenarios: tuple = SCENARIOS,
    version: str | None = None,
) -> list[str]:
    """A board's heading and table.

    ``suite``: a game suite's board; ``version``: an older matrix suite version's board (each
    with its own id and title).
    """
    e = html.escape
    if suite is not None:
        title, table_id = f"{suite.version}: {GAME_BOARD_TITLES[key]}", f"{suite.version}-{key}"
    elif version is not None:
        title, table_id = f"v{version}: {BOARD_TITLES[key]}", f"v{version}-{key}"
    else:
        title, table_id = BOARD_TITLES[key], key
    table_id = f"board-{table_id}"
    heads = "".join(
        f"<th data-sort='{k}' class='{'left' if kind == 'text' and k != 'rank' else ''}'"
        f"{ASCENDING if k == 'rank' else ''}>{e(h)}</th>"
        for k, h, kind in COLUMNS
    )
    return [
        f"<h2>{e(title)}</h2>",
        f"<div class='scroll'><table class='board' id='{e(table_id)}'><thead><tr>{heads}</tr>"
        "</thead>",
        *(_entry(row, scenarios) for row in rows),
        "</table></div>",
    ]


def _game_boards(db: Database) -> list[str]:
    """Every game suite's boards, each under its own heading (suites are never mixed)."""
    lines = []
    for suite in GAME_SUITES.values():
        rows = table(db, suite.version)
        if not rows:
            continue
        lines.append(
            f"<h2 id='suite-{html.escape(suite.version)}'>{html.escape(suite.game)} suite "
            f"{html.escape(suite.describe())}</h2><p class='note'>Ranked on its own; the scores "
            "are normalised for this game (docs/leaderboard.md, Game suites).</p>"
        )
        for key in BOARDS:
            board_rows = [r for r in rows if r["board"] == key]
            if board_rows:
                lines += _board(key, board_rows, suite, suite.scenarios)
    return lines


def _archived_boards(db: Database) -> list[str]:
    """Boards of older matrix suite versions: kept as scored, each ranked on its own."""
    lines = []
    for version in archived_versions(db):
        rows = table(db, version)
        if not rows:
            continue
        scenarios = scenarios_of(version)
        lines.append(
            f"<h2 id='suite-v{html.escape(version)}'>Matrix suite v{html.escape(version)} "
            f"(archived)</h2><p class='note'>Scored on suite v{html.escape(version)} "
            f"({len(scenarios)} scenarios) and kept as scored; ranked on its own, never with "
            f"v{SUITE_VERSION}. Submit an entry again to score it on v{SUITE_VERSION} "
            "(docs/leaderboard.md, Suite v2).</p>"
        )
        for key in BOARDS:
            board_rows = [r for r in rows if r["board"] == key]
            if board_rows:
                lines += _board(key, board_rows, scenarios=scenarios, version=version)
    return lines


def _docs_link(out: Path, anchor: str, text: str) -> str:
    docs = Path(__file__).resolve().parents[1] / "docs" / "leaderboard.md"
    href = Path(os.path.relpath(docs, out.resolve())).as_posix()
    return f"<a href='{html.escape(href)}#{anchor}'>{html.escape(text)}</a>"


def render(db: Database, out: str | Path) -> Path:
    """Write ``index.html`` into ``out`` (created if needed).

    Args:
        db: The leaderboard database.
        out: The directory to write into.

    Returns:
        The page's path.
    """
    if not isinstance(out, str | Path):
        raise TypeError(f"out must be a directory path; got {out!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = table(db)
    matches = db.matches(SUITE_VERSION)
    curves = {row["run_id"]: db.curves(row["run_id"]) for row in rows}
    images = _figures(rows, matches, curves)
    e = html.escape
    links = ", ".join(_docs_link(out, a, t) for t, a in DOC_SECTIONS.items())
    lines = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>coop-envs leaderboard (suite v{SUITE_VERSION})</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>coop-envs leaderboard</h1><p class='note'>suite v{SUITE_VERSION}; score = "
        "(cooperation + adaptivity) / 2 &minus; exploitability (the worst exploiter); &plusmn; = "
        "95% interval over seeds; bold and <span class='badge'>front</span> = Pareto front of its "
        "board (cooperation &uarr;, exploitability &darr;, ties within 0.001). Click a column to "
        f"sort, a name for its per-scenario scores. Docs: {links}.</p>",
        "<div class='controls'><label>filter <input id='filter' type='search' "
        "placeholder='name or kind'></label><label><input id='hide-ref' type='checkbox'> hide "
        "reference entries</label></div>",
    ]
    if not rows:
        lines.append(
            "<p>No scored submissions yet: <code>coop-leaderboard submit PATH --name "
            "NAME</code>.</p>"
        )
    for key in BOARDS:
        board_rows = [r for r in rows if r["board"] == key]
        if board_rows:
            lines += _board(key, board_rows)
    lines += _game_boards(db)
    lines += _archived_boards(db)
    failures = db.failed_runs()
    if failures:
        lines.append(
            "<h2>Failed submissions</h2><div class='scroll'><table id='failed'><thead>"
            "<tr><th class='left'>submission</th><th class='left'>when</th>"
            "<th class='left'>reason</th></tr></thead><tbody>"
        )
        for f in failures:
            first, _, rest = (f["reason"] or "no reason recorded").strip().partition("\n")
            more = f"<details><summary>details</summary><pre>{e(rest)}</pre></details>"
            lines.append(
                f"<tr><td class='left'>{e(f['name'])}</td><td class='left'>{e(f['finished'])}"
                f"</td><td class='left' style='white-space: normal'>{e(first)}"
                f"{more if rest.strip() else ''}</td></tr>"
            )
        lines.append("</tbody></table></div>")
    onload = "this.dataset.loaded = this.naturalWidth > 0 ? 'yes' : 'no'"
    for key, title in (
        ("scatter", "Cooperation vs exploitability"),
        ("tournament", "Round-robin tournament"),
        ("curves", "Within-episode behaviour"),
    ):
        if images[key] is not None:
            lines.append(
                f"<h2>{title}</h2><img id='{key}' alt='{title}' src='{images[key]}' "
                f'onload="{onload}">'
            )
    lines += _evolution(rows, matches)
    lines.append(f"<script>{SCRIPT}</script></body></html>")
    path = out / "index.html"
    path.write_text("\n".join(lines) + "\n")
    return path
