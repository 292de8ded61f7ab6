"""The ranked boards: the Pareto front within tolerance, quick and full runs kept apart,
re-scoring, and the CLI's one-line errors."""

import io
import re

import pytest

from leaderboard import cli
from leaderboard.ranking import board, dominates, format_interval, pareto_flags, table
from leaderboard.storage import Database
from leaderboard.suite import QUICK

from .conftest import EXAMPLES
from .conftest import record as store


@pytest.fixture
def db(tmp_path):
    with Database(tmp_path / "lb.sqlite") as database:
        yield database


def record(db, name, *, cooperation, exploitability, quick=False, adaptivity=0.5, seeds=(0,)):
    """A stored run with only its summary metrics (no scoring)."""
    score = (cooperation + adaptivity) / 2 - exploitability
    metrics = [
        ("summary", column, seed, value)
        for seed in seeds
        for column, value in (
            ("score", score),
            ("cooperation", cooperation),
            ("adaptivity", adaptivity),
            ("exploitability", exploitability),
        )
    ]
    return store(db, name, seeds=list(seeds), quick=quick, metrics=metrics)


def test_float_noise_does_not_decide_the_front(db):
    # the pair from issue 29: the baseline's exploitability stored as 0.01, TFT's as
    # 0.010000000000000009 (float noise), which starred the dominated baseline
    record(db, "tit_for_tat", cooperation=0.876, exploitability=0.010000000000000009)
    record(db, "baseline_stage2_fast_seed0", cooperation=0.433, exploitability=0.01)
    rows = {r["name"]: r for r in board(db, quick=False)}
    assert rows["tit_for_tat"]["pareto"] is True
    assert rows["baseline_stage2_fast_seed0"]["pareto"] is False
    # exact comparison (tolerance 0) is what starred it before
    assert pareto_flags(list(rows.values()), tolerance=0.0) == [True, True]


def test_dominance_needs_a_gain_beyond_the_tolerance():
    def row(c, e):
        return {"cooperation": {"mean": c}, "exploitability": {"mean": e}}

    assert dominates(row(0.5, 0.1), row(0.4, 0.1))
    assert not dominates(row(0.5004, 0.1), row(0.5, 0.1))  # a tie: neither dominates
    assert not dominates(row(0.9, 0.2), row(0.4, 0.1))  # better on one, worse on the other
    with pytest.raises(ValueError, match="tolerance must be >= 0; got -1"):
        pareto_flags([row(0, 0)], tolerance=-1)


def test_quick_and_full_runs_are_ranked_apart(db):
    # a quick run that scores higher than the same strategy's full run must not outrank it
    record(db, "tft", cooperation=0.567, exploitability=0.0, seeds=(0, 1, 2))
    record(db, "tft_quick_only", cooperation=0.575, exploitability=0.0, quick=True)
    record(db, "alld", cooperation=0.0, exploitability=0.0, quick=True)
    rows = table(db)
    assert [(r["board"], r["rank"], r["name"]) for r in rows] == [
        ("full", 1, "tft"),
        ("quick", 1, "tft_quick_only"),
        ("quick", 2, "alld"),
    ]
    assert rows[0]["pareto"] and rows[1]["pareto"]  # each board has its own front
    out = io.StringIO()
    cli.show(db, out=out)
    text = out.getvalue()
    assert text.index("full suite") < text.index("tft ") < text.index("provisional")
    assert text.index("provisional") < text.index("tft_quick_only")


def test_a_full_run_replaces_the_quick_one_on_the_boards(db):
    record(db, "tft", cooperation=0.575, exploitability=0.0, quick=True)
    assert [r["board"] for r in table(db)] == ["quick"]
    record(db, "tft", cooperation=0.567, exploitability=0.0, seeds=(0, 1, 2))
    (row,) = table(db)
    assert row["board"] == "full" and row["cooperation"]["mean"] == pytest.approx(0.567)
    with pytest.raises(TypeError, match="quick must be True or False; got None"):
        board(db, quick=None)


def test_rescoring_a_quick_entry_on_the_full_suite_and_with_a_new_name(db, monkeypatch):
    monkeypatch.setattr(cli, "FULL", QUICK)  # the full suite's bookkeeping at the quick cost
    source = str(EXAMPLES / "tit_for_tat.json")
    out = io.StringIO()
    assert cli.submit(db, source, "tft", quick=True, out=out) == 0
    assert cli.submit(db, source, "tft", quick=True, out=out) == 0
    assert "already scored as 'tft'" in out.getvalue() and "drop --quick" in out.getvalue()
    assert cli.submit(db, source, "tft", quick=False, out=out) == 0  # a normal step
    assert [(r["board"], r["name"]) for r in table(db)] == [("full", "tft")]
    with pytest.raises(cli.SubmissionError, match="already submitted as 'tft'; got --name 'tft2'"):
        cli.submit(db, source, "tft2", quick=False, force=True, out=out)
    runs = db.connection.execute("SELECT quick FROM runs ORDER BY id").fetchall()
    assert runs == [(1,), (0,)]


def test_no_minus_zero():
    assert format_interval({"mean": -0.0001, "low": None, "high": None}) == "0.000"
    assert format_interval({"mean": 0.5, "low": 0.4, "high": 0.6}) == "0.500 ± 0.100"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["submit", "nonexist.py", "--name", "x"], "submission file 'nonexist.py' does not exist"),
        (["submit", "missing/dir/agent", "--name", "x"], "does not exist"),
        (
            ["submit", str(EXAMPLES / "tit_for_tat.json"), "--name", "x", "--kind", "python"],
            "--kind python needs a .py file; got '.*tit_for_tat.json' \\(kind memory_one",
        ),
        (["submit", str(EXAMPLES / "tit_for_tat.json"), "--name", ""], "--name must be 1-80"),
        (["submit", "axelrod:Tit For Tatt", "--name", "x"], "unknown Axelrod strategy 'Tit For"),
    ],
)
def test_cli_user_errors_are_one_line(tmp_path, capsys, args, message):
    assert cli.main(["--db", str(tmp_path / "lb.sqlite"), *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert re.search(message, captured.err), captured.err


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(cli.SubmissionError, match="does not exist"):
        cli.main(
            ["--db", str(tmp_path / "lb.sqlite"), "--debug", "submit", "nope.py", "--name", "x"]
        )


def test_show_prints_a_long_failure_reason_whole(db):
    reason = "load() raised " + " ".join(f"word{i}" for i in range(40)) + " END\nTraceback: x"
    store(db, "broken", kind="python", source="broken.py", status="failed", failure_reason=reason)
    out = io.StringIO()
    cli.show(db, out=out)
    text = " ".join(out.getvalue().split())
    assert "broken: load() raised word0" in text and "word39 END" in text
    assert "Traceback" not in text


def test_help_is_plain_text(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    assert "coop-leaderboard (or python -m leaderboard)" in text and "``" not in text
