"""The overlapped trainer (``algo.overlap``: the default where it applies) and the on-policy one."""

import json

import numpy as np
import pytest
import torch

from baselines.checkpoints import load_policy
from baselines.config import AlgoConfig, TrainConfig, preset
from baselines.configs import unset_meant, upgrade_settings, with_overrides, with_schema
from baselines.run import SCHEMA
from baselines.runfiles import RunDirectoryError
from baselines.trainer import Trainer

from .test_trainer import read_log, tiny


def weights(trainer):
    return torch.cat([p.detach().flatten() for p in trainer.learners[0].parameters()]).double()


@pytest.mark.parametrize(
    ("algo", "expected"),
    [
        # Values of the trainer before algo.overlap existed (commit e3eb07b), same settings.
        ({}, (-0.5588714047335088, 184.5933907944709, -0.005463011562824249, 0.36250001192092896)),
        (
            {"algo.algo": "ppo", "algo.ppo_minibatches": 2},
            (0.5381714304094203, 199.89161276334198, -0.011569689471798483, 0.668749988079071),
        ),
    ],
)
def test_on_policy_numbers_are_those_of_the_trainer_before_overlap(algo, expected, tmp_path):
    """False, and unset in a schema-2 config, give the same numbers as the trainer before.

    The recorded values come from another CPU: float32 kernels round differently in the last
    bits from one instruction set to another (AVX-512 against AVX2: about 1e-7 here), so they
    are compared at 1e-5, far below what any change of the algorithm or of the random stream
    moves them (a different seed or update moves them by 1e-2 or more).
    """
    runs = []
    settings = {"out": tmp_path, "progress": False, "seed": 3, **algo}
    unset = with_overrides(preset("smoke"), settings)
    for config in (with_overrides(unset, {"algo.overlap": False}), with_schema(unset, 2)):
        trainer = Trainer(config)
        assert not trainer.overlap and trainer.config.algo.overlap is False
        metrics = [trainer.step() for _ in range(3)][-1]
        w = weights(trainer)
        got = (
            float(w.sum()),
            float(w.abs().sum()),
            metrics["l0/train/policy_loss"],
            metrics["l0/train/tabular/reward"],
        )
        assert got == pytest.approx(expected, rel=1e-5, abs=1e-6)
        runs.append(got)
    assert runs[0] == runs[1]


def test_overlapped_trainer_learns_as_the_on_policy_one_does(tmp_path):
    settings = {
        "progress": False,
        "seed": 0,
        "batch_size": 32,
        "num_rounds": 10,
        "policy.hidden": 8,
        "policy.embed": 4,
        "updates": 100,
    }
    late = {}
    for overlap in (True, False):
        config = with_overrides(
            preset("stage1_fast"),
            {**settings, "out": tmp_path / str(overlap), "algo.overlap": overlap},
        )
        trainer = Trainer(config)
        rewards = [trainer.step()["l0/train/tabular/reward"] for _ in range(100)]
        assert np.mean(rewards[:10]) < 0.6  # near-uniform play against random tabular: ~0.5
        late[overlap] = np.mean(rewards[-10:])
    assert late[True] > 0.9  # learned to defect against random tabular co-players
    assert abs(late[True] - late[False]) < 0.1


def test_overlapped_runs_are_deterministic_and_differ_from_on_policy(tmp_path):
    runs = {}
    for name, overlap in (("a", True), ("b", True), ("on", False)):
        trainer = Trainer(tiny("mixed_pool", tmp_path, out=tmp_path / name, algo__overlap=overlap))
        trainer.run()
        runs[name] = ([weights(trainer)], read_log(tmp_path / name))
    torch.testing.assert_close(runs["a"][0], runs["b"][0], atol=0, rtol=0)
    drop = {"seconds"}
    rows = {k: [{c: v for c, v in r.items() if c not in drop} for r in runs[k][1]] for k in runs}
    assert rows["a"] == rows["b"]
    assert not torch.equal(runs["a"][0][0], runs["on"][0][0])  # a stale policy acts: other data


@pytest.mark.parametrize("overlap", [True, False])
@pytest.mark.parametrize("algo", ["a2c", "ppo"])
def test_resume_is_bit_exact_for_both_variants(overlap, algo, tmp_path):
    def config(name, updates, **more):
        return tiny(
            "stage1",
            tmp_path,
            out=tmp_path / name,
            updates=updates,
            algo__overlap=overlap,
            algo__algo=algo,
            algo__ppo_minibatches=2,
            **more,
        )

    Trainer(config("straight", 6)).run()
    Trainer(config("split", 4)).run()  # checkpoints at 2 and 4, as evaluations and logs do
    Trainer(config("split", 6, resume=True)).run()
    a = load_policy(tmp_path / "straight" / "agent_0.pt").state_dict()
    b = load_policy(tmp_path / "split" / "agent_0.pt").state_dict()
    torch.testing.assert_close(a, b, atol=0, rtol=0)
    drop = {"seconds"}
    rows_a = [
        {k: v for k, v in r.items() if k not in drop} for r in read_log(tmp_path / "straight")
    ]
    rows_b = [{k: v for k, v in r.items() if k not in drop} for r in read_log(tmp_path / "split")]
    assert rows_a == rows_b


def test_the_overlapped_state_holds_the_next_episodes(tmp_path):
    trainer = Trainer(tiny("stage1", tmp_path, algo__overlap=True))
    trainer.step()
    state = trainer.state_dict()
    pending = state["pending"][0]
    assert pending["index"].shape == (6, 8) and pending["actions"].shape == (6, 8)
    fresh = Trainer(tiny("stage1", tmp_path, out=tmp_path / "fresh", algo__overlap=True))
    fresh.load_state_dict(state)
    torch.testing.assert_close(fresh._pending[0].rewards, trainer._pending[0].rewards)
    assert "pending" not in Trainer(tiny("stage1", tmp_path, algo__overlap=False)).state_dict()
    unset = Trainer(tiny("stage1", tmp_path, threads=2))  # unset, with a second core: overlapped
    assert "pending" in unset.state_dict()


def test_unset_overlap_is_on_where_it_applies_and_the_run_records_which(tmp_path):
    assert Trainer(tiny("stage1", tmp_path, out=tmp_path / "one")).config.algo.overlap is False
    trainer = Trainer(tiny("stage1", tmp_path, threads=2))  # a second core for the actor
    assert trainer.overlap and trainer.config.algo.overlap is True
    trainer.run()
    record = json.loads((tmp_path / "stage1" / "config.json").read_text())
    assert record["config"]["algo"]["overlap"] is True and record["schema"] == SCHEMA
    population = preset("population_fast")
    assert population.algo.overlap is None and not population.overlapped
    assert not population.resolved().algo.overlap
    assert not with_overrides(preset("stage1_fast"), {"device": "cuda"}).overlapped
    assert with_overrides(preset("stage1_fast"), {"device": "cpu"}).overlapped
    assert not with_overrides(preset("stage1_fast"), {"threads": 1}).overlapped
    assert preset("stage1_fast").resolved().algo.overlap is True


def test_configs_of_schema_2_mean_on_policy_by_an_unset_overlap():
    unset = preset("stage1_fast")
    assert with_schema(unset, 2).algo.overlap is False
    assert with_schema(unset, SCHEMA) is unset
    explicit = with_overrides(unset, {"algo.overlap": True})
    assert with_schema(explicit, 2).algo.overlap is True  # a recorded choice stays
    recorded = {"algo": {"lr": 0.005}, "updates": 3}  # written before the field
    assert upgrade_settings(TrainConfig, recorded, 2)["algo"] == {"lr": 0.005, "overlap": False}
    assert upgrade_settings(TrainConfig, recorded, 3) == recorded


def test_unset_meanings_may_name_a_setting_as_its_flag_does(monkeypatch):
    monkeypatch.setattr(TrainConfig, "UNSET_MEANT", {3: {"time_limit": 9.0}})  # run.time_limit
    assert unset_meant(TrainConfig, 2) == {"run.time_limit": 9.0}
    assert with_schema(preset("stage1_fast"), 2).run.time_limit == 25  # set: kept
    unset = with_overrides(preset("stage1_fast"), {"time_limit": None})
    assert with_schema(unset, 2).run.time_limit == 9.0
    assert upgrade_settings(TrainConfig, {"run": {"seed": 1}}, 2) == {
        "run": {"seed": 1, "time_limit": 9.0}
    }


def test_overlap_must_be_a_bool():
    with pytest.raises((TypeError, ValueError), match="overlap"):
        AlgoConfig(overlap="yes")


def test_a_run_saved_before_the_overlap_field_resumes_exactly(tmp_path):
    def config(name, updates, **more):
        return tiny("stage1", tmp_path, out=tmp_path / name, updates=updates, **more)

    Trainer(config("straight", 4, algo__overlap=False)).run()
    Trainer(config("old", 2, algo__overlap=False)).run()
    checkpoint = tmp_path / "old" / "checkpoint.pt"
    saved = torch.load(checkpoint, weights_only=False)
    del saved["config"]["algo"]["overlap"]  # as a checkpoint written before the field
    saved["schema"] = 2
    torch.save(saved, checkpoint)
    with pytest.raises(RunDirectoryError, match=r"algo\.overlap \(recorded False, now True\)"):
        Trainer(config("old", 4, resume=True, threads=2)).run()  # today's default: overlapped
    Trainer(config("old", 4, resume=True, algo__overlap=False)).run()
    a = load_policy(tmp_path / "straight" / "agent_0.pt").state_dict()
    b = load_policy(tmp_path / "old" / "agent_0.pt").state_dict()
    torch.testing.assert_close(a, b, atol=0, rtol=0)
