"""SQLite storage of submissions, evaluation runs, metric values, curves and tournament matches.

One file (default ``leaderboard.sqlite`` in the working directory, or ``$COOP_LEADERBOARD_DB``).
Every evaluation is written in one transaction *after* it finished: an interrupted or failed
evaluation leaves either nothing or a ``failed`` run with its reason, never partial metrics.
Submissions are unique by content hash, so re-submitting the same content is recognised.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    reference INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    suite_version TEXT NOT NULL,
    code_version TEXT NOT NULL,
    seeds TEXT NOT NULL,
    quick INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    failure_reason TEXT,
    seconds REAL,
    finished TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    scenario TEXT NOT NULL,
    metric TEXT NOT NULL,
    seed INTEGER,
    value REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS metrics_run ON metrics (run_id);
CREATE TABLE IF NOT EXISTS curves (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    scenario TEXT NOT NULL,
    cooperation TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS matches (
    suite_version TEXT NOT NULL,
    first_id INTEGER NOT NULL REFERENCES submissions(id),
    second_id INTEGER NOT NULL REFERENCES submissions(id),
    reward REAL NOT NULL,
    opponent_reward REAL NOT NULL,
    cooperation REAL NOT NULL,
    opponent_cooperation REAL NOT NULL,
    PRIMARY KEY (suite_version, first_id, second_id)
);
"""


def default_path() -> Path:
    """``$COOP_LEADERBOARD_DB``, else ``leaderboard.sqlite`` in the working directory."""
    return Path(os.environ.get("COOP_LEADERBOARD_DB", "leaderboard.sqlite"))


@dataclass(frozen=True)
class StoredSubmission:
    """A row of ``submissions``."""

    id: int
    name: str
    kind: str
    source: str
    content_hash: str
    reference: bool


class Database:
    """The leaderboard database (opened per command; all writes are transactions).

    Args:
        path: The SQLite file (created with its schema if missing).
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        if self.path.parent and not self.path.parent.exists():
            raise FileNotFoundError(
                f"the database's directory {str(self.path.parent)!r} does not exist"
            )
        self.connection = sqlite3.connect(self.path, timeout=30.0)
        self.connection.execute("PRAGMA foreign_keys = ON")
        with self.connection:
            self.connection.executescript(SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: commits at the end, rolls back on any exception."""
        with self.connection:
            yield self.connection

    # ------------------------------------------------------------------------ queries
    def submission_by_hash(self, content_hash: str) -> StoredSubmission | None:
        """The submission with this content, if any."""
        row = self.connection.execute(
            "SELECT id, name, kind, source, content_hash, reference FROM submissions "
            "WHERE content_hash = ?",
            (content_hash,),
        ).fetchone()
        return StoredSubmission(*row[:5], bool(row[5])) if row else None

    def submission_by_name(self, name: str) -> StoredSubmission | None:
        """The submission with this name, if any."""
        row = self.connection.execute(
            "SELECT id, name, kind, source, content_hash, reference FROM submissions "
            "WHERE name = ?",
            (name,),
        ).fetchone()
        return StoredSubmission(*row[:5], bool(row[5])) if row else None

    def latest_ok_runs(self, suite_version: str, quick: bool | None = None) -> list[dict[str, Any]]:
        """The latest successful run of each submission on this suite version.

        Args:
            suite_version: Only runs of this suite version.
            quick: ``True``: the latest quick run; ``False``: the latest full run; ``None``: the
                latest run of either.
        """
        modes = (0, 1) if quick is None else (int(quick),)
        marks = ", ".join("?" * len(modes))
        rows = self.connection.execute(
            f"""SELECT r.id, r.quick, r.seeds, r.seconds, r.finished, s.id, s.name, s.kind,
                      s.source, s.content_hash, s.reference
               FROM runs r JOIN submissions s ON s.id = r.submission_id
               WHERE r.status = 'ok' AND r.suite_version = ?
                 AND r.id = (SELECT MAX(id) FROM runs r2 WHERE r2.submission_id = r.submission_id
                             AND r2.status = 'ok' AND r2.suite_version = ?
                             AND r2.quick IN ({marks}))
               ORDER BY s.id""",
            (suite_version, suite_version, *modes),
        ).fetchall()
        keys = (
            "run_id",
            "quick",
            "seeds",
            "seconds",
            "finished",
            "submission_id",
            "name",
            "kind",
            "source",
            "content_hash",
            "reference",
        )
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def failed_runs(self) -> list[dict[str, Any]]:
        """Every failed run, newest first."""
        rows = self.connection.execute(
            """SELECT s.name, r.suite_version, r.failure_reason, r.finished FROM runs r
               JOIN submissions s ON s.id = r.submission_id WHERE r.status = 'failed'
               ORDER BY r.id DESC"""
        ).fetchall()
        return [
            dict(zip(("name", "suite_version", "reason", "finished"), r, strict=True)) for r in rows
        ]

    def metrics(self, run_id: int) -> list[tuple[str, str, int | None, float]]:
        """``(scenario, metric, seed, value)`` rows of a run."""
        return self.connection.execute(
            "SELECT scenario, metric, seed, value FROM metrics WHERE run_id = ?", (run_id,)
        ).fetchall()

    def curves(self, run_id: int) -> dict[str, list[float]]:
        """Cooperation curves of a run, by scenario."""
        rows = self.connection.execute(
            "SELECT scenario, cooperation FROM curves WHERE run_id = ?", (run_id,)
        ).fetchall()
        return {scenario: json.loads(curve) for scenario, curve in rows}

    def matches(self, suite_version: str) -> list[dict[str, Any]]:
        """Tournament matches of a suite version."""
        rows = self.connection.execute(
            """SELECT first_id, second_id, reward, opponent_reward, cooperation,
                      opponent_cooperation FROM matches WHERE suite_version = ?""",
            (suite_version,),
        ).fetchall()
        keys = (
            "first_id",
            "second_id",
            "reward",
            "opponent_reward",
            "cooperation",
            "opponent_cooperation",
        )
        return [dict(zip(keys, r, strict=True)) for r in rows]

    # ------------------------------------------------------------------------- writes
    def record(
        self,
        *,
        name: str,
        kind: str,
        source: str,
        content_hash: str,
        reference: bool,
        suite_version: str,
        code_version: str,
        seeds: list[int],
        quick: bool,
        status: str,
        failure_reason: str | None = None,
        seconds: float | None = None,
        metrics: list[tuple[str, str, int | None, float]] = (),
        curves: dict[str, list[float]] | None = None,
        matches: list[tuple[int | None, int | None, dict[str, float]]] = (),
    ) -> int:
        """Store a submission (if new), its run, metrics, curves and matches, atomically.

        ``matches`` are ``(first_id, second_id, result)``; ``None`` stands for this submission.

        Returns:
            The run id.
        """
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        with self.transaction() as db:
            existing = self.submission_by_hash(content_hash)
            if existing is None:
                cursor = db.execute(
                    "INSERT INTO submissions (name, kind, source, content_hash, reference, created)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (name, kind, source, content_hash, int(reference), now),
                )
                submission_id = cursor.lastrowid
            else:
                submission_id = existing.id
            cursor = db.execute(
                "INSERT INTO runs (submission_id, suite_version, code_version, seeds, quick, "
                "status, failure_reason, seconds, finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    submission_id,
                    suite_version,
                    code_version,
                    json.dumps(seeds),
                    int(quick),
                    status,
                    failure_reason,
                    seconds,
                    now,
                ),
            )
            run_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO metrics (run_id, scenario, metric, seed, value) "
                "VALUES (?, ?, ?, ?, ?)",
                [(run_id, s, m, seed, v) for s, m, seed, v in metrics],
            )
            db.executemany(
                "INSERT INTO curves (run_id, scenario, cooperation) VALUES (?, ?, ?)",
                [(run_id, s, json.dumps(c)) for s, c in (curves or {}).items()],
            )
            for first, second, result in matches:
                db.execute(
                    "INSERT OR REPLACE INTO matches VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        suite_version,
                        first or submission_id,
                        second or submission_id,
                        result["reward"],
                        result["opponent_reward"],
                        result["cooperation"],
                        result["opponent_cooperation"],
                    ),
                )
        return run_id
