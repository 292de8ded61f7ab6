import numpy as np
import pytest

from co_players import FiniteStateMachine, RandomFiniteState, grim_trigger, make_co_player
from co_players.finite_state import named_reciprocators, reactive_signature
from coop_envs.core import CC, CD, DC, DD, NUM_OBSERVATIONS, PRISONERS_DILEMMA, START

C, D = 0, 1


def as_machine(next_state, moves):
    """One drawn machine as a FiniteStateMachine: an extra pre-start state that START leaves."""
    states = len(moves)
    table = np.zeros((states + 1, NUM_OBSERVATIONS), dtype=np.int64)
    for s in range(states):
        table[s, START] = s
        table[s, [CC, DC]] = next_state[s, 0]
        table[s, [CD, DD]] = next_state[s, 1]
    return FiniteStateMachine(table, [1.0 - m for m in moves] + [1.0], start_state=states)


def test_grim_trigger_signature():
    # after [], [C], [D], [C C], [C D], [D C], [D D]
    assert reactive_signature(grim_trigger(), 2).tolist() == [C, C, D, C, D, D, D]


def test_drawn_machines_play_as_their_tables(versus):
    machines = RandomFiniteState("train", tremble_share=0.0)
    rng = np.random.default_rng(3)
    opponent = rng.integers(0, 2, size=(64, 30))
    actions = versus(machines, opponent, seed=5)
    # the draw is the first thing reset does: redraw it from the same seed
    next_state, moves = RandomFiniteState("train").sample(64, np.random.default_rng(5))
    assert np.array_equal(machines.moves, moves)
    for b in range(64):
        expected = versus(as_machine(next_state[b], moves[b]), opponent[b])
        assert actions[b].tolist() == expected[0].tolist()


def test_signature_matches_play():
    machines = RandomFiniteState(None)
    next_state, moves = machines.sample(50, np.random.default_rng(0))
    signatures = machines.signature(next_state, moves)
    for b in range(50):
        machine = as_machine(next_state[b], moves[b])
        assert np.array_equal(reactive_signature(machine, machines.length), signatures[b])


def test_splits_are_disjoint_and_train_has_no_named_strategy():
    train, held_out = RandomFiniteState("train"), RandomFiniteState("held_out")
    rng = np.random.default_rng(1)
    a, b = train.sample(2000, rng), held_out.sample(2000, rng)
    assert train.split_of(*a).all() and not train.split_of(*b).any()
    named = np.stack(list(named_reciprocators(train.length).values()))
    drawn = train.signature(*a)
    assert not (drawn[:, None, :] == named[None]).all(axis=2).any()
    # the panel's reciprocators, written as tables (state 2 unused by grim trigger), are held out
    grim = ([[0, 1], [1, 1], [0, 0]], [C, D, C])
    tit_for_two = ([[0, 1], [0, 2], [0, 2]], [C, C, D])
    tables = np.array([grim[0], tit_for_two[0]]), np.array([grim[1], tit_for_two[1]])
    assert not train.split_of(*tables).any()
    for row, name in enumerate(("grim_trigger", "tit_for_two_tats")):
        signature = reactive_signature(make_co_player(name), train.length)
        assert np.array_equal(train.signature(*tables)[row], signature)
    # both halves are varied families, not a handful of machines
    assert len(np.unique(drawn, axis=0)) > 200


def test_same_seed_same_draws():
    draws = [RandomFiniteState("train").sample(100, np.random.default_rng(7)) for _ in range(2)]
    assert all(np.array_equal(x, y) for x, y in zip(*draws, strict=True))


def test_tremble_flips_moves_at_the_drawn_rate():
    machines = RandomFiniteState(None, tremble=0.4, tremble_share=1.0)
    rng = np.random.default_rng(0)
    machines.reset(PRISONERS_DILEMMA, 40_000, rng)
    assert machines.flip.min() >= 0 and machines.flip.max() <= 0.4
    assert abs(machines.flip.mean() - 0.2) < 0.01
    intended = machines.moves[np.arange(40_000), 0]
    flipped = machines.act(np.full(40_000, START), rng) != intended
    assert abs(flipped.mean() - 0.2) < 0.01
    machines = RandomFiniteState(None, tremble_share=0.5)
    machines.reset(PRISONERS_DILEMMA, 40_000, rng)
    assert abs((machines.flip > 0).mean() - 0.5) < 0.01


@pytest.mark.parametrize(
    "kwargs,pattern",
    [
        ({"split": "test"}, "split"),
        ({"max_states": 5}, "max_states"),
        ({"max_states": 0}, "max_states"),
        ({"tremble": 0.7}, "tremble"),
        ({"tremble_share": -0.1}, "tremble_share"),
        ({"tremble": "0.1"}, "tremble"),
    ],
)
def test_bad_arguments(kwargs, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        RandomFiniteState(**kwargs)
