"""The game suites (public goods, Coin Game): fixed normalisation, known agents, bad input."""

import io
import json

import numpy as np
import pytest

from co_players.registry import resolve_game_co_player
from coop_envs.core import GameSeat, play_batched
from leaderboard import cli
from leaderboard.game_scoring import QUICK_GAME, score_game_submission
from leaderboard.game_suites import (
    COIN_GAME_REFERENCES,
    COIN_GAME_SUITE,
    COIN_GAME_WELFARE,
    GAME_SUITES,
    PUBLIC_GOODS_REFERENCES,
    PUBLIC_GOODS_SUITE,
    UniformRandom,
    coin_game_values,
    coin_reactive_references,
    get_game_suite,
    public_goods_reference,
    public_goods_values,
    reactive_count_table,
)
from leaderboard.ranking import table
from leaderboard.sandbox import Limits
from leaderboard.storage import Database
from leaderboard.submissions import SubmissionError, inspect_submission
from leaderboard.suite import SUITE_VERSION
from leaderboard.worker import check_actions

from .conftest import EXAMPLES, ROOT, record

REFERENCES = ROOT / "leaderboard" / "references"


@pytest.fixture
def db(tmp_path):
    with Database(tmp_path / "lb.sqlite") as database:
        yield database


def submit(db, source, name, game, **kwargs):
    out = io.StringIO()
    status = cli.submit(db, str(source), name, quick=True, out=out, game=game, **kwargs)
    return status, out.getvalue()


def summary(db, name, version, scenario, metric):
    (value,) = db.connection.execute(
        "SELECT AVG(m.value) FROM metrics m JOIN runs r ON r.id = m.run_id JOIN submissions s "
        "ON s.id = r.submission_id WHERE s.name = ? AND r.suite_version = ? AND m.scenario = ? "
        "AND m.metric = ?",
        (name, version, scenario, metric),
    ).fetchone()
    return value


@pytest.mark.parametrize("game", sorted(GAME_SUITES))
def test_every_scenario_names_a_co_player_of_its_game_and_references_cover_adaptivity(game):
    suite = GAME_SUITES[game]
    names = [s.name for s in suite.scenarios]
    assert len(set(names)) == len(names) and all(n.startswith(suite.prefix + "/") for n in names)
    for scenario in suite.scenarios:
        assert scenario.game == game
        if scenario.opponent != "self":
            resolve_game_co_player(scenario.opponent, game)  # raises for an unknown id
        if "adaptivity" in scenario.groups and scenario.opponent != "random_reactive_held_out":
            best, rand = suite.references[scenario.opponent]  # fixed before any submission
            assert best - rand >= 0.1


# ------------------------------------------------------------------ normalisation constants
@pytest.mark.parametrize("opponent", sorted(PUBLIC_GOODS_REFERENCES))
def test_public_goods_reference_constants_are_recomputed_exactly(opponent):
    best, rand = public_goods_reference(opponent, PUBLIC_GOODS_SUITE.spec)
    assert (best, rand) == pytest.approx(PUBLIC_GOODS_REFERENCES[opponent], abs=1e-9)


def test_public_goods_dynamic_programme_matches_hand_values():
    # three always-contributors: keeping pays 1 + 1.6 * 3 / 4 = 2.2 every round; random 1.9
    assert PUBLIC_GOODS_REFERENCES["always_contribute"] == (2.2, 1.9)
    # strict conditional cooperators: contribute 99 rounds (1.6), keep the last (2.2)
    assert PUBLIC_GOODS_REFERENCES["strict_conditional_cooperator"][0] == pytest.approx(
        (99 * 1.6 + 2.2) / 100
    )
    # the never-contributors' range is 0.3: random gives up 0.5 * 0.6 per round
    assert PUBLIC_GOODS_REFERENCES["never_contribute"] == (1.0, 0.7)


def test_public_goods_random_value_matches_sampled_play():
    # random reactive co-players: the exact per-game random-policy value against sampled play
    spec = PUBLIC_GOODS_SUITE.spec
    games = np.arange(4000)
    co_players = [
        resolve_game_co_player("random_reactive_held_out", "public_goods") for _ in range(3)
    ]
    seats = [GameSeat(UniformRandom(), games, 0)]
    seats += [GameSeat(p, games, k) for k, p in enumerate(co_players, start=1)]
    core = play_batched(PUBLIC_GOODS_SUITE.make_core(len(games)), seats, np.random.default_rng(3))
    tables = np.stack([p.tables for p in co_players], axis=1)
    best, rand = public_goods_values(
        reactive_count_table(tables, spec.num_players), spec.multiplier, spec.num_rounds
    )
    sampled = core.returns[:, 0] / spec.num_rounds
    assert sampled.mean() == pytest.approx(rand.mean(), abs=0.01)
    assert (best > rand).all()


@pytest.mark.parametrize("opponent", sorted(set(COIN_GAME_REFERENCES) - {"coin_reactive_held_out"}))
def test_coin_game_reference_constants_are_recomputed_exactly(opponent):
    assert coin_game_values(opponent) == pytest.approx(COIN_GAME_REFERENCES[opponent], abs=1e-12)


def test_coin_game_simulated_references_and_welfare_constants_are_recomputed():
    # a fixed-seed simulation: same seed, same numbers
    assert coin_reactive_references() == COIN_GAME_REFERENCES["coin_reactive_held_out"]
    greedy = coin_game_values("coin_greedy", submission="coin_greedy")
    own = coin_game_values("coin_own_coin", submission="coin_own_coin")
    assert (sum(greedy) / 2, sum(own) / 2) == pytest.approx(COIN_GAME_WELFARE, abs=1e-12)
    assert greedy[0] == pytest.approx(greedy[1]) and own[0] == pytest.approx(own[1])  # symmetric


def test_coin_game_exact_values_match_sampled_play():
    games = np.arange(6000)
    for mine, theirs, exact in (
        ("coin_own_coin", "coin_own_coin", COIN_GAME_WELFARE[1]),
        ("random", "coin_reciprocator_long", COIN_GAME_REFERENCES["coin_reciprocator_long"][1]),
    ):
        me = UniformRandom() if mine == "random" else resolve_game_co_player(mine, "coin_game")
        seats = [GameSeat(me, games, 0)]
        seats.append(GameSeat(resolve_game_co_player(theirs, "coin_game"), games, 1))
        core = COIN_GAME_SUITE.make_core(len(games))
        play_batched(core, seats, np.random.default_rng(5))
        assert core.returns[:, 0].mean() / 16 == pytest.approx(exact, abs=0.02)


# ---------------------------------------------------------------------------- known agents
def test_always_and_never_contribute_get_the_extremes_on_public_goods(db):
    for entry in ("always_contribute", "never_contribute"):
        path = REFERENCES / f"public_goods_{entry}.py"
        assert submit(db, path, entry, "public_goods")[0] == 0
    version = PUBLIC_GOODS_SUITE.version
    assert summary(db, "always_contribute", version, "pg/self_play", "welfare") == pytest.approx(1)
    assert summary(db, "never_contribute", version, "pg/self_play", "welfare") == pytest.approx(0)
    # three free riders gain exactly 1 per round over an unconditional contributor
    exploited = summary(db, "always_contribute", version, "summary", "exploitability")
    assert exploited == pytest.approx(1)
    assert summary(db, "never_contribute", version, "summary", "exploitability") == 0
    # never-contribute is the exact best response to always-contribute
    adapt = summary(db, "never_contribute", version, "pg/always_contribute", "adaptivity")
    assert adapt == pytest.approx(1)


def test_own_coin_self_play_cooperates_on_the_coin_game(db):
    for entry in ("own_coin", "greedy"):
        assert submit(db, REFERENCES / f"coin_game_{entry}.py", entry, "coin_game")[0] == 0
    version = COIN_GAME_SUITE.version
    assert summary(db, "own_coin", version, "coin/self_play", "cooperation") == 1.0
    assert summary(db, "own_coin", version, "coin/self_play", "welfare") > 0.85
    assert summary(db, "greedy", version, "coin/self_play", "welfare") < 0.3
    assert summary(db, "greedy", version, "coin/own_coin", "adaptivity") > 0.5


def test_same_seed_same_numbers():
    submission = inspect_submission(REFERENCES / "public_goods_random.py")
    runs = [
        score_game_submission(PUBLIC_GOODS_SUITE, submission, QUICK_GAME, Limits(trust=True))
        for _ in range(2)
    ]
    assert runs[0].metrics == runs[1].metrics


# ------------------------------------------------------------------------------- bad input
def run_cli(tmp_path, capsys, *argv):
    """Exit status and what stays on the terminal's stderr (the progress bar erases itself)."""
    status = cli.main(["--db", str(tmp_path / "cli.sqlite"), *argv])
    captured = capsys.readouterr()
    return status, captured.err.rsplit("\r", 1)[-1].strip()


def test_unknown_game_is_a_one_line_error(tmp_path, capsys):
    path = REFERENCES / "public_goods_random.py"
    status, err = run_cli(tmp_path, capsys, "submit", str(path), "--name", "x", "--game", "chess")
    assert status == 2 and len(err.splitlines()) == 1
    assert "unknown --game 'chess'; accepted: matrix, public_goods, coin_game" in err
    with pytest.raises(ValueError, match="unknown --game 'go'"):
        get_game_suite("go")


def test_an_agent_for_another_game_is_a_one_line_error_and_nothing_is_stored(tmp_path, capsys):
    path = REFERENCES / "coin_game_greedy.py"
    status, err = run_cli(
        tmp_path, capsys, "submit", str(path), "--name", "g", "--game", "public_goods", "--quick"
    )
    assert status == 2 and len(err.splitlines()) == 1 and err.startswith("error: ")
    assert "is an agent for 'coin_game' (its game attribute)" in err
    assert "submit it with --game coin_game" in err
    with Database(tmp_path / "cli.sqlite") as db:
        assert db.connection.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)


def test_a_declared_observation_shape_or_game_argument_must_match(db, agent_file):
    path = agent_file("wide", "return np.zeros(self.n, dtype=np.int64)")
    path.write_text(path.read_text() + "Agent.observation_shape = (5,)\n")
    with pytest.raises(SubmissionError, match=r"takes observations of shape \(5,\)"):
        submit(db, path, "wide", "public_goods")
    other = agent_file("three", "return np.zeros(self.n, dtype=np.int64)")
    other.write_text(other.read_text() + "Agent.game_kwargs = {'num_players': 3}\n")
    with pytest.raises(SubmissionError, match=r"declares game_kwargs \{'num_players': 3\}"):
        submit(db, other, "three", "public_goods")


def test_kinds_that_cannot_play_a_game_suite_are_refused(db):
    with pytest.raises(SubmissionError, match="got a memory_one submission"):
        submit(db, EXAMPLES / "tit_for_tat.json", "tft", "coin_game")
    with pytest.raises(ValueError, match="--ray scores the matrix suite only"):
        submit(db, REFERENCES / "coin_game_greedy.py", "g", "coin_game", ray="local")


def test_a_matrix_checkpoint_is_refused_by_a_game_suite(db):
    with pytest.raises(SubmissionError, match="is an agent of the 2x2 matrix games"):
        submit(db, EXAMPLES / "baseline_gru.pt", "gru", "public_goods")


def test_out_of_range_actions_fail_with_the_accepted_range(db, agent_file):
    path = agent_file("five", "return np.full(self.n, 5, dtype=np.int64)")
    status, out = submit(db, path, "five", "coin_game")
    assert status == 1
    assert "act() must return an int in 0..4; got 5 at index 0" in out
    assert check_actions(np.array([4, 0]), 2, 5).tolist() == [4, 0]
    # the matrix suite's message is unchanged
    assert check_actions(np.array([2]), 1) == (
        "act() must return 0 (cooperate) or 1 (defect); got 2 at index 0"
    )


# ---------------------------------------------------------------------- versions not mixed
def test_suite_versions_are_never_mixed(db, capsys):
    record(db, "matrix_entry", quick=False, metrics=[("summary", "score", 0, 0.5)])
    for suite in GAME_SUITES.values():
        record(
            db,
            f"{suite.game}_entry",
            suite_version=suite.version,
            quick=False,
            metrics=[
                ("summary", "score", 0, 0.1),
                (f"{suite.prefix}/self_play", "welfare", 0, 1.0),
            ],
        )
    assert [r["name"] for r in table(db)] == ["matrix_entry"]
    for suite in GAME_SUITES.values():
        rows = table(db, suite.version)
        assert [r["name"] for r in rows] == [f"{suite.game}_entry"]
        assert rows[0]["rank"] == 1 and rows[0]["suite_version"] == suite.version
        assert list(rows[0]["scenarios"]) == [f"{suite.prefix}/self_play"]
    out = io.StringIO()
    cli.export(db, "json", None, out=out, game="coin_game")
    exported = json.loads(out.getvalue())
    assert exported["suite_version"] == "coin_game-1"
    assert [r["name"] for r in exported["rows"]] == ["coin_game_entry"]
    out = io.StringIO()
    cli.export(db, "json", None, out=out)
    assert json.loads(out.getvalue())["suite_version"] == SUITE_VERSION
    out = io.StringIO()
    cli.show(db, out=out)
    text = out.getvalue()
    matrix, pg_part = text.index("matrix_entry"), text.index("public_goods suite public_goods-1")
    assert matrix < pg_part < text.index("public_goods_entry") < text.index("coin_game suite")


def test_the_page_lists_each_suites_board_separately(db, tmp_path):
    from leaderboard.render import render

    record(db, "matrix_entry", quick=False, metrics=[("summary", "score", 0, 0.5)])
    record(
        db,
        "pg_entry",
        suite_version="public_goods-1",
        quick=True,
        metrics=[("summary", "score", 0, 0.1)],
    )
    page = render(db, tmp_path / "site").read_text()
    assert "id='board-full'" in page and "id='board-public_goods-1-quick'" in page
    assert page.index("matrix_entry") < page.index("suite-public_goods-1") < page.index("pg_entry")
    assert "coin_game-1" not in page  # a suite without entries has no board


def test_seed_references_fill_a_game_board(tmp_path, capsys):
    argv = ["--db", str(tmp_path / "s.sqlite"), "seed-references", "--game", "coin_game"]
    status = cli.main([*argv, "--quick"])
    assert status == 0
    with Database(tmp_path / "s.sqlite") as db:
        names = {r["name"] for r in table(db, "coin_game-1")}
        assert names == {p.stem for p in REFERENCES.glob("coin_game_*.py")}
        assert all(r["reference"] for r in table(db, "coin_game-1"))
        assert table(db) == []


def test_a_checkpoint_loads_through_baselines_and_must_declare_the_suites_game(monkeypatch):
    # the game trainers' agent files: baselines.agents.load_agent gives an agent with ``game``
    # and ``game_kwargs`` (until baselines/general/agent.py lands, a stand-in declares them)
    import baselines.agents
    from leaderboard.game_suites import reference_agent
    from leaderboard.submissions import Submission, load_game_agent

    made = {}
    monkeypatch.setattr(baselines.agents, "load_agent", lambda path: made[path])
    made["pg.pt"] = reference_agent("public_goods", "always_contribute")
    made["pg3.pt"] = reference_agent("public_goods", "always_contribute")
    made["pg3.pt"].game_kwargs = {"num_players": 3}
    made["coin.pt"] = reference_agent("coin_game", "coin_greedy")
    made["ego.pt"] = reference_agent("coin_game", "coin_greedy")
    made["ego.pt"].game_kwargs = {"grid_size": 3, "egocentric": True}
    # what the game trainer writes: every argument, r as the float32 core stores it
    made["full.pt"] = reference_agent("public_goods", "never_contribute")
    made["full.pt"].game_kwargs = {
        "num_players": 4,
        "multiplier": float(np.float32(1.6)),
        "punishment": False,
        "observation": "summary",
    }
    made["matrix.pt"] = reference_agent("public_goods", "never_contribute")
    made["matrix.pt"].game = None
    checkpoint = lambda path: Submission("checkpoint", path, "hash")  # noqa: E731
    assert load_game_agent(checkpoint("pg.pt"), "public_goods") is made["pg.pt"]
    with pytest.raises(SubmissionError, match=r"declares game_kwargs \{'num_players': 3\}"):
        load_game_agent(checkpoint("pg3.pt"), "public_goods")
    with pytest.raises(SubmissionError, match="submit it with --game coin_game"):
        load_game_agent(checkpoint("coin.pt"), "public_goods")
    with pytest.raises(SubmissionError, match=r"declares game_kwargs \{'egocentric': True\}"):
        load_game_agent(checkpoint("ego.pt"), "coin_game")
    assert load_game_agent(checkpoint("full.pt"), "public_goods") is made["full.pt"]
    with pytest.raises(SubmissionError, match="is an agent of the 2x2 matrix games"):
        load_game_agent(checkpoint("matrix.pt"), "public_goods")


def game_agent_file(path, game, kwargs, num_rounds):
    """An (untrained) agent file of the game trainers, as baselines.general writes it."""
    from baselines.general.policy import GamePolicy, save_game_policy
    from baselines.policies import PolicyConfig
    from coop_envs.core import CONTRACT_GAMES

    spec = CONTRACT_GAMES[game](batch_size=1, num_rounds=num_rounds, **kwargs).spec
    info = {"name": game, "kwargs": kwargs, "num_rounds": num_rounds}
    policy = GamePolicy(PolicyConfig(hidden=8, embed=8), spec, game=info)
    return save_game_policy(path, policy, {"name": path.stem})


def test_game_trainer_agent_files_are_scored_on_their_suite_only(db, tmp_path):
    pg_kwargs = {"num_players": 4, "multiplier": 1.6, "punishment": False, "observation": "summary"}
    pg = game_agent_file(tmp_path / "pg_gru.pt", "public_goods", pg_kwargs, 100)
    coin = game_agent_file(tmp_path / "coin_gru.pt", "coin_game", {"grid_size": 3}, 16)
    full = game_agent_file(
        tmp_path / "pg_full.pt", "public_goods", {**pg_kwargs, "observation": "full"}, 100
    )
    assert submit(db, pg, "pg_gru", "public_goods")[0] == 0
    version = PUBLIC_GOODS_SUITE.version
    assert [r["name"] for r in table(db, version)] == ["pg_gru"]
    assert -0.5 < summary(db, "pg_gru", version, "pg/random_reactive", "adaptivity") < 0.5
    with pytest.raises(SubmissionError, match="is an agent for 'coin_game'"):
        submit(db, coin, "coin_gru", "public_goods")
    with pytest.raises(SubmissionError, match=r"declares game_kwargs \{'observation': 'full'\}"):
        submit(db, full, "pg_full", "public_goods")
    assert submit(db, coin, "coin_gru", "coin_game")[0] == 0
    assert table(db) == []  # neither is on the matrix board


def test_show_with_game_suite_entries_only(db):
    out = io.StringIO()
    cli.show(db, out=out)
    assert "no scored submissions to the matrix suite yet" in out.getvalue()
    record(
        db,
        "pg_only",
        suite_version="public_goods-1",
        quick=True,
        metrics=[("summary", "score", 0, 0.1)],
    )
    out = io.StringIO()
    cli.show(db, out=out)
    text = out.getvalue()
    assert "no scored submissions to the matrix suite (the game suites' boards follow)" in text
    assert text.index("matrix suite") < text.index("public_goods suite") < text.index("pg_only")
