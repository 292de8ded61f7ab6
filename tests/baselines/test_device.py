"""``--device``: the A2C/PPO trainer's networks, episode tensors and loss on a torch device.

CI has no GPU: the device handling is tested on the CPU path (the device player and the moves
to the device are exercised with the CPU as the device, and must give exactly the plain path's
numbers); the CUDA run itself is tested where a GPU is present.
"""

import dataclasses
import json

import numpy as np
import pytest
import torch

from baselines import train
from baselines.checkpoints import load_policy
from baselines.config import preset
from baselines.players import PolicyPlayer
from baselines.trainer import DevicePolicyPlayer, Trainer, resolve_device
from coop_envs.core import Seat, get_game, play

from .test_trainer import changed, read_log, tiny

CUDA = torch.cuda.is_available()


def weights(directory, learners):
    return [
        torch.load(directory / f"agent_{i}.pt", weights_only=True)["state_dict"]
        for i in range(learners)
    ]


def assert_same_run(a, b, learners):
    for x, y in zip(weights(a, learners), weights(b, learners), strict=True):
        for key in x:
            torch.testing.assert_close(x[key], y[key], rtol=0, atol=0)
    drop = {"seconds"}
    rows_a = [{k: v for k, v in r.items() if k not in drop} for r in read_log(a)]
    assert rows_a == [{k: v for k, v in r.items() if k not in drop} for r in read_log(b)]


def test_resolve_device():
    assert resolve_device(None) == torch.device("cpu")
    assert resolve_device("cpu") == torch.device("cpu")


@pytest.mark.skipif(CUDA, reason="this machine has a CUDA device")
@pytest.mark.parametrize("name", ["cuda", "cuda:1"])
def test_an_absent_cuda_device_is_one_clear_line(name, tmp_path):
    pattern = (
        rf"device '{name}' is not available: torch .* sees 0 CUDA device\(s\); available: cpu$"
    )
    with pytest.raises(ValueError, match=pattern):
        resolve_device(name)
    with pytest.raises(ValueError, match=pattern):  # where the trainer starts, before any work
        Trainer(tiny("stage1", tmp_path, device=name))
    assert not (tmp_path / "stage1").exists()


@pytest.mark.skipif(CUDA, reason="this machine has a CUDA device")
def test_train_with_an_absent_cuda_device_prints_one_line(tmp_path, capsys):
    out = tmp_path / "run"
    assert train.cli(["--preset", "smoke", "--device", "cuda", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert "device 'cuda' is not available" in err and "available: cpu" in err
    assert not out.exists()


@pytest.mark.skipif(not CUDA, reason="needs a CUDA device")
def test_a_cuda_index_beyond_the_devices_names_those_present():
    count = torch.cuda.device_count()
    with pytest.raises(ValueError, match=rf"sees {count} CUDA .*available: cpu, cuda:0"):
        resolve_device(f"cuda:{count}")


@pytest.mark.parametrize(
    ("device", "error", "pattern"),
    [
        ("gpu", ValueError, r"device must be 'cpu', 'cuda' or 'cuda:N'; got 'gpu'"),
        ("cuda:", ValueError, r"got 'cuda:'"),
        ("CPU", ValueError, r"got 'CPU'"),
        (0, TypeError, r"device must be a str or None; got 0"),
    ],
)
def test_bad_device_settings_fail_where_they_enter(device, error, pattern):
    with pytest.raises(error, match=pattern):
        dataclasses.replace(preset("stage1"), device=device)


@pytest.mark.parametrize("name", ["mixed_pool", "id_ablation"])
def test_device_cpu_gives_exactly_todays_numbers(name, tmp_path):
    today = tiny(name, tmp_path, out=tmp_path / "today")
    assert today.device is None  # what every recorded run has
    Trainer(today).run()
    cpu = changed(today, out=tmp_path / "cpu", device="cpu")
    Trainer(cpu).run()
    assert_same_run(today.run_dir, cpu.run_dir, 2)
    record = json.loads((cpu.run_dir / "config.json").read_text())
    assert record["config"]["device"] == "cpu"  # recorded with the run
    assert json.loads((today.run_dir / "config.json").read_text())["config"]["device"] is None


@pytest.mark.parametrize("algo", ["a2c", "ppo"])
def test_the_device_path_on_the_cpu_gives_the_same_numbers(algo, tmp_path, monkeypatch):
    """The device player and the tensor moves, run with the CPU as the device, change nothing."""
    config = tiny("id_ablation", tmp_path, out=tmp_path / "plain", algo__algo=algo)
    config = changed(config, algo__ppo_minibatches=2)
    Trainer(config).run()
    used = []

    def device_player(self, policy, ids=None, name="policy"):
        used.append(name)
        return DevicePolicyPlayer(policy, ids, name=name)

    monkeypatch.setattr(Trainer, "_player", device_player)
    moved = changed(config, out=tmp_path / "moved")
    Trainer(moved).run()
    assert "learner_0" in used and "learner_1" in used
    assert_same_run(config.run_dir, moved.run_dir, 2)


def test_the_device_player_acts_as_the_plain_player(tmp_path):
    trainer = Trainer(tiny("stage1_fast_id", tmp_path))
    policy = trainer.learners[0]
    game = get_game("prisoners_dilemma")
    ids = torch.rand(64, 10)

    def histories(cls):
        seats = [
            Seat(cls(policy, ids), np.arange(64), 0),
            Seat(cls(policy, ids), np.arange(64), 1),
        ]
        return play(game, 64, 20, seats, np.random.default_rng(5), False).history

    np.testing.assert_array_equal(histories(PolicyPlayer), histories(DevicePolicyPlayer))


def test_the_trainer_puts_networks_and_episodes_on_its_device(tmp_path):
    trainer = Trainer(tiny("mixed_pool", tmp_path, device="cpu"))
    assert trainer.device == torch.device("cpu")
    for policy in trainer.learners:
        assert {p.device for p in policy.parameters()} == {trainer.device}
    for trajectory in trainer.rollout():
        for tensor in (trajectory.index, trajectory.actions, trajectory.rewards):
            assert tensor.device == trainer.device


def test_other_trainers_have_no_device_flag(tmp_path):
    """Only the A2C/PPO trainer takes --device; the PPI presets refuse it as an unknown flag."""
    config = train.parse(["--preset", "stage1_fast", "--device", "cpu", "--out", str(tmp_path)])
    assert config.device == "cpu"
    with pytest.raises(SystemExit):
        train.parse(["--preset", "ppi_stage1_cpu", "--device", "cuda"])


@pytest.mark.skipif(not CUDA, reason="needs a CUDA device")
@pytest.mark.parametrize("algo", ["a2c", "ppo"])
def test_a_cuda_run_trains_evaluates_and_resumes(algo, tmp_path):
    config = tiny("id_ablation", tmp_path, device="cuda", algo__algo=algo, algo__ppo_minibatches=2)
    trainer = Trainer(config)
    assert all(p.device.type == "cuda" for p in trainer.learners[0].parameters())
    assert all(t.rewards.device.type == "cuda" for t in trainer.rollout())
    assert trainer.run()["status"] == "finished"
    policy = load_policy(config.run_dir / "agent_0.pt")  # agent files read on the CPU
    assert next(policy.parameters()).device.type == "cpu"
    assert "l0/eval/learner_1/reward" in read_log(config.run_dir)[-1]
    resumed = changed(config, updates=6, resume=True)
    assert Trainer(resumed).run()["update"] == 6
