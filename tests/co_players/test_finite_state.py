import numpy as np
import pytest

from co_players import FiniteStateMachine, make_co_player
from co_players.finite_state import Schedule, cooperate_then_defect, grim_trigger
from coop_envs.core import PRISONERS_DILEMMA

C, D = 0, 1


@pytest.mark.parametrize(
    "name,opponent,expected",
    [
        ("grim_trigger", [C, C, D, C, C, C], [C, C, C, D, D, D]),
        ("grim_trigger_2", [C, D, C, C, D, C, C], [C, C, C, C, C, D, D]),
        ("tit_for_two_tats", [C, D, C, D, D, D, C, C], [C, C, C, C, C, D, D, C]),
        ("two_tits_for_tat", [C, D, C, C, C, D, D, C, C, C], [C, C, D, D, C, C, D, D, D, C]),
        ("corrigible", [C, C, D, C, C, D, C], [D, D, D, D, C, C, D]),
        ("cooperate_then_defect", [C] * 52, [C] * 50 + [D, D]),
    ],
)
def test_scripted_play(name, opponent, expected, versus):
    assert versus(make_co_player(name), opponent)[0].tolist() == expected


def test_machines_are_independent_per_game(versus):
    moves = np.array([[C, C, C, C], [D, C, C, C], [C, C, D, C]])
    actions = versus(grim_trigger(), moves)
    assert actions.tolist() == [[C, C, C, C], [C, D, D, D], [C, C, C, D]]


def test_stochastic_machine():
    # one state, cooperate with probability 0.3
    machine = FiniteStateMachine([[0, 0, 0, 0, 0]], [0.3])
    rng = np.random.default_rng(0)
    machine.reset(PRISONERS_DILEMMA, 20000, rng)
    assert abs((machine.act(np.zeros(20000, dtype=np.int64), rng) == C).mean() - 0.3) < 0.015


def test_dict_spec_with_names():
    spec = {(s, o): 0 for s in range(2) for o in ("START", "CC", "CD", "DC", "DD")}
    spec[(0, "CD")] = 1
    machine = FiniteStateMachine(spec, [1.0, 0.0])
    assert machine.next_state[0].tolist() == [0, 0, 1, 0, 0]


@pytest.mark.parametrize(
    "spec,cooperate,pattern",
    [
        (
            {(0, 0): 0, (0, 1): 0},
            [1.0],
            r"missing transitions for 3 \(state, observation\) pairs: \(0, CD\), \(0, DC\), \(0, DD\)",
        ),
        ({(0, "XX"): 0}, [1.0], r"transition key \(0, 'XX'\) is out of range"),
        ([[0, 0, 0, 0, 2]], [1.0], r"next_state\[0, DD\] = 2 is not a state \(0..0\)"),
        ([[0, 0, 0, 0]], [1.0], r"shape \(states, 5\) = \(1, 5\); got shape \(1, 4\)"),
        ([[0, 0, 0, 0, 0]], [1.5], r"cooperate\[0\] must be in \[0, 1\]; got 1.5"),
        ([[0, 0, 0, 0, 0]], [], "cooperate must be a non-empty"),
    ],
)
def test_bad_specs(spec, cooperate, pattern):
    with pytest.raises(ValueError, match=pattern):
        FiniteStateMachine(spec, cooperate)


def test_bad_start_state_and_schedules():
    with pytest.raises(ValueError, match=r"start_state must be in \[0, 1\); got 3"):
        FiniteStateMachine([[0] * 5], [1.0], start_state=3)
    with pytest.raises(ValueError, match="moves must be a non-empty sequence of 0 and 1"):
        Schedule([0, 2])
    with pytest.raises(ValueError, match="flip_round must be a non-negative int; got -1"):
        cooperate_then_defect(-1)
    with pytest.raises(ValueError, match="strikes must be a positive int; got 0"):
        grim_trigger(0)
