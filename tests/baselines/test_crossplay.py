"""Cross-play matrices (baselines.crossplay): exact values of known pairs, symmetry, errors."""

import json

import numpy as np
import pytest

from baselines import crossplay as cp
from baselines.experiments import RESULTS
from co_players import CoPlayerAgent
from co_players.adapters import GameCoPlayerAgent
from co_players.analysis import expected_payoffs
from co_players.memory_one import MemoryOne
from co_players.registry import resolve_game_co_player
from coop_envs.core import PublicGoodsGame


def named(*ids):
    return [e for i in ids for e in cp.entrants_from(i)]


def memory_one(name, vector):
    return cp.Entrant(name, CoPlayerAgent(MemoryOne(vector, name=name)), None, None, name)


def test_deterministic_memory_one_pairs_give_their_exact_values():
    result = cp.crossplay(named("tit_for_tat", "always_defect"), episodes=4, rounds=100)
    # TFT cooperates in round 1 only against AllD: cooperation 0.01, reward -1/100; AllD earns 2/100
    np.testing.assert_array_equal(result.cooperation, [[1.0, 0.01], [0.0, 0.0]])
    np.testing.assert_allclose(result.reward, [[1.0, -0.01], [0.02, 0.0]], atol=1e-12)
    np.testing.assert_allclose(result.mutual, [[1.0, 0.005], [0.005, 0.0]])
    np.testing.assert_array_equal(result.both, [[1.0, 0.0], [0.0, 0.0]])


def test_a_stochastic_pair_matches_the_markov_chain():
    p, q = [0.9, 0.8, 0.3, 0.6, 0.2], [0.5, 0.9, 0.1, 0.7, 0.4]
    episodes = 4_000
    result = cp.crossplay([memory_one("x", p), memory_one("y", q)], episodes=episodes, rounds=20)
    exact = expected_payoffs(p, q, rounds=20)[0]
    # a per-round mean over 20 rounds has standard deviation below 1.5: 5 standard errors
    tolerance = 5 * 1.5 / np.sqrt(episodes)
    assert abs(result.reward[0, 1] - exact[0]) < tolerance
    assert abs(result.reward[1, 0] - exact[1]) < tolerance
    assert result.reward[0, 1] != exact[0]  # measured, not computed


def test_the_matrix_reads_the_same_whichever_order_the_entrants_come_in():
    ids = ("tit_for_tat", "always_defect", "win_stay_lose_shift", "always_cooperate")
    forward = cp.crossplay(named(*ids), episodes=2)
    backward = cp.crossplay(named(*ids[::-1]), episodes=2)
    flip = slice(None, None, -1)
    np.testing.assert_array_equal(forward.cooperation, backward.cooperation[flip, flip])
    np.testing.assert_array_equal(forward.reward, backward.reward[flip, flip])
    np.testing.assert_array_equal(forward.mutual, forward.mutual.T)
    np.testing.assert_array_equal(forward.both, forward.both.T)


def test_a_pair_is_independent_of_the_other_entrants_and_seeded():
    x, y = memory_one("x", [0.5] * 5), memory_one("y", [0.7, 0.2, 0.9, 0.4, 0.6])
    alone = cp.crossplay([x, y], episodes=64, seed=3)
    crowded = cp.crossplay([x, memory_one("z", [0.1] * 5), y], episodes=64, seed=3)
    assert crowded.reward[0, 2] == alone.reward[0, 1]
    assert cp.crossplay([x, y], episodes=64, seed=4).reward[0, 1] != alone.reward[0, 1]


def test_summary_sorts_pairs_by_relation():
    mutual = np.array(
        [
            [0.1, 0.9, 0.2, 0.85, 0.5],
            [0.9, 0.3, 0.1, 0.3, 0.5],
            [0.2, 0.1, 0.5, 0.7, 0.5],
            [0.85, 0.3, 0.7, 0.9, 0.5],
            [0.5, 0.5, 0.5, 0.5, 0.5],
        ]
    )
    groups = ["r0", "r0", "r1", "r1", None]  # the last one: a named co-player, left out
    summary = cp.summarise(mutual, groups, ["a", "a", "a", "a", None])
    assert summary["partner"]["values"] == [0.9, 0.7]
    assert summary["self"]["values"] == [0.1, 0.3, 0.5, 0.9]
    assert summary["cross_seed"]["values"] == [0.2, 0.85, 0.1, 0.3]
    assert summary["cross_seed"]["share_at_least"] == 0.25
    assert summary["cross_recipe"] is None


@pytest.mark.slow
def test_committed_mixed_pool_partners_cooperate_and_strangers_do_not():
    runs = cp.experiment_runs("mixed_pool/fast")[:2]
    entrants = [e for run in runs for e in cp.entrants_from(run)]
    assert [e.group for e in entrants] == ["mixed_pool_fast_seed0"] * 2 + [
        "mixed_pool_fast_seed1"
    ] * 2
    summary = cp.crossplay(entrants, episodes=64).summary()
    assert summary["partner"]["min"] >= 0.75
    assert summary["cross_seed"]["max"] < 0.5


def test_main_writes_json_with_the_code_and_a_heat_map(tmp_path, capsys):
    out, figure = tmp_path / "m.json", tmp_path / "m.png"
    args = ["tit_for_tat", "always_defect", "--episodes", "2", "--out", str(out)]
    assert cp.main([*args, "--figure", str(figure)]) == 0
    data = json.loads(out.read_text())
    assert data["schema"] >= 2 and len(data["code"]["commit"]) == 40
    assert data["mutual"][0][1] == 0.005 and figure.stat().st_size > 5_000
    assert "mutual cooperation" in capsys.readouterr().out


def test_the_page_table_reads_the_evidence(tmp_path):
    data = cp.crossplay(named("tit_for_tat", "always_defect"), episodes=2).to_dict()
    data["summary"] = cp.summarise(np.array(data["mutual"]), ["g0", "g1"], ["r", "r"])
    data["entrants"][0].update(group="g0", recipe="r")
    data["entrants"][1].update(group="g1", recipe="r")
    (tmp_path / "r.json").write_text(json.dumps(data))
    table = cp.crossplay_table(tmp_path)
    assert "| `r` | cooperating | 2 | — | 0.00–1.00 (mean 0.50) | 0.01 | 0 of 1 | — | 2 |" in table
    # two recipes: their learners' pairs are cross-recipe, not cross-seed
    data["entrants"][1].update(recipe="q")
    data["summary"] = cp.summarise(np.array(data["mutual"]), ["g0", "g1"], ["r", "q"])
    (tmp_path / "r.json").write_text(json.dumps(data))
    assert (
        "| `q`, `r` | cooperating | 2 | — | 0.00–1.00 (mean 0.50) | — | — | 0.01 (0 of 1) | 2 |"
        in (cp.crossplay_table(tmp_path))
    )
    # a game beyond 2x2 says what its rate counts
    data["settings"]["game"] = "coin_game"
    (tmp_path / "r.json").write_text(json.dumps(data))
    assert "| `q`, `r` | own-coin share | 2 |" in cp.crossplay_table(tmp_path)


def test_bad_input_is_refused_where_it_enters(tmp_path):
    with pytest.raises(ValueError, match=r"'no/such/run' is no run directory.*tit_for_tat"):
        cp.entrants_from("no/such/run")
    with pytest.raises(ValueError, match="'tft' is no run directory"):
        cp.entrants_from("tft")
    with pytest.raises(ValueError, match="holds no agent files"):
        cp.entrants_from(tmp_path)
    with pytest.raises(TypeError, match="got 3"):
        cp.entrants_from(3)
    with pytest.raises(ValueError, match="unique; repeated: tit_for_tat"):
        cp.crossplay(named("tit_for_tat", "tit_for_tat"))
    with pytest.raises(ValueError, match="at least one entrant"):
        cp.crossplay([])
    with pytest.raises(ValueError, match="must be symmetric"):
        cp.crossplay(named("tit_for_tat"), game="matching_pennies")
    with pytest.raises(ValueError, match="episodes"):
        cp.crossplay(named("tit_for_tat"), episodes=0)
    with pytest.raises(ValueError, match="no committed agent files"):
        cp.experiment_runs("stage1/cpu", results=tmp_path)
    with pytest.raises(Exception, match="no variant 'nope'"):
        cp.experiment_runs("mixed_pool/nope")
    with pytest.raises(SystemExit):
        cp.main([])
    # evidence is named after its variants: other entrants would make the name lie
    with pytest.raises(SystemExit):
        cp.main(["tit_for_tat", "--experiment", "mixed_pool/fast", "--evidence"])
    with pytest.raises(SystemExit):
        cp.main(["tit_for_tat", "always_defect", "--evidence"])
    assert RESULTS.exists()


def public_goods_entrant(name, co_player, group):
    """A scripted public-goods co-player as an agent of N = 4, r = 1.6 (the presets' game)."""
    kwargs = {"num_players": 4, "multiplier": 1.6, "punishment": False, "observation": "summary"}
    spec = PublicGoodsGame(batch_size=1, num_rounds=100, **kwargs).spec
    agent = GameCoPlayerAgent(resolve_game_co_player(co_player, "public_goods"), spec, kwargs)
    return cp.Entrant(name, agent, group, "scripted", co_player)


def test_public_goods_pairs_sit_in_alternate_seats_and_give_their_exact_values():
    """Always- against never-contribute, two seats each: 2 of 4 contribute, the pot pays 0.8."""
    result = cp.crossplay(
        [
            public_goods_entrant("allc", "always_contribute", "a"),
            public_goods_entrant("alld", "never_contribute", "b"),
        ],
        episodes=4,
    )
    assert result.settings["game"] == "public_goods" and result.settings["rounds"] == 100
    np.testing.assert_allclose(result.cooperation, [[1, 1], [0, 0]])
    # row's reward per round: contributors keep nothing and get 1.6 * 2 / 4; keepers 1 + 0.8
    np.testing.assert_allclose(result.reward, [[1.6, 0.8], [1.8, 1.0]])
    np.testing.assert_allclose(result.both, [[1, 0], [0, 0]])
    assert result.summary()["cross_seed"]["mean"] == 0.5


def test_committed_public_goods_learners_play_their_own_game():
    """A public-goods run's learners enter by directory and play N = 4 public goods."""
    entrants = cp.entrants_from(
        RESULTS / "public_goods" / "mixed_pool_from_stage1_r3_half" / "seed0"
    )
    result = cp.crossplay(entrants, episodes=16, rounds=20)
    assert result.settings["game_kwargs"]["num_players"] == 4
    assert result.summary()["partner"]["mean"] > 0.8  # the page: 0.98-1.00 with each other


def test_cross_play_plays_one_game():
    learner = cp.entrants_from(RESULTS / "public_goods" / "stage1" / "seed0")
    allc = public_goods_entrant("allc", "always_contribute", None)
    with pytest.raises(ValueError, match=r"one game.*tit_for_tat \(a matrix game\)"):
        cp.crossplay([*learner, *named("tit_for_tat")], episodes=2)
    with pytest.raises(ValueError, match=r"agents of 'public_goods'; got game='stag_hunt'"):
        cp.crossplay([*learner, allc], game="stag_hunt", episodes=2)
    with pytest.raises(SystemExit):  # the command line says it in one line, no traceback
        cp.main(["--experiment", "public_goods/stage1", "tit_for_tat", "--episodes", "2"])
