"""Population training: random pairing of K learners, snapshots, their presets and manifest."""

import numpy as np
import pytest
import torch

from baselines.checkpoints import load_policy
from baselines.config import PRESETS, PoolConfig, TrainConfig, preset
from baselines.experiments import load_experiment
from baselines.run import ROOT
from baselines.trainer import KINDS, Trainer, make_layout, random_pairs

from .test_trainer import changed, read_log, tiny

PLANNED = ROOT / "experiments" / "planned" / "population_levers.toml"
RAN = ROOT / "experiments" / "population.toml"
POPULATION = ("population_fast", "population8_fast", "population_no_tabular_fast")
LEARNER, SNAPSHOT = KINDS.index("learner"), KINDS.index("snapshot")


def population(tmp_path, learners=4, **changes):
    """A tiny population run: 16 episodes per learner, 8 tabular, 4 vs a snapshot, 4 paired."""
    base = dict(
        pool__init_from=None,
        pool__learners=learners,
        pool__tabular_fraction=0.5,
        pool__snapshot_every=2,
        pool__snapshot_fraction=0.25,
        batch_size=16,
    )
    return tiny("population_fast", tmp_path, **{**base, **changes})


def pairs_of(trainer):
    """``{learner: partner}`` of the trainer's current layout (from the shared games)."""
    games = {}
    for i, (g, kinds) in enumerate(
        zip(trainer.layout.learner_games, trainer.layout.learner_kinds, strict=True)
    ):
        for game in g[kinds == LEARNER].tolist():
            games.setdefault(game, []).append(i)
    partner = {}
    for both in games.values():
        assert len(both) == 2
        partner[both[0]], partner[both[1]] = both[1], both[0]
    return partner


@pytest.mark.parametrize("learners", [2, 4, 8])
def test_random_pairs_cover_each_learner_exactly_once(learners):
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(50):
        pairs = random_pairs(learners, rng)
        assert pairs.shape == (learners // 2, 2)
        assert sorted(pairs.ravel().tolist()) == list(range(learners))
        seen.add(frozenset(frozenset(p) for p in pairs.tolist()))
    # K = 2 has one perfect matching, K = 4 three, K = 8 105: the draw moves between them
    if learners == 8:
        assert len(seen) > 30
    else:
        assert len(seen) == {2: 1, 4: 3}[learners]


@pytest.mark.parametrize("learners", [4, 8])
def test_a_population_layout_fills_every_seat_once_with_one_partner_each(learners, tmp_path):
    trainer = Trainer(population(tmp_path, learners))
    for _ in range(5):
        trainer._draw_population()
        layout = trainer.layout
        filled = np.zeros((layout.num_games, 2), dtype=int)
        for i, (games, seats) in enumerate(
            zip(layout.learner_games, layout.learner_seats, strict=True)
        ):
            assert len(games) == 16
            np.add.at(filled, (games, seats), 1)
            kinds = layout.learner_kinds[i]
            assert [(kinds == k).sum() for k in range(len(KINDS))] == [8, 0, 4, 4]
        np.add.at(filled, (layout.tabular_games, 1), 1)
        for games in layout.snapshot_games:
            np.add.at(filled, (games, 1), 1)
        assert (filled == 1).all()
        assert layout.num_games == trainer.config.games_per_update == learners * 14
        partner = pairs_of(trainer)
        assert sorted(partner) == list(range(learners))
        assert all(partner[partner[i]] == i != partner[i] for i in partner)


def test_pairing_all_is_todays_layout():
    config = changed(preset("mixed_pool"), batch_size=8)
    today = make_layout(config, 0)
    same = make_layout(changed(config, pool__pairing="all"), 0)
    for field in ("learner_games", "learner_seats", "learner_kinds"):
        for a, b in zip(getattr(today, field), getattr(same, field), strict=True):
            np.testing.assert_array_equal(a, b)
    assert today.num_games == same.num_games


def test_same_seed_same_pairings_and_snapshot_draws(tmp_path):
    def draws(seed):
        trainer = Trainer(population(tmp_path, 8, seed=seed, pool__snapshot_every=1))
        out = []
        for step in range(6):
            trainer.counters.step = step
            trainer._draw_population()
            out.append((sorted(pairs_of(trainer).items()), list(trainer._facing)))
        return out

    first = draws(3)
    assert first == draws(3)
    assert first != draws(4)
    assert len({str(pairs) for pairs, _ in first}) > 1  # a fresh matching each update


def test_snapshots_join_the_pool_on_schedule_and_are_frozen(tmp_path):
    config = population(tmp_path, 4, updates=5)
    trainer = Trainer(config)
    start = [{k: v.clone() for k, v in p.state_dict().items()} for p in trainer.learners]
    trainer.run()
    # snapshots at updates 0, 2 and 4 of all four learners
    assert trainer.snapshot_ids == [(u, i) for u in (0, 2, 4) for i in range(4)]
    for (update, i), snapshot in zip(trainer.snapshot_ids, trainer.snapshots, strict=True):
        assert not any(p.requires_grad for p in snapshot.parameters())
        saved = load_policy(config.run_dir / "snapshots" / f"u{update}_l{i}.pt")
        torch.testing.assert_close(saved.state_dict(), snapshot.state_dict(), rtol=0, atol=0)
        if update == 0:
            torch.testing.assert_close(snapshot.state_dict(), start[i], rtol=0, atol=0)
    row = read_log(config.run_dir)[-1]
    for kind in ("tabular", "learner", "snapshot"):
        assert f"l3/train/{kind}/reward" in row
    assert "l0/eval/learner_3/reward" in row


def test_a_population_with_snapshots_resumes_exactly(tmp_path):
    # no entropy schedule: it runs over the run's length, which the split run changes
    fixed = dict(algo__entropy_coef_final=None, eval__every=1)
    straight = population(tmp_path, 4, out=tmp_path / "straight", updates=5, **fixed)
    Trainer(straight).run()
    split = population(tmp_path, 4, out=tmp_path / "split", updates=3, **fixed)
    Trainer(split).run()  # its state holds the snapshots of updates 0 and 2
    assert (
        len(torch.load(split.run_dir / "checkpoint.pt", weights_only=True)["state"]["snapshots"])
        == 8
    )
    Trainer(changed(split, updates=5, resume=True)).run()
    for i in range(4):
        a = torch.load(straight.run_dir / f"agent_{i}.pt", weights_only=True)["state_dict"]
        b = torch.load(split.run_dir / f"agent_{i}.pt", weights_only=True)["state_dict"]
        for key in a:
            torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)
    names = sorted(p.name for p in (straight.run_dir / "snapshots").iterdir())
    assert names == sorted(p.name for p in (split.run_dir / "snapshots").iterdir())
    assert len(names) == 12

    def rows(directory):
        return [{k: v for k, v in r.items() if k != "seconds"} for r in read_log(directory)]

    assert rows(straight.run_dir) == rows(split.run_dir)


@pytest.mark.parametrize(
    ("settings", "error", "pattern"),
    [
        (dict(learners=3, pairing="random"), ValueError, r"must be even and >= 2; got 3"),
        (dict(learners=1, pairing="random"), ValueError, r"must be even and >= 2; got 1"),
        (dict(learners=4, pairing="ring"), ValueError, r"'all' or 'random'; got 'ring'"),
        (dict(learners=4, pairing=2), TypeError, r"pool.pairing must be a str or None"),
        (dict(learners=2, snapshot_fraction=0.2), ValueError, r"need both pool.snapshot_every"),
        (dict(learners=2, snapshot_every=10), ValueError, r"snapshot_fraction=None"),
        (
            dict(learners=2, snapshot_every=10, snapshot_fraction=1.5),
            ValueError,
            r"pool.snapshot_fraction must be in \[0, 1\]; got 1.5",
        ),
        (
            dict(learners=2, snapshot_every=10, snapshot_fraction=0.0),
            ValueError,
            r"must be in \(0, 1\]; got 0.0",
        ),
        (
            dict(learners=2, snapshot_every=0, snapshot_fraction=0.1),
            ValueError,
            r"pool.snapshot_every must be a positive int; got 0",
        ),
        (
            dict(learners=2, tabular_fraction=0.75, snapshot_every=5, snapshot_fraction=0.5),
            ValueError,
            r"tabular_fraction \+ pool.frozen_fraction \+ pool.snapshot_fraction must be <= 1",
        ),
    ],
)
def test_bad_population_settings_fail_where_they_enter(settings, error, pattern):
    with pytest.raises(error, match=pattern):
        PoolConfig(**settings)


def test_population_settings_that_do_not_fit_the_trainer():
    with pytest.raises(ValueError, match=r"algo.overlap does not support pool.pairing='random'"):
        changed(preset("population_fast"), algo__overlap=True)
    snapshots = changed(
        preset("mixed_pool_fast"), pool__snapshot_every=10, pool__snapshot_fraction=0.1
    )
    assert snapshots.snapshot_episodes == 26 and snapshots.learner_episodes == 38
    with pytest.raises(ValueError, match=r"algo.overlap does not support"):
        changed(
            preset("mixed_pool_fast"),
            algo__overlap=True,
            pool__snapshot_every=10,
            pool__snapshot_fraction=0.1,
        )
    # all pairs need the learner episodes to split over the other learners; random pairing not
    with pytest.raises(ValueError, match="split evenly over the 7 other learners"):
        changed(preset("population8_fast"), pool__pairing="all")


def test_population_presets():
    for name in POPULATION:
        config = PRESETS[name]
        assert config.pool.random_pairing and config.pool.learners % 2 == 0
        assert config.pool.init_from == "stage1_fast"
    assert PRESETS["population_fast"].pool.learners == 4
    assert PRESETS["population8_fast"].pool.learners == 8
    assert PRESETS["population_no_tabular_fast"].pool.tabular_fraction == 0
    ablation = PRESETS["population_id_ablation_fast"]
    assert ablation.policy.co_player_id and ablation.pool.init_from == "stage1_fast_id"
    # besides the population, the mixed-pool CPU recipe
    mixed = PRESETS["mixed_pool_fast"]
    assert PRESETS["population_fast"].algo == mixed.algo
    assert PRESETS["population_fast"].pool.tabular_fraction == mixed.pool.tabular_fraction


def test_population_manifest_builds_every_run_from_the_stage1_evidence():
    ran = load_experiment(RAN)
    assert set(ran.variants) == {"fast", "fast8", "fast_snapshots", "no_tabular", "id_ablation"}
    # what ran keeps its agents (cross-play reads them), every seed of it: none is left planned
    assert all(variant.canonical for variant in ran.variants.values())
    assert all(variant.seeds == (0, 1, 2, 3, 4) for variant in ran.variants.values())
    assert not PLANNED.exists()
    assert ran.variants["fast8"].config(0).pool.learners == 8
    for variant in ran.variants.values():
        for seed in variant.seeds:
            config = variant.config(seed)
            assert isinstance(config, TrainConfig) and config.pool.random_pairing
            init = config.pool.init_seeds or tuple(seed + i for i in range(config.pool.learners))
            evidence = "fast_id" if config.policy.co_player_id else "fast"
            available = {0, 1} if evidence == "fast_id" else {0, 1, 2, 3, 4}
            assert set(init) <= available, (variant.ref, seed, init)
