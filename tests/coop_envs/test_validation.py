"""Bad input at every entry point of coop_envs: the error type, and a message naming the value.

Each case is ``(call, error, fragment)``: ``call()`` must raise ``error`` with ``fragment`` (the
parameter and the value received) in its message.
"""

import re

import gymnasium as gym
import numpy as np
import pettingzoo
import pytest

import coop_envs  # noqa: F401  (registers the ids)
from coop_envs import ipd_v0, stag_hunt_v0
from coop_envs.core import (
    MAX_BATCH_SIZE,
    MAX_HISTORY_CELLS,
    MAX_NUM_ROUNDS,
    IteratedGame,
    MatrixGame,
    ObservationConfig,
    check_batch,
    check_bool,
    check_finite_array,
    check_float,
    check_int,
    check_positive_int,
    check_probability,
    codes_from_one_hot,
    get_game,
)
from coop_envs.core.validation import check_name

PD_ID = "coop_envs/IteratedPrisonersDilemma-v0"
ANY_ID = "coop_envs/IteratedMatrixGame-v0"
NAN, INF = float("nan"), float("inf")


def table(**cells):
    """A (2, 2, 2) payoff table of zeros with ``cells`` ({"c000": value}) set."""
    payoffs = np.zeros((2, 2, 2)).tolist()
    for key, value in cells.items():
        a, b, c = (int(ch) for ch in key[1:])
        payoffs[a][b][c] = value
    return payoffs


ONE_HOT_START = [1.0, 0.0, 0.0, 0.0, 0.0]

CASES = [
    # ---- the core's checks, directly
    ("check_int str", lambda: check_int("3", "n"), TypeError, "n must be an int; got '3'"),
    ("check_int float", lambda: check_int(2.5, "n"), TypeError, "got 2.5 (float)"),
    ("check_int bool", lambda: check_int(True, "n"), TypeError, "got True (bool)"),
    ("check_int np.bool", lambda: check_int(np.bool_(True), "n"), TypeError, "n must be an int"),
    ("check_int None", lambda: check_int(None, "n"), TypeError, "got None"),
    ("check_int below", lambda: check_int(-1, "n", 0), ValueError, "non-negative int; got -1"),
    ("check_int above", lambda: check_int(11, "n", 0, 10), ValueError, "at most 10; got 11"),
    ("check_int min 2", lambda: check_int(1, "n", 2), ValueError, "n must be an int >= 2; got 1"),
    (
        "positive 0",
        lambda: check_positive_int(0, "k"),
        ValueError,
        "k must be a positive int; got 0",
    ),
    ("positive -5", lambda: check_positive_int(-5, "k"), ValueError, "positive int; got -5"),
    ("float str", lambda: check_float("0.1", "x"), TypeError, "x must be a number; got '0.1'"),
    ("float None", lambda: check_float(None, "x"), TypeError, "x must be a number; got None"),
    ("float bool", lambda: check_float(False, "x"), TypeError, "got False (bool)"),
    ("float list", lambda: check_float([1.0], "x"), TypeError, "got [1.0] (list)"),
    ("float nan", lambda: check_float(NAN, "x"), ValueError, "x must be finite; got nan"),
    ("float inf", lambda: check_float(-INF, "x"), ValueError, "x must be finite; got -inf"),
    ("float 1e39 f32", lambda: check_float(1e39, "x", dtype=np.float32), ValueError, "1e+39"),
    ("float range", lambda: check_float(2.0, "x", 0, 1), ValueError, "in [0, 1]; got 2.0"),
    (
        "probability",
        lambda: check_probability(-0.1, "p"),
        ValueError,
        "p must be in [0, 1]; got -0.1",
    ),
    ("bool int", lambda: check_bool(1, "flag"), TypeError, "flag must be a bool; got 1 (int)"),
    ("bool str", lambda: check_bool("True", "flag"), TypeError, "got 'True' (str)"),
    ("name empty", lambda: check_name(""), TypeError, "name must be a non-empty str; got ''"),
    ("name int", lambda: check_name(3), TypeError, "non-empty str; got 3"),
    (
        "finite str",
        lambda: check_finite_array(["a"], "w"),
        TypeError,
        "w must be numbers; got ['a']",
    ),
    ("finite nan", lambda: check_finite_array([0, NAN], "w"), ValueError, "got nan at index (1,)"),
    ("finite f32", lambda: check_finite_array([1e39], "w"), ValueError, "got 1e+39 at index (0,)"),
    ("batch 0", lambda: check_batch(0, 10), ValueError, "batch_size must be a positive int; got 0"),
    (
        "batch big",
        lambda: check_batch(MAX_BATCH_SIZE + 1, 1),
        ValueError,
        f"{MAX_BATCH_SIZE + 1:,}",
    ),
    (
        "rounds big",
        lambda: check_batch(1, MAX_NUM_ROUNDS + 1),
        ValueError,
        f"{MAX_NUM_ROUNDS + 1:,}",
    ),
    (
        "cells big",
        lambda: check_batch(10**5, 10**4),
        ValueError,
        "= 1,000,000,000 rounds would be allocated",
    ),
    (
        "one-hot zeros",
        lambda: codes_from_one_hot(np.zeros((2, 5))),
        ValueError,
        "got [0.0, 0.0, 0.0, 0.0, 0.0] in row 0",
    ),
    (
        "one-hot nan",
        lambda: codes_from_one_hot([ONE_HOT_START, [NAN, 0, 0, 0, 0]]),
        ValueError,
        "got [nan, 0.0, 0.0, 0.0, 0.0] in row 1",
    ),
    (
        "one-hot two",
        lambda: codes_from_one_hot([[1, 1, 0, 0, 0]]),
        ValueError,
        "got [1, 1, 0, 0, 0] in row 0",
    ),
    (
        "one-hot 0.5",
        lambda: codes_from_one_hot([[0.5, 0.5, 0, 0, 0]]),
        ValueError,
        "got [0.5, 0.5, 0.0, 0.0, 0.0]",
    ),
    (
        "one-hot -1",
        lambda: codes_from_one_hot([[-1, 0, 0, 1, 0]]),
        ValueError,
        "got [-1, 0, 0, 1, 0]",
    ),
    ("one-hot str", lambda: codes_from_one_hot(np.array([["a"] * 5])), ValueError, "got dtype <U1"),
    # ---- games
    (
        "payoffs 1e39",
        lambda: MatrixGame("g", table(c000=1e39)),
        ValueError,
        "got 1e+39 at index (0, 0, 0)",
    ),
    (
        "payoffs -1e39",
        lambda: MatrixGame("g", table(c111=-1e39)),
        ValueError,
        "got -1e+39 at index (1, 1, 1)",
    ),
    (
        "payoffs nan",
        lambda: MatrixGame("g", table(c010=NAN)),
        ValueError,
        "got nan at index (0, 1, 0)",
    ),
    (
        "payoffs inf",
        lambda: MatrixGame("g", table(c101=INF)),
        ValueError,
        "got inf at index (1, 0, 1)",
    ),
    ("payoffs shape", lambda: MatrixGame("g", np.zeros((4, 2))), ValueError, "got (4, 2)"),
    ("payoffs str", lambda: MatrixGame("g", "payoffs"), TypeError, "got 'payoffs' (str)"),
    (
        "game name empty",
        lambda: MatrixGame("", table()),
        TypeError,
        "name must be a non-empty str; got ''",
    ),
    ("get_game unknown", lambda: get_game("pd"), ValueError, "unknown game 'pd'"),
    ("from_rows shape", lambda: MatrixGame.from_rows("g", [[1, 1]]), ValueError, "(4, 2)"),
    # ---- the engine
    (
        "engine batch 0",
        lambda: IteratedGame(batch_size=0),
        ValueError,
        "batch_size must be a positive int; got 0",
    ),
    (
        "engine batch float",
        lambda: IteratedGame(batch_size=2.0),
        TypeError,
        "batch_size must be a positive int; got 2.0",
    ),
    ("engine batch str", lambda: IteratedGame(batch_size="2"), TypeError, "got '2' (str)"),
    (
        "engine batch huge",
        lambda: IteratedGame(batch_size=10**9),
        ValueError,
        "at most 10,000,000; got 1,000,000,000",
    ),
    (
        "engine rounds huge",
        lambda: IteratedGame(num_rounds=10**12),
        ValueError,
        "num_rounds must be at most 1,000,000; got 1,000,000,000,000",
    ),
    (
        "engine rounds bool",
        lambda: IteratedGame(num_rounds=True),
        TypeError,
        "num_rounds must be a positive int; got True",
    ),
    (
        "engine B x T",
        lambda: IteratedGame(batch_size=10**6, num_rounds=1000),
        ValueError,
        f"at most {MAX_HISTORY_CELLS:,}",
    ),
    (
        "engine observation",
        lambda: IteratedGame(observation={"prev_action": True}),
        TypeError,
        "got dict",
    ),
    ("engine game 1e39", lambda: IteratedGame(table(c000=1e39)), ValueError, "1e+39"),
    (
        "observation flag",
        lambda: ObservationConfig(prev_reward="yes"),
        TypeError,
        "prev_reward must be a bool; got 'yes'",
    ),
    (
        "observation flag int",
        lambda: ObservationConfig(round_index=1),
        TypeError,
        "round_index must be a bool; got 1",
    ),
    # ---- Gymnasium: an id fixes its game
    (
        "gym PD game=stag_hunt",
        lambda: gym.make(PD_ID, game="stag_hunt"),
        ValueError,
        "fixes game='prisoners_dilemma'; got game='stag_hunt'",
    ),
    (
        "gym PD game=PD",
        lambda: gym.make(PD_ID, game="prisoners_dilemma"),
        ValueError,
        "got game='prisoners_dilemma'",
    ),
    (
        "gym bare id game",
        lambda: gym.make("IteratedStagHunt-v0", game="chicken"),
        ValueError,
        "IteratedStagHunt-v0 fixes game='stag_hunt'; got game='chicken'",
    ),
    (
        "gym chicken table",
        lambda: gym.make("coop_envs/IteratedChicken-v0", game=table()),
        ValueError,
        "IteratedChicken-v0 fixes game='chicken'",
    ),
    (
        "vec PD game",
        lambda: gym.make_vec(PD_ID, num_envs=2, game="stag_hunt"),
        ValueError,
        "fixes game='prisoners_dilemma'; got game='stag_hunt'",
    ),
    (
        "gym any 1e39",
        lambda: gym.make(ANY_ID, game=table(c000=1e39)),
        ValueError,
        "got 1e+39 at index (0, 0, 0)",
    ),
    (
        "vec any 1e39",
        lambda: gym.make_vec(ANY_ID, num_envs=2, game=table(c011=1e39)),
        ValueError,
        "got 1e+39 at index (0, 1, 1)",
    ),
    (
        "gym rounds huge",
        lambda: gym.make(PD_ID, num_rounds=10**12),
        ValueError,
        "num_rounds must be at most 1,000,000; got 1,000,000,000,000",
    ),
    (
        "gym rounds float",
        lambda: gym.make(PD_ID, num_rounds=10.0),
        TypeError,
        "num_rounds must be a positive int; got 10.0",
    ),
    (
        "gym flag",
        lambda: gym.make(PD_ID, prev_action="no"),
        TypeError,
        "prev_action must be a bool; got 'no'",
    ),
    (
        "gym co_player",
        lambda: gym.make(PD_ID, co_player="tft"),
        ValueError,
        "unknown co-player 'tft'",
    ),
    (
        "vec num_envs huge",
        lambda: gym.make_vec(PD_ID, num_envs=10**9),
        ValueError,
        "num_envs must be at most 10,000,000; got 1,000,000,000",
    ),
    (
        "vec num_envs 0",
        lambda: gym.make_vec(PD_ID, num_envs=0),
        ValueError,
        "num_envs must be a positive int; got 0",
    ),
    (
        "vec num_envs float",
        lambda: gym.make_vec(PD_ID, num_envs=2.0),
        TypeError,
        "num_envs must be a positive int; got 2.0",
    ),
    (
        "vec B x T",
        lambda: gym.make_vec(PD_ID, num_envs=10**6, num_rounds=1000),
        ValueError,
        "num_envs x num_rounds = 1,000,000 x 1,000",
    ),
    # ---- PettingZoo: the registry ids and the modules share the mechanism
    (
        "pz registry game",
        lambda: pettingzoo.make("parallel", "coop_envs/ipd-v0", game="stag_hunt"),
        ValueError,
        "coop_envs/ipd-v0 fixes game='prisoners_dilemma'; got game='stag_hunt'",
    ),
    (
        "pz aec registry game",
        lambda: pettingzoo.make("aec", "coop_envs/stag_hunt-v0", game="chicken"),
        ValueError,
        "fixes game='stag_hunt'; got game='chicken'",
    ),
    (
        "pz module game",
        lambda: ipd_v0.parallel_env(game="stag_hunt"),
        ValueError,
        "ipd_v0 fixes game='prisoners_dilemma'; got game='stag_hunt'",
    ),
    (
        "pz module aec game",
        lambda: stag_hunt_v0.env(game="chicken"),
        ValueError,
        "stag_hunt_v0 fixes game='stag_hunt'; got game='chicken'",
    ),
    (
        "pz module name",
        lambda: ipd_v0.parallel_env(name="other"),
        ValueError,
        "ipd_v0 fixes name='ipd_v0'; got name='other'",
    ),
    (
        "pz rounds huge",
        lambda: ipd_v0.parallel_env(num_rounds=10**12),
        ValueError,
        "got 1,000,000,000,000",
    ),
    (
        "pz any 1e39",
        lambda: pettingzoo.make(
            "parallel", "coop_envs/iterated_matrix_game-v0", game=table(c100=1e39)
        ),
        ValueError,
        "got 1e+39 at index (1, 0, 0)",
    ),
]


@pytest.mark.parametrize("call,error,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_with_the_value_named(call, error, fragment):
    with pytest.raises(error, match=re.escape(fragment)):
        call()


def test_the_generic_ids_take_any_game_and_the_fixed_ids_keep_theirs():
    assert gym.make(ANY_ID, game="stag_hunt").unwrapped.game.name == "stag_hunt"
    assert gym.make("coop_envs/IteratedChicken-v0").unwrapped.game.name == "chicken"
    assert gym.make_vec(ANY_ID, num_envs=2, game="chicken").game.name == "chicken"
    parallel = pettingzoo.make("parallel", "coop_envs/iterated_matrix_game-v0", game="chicken")
    assert parallel.game.name == "chicken"
    assert ipd_v0.parallel_env().game.name == "prisoners_dilemma"


def test_payoffs_at_the_float32_edge_are_accepted_and_stay_finite():
    big = float(np.finfo(np.float32).max) / 2
    env = gym.make(ANY_ID, game=table(c000=big, c001=big), co_player="always_cooperate")
    env.reset(seed=0)
    _, reward, *_ = env.step(0)
    assert np.isfinite(reward) and reward == pytest.approx(big, rel=1e-6)


def test_codes_from_one_hot_reads_valid_rows():
    rows = np.eye(5, dtype=np.float32)[[0, 3, 4]]
    assert codes_from_one_hot(rows).tolist() == [0, 3, 4]
