"""Suite v2: the cross-play scenario against the held-out learners, and v1 runs kept apart."""

import io
import json
import shutil
from collections import defaultdict

import numpy as np
import pytest

from co_players import CoPlayerAgent, make_co_player
from coop_envs.core import get_game
from leaderboard import cli, held_out
from leaderboard.ranking import table
from leaderboard.scoring import Evaluation, aggregate, play_seed, split_games
from leaderboard.storage import Database
from leaderboard.submissions import inspect_submission
from leaderboard.suite import (
    HELD_OUT_LEARNERS,
    MATRIX_SCENARIOS,
    SCENARIOS,
    SCENARIOS_V1,
    SUITE_VERSION,
    welfare_score,
)

from .conftest import EXAMPLES, ROOT, record

NAME = "pd/held_out_learners"
MIXED_POOL = ROOT / "docs" / "results" / "mixed_pool" / "fast"
PD = get_game("prisoners_dilemma")


@pytest.fixture
def db(tmp_path):
    with Database(tmp_path / "lb.sqlite") as database:
        yield database


@pytest.fixture
def population_copy(tmp_path, monkeypatch):
    """A copy of the committed population that the scorer uses instead of the real one."""
    directory = tmp_path / "held_out"
    directory.mkdir()
    for learner in held_out.read_manifest():
        shutil.copyfile(held_out.HELD_OUT_DIR / learner.file, directory / learner.file)
    shutil.copyfile(held_out.HELD_OUT_DIR / "manifest.json", directory / "manifest.json")
    monkeypatch.setattr(held_out, "HELD_OUT_DIR", directory)
    return directory


def metric(db, name, scenario, metric_name, version=SUITE_VERSION):
    (row,) = [r for r in table(db, version) if r["name"] == name]
    return row["scenarios"][scenario][metric_name]["mean"]


# ------------------------------------------------------------------------------ the scenario
def test_the_scenario_is_in_suite_v2_and_feeds_only_cooperation():
    assert SUITE_VERSION == "2"
    (scenario,) = [s for s in SCENARIOS if s.name == NAME]
    assert scenario.opponent == HELD_OUT_LEARNERS and scenario.game == "prisoners_dilemma"
    assert scenario.groups == ("cooperation",)
    assert {"cross_play", "in_context_learner"} <= set(scenario.tags)
    # v1 is v2 without it, and each version keeps its own scenarios
    assert tuple(s for s in SCENARIOS if s.name != NAME) == SCENARIOS_V1
    assert MATRIX_SCENARIOS == {"1": SCENARIOS_V1, "2": SCENARIOS}
    # whatever else the scenario records, it moves only the cooperation aggregate
    tit_for_tat = next(s for s in SCENARIOS if s.name == "pd/tit_for_tat")
    evaluation = Evaluation()
    for name, metric_name, value in (
        (NAME, "welfare", 0.2),
        (NAME, "adaptivity", 5.0),
        (NAME, "exploitability", 9.0),
        ("pd/tit_for_tat", "welfare", 1.0),
        ("pd/tit_for_tat", "adaptivity", 0.5),
    ):
        evaluation.add(name, metric_name, 0, value)
    aggregate(evaluation, (0,), (scenario, tit_for_tat))
    summary = {m: v for s, m, _, v in evaluation.metrics if s == "summary"}
    assert summary["cooperation"] == pytest.approx(0.6)
    assert summary["adaptivity"] == pytest.approx(0.5) and summary["exploitability"] == 0.0


class Recording:
    """A scripted learner that records the batch sizes it is reset with."""

    protocol = "agent"

    def __init__(self, strategy):
        self.inner = CoPlayerAgent(make_co_player(strategy))
        self.sizes = []

    def reset(self, num_envs, seed=None):
        self.sizes.append(num_envs)
        self.inner.reset(num_envs, seed)

    def act(self, observations):
        return self.inner.act(observations)


def test_episodes_are_split_over_the_learners_each_weighted_equally():
    population = [
        (n, Recording(s))
        for n, s in (("c1", "always_cooperate"), ("c2", "always_cooperate"), ("d", "always_defect"))
    ]
    evaluation, curves = Evaluation(), defaultdict(list)
    agents = {seat: CoPlayerAgent(make_co_player("always_defect")) for seat in ("main", "copy")}
    play_seed(None, agents, 0, 5, evaluation, curves, population)
    assert [learner.sizes for _, learner in population] == [[2], [2], [1]]  # seat 1, own block
    values = {m: v for s, m, _, v in evaluation.metrics if s == NAME}
    # per learner, then the mean over learners: 2/3 (4/5 if the games were pooled)
    assert values["opponent_cooperation"] == pytest.approx(2 / 3)
    assert values["cooperation"] == 0.0
    assert values["reward"] == pytest.approx(PD.T * 2 / 3 + PD.P / 3)
    assert values["opponent_reward"] == pytest.approx(PD.S * 2 / 3 + PD.P / 3)
    expected = ((PD.T + PD.S) / 2 * 2 / 3 + PD.P / 3 - PD.P) / (PD.R - PD.P)
    assert values["welfare"] == pytest.approx(expected)
    assert len(curves[NAME]) == 1 and len(curves[NAME][0]) == 100
    with pytest.raises(ValueError, match=r"one episode per learner \(3 learners\); got episodes=2"):
        split_games(np.arange(2), population)


def test_always_defect_against_the_population_welfare_from_the_played_rewards(db):
    assert (
        cli.submit(db, str(EXAMPLES / "always_defect.json"), "alld", quick=True, out=io.StringIO())
        == 0
    )
    reward = metric(db, "alld", NAME, "reward")
    theirs = metric(db, "alld", NAME, "opponent_reward")
    cooperation = metric(db, "alld", NAME, "opponent_cooperation")
    assert metric(db, "alld", NAME, "cooperation") == 0.0
    # always-defect earns T or P; its co-player S or P: the rewards follow from its cooperation
    assert reward == pytest.approx(PD.T * cooperation + PD.P * (1 - cooperation))
    assert theirs == pytest.approx(PD.S * cooperation + PD.P * (1 - cooperation))
    assert metric(db, "alld", NAME, "welfare") == pytest.approx(welfare_score(reward, theirs, PD))
    (row,) = table(db)
    welfares = [m["welfare"]["mean"] for m in row["scenarios"].values() if "welfare" in m]
    assert len(welfares) == sum("cooperation" in s.groups for s in SCENARIOS)
    assert row["cooperation"]["mean"] == pytest.approx(np.mean(welfares))


# ------------------------------------------------------------------- the population's files
def test_the_committed_population_verifies_and_records_its_provenance():
    learners = held_out.read_manifest()
    data = json.loads((held_out.HELD_OUT_DIR / "manifest.json").read_text())
    assert [p.name for _, p in held_out.verify_population()] == [x.file for x in learners]
    sources = []
    for learner in learners:
        s = learner.source
        assert {"experiment", "seed", "learner", "commit", "run"} <= set(s), learner.file
        assert s["commit"] and len(s["commit"]) == 40
        sources.append(f"{s['run']}:{s['learner']}")
    assert data["sources"] == sources  # the list it was written from is in the manifest
    population = held_out.load_population()
    assert [name for name, _ in population] == [x.name for x in learners]


def test_a_changed_or_missing_held_out_file_is_refused_naming_it(population_copy, db, capsys):
    first, second = held_out.read_manifest()[:2]
    changed = population_copy / first.file
    changed.write_bytes(changed.read_bytes()[:-1] + bytes([changed.read_bytes()[-1] ^ 1]))
    with pytest.raises(ValueError, match=rf"held-out learner '{first.file}' .* has changed"):
        held_out.load_population()
    # the scorer refuses before playing: nothing is stored, not even a failed run
    with pytest.raises(ValueError, match=rf"'{first.file}' .* has changed"):
        cli.submit(db, str(EXAMPLES / "tit_for_tat.json"), "tft", quick=True, out=io.StringIO())
    assert db.connection.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)
    shutil.copyfile(ROOT / "leaderboard" / "held_out" / first.file, changed)  # restored
    (population_copy / second.file).unlink()
    with pytest.raises(ValueError, match=rf"held-out learner '{second.file}' is missing"):
        held_out.verify_population()
    args = ["--db", str(db.path), "submit", str(EXAMPLES / "tit_for_tat.json"), "--name", "tft"]
    assert cli.main([*args, "--quick"]) == 2
    assert f"'{second.file}' is missing" in capsys.readouterr().err
    (population_copy / "manifest.json").unlink()
    with pytest.raises(ValueError, match=r"manifest .*manifest\.json' is missing"):
        held_out.verify_population()


def test_write_population_copies_the_files_and_their_provenance(tmp_path, capsys):
    target = tmp_path / "population"
    sources = [f"{MIXED_POOL / 'seed0'}:0", f"{MIXED_POOL / 'seed1'}:1"]
    manifest = held_out.write_population(sources, target, note="two learners")
    data = json.loads(manifest.read_text())
    assert data["sources"] == sources and data["note"] == "two learners"
    config = json.loads((MIXED_POOL / "seed1" / "config.json").read_text())
    second = data["learners"][1]
    assert second["file"] == "mixed_pool_fast_seed1_agent_1.pt"
    assert second["sha256"] == held_out.sha256_of(MIXED_POOL / "seed1" / "agent_1.pt")
    assert second["source"]["run"] == "docs/results/mixed_pool/fast/seed1"
    assert (second["source"]["experiment"], second["source"]["seed"]) == ("mixed_pool/fast", 1)
    assert second["source"]["learner"] == 1
    assert second["source"]["commit"] == config["code"]["commit"]
    assert len(held_out.verify_population(target)) == 2
    # swapping the population is one call; the files of the old one go
    held_out.write_population([f"{MIXED_POOL / 'seed2'}:0"], target)
    assert sorted(p.name for p in target.iterdir()) == [
        "manifest.json",
        "mixed_pool_fast_seed2_agent_0.pt",
    ]
    assert held_out.main(["--check", "--dir", str(target)]) == 0
    assert "mixed_pool/fast seed 2 learner 0" in capsys.readouterr().out


def test_write_population_refuses_bad_sources(tmp_path, capsys):
    with pytest.raises(ValueError, match=r"RUN_DIR:LEARNER .*got 'docs/results/x'"):
        held_out.write_population(["docs/results/x"], tmp_path)
    with pytest.raises(ValueError, match=r"RUN_DIR:LEARNER .*got 'run:one'"):
        held_out.parse_source("run:one")
    with pytest.raises(TypeError, match="list of RUN_DIR:LEARNER strings; got 'run:0'"):
        held_out.write_population("run:0", tmp_path)
    with pytest.raises(ValueError, match="at least one"):
        held_out.write_population([], tmp_path)
    with pytest.raises(
        ValueError, match=r"no agent file .*agent_7.pt.*\['agent_0.pt', 'agent_1.pt'\]"
    ):
        held_out.write_population([f"{MIXED_POOL / 'seed0'}:7"], tmp_path)
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copyfile(MIXED_POOL / "seed0" / "agent_0.pt", bare / "agent_0.pt")
    with pytest.raises(ValueError, match=r"has no config\.json"):
        held_out.write_population([f"{bare}:0"], tmp_path)
    with pytest.raises(
        ValueError, match=r"two sources give the file 'mixed_pool_fast_seed0_agent_0\.pt'"
    ):
        held_out.write_population([f"{MIXED_POOL / 'seed0'}:0"] * 2, tmp_path)
    assert not (tmp_path / "manifest.json").exists()
    assert held_out.main(["--from", "nowhere"]) == 2
    assert "got 'nowhere'" in capsys.readouterr().err


# ------------------------------------------------------------------- v1 runs kept apart
def test_v2_results_are_stored_and_v1_rows_are_never_ranked_with_them(db, tmp_path):
    tft = inspect_submission(str(EXAMPLES / "tit_for_tat.json"))
    old = [("summary", "score", 0, 9.0), ("summary", "cooperation", 0, 1.0)]
    old += [("summary", "exploitability", 0, 0.0), ("pd/tit_for_tat", "welfare", 0, 1.0)]
    record(db, "old_v1", suite_version="1", quick=False, metrics=old)
    record(
        db, "tft", suite_version="1", source=tft.source, content_hash=tft.content_hash, metrics=old
    )
    out = io.StringIO()
    assert cli.submit(db, str(EXAMPLES / "always_defect.json"), "alld", quick=True, out=out) == 0
    assert "suite v2, quick" in out.getvalue()
    versions = db.connection.execute(
        "SELECT s.name, r.suite_version FROM runs r JOIN submissions s ON s.id = r.submission_id"
    ).fetchall()
    assert versions == [("old_v1", "1"), ("tft", "1"), ("alld", "2")]
    # the v1 entries, stored on a scorable file, are no tournament opponents on v2
    assert (
        cli.tournament_opponents(db, inspect_submission(str(EXAMPLES / "always_defect.json"))) == []
    )
    # ranked apart: v2 has alld alone (despite v1's higher scores); v1 keeps its own board
    assert [(r["name"], r["rank"]) for r in table(db)] == [("alld", 1)]
    assert metric(db, "alld", NAME, "welfare") is not None
    assert [r["name"] for r in table(db, "1")] == ["old_v1", "tft"]
    assert all(NAME not in r["scenarios"] for r in table(db, "1"))
    # an entry scored on v1 is scored on v2 by submitting it again (no --force)
    out = io.StringIO()
    assert cli.submit(db, str(EXAMPLES / "tit_for_tat.json"), "tft", quick=True, out=out) == 0
    assert "already scored" not in out.getvalue()
    assert [r["name"] for r in table(db)] == ["tft", "alld"]
    text = io.StringIO()
    cli.show(db, out=text)
    shown = text.getvalue()
    archive = shown.index("matrix suite v1 (archived")
    assert shown.index("alld") < archive < shown.index("old_v1")
    out = io.StringIO()
    cli.export(db, "json", None, out=out)
    assert [r["name"] for r in json.loads(out.getvalue())["rows"]] == ["tft", "alld"]
    out = io.StringIO()
    cli.export(db, "json", None, out=out, suite_version="1")
    exported = json.loads(out.getvalue())
    assert exported["suite_version"] == "1" and exported["rows"][0]["name"] == "old_v1"
    with pytest.raises(ValueError, match=r"version of the matrix suite .*got '7'"):
        cli.export(db, "json", None, out=io.StringIO(), suite_version="7")
    from leaderboard.render import render

    page = render(db, tmp_path / "site").read_text()
    assert page.index('data-name="alld"') < page.index("id='suite-v1'")
    assert (
        page.index("id='suite-v1'")
        < page.index("id='board-v1-full'")
        < page.index('data-name="old_v1"')
    )
