import csv
import json
import os
import signal

import numpy as np
import pytest
import torch

from baselines import train
from baselines.checkpoints import CheckpointError, load_policy
from baselines.config import PRESETS, RECIPES, AlgoConfig, PoolConfig, TrainConfig, preset
from baselines.configs import with_overrides
from baselines.trainer import RunDirectoryError, Trainer, gae, make_layout


def changed(config, **changes):
    """``config`` with settings changed (dotted names written with ``__``)."""
    return with_overrides(config, {k.replace("__", "."): v for k, v in changes.items()})


def tiny(name, tmp_path, **changes):
    """A few seconds of preset ``name`` (dotted setting names in ``changes`` use ``__``)."""
    base = dict(
        out=tmp_path / name,
        policy__hidden=8,
        policy__embed=4,
        eval__every=2,
        eval__episodes=4,
        time_limit=None,
        updates=4,
        batch_size=8,
        num_rounds=6,
        threads=1,
        progress=False,
    )
    return changed(preset(name), **{**base, **changes})


def test_gae_matches_the_definition():
    rewards = torch.tensor([[1.0], [0.0], [2.0]])
    values = torch.tensor([[0.5], [0.2], [1.0]])
    gamma, lam = 0.9, 0.8
    deltas = [1 + gamma * 0.2 - 0.5, 0 + gamma * 1.0 - 0.2, 2 - 1.0]
    expected = [
        deltas[0] + gamma * lam * (deltas[1] + gamma * lam * deltas[2]),
        deltas[1] + gamma * lam * deltas[2],
        deltas[2],
    ]
    advantages, returns = gae(rewards, values, gamma, lam)
    assert advantages[:, 0].tolist() == pytest.approx(expected)
    torch.testing.assert_close(returns - advantages, values)


@pytest.mark.parametrize("name", ["stage1", "mixed_pool", "no_tabular"])
def test_layout_fills_every_seat_once(name, tmp_path):
    config = changed(preset(name), batch_size=10)
    layout = make_layout(config, num_frozen=0)
    filled = np.zeros((layout.num_games, 2), dtype=int)
    for games, seats in zip(layout.learner_games, layout.learner_seats, strict=True):
        assert len(games) == 10
        np.add.at(filled, (games, seats), 1)
    np.add.at(filled, (layout.tabular_games, 1), 1)
    assert (filled == 1).all()
    assert layout.num_games == config.games_per_update


def test_mixed_pool_layout_shares_learner_games():
    config = changed(preset("mixed_pool"), batch_size=8)
    layout = make_layout(config, 0)
    shared = set(layout.learner_games[0][layout.learner_kinds[0] == 2])
    assert shared == set(layout.learner_games[1][layout.learner_kinds[1] == 2])
    assert len(shared) == 4 and layout.num_games == 12  # 2 x 4 tabular + 4 shared


def read_log(directory):
    with (directory / "log.csv").open() as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", ["stage1", "mixed_pool", "id_ablation", "no_tabular"])
def test_presets_smoke(name, tmp_path):
    summary = Trainer(tiny(name, tmp_path)).run()
    directory = tmp_path / name
    assert summary["status"] == "finished" and summary["update"] == 4
    for file in (
        "config.json",
        "log.csv",
        "evals.jsonl",
        "checkpoint.pt",
        "agent_0.pt",
        "training.png",
        "in_episode.png",
        "summary.json",
    ):
        assert (directory / file).exists(), file
    rows = read_log(directory)
    assert [int(r["update"]) for r in rows] == [2, 4]
    assert "l0/eval/tit_for_tat/cooperation_late" in rows[-1]
    if preset(name).pool.learners == 2:
        assert (directory / "agent_1.pt").exists()
        assert "l0/eval/learner_1/reward" in rows[-1] and "l1/train/learner/reward" in rows[-1]


def test_stage2_and_stage3_smoke_from_earlier_stages(tmp_path):
    Trainer(tiny("stage1", tmp_path)).run()
    stage1 = str(tmp_path / "stage1" / "agent_0.pt")
    s2 = tiny("stage2", tmp_path, pool__frozen_from=None, pool__frozen=[stage1])
    assert Trainer(s2).run()["status"] == "finished"
    rows = read_log(tmp_path / "stage2")
    assert "l0/train/frozen/reward" in rows[-1] and "l0/eval/frozen_0/reward" in rows[-1]
    s2b = changed(s2, out=tmp_path / "stage2b", seed=1)
    Trainer(s2b).run()
    init = (str(tmp_path / "stage2" / "agent_0.pt"), str(tmp_path / "stage2b" / "agent_0.pt"))
    s3 = tiny("stage3", tmp_path, pool__init_from=None, pool__init=init)
    trainer = Trainer(s3)
    start = load_policy(init[0]).state_dict()
    torch.testing.assert_close(trainer.learners[0].state_dict(), start)  # starts from stage 2
    assert trainer.run()["status"] == "finished"


def test_ppo_and_transformer_smoke(tmp_path):
    config = tiny(
        "stage1",
        tmp_path,
        algo__algo="ppo",
        algo__ppo_minibatches=2,
        algo__ppo_epochs=2,
        policy__arch="transformer",
        policy__heads=2,
    )
    assert Trainer(config).run()["status"] == "finished"


def test_initial_agents_must_match_the_runs_policy(tmp_path):
    shape = dict(policy__arch="transformer", policy__heads=2)
    Trainer(tiny("stage1", tmp_path, **shape)).run()
    agent = str(tmp_path / "stage1" / "agent_0.pt")
    init = dict(pool__init_from=None, pool__init=[agent, agent])
    # the mixed pool from transformer agents, told so: the learners are those agents
    trainer = Trainer(tiny("mixed_pool", tmp_path, **init, **shape))
    torch.testing.assert_close(trainer.learners[1].state_dict(), load_policy(agent).state_dict())
    assert trainer.run()["status"] == "finished"
    # a run that says GRU would record a network it never trained
    with pytest.raises(CheckpointError, match=r"has policy arch='transformer'.*has arch='gru'"):
        Trainer(tiny("mixed_pool", tmp_path / "gru", **init))
    with pytest.raises(CheckpointError, match=r"hidden=8.*hidden=16"):
        Trainer(tiny("mixed_pool", tmp_path / "wide", **init, **shape, policy__hidden=16))


def test_resume_continues_exactly(tmp_path):
    straight = tiny("mixed_pool", tmp_path, out=tmp_path / "straight")
    Trainer(straight).run()
    split = tiny("mixed_pool", tmp_path, out=tmp_path / "split", updates=2)
    Trainer(split).run()
    resumed = changed(split, updates=4, resume=True)
    Trainer(resumed).run()
    for i in (0, 1):
        a = load_policy(tmp_path / "straight" / f"agent_{i}.pt").state_dict()
        b = load_policy(tmp_path / "split" / f"agent_{i}.pt").state_dict()
        torch.testing.assert_close(a, b, atol=0, rtol=0)
    drop = {"seconds"}
    rows_a = [
        {k: v for k, v in r.items() if k not in drop} for r in read_log(tmp_path / "straight")
    ]
    rows_b = [{k: v for k, v in r.items() if k not in drop} for r in read_log(tmp_path / "split")]
    assert rows_a == rows_b


def test_interrupt_checkpoints_and_resumes(tmp_path):
    config = tiny("stage1", tmp_path, updates=6)
    trainer = Trainer(config)
    original = trainer.step

    def interrupted_update():
        metrics = original()
        if trainer.counters.step == 2:  # during the third update
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C sends
        return metrics

    trainer.step = interrupted_update
    summary = trainer.run()
    assert summary["status"] == "interrupted" and summary["update"] == 3
    assert [int(r["update"]) for r in read_log(config.run_dir)] == [2, 3]
    resumed = Trainer(changed(config, resume=True)).run()
    assert resumed["status"] == "finished" and resumed["update"] == 6
    assert [int(r["update"]) for r in read_log(config.run_dir)] == [2, 3, 4, 6]


def test_time_limit_stops_and_checkpoints(tmp_path):
    config = tiny("stage1", tmp_path, updates=1000, time_limit=1e-6)
    summary = Trainer(config).run()
    assert summary["status"] == "time_limit" and summary["update"] == 1
    assert (config.run_dir / "checkpoint.pt").exists()


def test_time_limit_reached_on_the_last_update_is_a_finished_run(tmp_path):
    config = tiny("stage1", tmp_path, updates=1, time_limit=1e-6)
    summary = Trainer(config).run()
    assert summary["status"] == "finished" and summary["update"] == 1


def test_run_directory_rules(tmp_path):
    config = tiny("stage1", tmp_path)
    Trainer(config).run()
    with pytest.raises(RunDirectoryError, match="already holds a run; pass --resume"):
        Trainer(config).run()
    with pytest.raises(RunDirectoryError, match=r"no checkpoint\.pt to resume from"):
        Trainer(changed(config, out=tmp_path / "empty", resume=True)).run()
    with pytest.raises(RunDirectoryError, match=r"different configuration; changed: algo\.lr"):
        Trainer(changed(config, resume=True, algo__lr=0.1)).run()


def test_frozen_checkpoint_must_exist_and_match(tmp_path):
    config = tiny(
        "stage2", tmp_path, pool__frozen_from=None, pool__frozen=[str(tmp_path / "missing.pt")]
    )
    with pytest.raises(CheckpointError, match=r"missing\.pt' does not exist"):
        Trainer(config)
    # by run name: the preset's stage-1 run of this seed, which is not there either
    with pytest.raises(CheckpointError, match=r"runs/stage1_seed0/agent_0\.pt' does not exist"):
        Trainer(tiny("stage2", tmp_path))


@pytest.mark.parametrize(
    "build,pattern",
    [
        (lambda: AlgoConfig(lr=-1.0), "algo.lr must be a positive number; got -1.0"),
        (lambda: AlgoConfig(gamma=1.5), r"algo.gamma must be in \[0, 1\]; got 1.5"),
        (lambda: AlgoConfig(algo="sac"), "algo must be 'a2c' or 'ppo'; got 'sac'"),
        (
            lambda: TrainConfig(batch_size=10, algo=AlgoConfig(algo="ppo", ppo_minibatches=4)),
            r"batch_size \(10\) must be divisible by algo.ppo_minibatches \(4\)",
        ),
        (
            lambda: PoolConfig(learners=1, tabular_fraction=0.5),
            "a single learner has no other learner to play",
        ),
        (
            lambda: PoolConfig(frozen_fraction=0.5, tabular_fraction=0.5),
            "needs frozen agents: pass --pool.frozen PATH",
        ),
        (
            lambda: PoolConfig(init=("a.pt",), init_from="stage1_fast"),
            r"give pool.init \(files\) or pool.init_from \(a run name\), not both",
        ),
        (
            lambda: PoolConfig(learners=2, tabular_fraction=0.5, init_seeds=(0, 1)),
            "pool.init_seeds needs pool.init_from",
        ),
        (lambda: PoolConfig(learners=2, init=("a.pt",)), "one agent file per learner"),
        (
            lambda: PoolConfig(tabular="tit_for_tat", finite_state_fraction=0.3),
            "pool.finite_state_fraction apply to random_tabular co-players; pool.tabular is",
        ),
        (lambda: PoolConfig(finite_state_fraction=1.5), "pool.finite_state_fraction"),
        (
            lambda: changed(preset("stage1_fast_id"), pool__finite_state_fraction=0.3),
            "the random finite-state co-players of pool.finite_state_fraction have none",
        ),
        (lambda: TrainConfig(updates=0), "updates must be a positive int; got 0"),
        (lambda: preset("stage4"), "unknown preset 'stage4'; known: stage1, stage2"),
    ],
)
def test_bad_configs(build, pattern):
    with pytest.raises(ValueError, match=pattern):
        build()


def test_cli_parses_preset_and_overrides(tmp_path, capsys):
    config = train.parse(
        [
            "--preset",
            "mixed_pool_cpu",
            "--seed",
            "3",
            "--algo.lr",
            "0.01",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    assert config.preset == "mixed_pool_cpu" and config.run.seed == 3 and config.algo.lr == 0.01
    assert config.pool.learners == 2 and config.policy.hidden == 64
    with pytest.raises(SystemExit, match="unknown preset 'nope'"):
        train.parse(["--preset", "nope"])
    with pytest.raises(SystemExit):
        train.parse(["--preset", "smoke", "--help"])
    help_text = capsys.readouterr().out
    for flag in (
        "--seed",
        "--out",
        "--algo.lr",
        "--algo.entropy-coef",
        "--pool.tabular-fraction",
        "--policy.hidden",
        "--eval.every",
        "--resume",
        "--time-limit",
        "--pool.init-from",
    ):
        assert flag in help_text
    assert "Recommended on a CPU" in help_text and "stage1_fast" in help_text
    assert "``" not in help_text.split("Recommended")[0]  # the description is plain text


def test_cli_main_runs_a_smoke_preset(tmp_path, capsys):
    config = train.parse(["--preset", "smoke", "--out", str(tmp_path / "cli"), "--no-progress"])
    assert train.main(config) == 0
    out = capsys.readouterr().out
    assert '"status": "finished"' in out
    assert json.loads((tmp_path / "cli" / "summary.json").read_text())["update"] == 3
    assert set(PRESETS) >= {"stage1", "stage2", "stage3", "mixed_pool", "id_ablation", "no_tabular"}


def test_cpu_recipe_presets_smoke(tmp_path, monkeypatch):
    """stage1_fast (two seeds) -> mixed_pool_fast and no_tabular_fast; stage1_fast_id ->
    id_ablation_fast: the curriculum runs end to end."""
    monkeypatch.chdir(tmp_path)  # runs/<name>_seed<s>: where init_from and frozen_from look
    for name in ("stage1_fast", "stage1_fast_id"):
        for seed in (0, 1):
            config = tiny(name, tmp_path, seed=seed, out=None)
            assert Trainer(config).run()["status"] == "finished"
    for name, source in (
        ("mixed_pool_fast", "stage1_fast"),
        ("no_tabular_fast", "stage1_fast"),
        ("id_ablation_fast", "stage1_fast_id"),
    ):
        trainer = Trainer(tiny(name, tmp_path))
        assert trainer.init_files == (
            f"runs/{source}_seed0/agent_0.pt",
            f"runs/{source}_seed1/agent_0.pt",
        )
        assert trainer.run()["status"] == "finished", name
        rows = read_log(tmp_path / name)
        assert "l1/eval/learner_0/cooperation" in rows[-1]
        record = json.loads((tmp_path / name / "config.json").read_text())
        assert record["sources"]["init_1"]["path"] == f"runs/{source}_seed1/agent_0.pt"
    # stage1_fast -> stage2_fast (one exploiter per frozen stage-1 agent) -> stage3_fast
    for seed in (0, 1):
        trainer = Trainer(tiny("stage2_fast", tmp_path, seed=seed, out=None))
        assert trainer.frozen_paths == (f"runs/stage1_fast_seed{seed}/agent_0.pt",)
        assert trainer.run()["status"] == "finished"
        assert "l0/eval/frozen_0/opponent_reward" in read_log(trainer.dir)[-1]
    config = tiny("stage3_fast", tmp_path, seed=1, pool__init_seeds=[0, 1])  # not 1, 2
    assert Trainer(config).run()["status"] == "finished"


def test_fast_presets_state_their_deviations():
    for name in RECIPES:
        if name.endswith("_fast"):
            assert preset(name).run.time_limit is not None
    assert preset("stage1_fast").pool.tabular_concentration == 0.01
    assert preset("mixed_pool_fast").pool.tabular_fraction == 0.75
    assert preset("no_tabular_fast").pool.tabular_fraction == 0.0
    assert preset("id_ablation_fast").policy.co_player_id


def test_finite_state_share_of_the_tabular_games(tmp_path):
    from co_players import Mixture, RandomFiniteState, RandomMemoryOne

    trainer = Trainer(tiny("stage1_fast", tmp_path, pool__finite_state_fraction=0.3))
    tabular = trainer.tabular
    assert isinstance(tabular, Mixture) and tabular.weights.tolist() == pytest.approx([0.7, 0.3])
    machines = tabular.components[1]
    assert isinstance(machines, RandomFiniteState) and machines.split == "train"
    assert [type(c) for c in tabular.components[0].components] == [RandomMemoryOne] * 2
    assert trainer.run()["status"] == "finished"
    # unset, the tabular co-players are what every recorded run played
    plain = Trainer(tiny("stage1_fast", tmp_path, out=tmp_path / "plain")).tabular
    assert not any(isinstance(c, RandomFiniteState) for c in plain.components)
