import numpy as np
import pytest

from coop_envs.core import (
    CC,
    CD,
    CO_PLAYER_ID_DIM,
    COOPERATE,
    DC,
    DD,
    DEFECT,
    GAMES,
    LOG_PROB_FLOOR,
    MATCHING_PENNIES,
    START,
    IteratedGame,
    ObservationConfig,
    joint_code,
)


def reference_play(game, actions):
    """A plain-Python loop over games and rounds: the semantics the engine must match."""
    batch, rounds, _ = actions.shape
    returns = np.zeros((batch, 2))
    codes = np.zeros((batch, rounds + 1, 2), dtype=int)
    for b in range(batch):
        for t in range(rounds):
            a0, a1 = int(actions[b, t, 0]), int(actions[b, t, 1])
            returns[b, 0] += game.payoffs[a0][a1][0]
            returns[b, 1] += game.payoffs[a0][a1][1]
            codes[b, t + 1] = (1 + 2 * a0 + a1, 1 + 2 * a1 + a0)
    return returns, codes


@pytest.mark.parametrize("name", list(GAMES))
def test_engine_matches_reference_loop(name):
    rng = np.random.default_rng(0)
    game = GAMES[name]
    actions = rng.integers(0, 2, size=(16, 12, 2))
    ref_returns, ref_codes = reference_play(game, actions)
    engine = IteratedGame(game, batch_size=16, num_rounds=12)
    engine.reset()
    assert engine.observe(0).tolist() == [START] * 16
    for t in range(12):
        rewards, done = engine.step(actions[:, t])
        assert rewards.dtype == np.float32
        assert done == (t == 11)
        np.testing.assert_array_equal(engine.codes, ref_codes[:, t + 1])
    np.testing.assert_allclose(engine.returns, ref_returns)
    np.testing.assert_array_equal(engine.history, actions)
    np.testing.assert_allclose(engine.cooperation_rate(), (actions == COOPERATE).mean(axis=1))


def test_codes_are_own_view():
    engine = IteratedGame(batch_size=4, num_rounds=3)
    engine.reset()
    engine.step(
        [[COOPERATE, COOPERATE], [COOPERATE, DEFECT], [DEFECT, COOPERATE], [DEFECT, DEFECT]]
    )
    assert engine.observe(0).tolist() == [CC, CD, DC, DD]
    assert engine.observe(1).tolist() == [CC, DC, CD, DD]
    assert joint_code(COOPERATE, DEFECT) == CD


def test_reset_clears_everything():
    engine = IteratedGame(batch_size=2, num_rounds=2)
    engine.reset()
    engine.step([[1, 1], [0, 1]])
    engine.step([[1, 0], [0, 0]])
    assert engine.done
    engine.reset()
    assert engine.t == 0 and not engine.done
    assert (engine.history == -1).all() and (engine.codes == START).all()
    assert (engine.returns == 0).all()
    assert np.isnan(engine.cooperation_rate()).all()


def test_step_after_end_raises():
    engine = IteratedGame(num_rounds=1)
    engine.reset()
    engine.step([[0, 0]])
    with pytest.raises(ValueError, match="after all 1 rounds were played; call reset"):
        engine.step([[0, 0]])


@pytest.mark.parametrize(
    "actions,error,pattern",
    [
        ([[0, 1]], ValueError, r"shape \(2, 2\); got \(1, 2\)"),
        ([[0, 1], [2, 0]], ValueError, r"got 2 at index \(1, 0\)"),
        ([[0, -1], [0, 0]], ValueError, r"got -1 at index \(0, 1\)"),
        ([[0.0, 1.0], [0.0, 0.0]], TypeError, "got dtype float64$"),
        ([[np.nan, 1.0], [0.0, 0.0]], TypeError, "float64 containing NaN"),
        ([[True, False], [False, False]], TypeError, "got dtype bool"),
        ([["C", "D"], ["C", "C"]], TypeError, "must be integers"),
    ],
)
def test_bad_actions(actions, error, pattern):
    engine = IteratedGame(batch_size=2, num_rounds=3)
    engine.reset()
    with pytest.raises(error, match=pattern):
        engine.step(actions)
    assert engine.t == 0  # nothing was played


@pytest.mark.parametrize(
    "kwargs,error,pattern",
    [
        ({"batch_size": 0}, ValueError, "batch_size must be a positive int; got 0"),
        ({"batch_size": 2.0}, TypeError, "batch_size must be a positive int; got 2.0"),
        ({"num_rounds": True}, TypeError, "num_rounds must be a positive int; got True"),
        ({"game": "snowdrift"}, ValueError, "unknown game 'snowdrift'"),
        ({"observation": {"prev_action": True}}, TypeError, "must be an ObservationConfig"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        IteratedGame(**kwargs)


def test_observation_blocks():
    config = ObservationConfig(prev_action=True, prev_reward=True, round_index=True)
    assert list(config.layout) == ["observation", "prev_action", "prev_reward", "round_index"]
    assert config.size == 9
    engine = IteratedGame(batch_size=2, num_rounds=4, observation=config)
    engine.reset()
    start = engine.observation(0)
    assert start.dtype == np.float32
    assert start.tolist() == [[1, 0, 0, 0, 0, 0, 0, 0, 0]] * 2
    engine.step([[DEFECT, COOPERATE], [COOPERATE, DEFECT]])
    # player 0: DC (defected, got T=2), CD (cooperated, got S=-1); round index 1/4
    assert engine.observation(0).tolist() == [
        [0, 0, 0, 1, 0, 0, 1, 2, 0.25],
        [0, 0, 1, 0, 0, 1, 0, -1, 0.25],
    ]
    assert engine.observation(1).tolist() == [
        [0, 0, 1, 0, 0, 1, 0, -1, 0.25],
        [0, 0, 0, 1, 0, 0, 1, 2, 0.25],
    ]


def test_prev_reward_of_asymmetric_game_is_own():
    engine = IteratedGame(MATCHING_PENNIES, observation=ObservationConfig(prev_reward=True))
    engine.reset()
    engine.step([[COOPERATE, COOPERATE]])  # a match: player 0 wins
    assert engine.observation(0)[0, -1] == 1.0
    assert engine.observation(1)[0, -1] == -1.0


def test_co_player_id_block():
    config = ObservationConfig(co_player_id=True)
    assert config.layout["co_player_id"] == slice(0, CO_PLAYER_ID_DIM)
    engine = IteratedGame(batch_size=2, observation=config)
    engine.reset()
    zeros = engine.observation(0)
    assert (zeros[:, :CO_PLAYER_ID_DIM] == 0).all()
    ids = np.full((2, CO_PLAYER_ID_DIM), -np.inf)
    ids[1] = -0.5
    obs = engine.observation(0, ids)
    assert obs[0, :CO_PLAYER_ID_DIM].tolist() == pytest.approx([LOG_PROB_FLOOR] * 10)
    assert obs[1, :CO_PLAYER_ID_DIM].tolist() == [-0.5] * 10
    low, high = config.bounds(engine.game)
    assert ((obs >= low) & (obs <= high)).all()
    with pytest.raises(
        ValueError, match=r"co_player_id must have shape \(B, 10\) = \(2, 10\); got \(2, 5\)"
    ):
        engine.observation(0, np.zeros((2, 5)))


def test_observation_config_rejects_non_bools():
    with pytest.raises(TypeError, match="prev_reward must be a bool; got 1"):
        ObservationConfig(prev_reward=1)


def test_bad_player():
    engine = IteratedGame()
    with pytest.raises(ValueError, match="player must be 0 or 1; got 2"):
        engine.observe(2)
