"""Public goods co-players: scripted others -> expected actions, draws, learning, registry."""

import numpy as np
import pytest

from co_players import GAME_REGISTRIES, game_names, resolve_co_player, tabular_split
from co_players.public_goods import (
    ConditionalCooperator,
    ObservationAgentCoPlayer,
    RandomConditionalCooperator,
    RandomReactive,
    ReactivePolicy,
    ReactiveQLearner,
    conditional_pool_values,
    reactive_state,
)
from coop_envs.core import GameSeat, play_batched
from coop_envs.core.public_goods import (
    CONTRIBUTE,
    CONTRIBUTE_AND_PUNISH,
    KEEP,
    PublicGoodsGame,
)

C, K = CONTRIBUTE, KEEP


class Script:
    """Plays a fixed (T,) schedule of actions in every game."""

    def __init__(self, moves):
        self.moves, self.name = list(moves), "script"

    def reset(self, spec, batch_size, rng):
        self.n, self.t = batch_size, 0

    def act(self, obs, rng):
        self.t += 1
        return np.full(self.n, self.moves[self.t - 1])


def versus_scripts(co_player, scripts, batch=1, seed=0, **game):
    """``co_player`` in seat 0 against scripted seats 1..N-1; returns its (B, T) actions."""
    rounds = len(scripts[0])
    core = PublicGoodsGame(len(scripts) + 1, batch_size=batch, num_rounds=rounds, **game)
    games = np.arange(batch)
    seats = [GameSeat(co_player, games, 0)]
    seats += [GameSeat(Script(s), games, i) for i, s in enumerate(scripts, start=1)]
    play_batched(core, seats, np.random.default_rng(seed))
    return core.history[:, :, 0].astype(np.int64)


@pytest.mark.parametrize("layout", ["summary", "full"])
def test_reactive_state_of_each_situation(layout):
    game = PublicGoodsGame(4, batch_size=6, num_rounds=2, observation=layout)
    game.reset()
    assert (reactive_state(game.spec, game.observation(0)) == 0).all()
    game.step([[C, K, K, K], [C, C, K, K], [C, C, C, C], [K, K, K, K], [K, C, K, K], [K, C, C, C]])
    assert reactive_state(game.spec, game.observation(0)).tolist() == [1, 2, 3, 4, 5, 6]


def test_reactive_policy_follows_its_table():
    # contribute at the start and after everyone contributed, else keep
    table = (1, 0, 0, 1, 0, 0, 1)
    # others' contributions per round: all, some, some, all, all
    scripts = [[C, C, K, C, C], [C, C, C, C, C], [C, K, C, C, C]]
    # states: start, C_all, C_some, K_some, K_all
    assert versus_scripts(ReactivePolicy(table), scripts)[0].tolist() == [C, C, K, K, C]
    assert versus_scripts(ReactivePolicy((0,) * 7), [[C] * 4])[0].tolist() == [K] * 4
    with pytest.raises(ValueError, match=r"7 contribution probabilities .* got shape \(5,\)"):
        ReactivePolicy([0.5] * 5)
    with pytest.raises(ValueError, match=r"must be in \[0, 1\]; got \[1.5"):
        ReactivePolicy([1.5] + [0] * 6)


def test_conditional_cooperator_thresholds():
    others = [[C, C, K, K, C], [C, K, K, C, C], [K, K, K, C, C]]  # contributors: 2, 1, 0, 2, 3
    # majority of 3 others = 2
    assert versus_scripts(ConditionalCooperator(), others)[0].tolist() == [C, C, K, K, C]
    assert versus_scripts(ConditionalCooperator(threshold=1), others)[0].tolist() == [C, C, C, K, C]
    assert versus_scripts(ConditionalCooperator(threshold="all"), others)[0].tolist() == [
        C,
        K,
        K,
        K,
        K,
    ]
    with pytest.raises(
        ValueError, match="threshold must be at most the number of others, 3; got 4"
    ):
        versus_scripts(ConditionalCooperator(threshold=4), others)
    with pytest.raises(TypeError, match=r"threshold \(an int >= 1, 'all' or None\) must be"):
        ConditionalCooperator(threshold="most")


def test_probabilistic_conditional_cooperator_matches_the_share():
    cc = ConditionalCooperator(probabilistic=True)
    out = versus_scripts(cc, [[C, K, C, K]] * 2 + [[C, K, K, K]], batch=4000)
    assert (out[:, 0] == C).all() and (out[:, 2] == K).all()  # after 0 of 3: never
    assert abs((out[:, 1] == C).mean() - 1.0) < 1e-9  # after 3 of 3: always
    assert abs((out[:, 3] == C).mean() - 2 / 3) < 0.03  # after 2 of 3


def test_punishing_conditional_cooperator_punishes_only_where_it_can():
    cc = ConditionalCooperator(punish=True)
    out = versus_scripts(cc, [[C, K]], punishment=True)
    assert out[0].tolist() == [CONTRIBUTE_AND_PUNISH, CONTRIBUTE_AND_PUNISH]
    assert versus_scripts(ConditionalCooperator(punish=True), [[C, K]])[0].tolist() == [C, C]


def test_random_conditional_cooperator_draws_a_threshold_per_game():
    # others' contributions per round: 3, 2, 1, 0 (then 3 again)
    others = [[C, C, C, K, C], [C, C, K, K, C], [C, K, K, K, C]]
    cc = RandomConditionalCooperator()
    out = versus_scripts(cc, others, batch=3000, seed=4)
    assert sorted(set(cc.threshold.tolist())) == [1, 2, 3]  # 1..N-1, each game its own
    np.testing.assert_allclose(np.bincount(cc.threshold)[1:] / 3000, 1 / 3, atol=0.03)
    # round 0 contributes; then contribute iff last round's others >= threshold
    expected = np.stack(
        [np.array([C] + [C if n >= k else K for n in (3, 2, 1, 0)]) for k in cc.threshold]
    )
    np.testing.assert_array_equal(out, expected)
    again = versus_scripts(RandomConditionalCooperator(), others, batch=3000, seed=4)
    np.testing.assert_array_equal(again, out)  # same seed, same draws


def test_random_conditional_cooperator_noise_and_bad_input():
    noisy = versus_scripts(RandomConditionalCooperator(noise=0.2), [[C] * 50] * 3, batch=400)
    assert abs((noisy == K).mean() - 0.2) < 0.02  # everybody contributes: every keep is noise
    for bad in (-0.1, 0.6):
        with pytest.raises(ValueError, match=r"noise must be in \[0, 0.5\]"):
            RandomConditionalCooperator(noise=bad)
    with pytest.raises(TypeError, match="noise"):
        RandomConditionalCooperator(noise="some")


def test_random_reactive_is_reproducible_split_and_uniform():
    rng = np.random.default_rng
    tables = {}
    for split in (None, "train", "held_out"):
        a = RandomReactive(split).sample(20000, rng(1))
        np.testing.assert_array_equal(a, RandomReactive(split).sample(20000, rng(1)))
        assert a.shape == (20000, 7) and (a >= 0).all() and (a < 1).all()
        np.testing.assert_allclose(a.mean(axis=0), 0.5, atol=0.01)
        tables[split] = a
    assert (tabular_split(tables["train"][:, :5]) == 0).all()
    assert (tabular_split(tables["held_out"][:, :5]) == 1).all()
    assert {0, 1} == set(tabular_split(tables[None][:, :5]).tolist())
    # redrawn every episode
    co = RandomReactive()
    spec = PublicGoodsGame(batch_size=3).spec
    co.reset(spec, 3, rng(0))
    first = co.tables.copy()
    co.reset(spec, 3, rng(1))
    assert not np.array_equal(first, co.tables)


def test_random_reactive_with_concentration_keeps_split_and_name():
    base = RandomReactive("train", "random_reactive_train")
    sharp = base.with_concentration(0.1)
    assert (sharp.split, sharp.name, sharp.concentration) == ("train", "random_reactive_train", 0.1)
    table = sharp.sample(5000, np.random.default_rng(2))
    assert (tabular_split(table[:, :5]) == 0).all()
    assert ((table < 0.05) | (table > 0.95)).mean() > 0.6
    with pytest.raises(ValueError, match="concentration must be a positive number; got -1"):
        base.with_concentration(-1)


def q_learner_contribution(others, num_players, seed=0):
    """Contribution rate of the Q-learner in rounds 51-100, B = 200."""
    core = PublicGoodsGame(num_players, 1.6, batch_size=200, num_rounds=100)
    games = np.arange(200)
    seats = [GameSeat(ReactiveQLearner(), games, 0)]
    seats += [
        GameSeat(resolve_co_player(others, game="public_goods"), games, s)
        for s in range(1, num_players)
    ]
    play_batched(core, seats, np.random.default_rng(seed))
    return (core.history[:, 50:, 0] == C).mean()


def test_q_learner_free_rides_on_contributors_and_cooperates_with_a_reciprocator():
    free_riding = q_learner_contribution("always_contribute", 4)
    reciprocating = q_learner_contribution("strict_conditional_cooperator", 2)
    assert free_riding < 0.1
    assert reciprocating > 0.7
    with pytest.raises(ValueError, match=r"discount must be in \[0, 1\); got 1"):
        ReactiveQLearner(discount=1)


def test_frozen_agent_as_co_player():
    class Threshold:
        protocol = "agent"

        def reset(self, num_envs, seed=None):
            self.n = num_envs

        def act(self, observations):
            assert observations.shape == (self.n, 3) and observations.dtype == np.float32
            return np.where(observations[:, 2] >= 0.5, C, K)

    co = resolve_co_player(Threshold(), game="public_goods")
    assert isinstance(co, ObservationAgentCoPlayer)
    out = versus_scripts(co, [[K, C, C], [K, C, K], [K, K, K]])
    assert out[0].tolist() == [K, K, C]  # start: share 0 -> keep; after 0 of 3; after 2 of 3

    class Bad(Threshold):
        def act(self, observations):
            return np.full(self.n, 9)

    with pytest.raises(ValueError, match=r"actions of 'Bad' must be 0 \(CONTRIBUTE\) or 1"):
        versus_scripts(ObservationAgentCoPlayer(Bad()), [[C]])


@pytest.mark.parametrize("name", list(GAME_REGISTRIES["public_goods"]))
@pytest.mark.parametrize("options", [dict(num_players=2), dict(num_players=5, punishment=True)])
def test_every_registered_co_player_plays_valid_episodes(name, options):
    core = PublicGoodsGame(batch_size=8, num_rounds=20, multiplier=1.5, **options)
    games = np.arange(8)
    seats = [
        GameSeat(resolve_co_player(name, game="public_goods"), games, s)
        for s in range(core.spec.num_players)
    ]
    play_batched(core, seats, np.random.default_rng(0), validate=True)
    assert core.done and seats[0].player.name == name
    assert REGISTRY_SPEC(name).summary.endswith(".")


def REGISTRY_SPEC(name):  # noqa: N802 (reads like the registry lookup)
    return GAME_REGISTRIES["public_goods"][name]


def test_splits_are_disjoint_and_listed():
    train, held_out = (
        set(game_names("public_goods", "train")),
        set(game_names("public_goods", "held_out")),
    )
    assert train == {"random_reactive_train"}
    assert "random_reactive_held_out" in held_out and not train & held_out
    assert set(game_names("public_goods")) >= train | held_out
    with pytest.raises(ValueError, match="unknown game 'chess' for co-players; known: matrix"):
        game_names("chess")


def test_public_goods_co_players_refuse_other_games():
    from coop_envs.core import PRISONERS_DILEMMA

    with pytest.raises(TypeError, match=r"plays the public goods game .* got MatrixGame"):
        ConditionalCooperator().reset(PRISONERS_DILEMMA, 2, np.random.default_rng(0))


def test_conditional_pool_values_exact_and_against_the_core():
    values = conditional_pool_values()
    assert values["always_contribute"] == pytest.approx(1.6)  # nobody ever stops
    assert values["never_contribute"] == pytest.approx(1.456, abs=5e-4)
    assert values["best_response"] == pytest.approx(1.837, abs=5e-4)
    assert values["contributing_pays"] == pytest.approx(16 / 27)
    for learner, key in ((C, "always_contribute"), (K, "never_contribute")):
        batch, rounds = 3000, 100
        core = PublicGoodsGame(4, batch_size=batch, num_rounds=rounds)
        games = np.arange(batch)
        seats = [GameSeat(Script([learner] * rounds), games, 0)]
        seats += [GameSeat(RandomConditionalCooperator(), games, i) for i in (1, 2, 3)]
        play_batched(core, seats, np.random.default_rng(1))
        played = core.rewards[:, :rounds, 0].mean()
        assert played == pytest.approx(values[key], abs=0.01)
    with pytest.raises(ValueError, match="multiplier"):
        conditional_pool_values(multiplier=5.0)


def test_the_half_conditional_held_out_pool_mixes_the_two_kinds_per_seat():
    from co_players.registry import resolve_game_co_player

    pool = resolve_game_co_player("random_reactive_conditional_held_out", "public_goods")
    assert repr(pool) == (
        "Mixture({random_reactive_held_out: 0.5, random_conditional_cooperator: 0.5})"
    )
    assert "random_reactive_conditional_held_out" in game_names("public_goods", "held_out")
    assert "random_reactive_conditional_held_out" not in game_names("public_goods", "train")
