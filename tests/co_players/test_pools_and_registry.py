from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import coop_envs  # noqa: F401
from co_players import (
    REGISTRY,
    LearnerSlot,
    MemoryOne,
    Mixture,
    RandomMemoryOne,
    make_co_player,
    mixed_pool,
    names,
    pool,
    resolve_co_player,
    tabular_split,
)
from co_players.registry import markdown_table
from coop_envs.core import PRISONERS_DILEMMA

ROOT = Path(__file__).resolve().parents[2]


def test_mixture_draws_per_game_with_weights_and_routes_actions():
    mix = resolve_co_player({"always_cooperate": 0.25, "always_defect": 0.75})
    assert isinstance(mix, Mixture)
    rng = np.random.default_rng(0)
    mix.reset(PRISONERS_DILEMMA, 40000, rng)
    share = np.bincount(mix.assignment, minlength=2) / 40000
    assert abs(share[0] - 0.25) < 0.01
    actions = mix.act(np.zeros(40000, dtype=np.int64), rng)
    np.testing.assert_array_equal(actions, mix.assignment)  # component 1 always defects
    first = mix.assignment.copy()
    mix.reset(PRISONERS_DILEMMA, 40000, rng)
    assert not np.array_equal(first, mix.assignment)  # resampled each episode
    assert set(mix.rows(0)) | set(mix.rows(1)) == set(range(40000))


def test_mixture_is_reproducible_and_passes_identity():
    def draw(seed):
        mix = Mixture([(1, make_co_player("random_tabular")), (1, make_co_player("q_learner"))])
        mix.reset(PRISONERS_DILEMMA, 100, np.random.default_rng(seed))
        return mix.assignment, mix.identity()

    a_assign, a_ids = draw(1)
    b_assign, b_ids = draw(1)
    np.testing.assert_array_equal(a_assign, b_assign)
    np.testing.assert_array_equal(a_ids, b_ids)
    assert (a_ids[a_assign == 1] == 0).all() and (a_ids[a_assign == 0] < 0).any()


@pytest.mark.parametrize(
    "components,pattern",
    [
        ([], "at least one component"),
        ({"always_defect": -1.0}, "must be non-negative"),
        ({"always_defect": 0.0}, "not all zero"),
        ({"tft": 1.0}, "unknown co-player 'tft'"),
    ],
)
def test_bad_mixtures(components, pattern):
    with pytest.raises(ValueError, match=pattern):
        resolve_co_player(components) if components else Mixture(components)


def test_mixture_components_are_objects():
    with pytest.raises(TypeError, match=r"components are co-player objects; got 'tit_for_tat'"):
        Mixture([(1.0, "tit_for_tat")])


def test_mixture_components_must_be_distinct_objects():
    tft = make_co_player("tit_for_tat")
    with pytest.raises(ValueError, match="distinct object"):
        Mixture([(1, tft), (1, tft)])


def test_mixed_pool_and_learner_slot():
    pool_ = mixed_pool()
    rng = np.random.default_rng(0)
    pool_.reset(PRISONERS_DILEMMA, 10000, rng)
    assert abs((pool_.assignment == 1).mean() - 0.5) < 0.02
    tabular, slot = pool_.components
    assert isinstance(tabular, RandomMemoryOne) and tabular.split == "train"
    assert isinstance(slot, LearnerSlot)
    with pytest.raises(ValueError, match="learner slot that nothing is bound to"):
        pool_.act(np.zeros(10000, dtype=np.int64), rng)
    slot.bind(make_co_player("always_defect"))
    pool_.reset(PRISONERS_DILEMMA, 10000, rng)
    assert (pool_.act(np.zeros(10000, dtype=np.int64), rng)[pool_.rows(1)] == 1).all()
    with pytest.raises(ValueError, match=r"tabular_probability must be in \[0, 1\]; got 2"):
        mixed_pool(2)


def test_train_and_held_out_never_share_a_member():
    train, held_out = set(names("train")), set(names("held_out"))
    assert train and held_out and not train & held_out
    rng = np.random.default_rng(0)
    train_pool, held_pool = pool("train"), pool("held_out")
    train_pool.reset(PRISONERS_DILEMMA, 5000, rng)
    held_pool.reset(PRISONERS_DILEMMA, 5000, rng)
    assert (tabular_split(train_pool.components[0].table) == 0).all()
    assert (tabular_split(held_pool.components[0].table) == 1).all()
    held_named = {getattr(c, "name", "") for c in held_pool.components[1:]}
    assert held_named == {n for n in held_out if REGISTRY[n].family not in ("distribution", "pool")}
    assert not held_named & {getattr(c, "name", "") for c in train_pool.components}
    with pytest.raises(ValueError, match="split must be 'train' or 'held_out'; got 'test'"):
        pool("test")


@pytest.mark.parametrize("name", [n for n in REGISTRY if n != "mixed_pool"])
def test_every_registered_co_player_plays_an_episode(name):
    envs = gym.make_vec("coop_envs/IteratedPrisonersDilemma-v0", num_envs=8, co_player=name)
    envs.reset(seed=0)
    rewards = np.zeros(8)
    for _ in range(100):
        _, r, terminated, _, _ = envs.step(np.zeros(8, dtype=np.int64))
        rewards += r
    assert terminated.all()
    assert ((rewards >= -100) & (rewards <= 100)).all()


def test_mixed_pool_in_an_env_needs_its_learner():
    env = gym.make(
        "coop_envs/IteratedPrisonersDilemma-v0", co_player="mixed_pool", disable_env_checker=True
    )
    with pytest.raises(ValueError, match="learner slot"):
        for seed in range(10):
            env.reset(seed=seed)
            env.step(0)


def test_resolver_accepts_every_form():
    assert isinstance(resolve_co_player("tit_for_tat"), MemoryOne)
    assert isinstance(resolve_co_player([1, 1, 0, 1, 0]), MemoryOne)
    assert isinstance(resolve_co_player({"always_defect": 1, "random": 1}), Mixture)
    sampler = RandomMemoryOne()
    assert resolve_co_player(sampler) is sampler
    with pytest.raises(
        ValueError, match=r"unknown co-player 'TFT'; known ids: always_cooperate.*axelrod:"
    ):
        resolve_co_player("TFT")
    with pytest.raises(TypeError, match=r"co_player must be .* got 1.5 \(float\)"):
        resolve_co_player(1.5)


def test_every_entry_is_documented():
    for spec in REGISTRY.values():
        assert spec.summary.endswith(".") and spec.family
        assert spec.split in (None, "train", "held_out")
    doc = (ROOT / "docs" / "co_players.md").read_text()
    assert markdown_table() in doc, (
        "docs/co_players.md is stale: regenerate with python -m co_players"
    )
