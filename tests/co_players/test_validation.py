"""Bad input at every entry point of co_players: the error type, and a message naming the value.

Each case is ``(call, error, fragment)``: ``call()`` must raise ``error`` with ``fragment`` (the
parameter and the value received) in its message.
"""

import re

import numpy as np
import pytest

from co_players import (
    AgentCoPlayer,
    CoPlayerAgent,
    FiniteStateMachine,
    GenerousTitForTat,
    MemoryOne,
    Mixture,
    PolicyGradientLearner,
    QLearner,
    RandomMemoryOne,
    Schedule,
    ZeroDeterminant,
    cooperate_then_defect,
    grim_trigger,
    make_co_player,
    mixed_pool,
    names,
    pool,
    resolve_co_player,
    tabular_mixture,
)
from co_players.analysis import best_response, discounted_payoffs, expected_payoffs
from co_players.memory_one import tremble

NAN, INF = float("nan"), float("inf")
TFT = [1, 1, 0, 1, 0]
STAY = [[0, 0, 0, 0, 0]]


def agent(co_player="tit_for_tat", num_envs=2):
    """A CoPlayerAgent reset for ``num_envs`` games."""
    wrapped = CoPlayerAgent(make_co_player(co_player))
    wrapped.reset(num_envs, seed=0)
    return wrapped


def observations(*rows):
    """``(B, 8)`` agent observations with the given one-hot blocks (5 first columns)."""
    out = np.zeros((len(rows), 8), dtype=np.float32)
    out[:, :5] = rows
    return out


START = [1, 0, 0, 0, 0]

CASES = [
    # ---- memory-one
    ("MemoryOne str", lambda: MemoryOne("abc"), TypeError, "got 'abc'"),
    ("MemoryOne nan", lambda: MemoryOne([NAN, 1, 1, 1, 1]), ValueError, "got nan at index 0"),
    ("MemoryOne 1.5", lambda: MemoryOne([1, 1.5, 1, 1, 1]), ValueError, "got 1.5 at index 1"),
    ("MemoryOne shape", lambda: MemoryOne([1, 1]), ValueError, "got shape (2,)"),
    (
        "MemoryOne name int",
        lambda: MemoryOne(TFT, name=3),
        TypeError,
        "name must be a non-empty str; got 3",
    ),
    ("MemoryOne name empty", lambda: MemoryOne(TFT, name=""), TypeError, "got ''"),
    ("RandomMemoryOne split", lambda: RandomMemoryOne(split="bogus"), ValueError, "got 'bogus'"),
    (
        "RandomMemoryOne cells 0",
        lambda: RandomMemoryOne(cells=0),
        ValueError,
        "cells must be an int >= 2; got 0",
    ),
    (
        "RandomMemoryOne cells odd",
        lambda: RandomMemoryOne(cells=3),
        ValueError,
        "cells must be an even int >= 2; got 3",
    ),
    (
        "RandomMemoryOne cells float",
        lambda: RandomMemoryOne(cells=2.5),
        TypeError,
        "cells must be an int >= 2; got 2.5",
    ),
    (
        "RandomMemoryOne cells huge",
        lambda: RandomMemoryOne(cells=10**12),
        ValueError,
        "cells must be at most 1,000; got 1,000,000,000,000",
    ),
    (
        "RandomMemoryOne conc -1",
        lambda: RandomMemoryOne(concentration=-1),
        ValueError,
        "concentration must be a positive number; got -1",
    ),
    (
        "RandomMemoryOne conc nan",
        lambda: RandomMemoryOne(concentration=NAN),
        ValueError,
        "concentration must be finite; got nan",
    ),
    (
        "RandomMemoryOne conc str",
        lambda: RandomMemoryOne(concentration="1"),
        TypeError,
        "concentration must be a number; got '1'",
    ),
    (
        "RandomMemoryOne name",
        lambda: RandomMemoryOne(name=None),
        TypeError,
        "name must be a non-empty str; got None",
    ),
    (
        "GTFT -0.1",
        lambda: GenerousTitForTat(-0.1),
        ValueError,
        "forgiveness must be in [0, 1]; got -0.1",
    ),
    ("GTFT nan", lambda: GenerousTitForTat(NAN), ValueError, "forgiveness must be finite; got nan"),
    (
        "GTFT str",
        lambda: GenerousTitForTat("0.1"),
        TypeError,
        "forgiveness must be a number; got '0.1'",
    ),
    ("tremble 2", lambda: tremble(TFT, 2), ValueError, "epsilon must be in [0, 0.5]; got 2"),
    ("tremble str", lambda: tremble(TFT, "x"), TypeError, "epsilon must be a number; got 'x'"),
    ("tremble nan", lambda: tremble(TFT, NAN), ValueError, "epsilon must be finite; got nan"),
    # ---- zero-determinant
    ("ZD chi str", lambda: ZeroDeterminant("3"), TypeError, "chi must be a number; got '3'"),
    ("ZD chi nan", lambda: ZeroDeterminant(NAN), ValueError, "chi must be finite; got nan"),
    (
        "ZD chi 0.5",
        lambda: ZeroDeterminant(0.5),
        ValueError,
        "chi must be a finite number >= 1; got 0.5",
    ),
    ("ZD kind", lambda: ZeroDeterminant(3, kind="nice"), ValueError, "got 'nice'"),
    (
        "ZD phi -1",
        lambda: ZeroDeterminant(3, phi=-1),
        ValueError,
        "phi must be a positive number or None; got -1",
    ),
    ("ZD phi inf", lambda: ZeroDeterminant(3, phi=INF), ValueError, "phi must be finite; got inf"),
    (
        "ZD start 2",
        lambda: ZeroDeterminant(3, start=2),
        ValueError,
        "start must be a probability in [0, 1]; got 2",
    ),
    (
        "ZD start str",
        lambda: ZeroDeterminant(3, start="a"),
        TypeError,
        "start must be a number; got 'a'",
    ),
    (
        "ZD name",
        lambda: ZeroDeterminant(3, name=""),
        TypeError,
        "name must be a non-empty str; got ''",
    ),
    # ---- finite-state machines and schedules
    (
        "FSM cooperate 2",
        lambda: FiniteStateMachine(STAY, [2]),
        ValueError,
        "cooperate[0] must be in [0, 1]; got 2.0",
    ),
    ("FSM cooperate nan", lambda: FiniteStateMachine(STAY, [NAN]), ValueError, "got nan"),
    (
        "FSM start 5",
        lambda: FiniteStateMachine(STAY, [1], start_state=5),
        ValueError,
        "start_state must be in [0, 1); got 5",
    ),
    ("FSM start -1", lambda: FiniteStateMachine(STAY, [1], start_state=-1), ValueError, "got -1"),
    (
        "FSM start 0.5",
        lambda: FiniteStateMachine(STAY, [1], start_state=0.5),
        TypeError,
        "start_state must be an int; got 0.5",
    ),
    (
        "FSM next out",
        lambda: FiniteStateMachine([[0, 0, 0, 0, 3]], [1]),
        ValueError,
        "next_state[0, DD] = 3",
    ),
    (
        "FSM name",
        lambda: FiniteStateMachine(STAY, [1], name=7),
        TypeError,
        "name must be a non-empty str; got 7",
    ),
    ("grim 0", lambda: grim_trigger(0), ValueError, "strikes must be a positive int; got 0"),
    ("grim 1.5", lambda: grim_trigger(1.5), TypeError, "strikes must be a positive int; got 1.5"),
    ("grim True", lambda: grim_trigger(True), TypeError, "got True (bool)"),
    (
        "grim huge",
        lambda: grim_trigger(10**12),
        ValueError,
        "strikes must be at most 10,000; got 1,000,000,000,000",
    ),
    (
        "Schedule empty",
        lambda: Schedule([]),
        ValueError,
        "moves must be a non-empty sequence of 0 and 1; got []",
    ),
    ("Schedule 2", lambda: Schedule([0, 2]), ValueError, "got [0, 2]"),
    ("Schedule float", lambda: Schedule([0.5]), ValueError, "got [0.5]"),
    ("Schedule str", lambda: Schedule("ab"), ValueError, "got 'ab'"),
    (
        "cooperate_then_defect -1",
        lambda: cooperate_then_defect(-1),
        ValueError,
        "flip_round must be a non-negative int; got -1",
    ),
    (
        "cooperate_then_defect 2.5",
        lambda: cooperate_then_defect(2.5),
        TypeError,
        "flip_round must be a non-negative int; got 2.5",
    ),
    (
        "cooperate_then_defect huge",
        lambda: cooperate_then_defect(10**12),
        ValueError,
        "flip_round must be at most 1,000,000",
    ),
    # ---- pools and the registry
    ("Mixture empty", lambda: Mixture([]), ValueError, "needs at least one component; got none"),
    (
        "Mixture -1",
        lambda: Mixture([(-1, make_co_player("tit_for_tat"))]),
        ValueError,
        "got [-1.0]",
    ),
    (
        "Mixture nan",
        lambda: Mixture([(NAN, make_co_player("tit_for_tat"))]),
        ValueError,
        "weight of component 0 must be finite; got nan",
    ),
    (
        "Mixture str weight",
        lambda: Mixture([("a", make_co_player("tit_for_tat"))]),
        TypeError,
        "weight of component 0 must be a number; got 'a'",
    ),
    (
        "Mixture name",
        lambda: Mixture([(1, make_co_player("tit_for_tat"))], name=""),
        TypeError,
        "name must be a non-empty str; got ''",
    ),
    ("Mixture id", lambda: Mixture([(1, "tft")]), TypeError, "got 'tft'"),
    ("tabular_mixture split", lambda: tabular_mixture(split="x"), ValueError, "got 'x'"),
    (
        "tabular_mixture concentration",
        lambda: tabular_mixture(concentration=0),
        ValueError,
        "concentration must be a positive number; got 0",
    ),
    (
        "tabular_mixture uniform 2",
        lambda: tabular_mixture(uniform_fraction=2),
        ValueError,
        "uniform_fraction must be in [0, 1]; got 2",
    ),
    (
        "tabular_mixture uniform str",
        lambda: tabular_mixture(uniform_fraction="0"),
        TypeError,
        "uniform_fraction must be a number; got '0'",
    ),
    (
        "mixed_pool 1.5",
        lambda: mixed_pool(1.5),
        ValueError,
        "tabular_probability must be in [0, 1]; got 1.5",
    ),
    (
        "mixed_pool nan",
        lambda: mixed_pool(NAN),
        ValueError,
        "tabular_probability must be finite; got nan",
    ),
    (
        "mixed_pool str",
        lambda: mixed_pool("0.5"),
        TypeError,
        "tabular_probability must be a number; got '0.5'",
    ),
    (
        "make_co_player unknown",
        lambda: make_co_player("tft"),
        ValueError,
        "unknown co-player 'tft'",
    ),
    (
        "make_co_player int",
        lambda: make_co_player(3),
        TypeError,
        "co-player id must be a str (a registry id); got 3",
    ),
    ("make_co_player None", lambda: make_co_player(None), TypeError, "got None"),
    ("resolve None", lambda: resolve_co_player(None), TypeError, "got None"),
    ("resolve 3", lambda: resolve_co_player(3), TypeError, "got 3"),
    (
        "resolve vector nan",
        lambda: resolve_co_player([NAN, 1, 1, 1, 1]),
        ValueError,
        "got nan at index 0",
    ),
    ("pool split", lambda: pool("bogus"), ValueError, "got 'bogus'"),
    (
        "names split",
        lambda: names(split="bogus"),
        ValueError,
        "unknown split 'bogus'; known: held_out, train",
    ),
    ("names family", lambda: names(family="bogus"), ValueError, "unknown family 'bogus'"),
    # ---- learners
    (
        "QLearner epsilon str",
        lambda: QLearner(epsilon="0.1"),
        TypeError,
        "epsilon must be a number; got '0.1'",
    ),
    (
        "QLearner epsilon -1",
        lambda: QLearner(epsilon=-1),
        ValueError,
        "epsilon must be in [0, 1]; got -1",
    ),
    (
        "QLearner epsilon nan",
        lambda: QLearner(epsilon=NAN),
        ValueError,
        "epsilon must be in [0, 1]; got nan",
    ),
    (
        "QLearner epsilon bool",
        lambda: QLearner(epsilon=True),
        TypeError,
        "epsilon must be a number; got True",
    ),
    (
        "QLearner learning_rate 0",
        lambda: QLearner(learning_rate=0),
        ValueError,
        "learning_rate must be in (0, 1]; got 0",
    ),
    (
        "QLearner learning_rate str",
        lambda: QLearner(learning_rate="a"),
        TypeError,
        "learning_rate must be a number; got 'a'",
    ),
    (
        "QLearner discount 2",
        lambda: QLearner(discount=2),
        ValueError,
        "discount must be in [0, 1]; got 2",
    ),
    (
        "QLearner optimistic nan",
        lambda: QLearner(optimistic=NAN),
        ValueError,
        "optimistic must be finite; got nan",
    ),
    (
        "QLearner optimistic str",
        lambda: QLearner(optimistic="3"),
        TypeError,
        "optimistic must be a number; got '3'",
    ),
    ("QLearner name", lambda: QLearner(name=5), TypeError, "name must be a non-empty str; got 5"),
    (
        "PG learning_rate 0",
        lambda: PolicyGradientLearner(learning_rate=0),
        ValueError,
        "learning_rate must be positive; got 0",
    ),
    (
        "PG learning_rate inf",
        lambda: PolicyGradientLearner(learning_rate=INF),
        ValueError,
        "learning_rate must be finite; got inf",
    ),
    (
        "PG window 2.5",
        lambda: PolicyGradientLearner(window=2.5),
        TypeError,
        "window must be a positive int; got 2.5",
    ),
    ("PG window bool", lambda: PolicyGradientLearner(window=True), TypeError, "got True (bool)"),
    (
        "PG window huge",
        lambda: PolicyGradientLearner(window=10**12),
        ValueError,
        "window must be at most 1,000,000",
    ),
    # ---- analysis: types named, sizes bounded
    (
        "expected_payoffs rounds 2.5",
        lambda: expected_payoffs(TFT, TFT, rounds=2.5),
        TypeError,
        "rounds must be a positive int; got 2.5",
    ),
    (
        "expected_payoffs rounds str",
        lambda: expected_payoffs(TFT, TFT, rounds="100"),
        TypeError,
        "got '100' (str)",
    ),
    (
        "expected_payoffs rounds -1",
        lambda: expected_payoffs(TFT, TFT, rounds=-1),
        ValueError,
        "rounds must be a positive int; got -1",
    ),
    (
        "expected_payoffs rounds huge",
        lambda: expected_payoffs(TFT, TFT, rounds=10**12),
        ValueError,
        "rounds must be at most 1,000,000; got 1,000,000,000,000",
    ),
    (
        "expected_payoffs p nan",
        lambda: expected_payoffs([NAN] * 5, TFT),
        ValueError,
        "p must be probabilities in [0, 1]; got nan at index 0",
    ),
    (
        "expected_payoffs game",
        lambda: expected_payoffs(TFT, TFT, game="pd"),
        ValueError,
        "unknown game 'pd'",
    ),
    (
        "best_response rounds huge",
        lambda: best_response(TFT, rounds=10**12),
        ValueError,
        "rounds must be at most 1,000,000; got 1,000,000,000,000",
    ),
    (
        "best_response rounds float",
        lambda: best_response(TFT, rounds=10.0),
        TypeError,
        "rounds must be a positive int; got 10.0",
    ),
    (
        "best_response allocation",
        lambda: best_response(np.full((10**4, 5), 0.5), rounds=10**5),
        ValueError,
        "would allocate 10,000,000,000 Q-values",
    ),
    ("best_response q", lambda: best_response([2] * 5), ValueError, "got 2.0 at index 0"),
    (
        "discounted 1",
        lambda: discounted_payoffs(TFT, TFT, discount=1),
        ValueError,
        "discount must be in [0, 1); got 1",
    ),
    (
        "discounted str",
        lambda: discounted_payoffs(TFT, TFT, discount="0.9"),
        TypeError,
        "discount must be a number; got '0.9'",
    ),
    (
        "discounted nan",
        lambda: discounted_payoffs(TFT, TFT, discount=NAN),
        ValueError,
        "discount must be finite; got nan",
    ),
    # ---- adapters: protocols, num_envs, and observations an agent acts on
    ("AgentCoPlayer 3", lambda: AgentCoPlayer(3), TypeError, "int has no fitting reset or act"),
    ("CoPlayerAgent 3", lambda: CoPlayerAgent(3), TypeError, "int has no fitting reset or act"),
    (
        "CoPlayerAgent num_envs 0",
        lambda: agent(num_envs=0),
        ValueError,
        "num_envs must be a positive int; got 0",
    ),
    (
        "CoPlayerAgent num_envs huge",
        lambda: agent(num_envs=10**9),
        ValueError,
        "num_envs must be at most 10,000,000; got 1,000,000,000",
    ),
    (
        "CoPlayerAgent all-zero obs",
        lambda: agent().act(observations(START, [0] * 5)),
        ValueError,
        "got [0.0, 0.0, 0.0, 0.0, 0.0] in row 1",
    ),
    (
        "CoPlayerAgent NaN obs",
        lambda: agent().act(observations([NAN, 0, 0, 0, 0], START)),
        ValueError,
        "got [nan, 0.0, 0.0, 0.0, 0.0] in row 0",
    ),
    (
        "CoPlayerAgent two ones",
        lambda: agent().act(observations(START, [0, 1, 1, 0, 0])),
        ValueError,
        "got [0.0, 1.0, 1.0, 0.0, 0.0] in row 1",
    ),
    (
        "CoPlayerAgent shape",
        lambda: agent().act(np.zeros((2, 5))),
        ValueError,
        "observations must have shape (num_envs, 8) after reset(num_envs, seed); got (2, 5)",
    ),
]


@pytest.mark.parametrize("call,error,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_with_the_value_named(call, error, fragment):
    with pytest.raises(error, match=re.escape(fragment)):
        call()


def test_valid_one_hot_observations_are_acted_on():
    tft = agent("tit_for_tat", 3)
    actions = tft.act(observations(START, [0, 0, 1, 0, 0], [0, 0, 0, 0, 1]))
    assert actions.tolist() == [0, 1, 1]  # TFT: cooperate first, then copy the other's move
