"""The ranked tables: one row per submission and suite mode (its latest successful run).

Rank rule (every suite version): by the headline score ``(cooperation + adaptivity) / 2 -
exploitability``, highest first (mean over seeds).

Full and quick runs are never ranked together: a quick run (one seed, fewer episodes, no trained
exploiter) is noisier and misses the trained exploiter, so it sits on its own, *provisional*
board; a submission that has a full run is shown on the full board only. Suite versions are never
mixed either: runs of an older version of the matrix suite (:func:`archived_versions`) stay
stored and get boards of their own, ranked among themselves.

The Pareto front of a board is the set of its entries that no other entry of the same board
*dominates*: at least as good on both cooperation (higher) and exploitability (lower), and better
on one of them, where "better" means by more than :data:`TOLERANCE` (so two exploitabilities that
differ by float rounding, ``0.01`` and ``0.010000000000000009``, are equal).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from leaderboard.scoring import summarise
from leaderboard.storage import Database
from leaderboard.suite import (
    GROUPS,
    MATRIX_SCENARIOS,
    METRIC_OF_GROUP,
    SCENARIOS,
    SUITE_VERSION,
)

COLUMNS = ("score", *GROUPS)
TOLERANCE = 1e-3
"""Two scores closer than this are equal for the Pareto front: below the table's last shown
digit (three decimals) and well below the sampling noise of one seed."""
BOARDS = ("full", "quick")
"""The full suite's board, then the provisional board of quick-only entries."""


def dominates(a: dict[str, Any], b: dict[str, Any], tolerance: float = TOLERANCE) -> bool:
    """Whether row ``a`` dominates row ``b`` on (cooperation ↑, exploitability ↓).

    Args:
        a: A ranked row (``cooperation`` and ``exploitability`` summaries with a ``mean``).
        b: Another row.
        tolerance: Differences up to this are ties.

    Returns:
        ``True`` if ``a`` is no worse than ``b`` on both, and better by more than ``tolerance``
        on at least one.
    """
    gain_c = a["cooperation"]["mean"] - b["cooperation"]["mean"]
    gain_e = b["exploitability"]["mean"] - a["exploitability"]["mean"]
    no_worse = gain_c >= -tolerance and gain_e >= -tolerance
    return no_worse and (gain_c > tolerance or gain_e > tolerance)


def pareto_flags(rows: list[dict[str, Any]], tolerance: float = TOLERANCE) -> list[bool]:
    """For each row, whether no other row dominates it (see :func:`dominates`)."""
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0; got {tolerance!r}")
    return [
        not any(dominates(other, row, tolerance) for other in rows if other is not row)
        for row in rows
    ]


def worst_exploiter(scenarios: dict[str, dict[str, Any]]) -> str | None:
    """The scenario whose exploiter gains most (the one that sets the exploitability), if any."""
    metric = METRIC_OF_GROUP["exploitability"]
    scored = {s: m[metric]["mean"] for s, m in scenarios.items() if metric in m}
    return max(scored, key=scored.get) if scored else None


def _row(db: Database, run: dict[str, Any], suite_version: str, board: str) -> dict[str, Any]:
    by_metric: dict[tuple[str, str], list[float]] = defaultdict(list)
    for scenario, metric, _seed, value in db.metrics(run["run_id"]):
        by_metric[(scenario, metric)].append(value)
    row = {
        "name": run["name"],
        "kind": run["kind"],
        "reference": bool(run["reference"]),
        "quick": bool(run["quick"]),
        "board": board,
        "run_id": run["run_id"],
        "submission_id": run["submission_id"],
        "suite_version": suite_version,
    }
    for column in COLUMNS:
        row[column] = summarise(by_metric.get(("summary", column), []))
    scenarios = {}
    for scenario in scenarios_of(suite_version):
        values = {m: summarise(v) for (s, m), v in by_metric.items() if s == scenario.name}
        if values:
            scenarios[scenario.name] = values
    row["scenarios"] = scenarios
    row["worst_exploiter"] = worst_exploiter(scenarios)
    return row


def scenarios_of(suite_version: str) -> tuple:
    """The scenarios of a suite version: a matrix suite version's, or a game suite's.

    A matrix version this code does not know gets the current scenarios (each row lists only
    the scenarios it has metrics for).
    """
    from leaderboard.game_suites import suite_of_version

    suite = suite_of_version(suite_version)
    if suite is not None:
        return suite.scenarios
    return MATRIX_SCENARIOS.get(suite_version, SCENARIOS)


def archived_versions(db: Database) -> list[str]:
    """Older matrix suite versions with stored successful runs, newest first.

    Their runs are kept as they were scored and shown on boards of their own; they are never
    ranked with the current version's (:data:`~leaderboard.suite.SUITE_VERSION`).
    """
    from leaderboard.game_suites import suite_of_version

    older = [v for v in db.suite_versions() if v != SUITE_VERSION and suite_of_version(v) is None]
    return sorted(older, key=lambda v: (int(v) if v.isdigit() else -1, v), reverse=True)


def board(db: Database, suite_version: str = SUITE_VERSION, *, quick: bool) -> list[dict]:
    """One board, ranked: the full suite's (``quick=False``) or the provisional quick one.

    The quick board holds only submissions without a full run on this suite version.

    Returns:
        Rows (see :func:`table`), ranked within the board, each with its Pareto flag.
    """
    if not isinstance(quick, bool):
        raise TypeError(f"quick must be True or False; got {quick!r}")
    runs = db.latest_ok_runs(suite_version, quick=quick)
    if quick:
        full = {r["submission_id"] for r in db.latest_ok_runs(suite_version, quick=False)}
        runs = [r for r in runs if r["submission_id"] not in full]
    name = "quick" if quick else "full"
    rows = [_row(db, run, suite_version, name) for run in runs]
    rows.sort(key=lambda r: -r["score"]["mean"])
    for rank, (row, pareto) in enumerate(zip(rows, pareto_flags(rows), strict=True), start=1):
        row["rank"] = rank
        row["pareto"] = pareto
    return rows


def table(db: Database, suite_version: str = SUITE_VERSION) -> list[dict[str, Any]]:
    """Both boards: the full suite's rows, then the provisional quick rows.

    Each row: submission name, kind, reference flag, ``board`` (``"full"`` or ``"quick"``), rank
    and Pareto flag *within its board*, the headline scores with 95% intervals, every scenario's
    metrics and the worst exploiter. Runs of other suite versions are never mixed in.
    """
    return board(db, suite_version, quick=False) + board(db, suite_version, quick=True)


def flat(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One flat record per row, for CSV.

    Columns: the board, rank and flags, the headline scores with their intervals, the worst
    exploiter, then every scenario metric's mean.
    """
    out = []
    for row in rows:
        keys = ("board", "rank", "name", "kind", "reference", "quick", "pareto", "suite_version")
        record = {k: row[k] for k in keys}
        for column in COLUMNS:
            record[column] = row[column]["mean"]
            record[f"{column}_low"] = row[column]["low"]
            record[f"{column}_high"] = row[column]["high"]
        record["worst_exploiter"] = row["worst_exploiter"]
        for scenario, metrics in row["scenarios"].items():
            for metric, summary in metrics.items():
                record[f"{scenario}/{metric}"] = summary["mean"]
        out.append(record)
    return out


def format_number(value: float | None) -> str:
    """Three decimals, never ``-0.000``; an em dash for a missing value."""
    if value is None or value != value:
        return "—"
    return f"{round(value, 3) + 0.0:.3f}"


def format_interval(summary: dict[str, Any]) -> str:
    """``mean ± half-width`` (or just the mean)."""
    if summary["low"] is None:
        return format_number(summary["mean"])
    half = (summary["high"] - summary["low"]) / 2
    return f"{format_number(summary['mean'])} ± {format_number(half)}"
