"""Durable results: WAL, a backup before every write, restore, clear errors, killed writers."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leaderboard import cli
from leaderboard.storage import Database, StorageError, backup_path, restore

from .conftest import EXAMPLES, ROOT
from .conftest import record as store


def record(db, name, content_hash=None):
    return store(db, name, content_hash=content_hash or name, metrics=[("s", "reward", 0, 1.5)])


def names(path):
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [r[0] for r in connection.execute("SELECT name FROM submissions ORDER BY id")]
    finally:
        connection.close()


def test_wal_mode_and_a_backup_before_each_write(tmp_path):
    path = tmp_path / "lb.sqlite"
    with Database(path) as db:
        assert db.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        record(db, "first")
        assert names(backup_path(path)) == []  # the backup is the state before the write
        record(db, "second")
        assert names(backup_path(path)) == ["first"]
        assert db.integrity() == "ok"
    assert names(path) == ["first", "second"]


def test_a_failed_write_leaves_nothing(tmp_path):
    with Database(tmp_path / "lb.sqlite") as db:
        record(db, "first")
        with pytest.raises(sqlite3.IntegrityError):
            record(db, "first", content_hash="other")  # the name is taken: all rolled back
        assert db.connection.execute("SELECT COUNT(*) FROM runs").fetchone() == (1,)


def test_a_corrupt_database_names_its_backup_and_restore_brings_it_back(tmp_path, capsys):
    path = tmp_path / "lb.sqlite"
    with Database(path) as db:
        record(db, "first")
        record(db, "second")
    path.write_bytes(os.urandom(8192))
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with pytest.raises(StorageError, match="not a readable leaderboard database") as error:
        Database(path)
    assert f"{backup_path(path)}" in str(error.value)
    assert cli.main(["show", "--db", str(path)]) == 2
    assert "coop-leaderboard --db" in capsys.readouterr().err
    assert cli.main(["restore", "--db", str(path)]) == 0
    assert names(path) == ["first"]  # the state before the last write batch
    assert len(list(tmp_path.glob("lb.sqlite.damaged-*"))) == 1


def test_a_vanished_database_with_a_backup_is_an_error(tmp_path):
    path = tmp_path / "lb.sqlite"
    with Database(path) as db:
        record(db, "first")
        record(db, "second")
    for stale in tmp_path.glob("lb.sqlite*"):
        if stale.name != "lb.sqlite.backup":
            stale.unlink()
    with pytest.raises(StorageError, match=r"lb.sqlite' is missing; its backup .* restore"):
        Database(path)
    restore(path)
    assert names(path) == ["first"]


def test_restore_without_a_backup_is_an_error(tmp_path):
    with pytest.raises(StorageError, match=r"cannot restore .* no backup"):
        restore(tmp_path / "lb.sqlite")


def test_a_directory_is_not_a_database(tmp_path, capsys):
    assert cli.main(["--db", str(tmp_path), "show"]) == 2
    assert f"--db '{tmp_path}' is a directory; pass an SQLite file" in capsys.readouterr().err


def test_db_is_accepted_after_the_command(tmp_path, capsys):
    path = tmp_path / "after.sqlite"
    assert cli.main(["show", "--db", str(path)]) == 0
    assert str(path) in capsys.readouterr().out
    assert path.exists()


def _cli(*args):
    return [sys.executable, "-m", "leaderboard", *args]


def _workers_of(token: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_submit_killed_mid_scoring_loses_nothing(tmp_path):
    path = tmp_path / "lb.sqlite"
    with Database(path) as db:
        record(db, "earlier")
    slow = tmp_path / "slow_loader.py"
    slow.write_text("import time\ntime.sleep(60)\n")
    process = subprocess.Popen(
        _cli("--db", str(path), "submit", str(slow), "--name", "slow", "--trust"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):  # until its worker is loading the submission
        if _workers_of(str(slow)):
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert names(path) == ["earlier"]
    with Database(path) as db:
        assert db.metrics(1) == [("s", "reward", 0, 1.5)]
    workers = _workers_of(str(slow))
    for _ in range(50):  # the worker dies with its parent
        if not workers:
            break
        time.sleep(0.1)
        workers = _workers_of(str(slow))
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    assert workers == []


def test_two_submits_at_once_both_land(tmp_path):
    path = tmp_path / "lb.sqlite"
    processes = [
        subprocess.Popen(
            _cli(
                "--db",
                str(path),
                "submit",
                str(EXAMPLES / f"{name}.json"),
                "--name",
                name,
                "--quick",
            ),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("tit_for_tat", "always_defect")
    ]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-2000:]
    assert sorted(names(path)) == ["always_defect", "tit_for_tat"]
