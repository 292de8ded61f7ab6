"""Plots of a run directory: training curves and within-episode behaviour (matplotlib, PNG)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

IN_EPISODE = {
    "always_cooperate": "always cooperate",
    "always_defect": "always defect",
    "tit_for_tat": "tit-for-tat",
    "random_tabular_held_out": "random tabular (held out)",
}


def read_log(directory: Path) -> list[dict[str, float]]:
    """The rows of a run's ``log.csv`` as numbers (empty cells left out; no file: no rows)."""
    path = Path(directory) / "log.csv"
    if not path.exists():
        return []
    with path.open() as f:
        return [
            {k: float(v) for k, v in row.items() if v not in ("", None)}
            for row in csv.DictReader(f)
        ]


def save(fig: plt.Figure, path: Path, dpi: int = 110) -> Path:
    """Write ``fig`` to ``path`` and free it."""
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def _last_eval(directory: Path) -> dict | None:
    """The last evaluation record: of ``evals.jsonl``, else the evidence's ``final_eval.json``."""
    path = directory / "evals.jsonl"
    if not path.exists():
        final = directory / "final_eval.json"
        return json.loads(final.read_text()) if final.exists() else None
    lines = [line for line in path.read_text().splitlines() if line]
    return json.loads(lines[-1]) if lines else None


def plot_training(directory: Path) -> Path | None:
    """``training.png``: reward and cooperation over training, per learner and opponent."""
    rows = read_log(directory)
    if not rows:
        return None
    steps = [r["env_steps"] for r in rows]
    learners = sorted({k.split("/")[0] for r in rows for k in r if k.startswith("l")})
    series = (
        [
            ("eval/random_tabular_held_out", "vs random tabular (held out)"),
            ("eval/tit_for_tat", "vs tit-for-tat"),
            ("eval/always_defect", "vs always defect"),
        ]
        + [(f"eval/learner_{j}", f"vs learner {j}") for j in range(len(learners))]
        + [("eval/frozen_0", "vs frozen agent")]
    )
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    for learner in learners:
        for key, label in series:
            for ax, metric in zip(axes, ("reward", "cooperation"), strict=True):
                name = f"{learner}/{key}/{metric}"
                points = [(s, r[name]) for s, r in zip(steps, rows, strict=True) if name in r]
                if points:
                    xs, ys = zip(*points, strict=True)
                    ax.plot(xs, ys, label=f"{learner} {label}")
    for ax, metric in zip(axes, ("reward per round", "cooperation rate"), strict=True):
        ax.set_xlabel("environment steps (per learner x learners)")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    axes[1].set_ylim(-0.02, 1.02)
    if axes[0].get_legend_handles_labels()[0]:
        axes[0].legend(fontsize=7, loc="best")
    fig.suptitle(f"{directory.name}: evaluation during training")
    fig.tight_layout()
    out = directory / "training.png"
    save(fig, out)
    return out


def plot_in_episode(directory: Path) -> Path | None:
    """``in_episode.png``: cooperation and reward in each round vs the reference co-players."""
    record = _last_eval(directory)
    if record is None or not record["results"]:
        return None
    results = record["results"]
    fig, axes = plt.subplots(len(results), 2, figsize=(12, 3.6 * len(results)), squeeze=False)
    for row, (learner, by_opponent) in enumerate(results.items()):
        for name, result in by_opponent.items():
            label = IN_EPISODE.get(name, name.replace("_", " "))
            rounds = range(1, len(result["cooperation_curve"]) + 1)
            axes[row, 0].plot(rounds, result["cooperation_curve"], label=label)
            axes[row, 1].plot(rounds, result["reward_curve"], label=label)
        axes[row, 0].set_ylabel(f"{learner}: cooperation")
        axes[row, 1].set_ylabel(f"{learner}: reward")
        axes[row, 0].set_ylim(-0.02, 1.02)
        for ax in axes[row]:
            ax.set_xlabel("round within the episode")
            ax.grid(alpha=0.3)
        axes[row, 0].legend(fontsize=7)
    fig.suptitle(
        f"{directory.name}: within-episode behaviour at update {record['update']} "
        f"({record['env_steps']:,} steps)"
    )
    fig.tight_layout()
    out = directory / "in_episode.png"
    save(fig, out)
    return out


def plot_run(directory: str | Path) -> list[Path]:
    """Write both plots of a run directory; returns the files written."""
    directory = Path(directory)
    return [p for p in (plot_training(directory), plot_in_episode(directory)) if p is not None]
