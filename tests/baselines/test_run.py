"""The run skeleton: config.json, checkpoints loaded without running code, old run files."""

import json
import os
import pickle
import signal

import numpy as np
import pytest
import torch

from baselines.checkpoints import CheckpointError
from baselines.config import TrainConfig, migrate
from baselines.configs import (
    ConfigError,
    canonical_name,
    field_names,
    from_dict,
    to_dict,
    with_overrides,
)
from baselines.ppi.trainer import PPITrainer
from baselines.records import read_record
from baselines.run import SCHEMA
from baselines.trainer import Trainer

from .test_ppi import tiny as tiny_ppi
from .test_trainer import changed, read_log, tiny


# ----------------------------------------------------------------------------- configs as data
def test_a_config_survives_json_and_names_are_dotted(tmp_path):
    config = tiny("mixed_pool_fast", tmp_path, out=None, pool__init_seeds=[4, 0])
    data = json.loads(json.dumps(to_dict(config)))
    assert from_dict(TrainConfig, data) == config
    assert canonical_name(TrainConfig, "seed") == "run.seed"
    assert canonical_name(TrainConfig, "eval.every") == "run.eval.every"
    assert canonical_name(TrainConfig, "run.eval.every") == "run.eval.every"
    assert "eval.every" in field_names(TrainConfig) and "run.eval.every" not in field_names(
        TrainConfig
    )


@pytest.mark.parametrize(
    "overrides,pattern",
    [
        ({"algo.l": 1.0}, r"unknown setting 'algo.l'; did you mean algo.lr"),
        ({"algo": 1.0}, r"unknown setting 'algo'"),
        ({"pool.init": "a.pt"}, r"pool.init takes a list; got the string 'a.pt'"),
        ({"algo.lr": -1.0}, r"algo.lr must be a positive number; got -1.0"),
        ({"seed": -2}, r"seed must be an int >= 0; got -2"),
        ({"game": "poker"}, r"unknown game 'poker'"),
    ],
)
def test_bad_overrides_are_refused_with_the_setting_named(overrides, pattern):
    with pytest.raises(ConfigError, match=pattern):
        with_overrides(TrainConfig(), overrides)


def test_from_dict_refuses_unknown_keys_and_none_is_written_as_a_string():
    with pytest.raises(ConfigError, match=r"unknown setting pool.size; known: learners"):
        from_dict(TrainConfig, {"pool": {"size": 3}})
    config = with_overrides(TrainConfig(), {"algo.entropy_coef_final": 0.1})
    assert (
        with_overrides(config, {"algo.entropy_coef_final": "None"}).algo.entropy_coef_final is None
    )


def test_schema_one_configs_are_migrated_and_retired_settings_kept_apart(tmp_path):
    old = {
        "preset": "stage1",
        "seed": 3,
        "out": None,
        "updates": 5,
        "batch_size": 8,
        "num_rounds": 6,
        "game": "prisoners_dilemma",
        "time_limit": None,
        "threads": 1,
        "bf16": False,
        "resume": False,
        "progress": False,
        "policy": {"hidden": 8, "embed": 4, "co_player_id": False},
        "algo": {"lr_final": None},
        "pool": {"co_player_id": False, "tabular_concentration_final": 1.0},
        "eval": {"every": 2, "episodes": 4, "seed": 2026},
    }
    config, retired = migrate(old)
    assert retired == {"pool.tabular_concentration_final": 1.0}  # on: this version lacks it
    built = from_dict(TrainConfig, config)
    assert built.run.seed == 3 and built.run.eval.every == 2 and built.updates == 5
    (tmp_path / "config.json").write_text(json.dumps(old))
    record = read_record(tmp_path)  # in the current layout, meaning what it meant then
    assert record["migrated"]["from_schema"] == 1 and record["schema"] == SCHEMA
    assert record["config"]["algo"]["overlap"] is False  # it trained on-policy


# ------------------------------------------------------------------------------- run files
def test_config_json_records_schema_commit_and_inputs(tmp_path):
    Trainer(tiny("stage1", tmp_path)).run()
    record = json.loads((tmp_path / "stage1" / "config.json").read_text())
    assert record["schema"] == SCHEMA and record["algorithm"] == "actor_critic"
    assert len(record["code"]["commit"]) == 40 and isinstance(record["code"]["dirty"], bool)
    assert from_dict(TrainConfig, record["config"]) == tiny("stage1", tmp_path).resolved()
    assert read_record(tmp_path / "stage1") == record


class _Marker:
    """Unpickling this writes a file: what a checkpoint must never be able to do."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_checkpoint_that_would_run_code_is_refused(tmp_path):
    config = tiny("stage1", tmp_path, updates=2)
    Trainer(config).run()
    marker = tmp_path / "pwned"
    state = torch.load(config.run_dir / "checkpoint.pt", weights_only=True)
    state["state"]["evil"] = _Marker(marker)
    with (config.run_dir / "checkpoint.pt").open("wb") as f:
        pickle.dump(state, f, protocol=2)
    with pytest.raises(CheckpointError, match="hold objects other than tensors and plain data"):
        Trainer(changed(config, resume=True, updates=4)).run()
    assert not marker.exists()


def test_another_algorithms_checkpoint_is_refused(tmp_path):
    ppi = tiny_ppi("ppi_smoke", tmp_path)
    PPITrainer(ppi).run()
    a2c = tiny("stage1", tmp_path, out=ppi.run_dir, resume=True)
    with pytest.raises(CheckpointError, match="training state of a 'ppi' run; this run is"):
        Trainer(a2c).run()


def _as_schema_one(path):
    """Rewrite a schema-2 A2C ``checkpoint.pt`` in the layout before the run skeleton."""
    state = torch.load(path, weights_only=True)
    config = state["config"]
    run = config.pop("run")
    evaluation = run.pop("eval")
    evaluation.pop("co_players")
    run.pop("experiment")
    config.update(run, eval=evaluation, bf16=False)
    config["algo"]["lr_final"] = None
    pool = config["pool"]
    for key in ("init_from", "init_seeds", "frozen_from", "frozen_seeds"):
        pool.pop(key)
    pool.update(co_player_id=config["policy"]["co_player_id"], tabular_concentration_final=None)
    counters = state["counters"]
    legacy = {
        "format": "coop-envs-training-state",
        "config": config,
        "update": counters["step"],
        "env_steps": counters["env_steps"],
        "seconds": counters["seconds"],
        **state["state"],
    }
    torch.save(legacy, path)


def test_a_run_from_before_the_run_skeleton_resumes_exactly(tmp_path):
    straight = tiny("mixed_pool", tmp_path, out=tmp_path / "straight")
    Trainer(straight).run()
    split = tiny("mixed_pool", tmp_path, out=tmp_path / "split", updates=2)
    Trainer(split).run()
    _as_schema_one(split.run_dir / "checkpoint.pt")
    Trainer(changed(split, updates=4, resume=True)).run()
    for i in (0, 1):
        a = torch.load(straight.run_dir / f"agent_{i}.pt", weights_only=True)["state_dict"]
        b = torch.load(split.run_dir / f"agent_{i}.pt", weights_only=True)["state_dict"]
        for key in a:
            torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)


def test_ppi_stops_on_ctrl_c_with_an_evaluation_and_resumes(tmp_path):
    config = tiny_ppi("ppi_mixed_pool", tmp_path, phases=3, eval__every=5)
    trainer = PPITrainer(config)
    original = trainer.step

    def interrupted():
        out = original()
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C during the first phase
        return out

    trainer.step = interrupted
    summary = trainer.run()
    assert summary["status"] == "interrupted" and summary["update"] == 1
    rows = read_log(config.run_dir)
    assert [r["update"] for r in rows] == ["0", "1"]
    assert rows[1]["l0/eval/tit_for_tat/reward"] != ""  # evaluated at the stop, like A2C
    resumed = PPITrainer(changed(config, resume=True)).run()
    assert resumed["status"] == "finished" and resumed["update"] == 3


def test_ppi_data_written_after_the_checkpoint_still_resume(tmp_path):
    """Data only grow: a crash between the data and the state file loses nothing."""
    config = tiny_ppi("ppi_stage1", tmp_path, phases=1)
    PPITrainer(config).run()
    with np.load(config.run_dir / "data_0.npz") as f:
        arrays = {k: np.concatenate([f[k], f[k][:3]]) for k in f.files}
    np.savez_compressed(config.run_dir / "data_0.npz", **arrays)  # three episodes too many
    assert PPITrainer(changed(config, phases=2, resume=True)).run()["update"] == 2
