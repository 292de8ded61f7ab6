"""SQLite storage of submissions, evaluation runs, metric values, curves and tournament matches.

One file (default ``leaderboard.sqlite`` in the working directory, or ``$COOP_LEADERBOARD_DB``).
Every evaluation is written in one transaction *after* it finished: an interrupted or failed
evaluation leaves either nothing or a ``failed`` run with its reason, never partial metrics.
Submissions are unique by content hash, so re-submitting the same content is recognised.

Durability: only the parent process writes (workers never see the file); the database is in
WAL mode, so a writer killed mid-transaction leaves the last committed state; every write batch
first copies the database to ``<file>.backup`` with SQLite's online backup API (written to a
temporary file, then renamed, so the backup itself is never half-written). A corrupt or vanished
database is an error naming that backup; ``coop-leaderboard restore`` puts it back.
"""

from __future__ import annotations

import json
import os
import shutil
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


class StorageError(ValueError):
    """The database file cannot be used (a directory, corrupt, gone); the message says why."""


def backup_path(path: str | Path) -> Path:
    """Where the automatic backup of the database at ``path`` lives (``<file>.backup``)."""
    path = Path(path)
    return path.with_name(path.name + ".backup")


def _restore_hint(path: Path) -> str:
    backup = backup_path(path)
    if backup.is_file():
        return (
            f"its backup {str(backup)!r} holds every result up to the last write: "
            f"coop-leaderboard --db {str(path)!r} restore"
        )
    return f"there is no backup ({str(backup)!r} does not exist)"


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
        if self.path.is_dir():
            raise StorageError(f"--db {str(self.path)!r} is a directory; pass an SQLite file")
        if not self.path.exists() and backup_path(self.path).is_file():
            raise StorageError(
                f"the database {str(self.path)!r} is missing; {_restore_hint(self.path)}"
            )
        self.connection = sqlite3.connect(self.path, timeout=30.0)
        try:
            self._initialise()
        except sqlite3.DatabaseError as exc:
            self.connection.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise StorageError(
                    f"the database {str(self.path)!r} stayed locked by another process for 30 s"
                ) from None
            raise StorageError(
                f"{str(self.path)!r} is not a readable leaderboard database ({exc}); "
                f"{_restore_hint(self.path)}"
            ) from None

    def _initialise(self) -> None:
        """Foreign keys, WAL mode and the schema; retried while another process sets them up.

        Switching to WAL and creating the schema take locks that SQLite's busy timeout does not
        always wait for (two ``submit`` starting on a new file at once), hence the retries.
        """
        self.connection.execute("PRAGMA foreign_keys = ON")
        deadline = time.monotonic() + 30.0
        while True:
            try:
                if self.connection.execute("PRAGMA journal_mode").fetchone() != ("wal",):
                    self.connection.execute("PRAGMA journal_mode = WAL")
                with self.connection:
                    self.connection.executescript(SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: backs the database up, then commits at the end or rolls back.

        The write lock is taken at the start (``BEGIN IMMEDIATE``), so two writers queue (up to
        30 s) instead of failing half-way.
        """
        self.backup()
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.commit()

    def backup(self, target: str | Path | None = None) -> Path:
        """Copy the database with SQLite's online backup API (default: :func:`backup_path`).

        The copy is written to a temporary file and renamed, so a crash never leaves a
        half-written backup.
        """
        target = Path(target) if target is not None else backup_path(self.path)
        partial = target.with_name(f"{target.name}.partial-{os.getpid()}-{time.monotonic_ns()}")
        copy = sqlite3.connect(partial)
        try:
            self.connection.backup(copy)
        finally:
            copy.close()
        os.replace(partial, target)
        return target

    def integrity(self) -> str:
        """``PRAGMA integrity_check``: ``"ok"``, or the problems found."""
        rows = self.connection.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(str(r[0]) for r in rows)

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

    def suite_versions(self) -> list[str]:
        """Every suite version with a successful run, in the order of its first one."""
        rows = self.connection.execute(
            "SELECT suite_version FROM runs WHERE status = 'ok' GROUP BY suite_version "
            "ORDER BY MIN(id)"
        ).fetchall()
        return [row[0] for row in rows]

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


def restore(path: str | Path | None = None) -> Path:
    """Put the automatic backup back in place of the database at ``path``.

    The current file (if any) is kept beside it as ``<file>.damaged-<unix time>``.

    Returns:
        The path of the restored database.

    Raises:
        StorageError: If there is no backup, or the backup itself fails its integrity check.
    """
    path = Path(path) if path is not None else default_path()
    backup = backup_path(path)
    if not backup.is_file():
        raise StorageError(f"cannot restore {str(path)!r}: no backup {str(backup)!r}")
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        check = (str(exc),)
    if check != ("ok",):
        source.close()
        raise StorageError(f"the backup {str(backup)!r} is damaged too: {check[0]}")
    if path.exists():
        shutil.move(path, path.with_name(f"{path.name}.damaged-{int(time.time())}"))
    for suffix in ("-wal", "-shm"):
        stale = path.with_name(path.name + suffix)
        if stale.exists():
            stale.unlink()
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return path
