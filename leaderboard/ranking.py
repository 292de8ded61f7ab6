"""The ranked table: one row per submission (its latest successful run on a suite version).

Rank rule (suite v1): by the headline score ``(cooperation + adaptivity) / 2 - exploitability``,
highest first (mean over seeds). The Pareto front is the set of submissions that no other
submission beats on both cooperation (higher) and exploitability (lower).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from leaderboard.scoring import summarise
from leaderboard.storage import Database
from leaderboard.suite import GROUPS, SCENARIOS, SUITE_VERSION

COLUMNS = ("score", *GROUPS)


def table(db: Database, suite_version: str = SUITE_VERSION) -> list[dict[str, Any]]:
    """The ranked rows: submission, kind, rank, group scores with intervals, Pareto flag.

    Runs of other suite versions are never mixed in.
    """
    rows = []
    for run in db.latest_ok_runs(suite_version):
        by_metric: dict[tuple[str, str], list[float]] = defaultdict(list)
        for scenario, metric, _seed, value in db.metrics(run["run_id"]):
            by_metric[(scenario, metric)].append(value)
        row = {
            "name": run["name"],
            "kind": run["kind"],
            "reference": bool(run["reference"]),
            "quick": bool(run["quick"]),
            "run_id": run["run_id"],
            "submission_id": run["submission_id"],
            "suite_version": suite_version,
        }
        for column in COLUMNS:
            row[column] = summarise(by_metric.get(("summary", column), []))
        scenarios = {}
        for scenario in SCENARIOS:
            values = {m: summarise(v) for (s, m), v in by_metric.items() if s == scenario.name}
            if values:
                scenarios[scenario.name] = values
        row["scenarios"] = scenarios
        rows.append(row)
    rows.sort(key=lambda r: -r["score"]["mean"])
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    for row in rows:
        row["pareto"] = not any(
            other["cooperation"]["mean"] >= row["cooperation"]["mean"]
            and other["exploitability"]["mean"] <= row["exploitability"]["mean"]
            and (
                other["cooperation"]["mean"] > row["cooperation"]["mean"]
                or other["exploitability"]["mean"] < row["exploitability"]["mean"]
            )
            for other in rows
        )
    return rows


def flat(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One flat record per submission, for CSV.

    Columns: the headline scores with their intervals, then every scenario metric's mean.
    """
    out = []
    for row in rows:
        record = {
            k: row[k]
            for k in ("rank", "name", "kind", "reference", "quick", "pareto", "suite_version")
        }
        for column in COLUMNS:
            record[column] = row[column]["mean"]
            record[f"{column}_low"] = row[column]["low"]
            record[f"{column}_high"] = row[column]["high"]
        for scenario, metrics in row["scenarios"].items():
            for metric, summary in metrics.items():
                record[f"{scenario}/{metric}"] = summary["mean"]
        out.append(record)
    return out


def format_interval(summary: dict[str, Any]) -> str:
    """``mean ± half-width`` (or just the mean)."""
    if summary["low"] is None:
        return f"{summary['mean']:.3f}"
    return f"{summary['mean']:.3f} ± {(summary['high'] - summary['low']) / 2:.3f}"
