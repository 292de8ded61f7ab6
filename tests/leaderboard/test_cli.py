"""The leaderboard end to end: submit every format, show, export, render, failures, storage."""

import csv
import io
import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from co_players.analysis import expected_payoffs
from leaderboard import cli
from leaderboard.storage import Database
from leaderboard.suite import SUITE_VERSION

from .conftest import EXAMPLES, record


@pytest.fixture
def db(tmp_path):
    with Database(tmp_path / "lb.sqlite") as database:
        yield database


def submit(db, source, name, **kwargs):
    out = io.StringIO()
    status = cli.submit(db, str(source), name, quick=True, out=out, **kwargs)
    return status, out.getvalue()


def rows(db, sql, *args):
    return db.connection.execute(sql, args).fetchall()


def metric(db, name, scenario, metric_name, seed=0):
    (value,) = rows(
        db,
        "SELECT m.value FROM metrics m JOIN runs r ON r.id = m.run_id JOIN submissions s "
        "ON s.id = r.submission_id WHERE s.name = ? AND m.scenario = ? AND m.metric = ? AND "
        "(m.seed = ? OR (m.seed IS NULL AND ? IS NULL))",
        name,
        scenario,
        metric_name,
        seed,
        seed,
    )[0]
    return value


def test_memory_one_submissions_match_the_exact_analysis(db):
    assert submit(db, EXAMPLES / "tit_for_tat.json", "tft")[0] == 0
    assert submit(db, EXAMPLES / "always_defect.json", "alld")[0] == 0
    # TFT in self-play: exactly 1 per round, sampled and exact
    assert metric(db, "tft", "pd/self_play", "reward") == 1.0
    assert metric(db, "tft", "pd/self_play", "exact_reward", None) == 1.0
    # always-defect's exploitability panel: deterministic exploiters give exact values
    assert metric(db, "alld", "pd/exploiter_always_defect", "reward") == 0.0
    assert metric(db, "alld", "pd/exploiter_best_response", "opponent_reward", None) == 0.0
    assert metric(db, "alld", "pd/exploiter_best_response", "exploitability", None) == 0.0
    # against a ZD extortioner the sampled payoffs agree with the Markov chain
    from co_players import make_co_player
    from coop_envs.core import PRISONERS_DILEMMA

    zd = make_co_player("zd_extort_2").vector_for(PRISONERS_DILEMMA)
    exact = expected_payoffs(np.zeros(5), zd)[0]
    assert metric(db, "alld", "pd/exploiter_zd_extort_2", "reward") == pytest.approx(
        exact[0], abs=0.05
    )
    assert metric(db, "alld", "pd/exploiter_zd_extort_2", "opponent_reward") == pytest.approx(
        exact[1], abs=0.05
    )
    # and the exact best response to TFT: cooperate, defect in the last round
    assert metric(
        db, "tft", "pd/exploiter_best_response", "opponent_reward", None
    ) == pytest.approx(1.01)
    # the tournament match between the two was stored (TFT vs ALLD: one sucker round)
    (match,) = rows(db, "SELECT reward, opponent_reward FROM matches")
    assert sorted(match) == pytest.approx([-0.01, 0.02])


@pytest.mark.parametrize(
    "source,name",
    [
        (EXAMPLES / "tit_for_tat_agent.py", "python_tft"),
        (EXAMPLES / "baseline_gru.pt", "gru"),
        (EXAMPLES / "recurrent_ppo.zip", "rppo"),
        ("axelrod:Tit For Tat", "axelrod_tft"),
    ],
)
def test_every_format_can_be_submitted(db, source, name):
    status, out = submit(db, source, name, tournament=False)
    assert status == 0, out
    (score,) = rows(db, "SELECT COUNT(*) FROM metrics WHERE scenario = 'summary'")
    assert score[0] == 4  # cooperation, adaptivity, exploitability, score (one seed)


def test_resubmission_name_clash_and_show(db):
    submit(db, EXAMPLES / "tit_for_tat.json", "tft")
    status, out = submit(db, EXAMPLES / "tit_for_tat.json", "tft")
    assert status == 0 and "already scored as 'tft'" in out
    with pytest.raises(cli.SubmissionError, match="already submitted as 'tft'"):
        submit(db, EXAMPLES / "tit_for_tat.json", "another_name")
    assert rows(db, "SELECT COUNT(*) FROM runs")[0][0] == 1
    with pytest.raises(cli.SubmissionError, match="the name 'tft' is taken"):
        submit(db, EXAMPLES / "always_defect.json", "tft")
    out = io.StringIO()
    cli.show(db, out=out)
    assert "tft" in out.getvalue() and "memory_one" in out.getvalue()


def test_failed_submission_is_recorded_and_leaves_other_results_alone(db, agent_file):
    submit(db, EXAMPLES / "tit_for_tat.json", "tft")
    before = rows(db, "SELECT * FROM metrics ORDER BY run_id, scenario, metric, seed")
    status, out = submit(db, agent_file("crasher", "raise ValueError('nope')"), "crasher")
    assert status == 1 and "FAILED" in out and "ValueError: nope" in out
    assert rows(db, "SELECT status FROM runs ORDER BY id") == [("ok",), ("failed",)]
    (reason,) = rows(db, "SELECT failure_reason FROM runs WHERE status = 'failed'")[0]
    assert "act() raised ValueError: nope" in reason
    assert rows(db, "SELECT * FROM metrics ORDER BY run_id, scenario, metric, seed") == before
    out = io.StringIO()
    cli.show(db, out=out)
    assert "failed submissions:" in out.getvalue() and "crasher" in out.getvalue()


def test_recording_is_all_or_nothing(db):
    with pytest.raises(sqlite3.IntegrityError):
        record(db, "x", metrics=[("s", "m", 0, 1.0), ("s", "m", 0, None)])
    for table in ("submissions", "runs", "metrics"):
        assert rows(db, f"SELECT COUNT(*) FROM {table}")[0][0] == 0


def test_suite_versions_are_never_mixed(db):
    record(db, "old", suite_version="0", metrics=[("summary", "score", 0, 9.0)])
    from leaderboard.ranking import table

    assert table(db) == [] and len(table(db, "0")) == 1


def test_export_and_render(db, tmp_path):
    submit(db, EXAMPLES / "tit_for_tat.json", "tft")
    submit(db, EXAMPLES / "always_defect.json", "alld")
    out = io.StringIO()
    cli.export(db, "csv", None, out=out)
    records = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["name"] for r in records] == ["tft", "alld"]
    assert float(records[0]["pd/self_play/reward"]) == 1.0
    cli.export(db, "json", tmp_path / "board.json", out=io.StringIO())
    data = json.loads((tmp_path / "board.json").read_text())
    assert data["suite_version"] == SUITE_VERSION and data["rows"][0]["rank"] == 1
    assert set(data["code"]) == {"commit", "dirty", "package"} and data["exported"][:2] == "20"
    from leaderboard.render import render

    page = render(db, tmp_path / "site").read_text()
    assert "class='board'" in page and page.count("data:image/png;base64,") == 3
    assert "https://" not in page and "http://" not in page  # works offline


def test_cli_main_parses_and_reports_errors(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    assert (
        cli.main(
            ["--db", db, "submit", str(EXAMPLES / "tit_for_tat.json"), "--name", "tft", "--quick"]
        )
        == 0
    )
    assert cli.main(["--db", db, "show"]) == 0
    assert "tft" in capsys.readouterr().out
    assert cli.main(["--db", db, "submit", str(tmp_path / "nope.py"), "--name", "x"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["--db", str(tmp_path / "missing_dir" / "x.sqlite"), "show"]) == 2
    with pytest.raises(SystemExit):
        cli.main(["--db", db, "export", "--format", "xml"])


@pytest.mark.slow
def test_full_suite_with_a_trained_exploiter(tmp_path):
    with Database(tmp_path / "full.sqlite") as db:
        out = io.StringIO()
        assert cli.submit(db, str(EXAMPLES / "always_defect.json"), "alld", out=out) == 0
        from leaderboard.ranking import table

        (row,) = table(db)
        assert row["score"]["low"] is not None  # 95% interval over 3 seeds
        trained = row["scenarios"]["pd/exploiter_trained"]
        # nothing exploits always-defect: the trained exploiter cannot gain on it
        assert trained["exploitability"]["mean"] == pytest.approx(0.0, abs=0.02)


@pytest.mark.parametrize("jail", [True, False], ids=["jailed", "no-bubblewrap"])
def test_main_job_trains_evaluates_and_submits(tmp_path, monkeypatch, capsys, jail):
    from leaderboard import quickstart, sandbox

    monkeypatch.chdir(tmp_path)
    if not jail:  # a fresh machine without bubblewrap: the user's own files still run
        monkeypatch.setattr(sandbox, "jail_available", lambda: False)
        monkeypatch.setattr(cli, "jail_available", lambda: False)
    assert (
        quickstart.main(["--minutes", "0.02", "--db", str(tmp_path / "lb.sqlite"), "--no-progress"])
        == 0
    )
    out = capsys.readouterr().out
    assert "in_context_best_responder" in out  # the evaluation table
    assert "quickstart_" in out and "tit_for_tat" in out and "always_defect" in out
    with Database(tmp_path / "lb.sqlite") as db:
        names = {r[0] for r in db.connection.execute("SELECT name FROM submissions")}
    assert {"tit_for_tat", "win_stay_lose_shift", "always_defect", "zd_extort_2"} <= names


def test_reference_entries_are_the_classics_and_one_baseline_per_recipe():
    entries = dict(cli.reference_entries())
    assert {"tit_for_tat", "win_stay_lose_shift", "always_defect", "zd_extort_2"} <= set(entries)
    baselines = {name for name in entries if name.startswith("baseline_")}
    assert baselines == {
        cli.reference_baseline(*r)[0] for r in cli.REFERENCE_BASELINES
    }  # all there
    assert "baseline_stage1_fast_seed0" in baselines  # the names stored leaderboards know
    assert all(Path(source).exists() for source in entries.values())
