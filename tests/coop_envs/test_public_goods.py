"""The public goods core: exact payoffs, observations, bookkeeping, and bad input."""

import itertools

import gymnasium as gym
import numpy as np
import pettingzoo
import pytest

import coop_envs  # noqa: F401 (registers the ids)
from coop_envs import public_goods_v0
from coop_envs.core import BatchedGame, GameSeat, play_batched
from coop_envs.core.public_goods import (
    CONTRIBUTE,
    CONTRIBUTE_AND_PUNISH,
    KEEP,
    KEEP_AND_PUNISH,
    PublicGoodsGame,
    public_goods_rewards,
)

C, K, CP, KP = CONTRIBUTE, KEEP, CONTRIBUTE_AND_PUNISH, KEEP_AND_PUNISH

# Every contribution pattern, written out by hand from u_i = (1 - c_i) + r/N * k.
# N = 2, r = 1.5: r/N = 0.75.
PAYOFFS_N2 = {
    (C, C): (1.5, 1.5),
    (C, K): (0.75, 1.75),
    (K, C): (1.75, 0.75),
    (K, K): (1.0, 1.0),
}
# N = 3, r = 2.4: r/N = 0.8.
PAYOFFS_N3 = {
    (C, C, C): (2.4, 2.4, 2.4),
    (C, C, K): (1.6, 1.6, 2.6),
    (C, K, C): (1.6, 2.6, 1.6),
    (K, C, C): (2.6, 1.6, 1.6),
    (C, K, K): (0.8, 1.8, 1.8),
    (K, C, K): (1.8, 0.8, 1.8),
    (K, K, C): (1.8, 1.8, 0.8),
    (K, K, K): (1.0, 1.0, 1.0),
}
# N = 3, r = 2.4, punishment cost 0.5, fine 1.5: a punisher pays 0.5 per other keeper, a keeper
# pays 1.5 per other punisher.
PAYOFFS_N3_PUNISHMENT = {
    (CP, C, K): (1.6 - 0.5, 1.6, 2.6 - 1.5),
    (CP, CP, K): (1.6 - 0.5, 1.6 - 0.5, 2.6 - 3.0),
    (CP, CP, CP): (2.4, 2.4, 2.4),  # nobody keeps: punishing is free
    (KP, K, C): (1.8 - 0.5, 1.8 - 1.5, 0.8),  # a keeper punishes the other keeper, not itself
    (KP, KP, K): (1.0 - 1.0 - 1.5, 1.0 - 1.0 - 1.5, 1.0 - 3.0),
    (C, K, KP): (0.8, 1.8 - 1.5, 1.8 - 0.5),
}


def play_round(game, actions):
    game.reset()
    rewards, _ = game.step([list(actions)])
    return tuple(float(x) for x in rewards[0])


@pytest.mark.parametrize(
    ("num_players", "multiplier", "table", "punishment"),
    [
        (2, 1.5, PAYOFFS_N2, {}),
        (3, 2.4, PAYOFFS_N3, {}),
        (3, 2.4, PAYOFFS_N3_PUNISHMENT, dict(punishment_cost=0.5, punishment_fine=1.5)),
    ],
    ids=["N2", "N3", "N3-punishment"],
)
def test_every_pattern_pays_exactly(num_players, multiplier, table, punishment):
    game = PublicGoodsGame(
        num_players, multiplier, punishment=bool(punishment), **punishment, num_rounds=1
    )
    for actions, expected in table.items():
        assert play_round(game, actions) == pytest.approx(expected, abs=1e-6), actions
    if not punishment:
        patterns = set(itertools.product((C, K), repeat=num_players))
        assert set(table) == patterns  # every pattern is in the table


def test_batch_rows_are_independent_games_and_rewards_are_float32():
    game = PublicGoodsGame(3, 2.4, batch_size=len(PAYOFFS_N3), num_rounds=2)
    game.reset()
    rewards, done = game.step(np.array(list(PAYOFFS_N3)))
    assert rewards.dtype == np.float32 and rewards.shape == (8, 3) and not done
    np.testing.assert_allclose(rewards, np.array(list(PAYOFFS_N3.values())), atol=1e-6)
    np.testing.assert_allclose(game.rewards[:, 0], rewards)
    np.testing.assert_allclose(game.returns, rewards.astype(np.float64), atol=1e-6)


def test_reward_range_is_exact():
    assert PublicGoodsGame(2, 1.5).spec.reward_range == pytest.approx((0.75, 1.75))
    # N = 4, r = 1.6: worst = contribute alone (0.4); best = keep while 3 contribute (2.2)
    assert PublicGoodsGame().spec.reward_range == pytest.approx((0.4, 2.2))
    # with punishment the worst is keeping and punishing 3 others who all keep and punish:
    # 1 - 3 x cost 0.2 - 3 x fine 0.6
    spec = PublicGoodsGame(punishment=True).spec
    assert spec.reward_range == pytest.approx((1.0 - 0.6 - 1.8, 2.2))


def test_observations_summary_and_full_rotated_to_own_seat():
    summary = PublicGoodsGame(4, batch_size=1, num_rounds=3)
    full = PublicGoodsGame(4, batch_size=1, num_rounds=3, observation="full")
    for game in (summary, full):
        game.reset()
        assert game.observation(2).tolist() == [
            [1.0] + [0.0] * (game.spec.observation_shape[0] - 1)
        ]
        game.step([[C, K, C, C]])
    assert summary.observation(0).tolist() == [[0.0, 1.0, pytest.approx(2 / 3)]]
    assert summary.observation(1).tolist() == [[0.0, 0.0, 1.0]]
    assert full.observation(0).tolist() == [[0.0, 1.0, 0.0, 1.0, 1.0]]
    assert full.observation(1).tolist() == [[0.0, 0.0, 1.0, 1.0, 1.0]]
    assert full.observation(3).tolist() == [[0.0, 1.0, 1.0, 0.0, 1.0]]  # own, then seats 0, 1, 2


def test_punishment_blocks_and_features_agree_with_rewards():
    """What a co-player reads from its observation (spec.features/reward) is what was paid."""
    rng = np.random.default_rng(0)
    for layout, punishment, n in itertools.product(("summary", "full"), (False, True), (2, 3, 5)):
        options = dict(punishment_cost=0.3, punishment_fine=0.9) if punishment else {}
        game = PublicGoodsGame(n, 1.7, 64, 4, punishment=punishment, observation=layout, **options)
        game.reset()
        for _ in range(4):
            actions = rng.integers(0, game.spec.num_actions, size=(64, n))
            rewards, _ = game.step(actions)
            for p in range(n):
                obs = game.observation(p)
                start, own_c, others_c, own_p, others_p = game.spec.features(obs)
                assert not start.any()
                np.testing.assert_array_equal(own_c, actions[:, p] % 2 == C)
                np.testing.assert_array_equal(others_c, (np.delete(actions, p, 1) % 2 == C).sum(1))
                if punishment:
                    np.testing.assert_array_equal(own_p, actions[:, p] >= 2)
                    np.testing.assert_array_equal(others_p, (np.delete(actions, p, 1) >= 2).sum(1))
                np.testing.assert_allclose(game.spec.reward(obs), rewards[:, p], atol=1e-5)


def test_history_cooperation_rate_done_and_reset():
    game = PublicGoodsGame(3, 2.0, batch_size=2, num_rounds=2)
    assert isinstance(game, BatchedGame)
    game.reset()
    assert np.isnan(game.cooperation_rate()).all()
    game.step([[C, K, C], [K, K, K]])
    _, done = game.step([[C, C, C], [K, K, C]])
    assert done and game.done
    assert game.history.shape == (2, 2, 3) and game.history.dtype == np.int8
    np.testing.assert_array_equal(game.cooperation_rate(), [[1.0, 0.5, 1.0], [0.0, 0.0, 0.5]])
    with pytest.raises(ValueError, match="after all 2 rounds were played; call reset"):
        game.step([[C, C, C], [C, C, C]])
    game.reset()
    assert game.t == 0 and (game.history == -1).all() and (game.returns == 0).all()


def test_public_goods_rewards_function_broadcasts():
    actions = np.array([[[C, K], [K, K]]])
    np.testing.assert_allclose(public_goods_rewards(actions, 1.5), [[[0.75, 1.75], [1.0, 1.0]]])


def test_play_batched_runs_n_seats():
    class Fixed:
        def __init__(self, action):
            self.action = action

        def reset(self, spec, batch_size, rng):
            self.n = batch_size

        def act(self, obs, rng):
            assert obs.shape == (self.n, 3)
            return np.full(self.n, self.action)

    games = np.arange(5)
    core = PublicGoodsGame(3, 2.4, batch_size=5, num_rounds=10)
    seats = [GameSeat(Fixed(C), games, 0), GameSeat(Fixed(K), games, 1)]
    seats.append(GameSeat(Fixed(K), games, 2))
    play_batched(core, seats, np.random.default_rng(0))
    np.testing.assert_allclose(core.returns, np.tile([8.0, 18.0, 18.0], (5, 1)), atol=1e-5)
    with pytest.raises(ValueError, match="game 0 seat 2 has 0"):
        play_batched(core, seats[:2], np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"sits in seat 3; this game has seats 0\.\.2"):
        play_batched(core, [*seats, GameSeat(Fixed(C), games, 3)], np.random.default_rng(0))
    with pytest.raises(
        ValueError, match=r"actions of 'Fixed' must be 0 \(CONTRIBUTE\) or 1 \(KEEP\)"
    ):
        play_batched(core, [*seats[:2], GameSeat(Fixed(3), games, 2)], np.random.default_rng(0))


# ---- bad input: every error names the value and what is accepted ----------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(num_players=1), ValueError, "num_players must be an int >= 2; got 1"),
        (dict(num_players=17), ValueError, "num_players must be at most 16; got 17"),
        (dict(num_players=4.0), TypeError, r"num_players must be an int >= 2; got 4.0 \(float\)"),
        (dict(num_players=True), TypeError, "num_players must be an int >= 2; got True"),
        (dict(multiplier=1.0), ValueError, r"1 < r < num_players = 4, so that the game is a "),
        (dict(multiplier=4), ValueError, r"social dilemma .*; got 4"),
        (dict(num_players=2, multiplier=2.5), ValueError, "1 < r < num_players = 2.*got 2.5"),
        (dict(multiplier=float("nan")), ValueError, "multiplier must be finite"),
        (dict(multiplier="2"), TypeError, r"multiplier must be a number; got '2' \(str\)"),
        (dict(punishment=1), TypeError, r"punishment must be a bool; got 1 \(int\)"),
        (dict(punishment_cost=0.2), ValueError, "punishment_cost=0.2 is set but punishment=False"),
        (dict(punishment_fine=1), ValueError, "punishment_fine=1 is set but punishment=False"),
        (
            dict(punishment=True, punishment_cost=0),
            ValueError,
            r"punishment_cost must be > 0 \(punishment is costly and fines\); got 0",
        ),
        (
            dict(punishment=True, punishment_cost=-1),
            ValueError,
            r"punishment_cost must be in \[0, 1e\+06\]; got -1",
        ),
        (
            dict(punishment=True, punishment_fine=float("inf")),
            ValueError,
            "punishment_fine must be finite",
        ),
        (dict(punishment=True, punishment_fine="x"), TypeError, "punishment_fine must be a number"),
        (
            dict(observation="vector"),
            ValueError,
            "observation must be one of 'summary', 'full'; got 'vector'",
        ),
        (dict(batch_size=0), ValueError, "batch_size must be a positive int; got 0"),
        (dict(num_rounds=-3), ValueError, "num_rounds must be a positive int; got -3"),
        (dict(num_players=16, batch_size=10_000_000, num_rounds=10), ValueError, "would be"),
    ],
)
def test_bad_arguments_are_refused_by_core_and_every_front_end(kwargs, error, match):
    with pytest.raises(error, match=match):
        PublicGoodsGame(**kwargs)
    front_kwargs = {k: v for k, v in kwargs.items() if k != "batch_size"}
    if "batch_size" in kwargs:
        return
    with pytest.raises(error, match=match):
        gym.make("coop_envs/PublicGoods-v0", **front_kwargs)
    with pytest.raises(error, match=match):
        pettingzoo.make("parallel", "coop_envs/public_goods-v0", **front_kwargs)
    with pytest.raises(error, match=match):
        public_goods_v0.env(**front_kwargs)


@pytest.mark.parametrize(
    ("actions", "error", "match"),
    [
        ([[0, 1, 0]], ValueError, r"actions must have shape \(1, 4\); got \(1, 3\)"),
        ([0, 1, 0, 1], ValueError, r"actions must have shape \(1, 4\); got \(4,\)"),
        (
            [[0, 1, 2, 0]],
            ValueError,
            r"must be 0 \(CONTRIBUTE\) or 1 \(KEEP\); got 2 at index \(0, 2\)",
        ),
        ([[0, -1, 0, 0]], ValueError, r"got -1 at index \(0, 1\)"),
        ([[0.0, 1.0, 0.0, 0.0]], TypeError, "actions must be integers, 0 .* got dtype float64"),
        ([[0, 1, 0, None]], TypeError, "got dtype object"),
    ],
)
def test_bad_actions_are_refused_naming_game_and_player(actions, error, match):
    game = PublicGoodsGame()
    game.reset()
    with pytest.raises(error, match=match):
        game.step(actions)
    assert game.t == 0


def test_bad_actions_in_the_front_ends():
    env = gym.make("coop_envs/PublicGoods-v0", co_player="always_contribute")
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must be 0 \(CONTRIBUTE\) or 1 \(KEEP\); got 2"):
        env.step(2)
    with pytest.raises(
        TypeError, match=r"action must be an int, 0 \(CONTRIBUTE\) or 1 \(KEEP\); got 0.5"
    ):
        env.step(0.5)
    env = gym.make("coop_envs/PublicGoods-v0", punishment=True, co_player="always_contribute")
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"or 3 \(KEEP_AND_PUNISH\); got 4"):
        env.step(4)
    par = pettingzoo.make("parallel", "coop_envs/public_goods-v0", num_players=3)
    par.reset(seed=0)
    with pytest.raises(ValueError, match=r"missing \['player_2'\], unknown \[\]"):
        par.step({"player_0": 0, "player_1": 0})
    with pytest.raises(ValueError, match=r"action must be 0 \(CONTRIBUTE\) or 1 \(KEEP\); got 7"):
        par.step({"player_0": 0, "player_1": 0, "player_2": 7})
    with pytest.raises(ValueError, match="unknown agent 'player_3'; agents: player_0, player_1"):
        par.observation_space("player_3")
    envs = gym.make_vec("coop_envs/PublicGoods-v0", num_envs=2, co_player="always_contribute")
    envs.reset(seed=0)
    with pytest.raises(
        ValueError, match=r"actions must be 0 \(CONTRIBUTE\) or 1 \(KEEP\); got 3 at index 1"
    ):
        envs.step(np.array([0, 3]))


def test_bad_player_index():
    game = PublicGoodsGame(3)
    game.reset()
    with pytest.raises(ValueError, match=r"player must be a seat in 0\.\.2; got 3"):
        game.observation(3)
    with pytest.raises(TypeError, match=r"player \(a seat in 0..2\) must be a non-negative int"):
        game.observation("0")


def test_unknown_co_players_list_what_the_game_accepts():
    with pytest.raises(
        ValueError, match="unknown public_goods co-player 'tit_for_tat' \\(a matrix-game"
    ):
        gym.make("coop_envs/PublicGoods-v0", co_player="tit_for_tat")
    with pytest.raises(ValueError, match="known ids: always_contribute, conditional_cooperator"):
        gym.make("coop_envs/PublicGoods-v0", co_player="always_cooperate_")
    with pytest.raises(
        TypeError, match="co_player for public_goods must be one of its registry ids"
    ):
        gym.make("coop_envs/PublicGoods-v0", co_player=3)
    with pytest.raises(ValueError, match="a reactive policy is 7 contribution probabilities"):
        gym.make("coop_envs/PublicGoods-v0", co_player=[0.5] * 5)
    with pytest.raises(ValueError, match="co_player_id=True is for the matrix games"):
        from coop_envs.single_agent import VersusCoPlayer

        VersusCoPlayer(PublicGoodsGame(), "always_contribute", co_player_id=True)


@pytest.mark.parametrize("num_players", [2, 3, 7, 16])
@pytest.mark.parametrize("punishment", [False, True])
def test_step_lookup_equals_the_reference_formula(num_players, punishment):
    options = dict(punishment_cost=0.35, punishment_fine=1.1) if punishment else {}
    game = PublicGoodsGame(num_players, 1.9, 500, 3, punishment=punishment, **options)
    game.reset()
    actions = np.random.default_rng(num_players).integers(
        0, game.spec.num_actions, (500, num_players)
    )
    rewards, _ = game.step(actions)
    expected = public_goods_rewards(actions, 1.9, *(options.values() or (0.0, 0.0)))
    np.testing.assert_allclose(rewards, expected, atol=1e-5)
    low, high = game.spec.reward_range
    assert rewards.min() >= low - 1e-5 and rewards.max() <= high + 1e-5
