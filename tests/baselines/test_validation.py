"""Bad input at every entry point of baselines: configs, agent files, agents, the CLIs.

Each table case is ``(call, error, fragment)``: ``call()`` must raise ``error`` with ``fragment``
(the setting and the value received) in its message. Also: no ``torch.load`` of the project runs
code from a file (a pickle that writes a marker file), a run directory that never checkpointed
does not block a fresh run, and the CLIs print bad input as one line (``--debug``: traceback).
"""

import re
from pathlib import Path

import numpy as np
import pytest
import torch

from baselines import load_agent
from baselines.checkpoints import CheckpointError, read_checkpoint, save_policy
from baselines.config import AlgoConfig, PoolConfig, TrainConfig
from baselines.configs import ConfigError, from_dict, with_overrides
from baselines.evaluate import EvaluateConfig
from baselines.evaluate import cli as evaluate_cli
from baselines.players import PolicyAgent
from baselines.policies import PolicyConfig, make_policy
from baselines.ppi.agent import load_ppi, save_ppi
from baselines.ppi.config import FitConfig, PPIConfig, PPIPoolConfig
from baselines.ppi.model import ModelConfig, SequenceModel
from baselines.ppi.planner import PlanningConfig
from baselines.ppi.trainer import PPITrainer, read_pretrained_file
from baselines.run import EvalConfig, RunConfig
from baselines.runfiles import RunDirectoryError
from baselines.train import cli as train_cli
from baselines.trainer import Trainer
from coop_envs.core import PRISONERS_DILEMMA

from .test_ppi import tiny as tiny_ppi
from .test_trainer import changed, tiny

NAN, INF = float("nan"), float("inf")
A = (Path("agent.pt"),)

CONFIG_CASES = [
    # ---- run settings: every field typed, seeds >= 0, sizes bounded
    ("seed -1", lambda: RunConfig(seed=-1), ValueError, "seed must be an int >= 0; got -1"),
    ("seed 1.5", lambda: RunConfig(seed=1.5), TypeError, "seed must be an int; got 1.5"),
    ("seed str", lambda: RunConfig(seed="1"), TypeError, "seed must be an int; got '1'"),
    ("seed bool", lambda: RunConfig(seed=True), TypeError, "seed must be an int; got True"),
    (
        "seed 2**40",
        lambda: RunConfig(seed=2**40),
        ValueError,
        "at most 2**32 - 1; got 1099511627776",
    ),
    ("game unknown", lambda: RunConfig(game="pd"), ValueError, "unknown game 'pd'"),
    ("game int", lambda: RunConfig(game=3), TypeError, "game must be a str; got 3"),
    (
        "num_rounds 0",
        lambda: RunConfig(num_rounds=0),
        ValueError,
        "num_rounds must be a positive int; got 0",
    ),
    (
        "num_rounds huge",
        lambda: RunConfig(num_rounds=10**12),
        ValueError,
        "num_rounds must be at most 1,000,000; got 1,000,000,000,000",
    ),
    (
        "num_rounds float",
        lambda: RunConfig(num_rounds=100.0),
        TypeError,
        "num_rounds must be an int; got 100.0",
    ),
    (
        "time_limit nan",
        lambda: RunConfig(time_limit=NAN),
        ValueError,
        "time_limit must be finite; got nan",
    ),
    (
        "time_limit -1",
        lambda: RunConfig(time_limit=-1.0),
        ValueError,
        "time_limit must be a positive number; got -1.0",
    ),
    (
        "threads 0",
        lambda: RunConfig(threads=0),
        ValueError,
        "threads must be a positive int; got 0",
    ),
    ("resume str", lambda: RunConfig(resume="yes"), TypeError, "resume must be a bool; got 'yes'"),
    ("progress int", lambda: RunConfig(progress=1), TypeError, "progress must be a bool; got 1"),
    (
        "experiment int",
        lambda: RunConfig(experiment=3),
        TypeError,
        "experiment must be a str or None; got 3",
    ),
    ("experiment no slash", lambda: RunConfig(experiment="stage1"), ValueError, "got 'stage1'"),
    ("out int", lambda: RunConfig(out=3), TypeError, "out must be a path or None; got 3"),
    (
        "eval B x T",
        lambda: RunConfig(num_rounds=10**4, eval=EvalConfig(episodes=10**5)),
        ValueError,
        "eval.episodes x num_rounds = 100,000 x 10,000",
    ),
    (
        "eval.seed -5",
        lambda: EvalConfig(seed=-5),
        ValueError,
        "eval.seed must be an int >= 0; got -5",
    ),
    (
        "eval.seed float",
        lambda: EvalConfig(seed=0.5),
        TypeError,
        "eval.seed must be an int; got 0.5",
    ),
    (
        "eval.every 0",
        lambda: EvalConfig(every=0),
        ValueError,
        "eval.every must be a positive int; got 0",
    ),
    (
        "eval.episodes huge",
        lambda: EvalConfig(episodes=10**9),
        ValueError,
        "eval.episodes must be at most 10,000,000; got 1,000,000,000",
    ),
    (
        "eval.co_players str",
        lambda: EvalConfig(co_players="tit_for_tat"),
        TypeError,
        "eval.co_players must be a list of strs; got 'tit_for_tat'",
    ),
    (
        "eval.co_players unknown",
        lambda: EvalConfig(co_players=("tft",)),
        ValueError,
        "unknown co-player 'tft'",
    ),
    # ---- A2C/PPO
    ("algo.lr str", lambda: AlgoConfig(lr="0.1"), TypeError, "algo.lr must be a number; got '0.1'"),
    ("algo.lr nan", lambda: AlgoConfig(lr=NAN), ValueError, "algo.lr must be finite; got nan"),
    (
        "algo.lr 0",
        lambda: AlgoConfig(lr=0.0),
        ValueError,
        "algo.lr must be a positive number; got 0.0",
    ),
    (
        "algo.gamma 2",
        lambda: AlgoConfig(gamma=2.0),
        ValueError,
        "algo.gamma must be in [0, 1]; got 2.0",
    ),
    ("algo.algo", lambda: AlgoConfig(algo="sac"), ValueError, "got 'sac'"),
    (
        "algo.algo int",
        lambda: AlgoConfig(algo=1),
        TypeError,
        "algo.algo must be one of 'a2c', 'ppo'; got 1",
    ),
    (
        "algo.normalize_advantage",
        lambda: AlgoConfig(normalize_advantage="no"),
        TypeError,
        "algo.normalize_advantage must be a bool; got 'no'",
    ),
    (
        "algo.ppo_epochs float",
        lambda: AlgoConfig(ppo_epochs=1.5),
        TypeError,
        "algo.ppo_epochs must be an int; got 1.5",
    ),
    (
        "algo.entropy_coef_final inf",
        lambda: AlgoConfig(entropy_coef_final=INF),
        ValueError,
        "algo.entropy_coef_final must be finite; got inf",
    ),
    (
        "algo.value_coef -1",
        lambda: AlgoConfig(value_coef=-1.0),
        ValueError,
        "algo.value_coef must be a number >= 0; got -1.0",
    ),
    (
        "pool.learners 0",
        lambda: PoolConfig(learners=0),
        ValueError,
        "pool.learners must be a positive int; got 0",
    ),
    (
        "pool.frozen str",
        lambda: PoolConfig(frozen="a.pt"),
        TypeError,
        "pool.frozen must be a list of strs; got 'a.pt'",
    ),
    (
        "pool.init_seeds -1",
        lambda: PoolConfig(init_from="x", init_seeds=(-1,)),
        ValueError,
        "pool.init_seeds must be an int >= 0; got (-1,)",
    ),
    (
        "pool.frozen_seeds float",
        lambda: PoolConfig(frozen_from="x", frozen_seeds=(1.5,)),
        TypeError,
        "pool.frozen_seeds must be a list of ints; got (1.5,)",
    ),
    (
        "pool.tabular int",
        lambda: PoolConfig(tabular=3),
        TypeError,
        "pool.tabular must be a str; got 3",
    ),
    (
        "pool.tabular_fraction str",
        lambda: PoolConfig(tabular_fraction="1"),
        TypeError,
        "pool.tabular_fraction must be a number; got '1'",
    ),
    (
        "policy.hidden float",
        lambda: PolicyConfig(hidden=2.5),
        TypeError,
        "policy.hidden must be an int; got 2.5",
    ),
    (
        "policy.hidden 0",
        lambda: PolicyConfig(hidden=0),
        ValueError,
        "policy hidden must be a positive int; got 0",
    ),
    ("policy.arch", lambda: PolicyConfig(arch="lstm"), ValueError, "got 'lstm'"),
    (
        "policy.co_player_id",
        lambda: PolicyConfig(co_player_id="x"),
        TypeError,
        "policy.co_player_id must be a bool; got 'x'",
    ),
    (
        "updates 0",
        lambda: TrainConfig(updates=0),
        ValueError,
        "updates must be a positive int; got 0",
    ),
    (
        "updates float",
        lambda: TrainConfig(updates=1e4),
        TypeError,
        "updates must be an int; got 10000.0",
    ),
    (
        "batch_size huge",
        lambda: TrainConfig(batch_size=10**9),
        ValueError,
        "batch_size must be at most 10,000,000; got 1,000,000,000",
    ),
    (
        "batch_size x rounds",
        lambda: TrainConfig(batch_size=10**6, run=RunConfig(num_rounds=1000)),
        ValueError,
        "batch_size x num_rounds = 1,000,000 x 1,000",
    ),
    ("preset int", lambda: TrainConfig(preset=3), TypeError, "preset must be a str; got 3"),
    (
        "run not a RunConfig",
        lambda: TrainConfig(run={"seed": 1}),
        TypeError,
        "run must be RunConfig; got {'seed': 1}",
    ),
    # ---- PPI
    (
        "ppi phases 0",
        lambda: PPIConfig(phases=0),
        ValueError,
        "phases must be a positive int; got 0",
    ),
    (
        "ppi play_batch huge",
        lambda: PPIConfig(play_batch=10**9),
        ValueError,
        "play_batch must be at most 10,000,000; got 1,000,000,000",
    ),
    (
        "ppi games_per_phase str",
        lambda: PPIConfig(games_per_phase="10"),
        TypeError,
        "games_per_phase must be an int; got '10'",
    ),
    ("fit.lr str", lambda: FitConfig(lr="x"), TypeError, "fit.lr must be a number; got 'x'"),
    ("fit.lr inf", lambda: FitConfig(lr=INF), ValueError, "fit.lr must be finite; got inf"),
    (
        "ppi pool.learners 3",
        lambda: PPIPoolConfig(learners=3),
        ValueError,
        "pool.learners must be 1 or 2 for PPI; got 3",
    ),
    (
        "model.hidden -1",
        lambda: ModelConfig(hidden=-1),
        ValueError,
        "model.hidden must be a positive int; got -1",
    ),
    (
        "model.reward_weight nan",
        lambda: ModelConfig(reward_weight=NAN),
        ValueError,
        "model.reward_weight must be finite; got nan",
    ),
    (
        "planning.beta nan",
        lambda: PlanningConfig(beta=NAN),
        ValueError,
        "planning.beta must be finite; got nan",
    ),
    (
        "planning.discount 0",
        lambda: PlanningConfig(discount=0.0),
        ValueError,
        "planning.discount must be in (0, 1]; got 0.0",
    ),
    (
        "planning.horizon float",
        lambda: PlanningConfig(horizon=2.5),
        TypeError,
        "planning.horizon must be an int; got 2.5",
    ),
    # ---- evaluate
    (
        "evaluate none",
        lambda: EvaluateConfig(checkpoints=()),
        ValueError,
        "give at least one checkpoint",
    ),
    (
        "evaluate episodes 0",
        lambda: EvaluateConfig(checkpoints=A, episodes=0),
        ValueError,
        "episodes must be a positive int; got 0",
    ),
    (
        "evaluate episodes huge",
        lambda: EvaluateConfig(checkpoints=A, episodes=10**9),
        ValueError,
        "got 1,000,000,000",
    ),
    (
        "evaluate seed -1",
        lambda: EvaluateConfig(checkpoints=A, seed=-1),
        ValueError,
        "seed must be an int >= 0; got -1",
    ),
    (
        "evaluate checkpoints str",
        lambda: EvaluateConfig(checkpoints="a.pt"),
        TypeError,
        "checkpoints must be a list of paths; got 'a.pt'",
    ),
    # ---- the same checks through JSON/TOML and dotted overrides
    (
        "from_dict seed",
        lambda: from_dict(RunConfig, {"seed": -3}),
        ConfigError,
        "seed must be an int >= 0; got -3",
    ),
    (
        "from_dict eval.seed",
        lambda: from_dict(RunConfig, {"eval": {"seed": -5}}),
        ConfigError,
        "eval.seed must be an int >= 0; got -5",
    ),
    (
        "override eval.seed",
        lambda: with_overrides(TrainConfig(), {"eval.seed": -5}),
        ConfigError,
        "eval.seed must be an int >= 0; got -5",
    ),
    (
        "override algo.lr",
        lambda: with_overrides(TrainConfig(), {"algo.lr": "fast"}),
        ConfigError,
        "algo.lr must be a number; got 'fast'",
    ),
    (
        "override num_rounds",
        lambda: with_overrides(TrainConfig(), {"num_rounds": 10**12}),
        ConfigError,
        "got 1,000,000,000,000",
    ),
]


@pytest.mark.parametrize(
    "call,error,fragment", [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES]
)
def test_bad_settings_are_refused_before_any_work(call, error, fragment):
    with pytest.raises(error, match=re.escape(fragment)):
        call()


# ------------------------------------------------------------------------------ agent files
@pytest.fixture
def policy():
    torch.manual_seed(0)
    return make_policy(PolicyConfig(hidden=8, embed=4), PRISONERS_DILEMMA)


def _rewrite(path, **changes):
    """Rewrite the agent file ``path`` with payload keys replaced (``weights`` poisons one)."""
    payload = torch.load(path, weights_only=True)
    poison = changes.pop("weights", None)
    if poison is not None:
        key, value = poison
        payload["state_dict"][key] = payload["state_dict"][key].clone()
        payload["state_dict"][key].view(-1)[0] = value
    payload.update(changes)
    torch.save(payload, path)
    return path


AGENT_CASES = [
    (
        "NaN weight",
        {"weights": ("policy_head.weight", NAN)},
        "weights 'policy_head.weight' hold 1 non-finite",
    ),
    (
        "inf weight",
        {"weights": ("value_head.bias", INF)},
        "weights 'value_head.bias' hold 1 non-finite",
    ),
    (
        "-inf weight",
        {"weights": ("obs_embed.weight", -INF)},
        "weights 'obs_embed.weight' hold 1 non-finite",
    ),
    ("meta None", {"meta": None}, "meta must be a dict; got None"),
    ("meta list", {"meta": ["name"]}, "meta must be a dict; got ['name']"),
    ("meta str", {"meta": "demo"}, "meta must be a dict; got 'demo'"),
    ("state_dict list", {"state_dict": [1, 2]}, "state_dict must be a dict of tensors; got list"),
    ("state_dict None", {"state_dict": None}, "state_dict must be a dict of tensors; got NoneType"),
    (
        "state_dict value",
        {"state_dict": {"policy_head.weight": 1.0}},
        "state_dict['policy_head.weight'] must be a tensor; got float",
    ),
    ("version", {"version": 99}, "has version 99"),
    ("format", {"format": "other"}, "format 'other'"),
    ("policy config", {"policy_config": {"hidden": "x"}}, "policy.hidden must be an int; got 'x'"),
]


@pytest.mark.parametrize(
    "changes,fragment", [c[1:] for c in AGENT_CASES], ids=[c[0] for c in AGENT_CASES]
)
def test_bad_agent_files_are_refused_naming_the_file_and_the_value(
    policy, tmp_path, changes, fragment
):
    path = _rewrite(save_policy(tmp_path / "agent.pt", policy), **changes)
    for load in (load_agent, read_checkpoint):
        if load is read_checkpoint and "policy_config" in changes:
            continue  # read_checkpoint does not build the policy
        with pytest.raises(CheckpointError, match=re.escape(fragment)) as caught:
            load(path)
        assert isinstance(caught.value, ValueError) and str(path) in str(caught.value)


def test_the_poisoned_weight_is_named_among_real_ones(policy):
    assert {"policy_head.weight", "value_head.bias", "obs_embed.weight"} <= set(policy.state_dict())


def test_a_ppi_agent_with_nan_weights_is_refused(tmp_path):
    model = SequenceModel(ModelConfig(hidden=8, embed=4))
    path = save_ppi(tmp_path / "ppi.pt", model, PlanningConfig(), PRISONERS_DILEMMA)
    load_ppi(path)  # loads while finite
    key = next(iter(model.state_dict()))
    _rewrite(path, weights=(key, NAN))
    with pytest.raises(CheckpointError, match=re.escape(f"weights {key!r} hold 1 non-finite")):
        load_agent(path)


LOADER_CASES = [
    (
        "load_agent path None",
        lambda: load_agent(None),
        TypeError,
        "checkpoint path must be a str or a path; got None",
    ),
    ("load_agent path int", lambda: load_agent(3), TypeError, "got 3"),
    (
        "load_agent missing",
        lambda: load_agent("missing.pt"),
        CheckpointError,
        "'missing.pt' does not exist",
    ),
    (
        "load_agent greedy str",
        lambda: load_agent("missing.pt", greedy="yes"),
        TypeError,
        "greedy must be a bool; got 'yes'",
    ),
]


@pytest.mark.parametrize(
    "call,error,fragment", [c[1:] for c in LOADER_CASES], ids=[c[0] for c in LOADER_CASES]
)
def test_bad_loader_arguments(call, error, fragment):
    with pytest.raises(error, match=re.escape(fragment)):
        call()


def _start(num_envs):
    obs = np.zeros((num_envs, 8), dtype=np.float32)
    obs[:, 0] = 1.0
    return obs


OBSERVATION_CASES = [
    ("all zeros", lambda o: o.__setitem__((1, 0), 0.0), "got [0.0, 0.0, 0.0, 0.0, 0.0] in row 1"),
    ("NaN", lambda o: o.__setitem__((0, 0), NAN), "got [nan, 0.0, 0.0, 0.0, 0.0] in row 0"),
    ("two ones", lambda o: o.__setitem__((2, 3), 1.0), "got [1.0, 0.0, 0.0, 1.0, 0.0] in row 2"),
    ("0.5", lambda o: o.__setitem__((0, 0), 0.5), "got [0.5, 0.0, 0.0, 0.0, 0.0] in row 0"),
]


@pytest.mark.parametrize(
    "poison,fragment", [c[1:] for c in OBSERVATION_CASES], ids=[c[0] for c in OBSERVATION_CASES]
)
def test_agents_do_not_act_on_observations_that_are_not_one_hot(policy, tmp_path, poison, fragment):
    model = SequenceModel(ModelConfig(hidden=8, embed=4))
    ppi = load_agent(
        save_ppi(tmp_path / "ppi.pt", model, PlanningConfig(beta=0.0), PRISONERS_DILEMMA)
    )
    for agent in (PolicyAgent(policy), ppi):
        agent.reset(3, seed=0)
        assert agent.act(_start(3)).shape == (3,)  # valid observations are acted on
        bad = _start(3)
        poison(bad)
        with pytest.raises(ValueError, match=re.escape(fragment)):
            agent.act(bad)


# ------------------------------------------------------------------ no code from a file
class _Marker:
    """Unpickling this writes a file: the proof that a load ran code."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def _plant(path, marker):
    """Rewrite the torch file ``path`` with a marker-writing object inside."""
    state = torch.load(path, weights_only=True)
    state["evil"] = _Marker(marker)
    torch.save(state, path, pickle_protocol=2)
    probe = path.with_suffix(".probe")
    probe.write_bytes(path.read_bytes())
    torch.load(probe, weights_only=False)  # the proof that the marker works: a full unpickle
    assert marker.exists()  # runs it
    marker.unlink()
    probe.unlink()


def test_no_torch_load_runs_code_from_an_agent_file(policy, tmp_path):
    marker = tmp_path / "pwned"
    path = save_policy(tmp_path / "agent.pt", policy)
    _plant(path, marker)
    for load in (load_agent, read_checkpoint, load_ppi):
        with pytest.raises(CheckpointError, match="not a readable torch file"):
            load(path)
    assert evaluate_cli([str(path)]) == 2  # baselines.evaluate goes through read_checkpoint
    assert not marker.exists()


def test_train_resume_does_not_run_code_from_checkpoint_pt(tmp_path, capsys):
    config = tiny("stage1", tmp_path, updates=2)
    Trainer(config).run()
    marker = tmp_path / "pwned"
    _plant(config.run_dir / "checkpoint.pt", marker)
    args = ["--preset", "stage1", "--out", str(config.run_dir), "--resume", "--updates", "4"]
    args += ["--policy.hidden", "8", "--policy.embed", "4", "--eval.every", "2"]
    args += ["--eval.episodes", "4", "--batch-size", "8", "--num-rounds", "6", "--threads", "1"]
    assert train_cli([*args, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "hold objects other than tensors and plain data" in err and len(err.splitlines()) == 1
    assert not marker.exists()


def test_ppi_pretrained_snapshot_and_resume_do_not_run_code(tmp_path):
    config = tiny_ppi("ppi_smoke", tmp_path)
    PPITrainer(config).run()
    marker = tmp_path / "pwned"
    for name in ("pretrained.pt", "checkpoint.pt"):
        _plant(config.run_dir / name, marker)
    with pytest.raises(CheckpointError, match="cannot read"):
        read_pretrained_file(config.run_dir / "pretrained.pt")
    with pytest.raises(CheckpointError, match="hold objects other than tensors"):
        PPITrainer(changed(config, resume=True, phases=3)).run()
    assert not marker.exists()


# ---------------------------------------------------------------- run directories, CLIs
def test_a_run_that_never_checkpointed_does_not_block_its_directory(tmp_path):
    config = tiny("stage1", tmp_path, updates=2)
    config.run_dir.mkdir(parents=True)
    (config.run_dir / "config.json").write_text("{}\n")
    (config.run_dir / "log.csv").write_text("update,stale\n99,1\n")
    with pytest.raises(
        RunDirectoryError, match=r"never checkpointed\); run without --resume to start it afresh"
    ):
        Trainer(changed(config, resume=True)).run()
    summary = Trainer(config).run()
    assert summary["status"] == "finished" and summary["update"] == 2
    assert "stale" not in (config.run_dir / "log.csv").read_text()
    with pytest.raises(RunDirectoryError, match="already holds a run; pass --resume"):
        Trainer(config).run()


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--seed", "-1"], "seed must be an int >= 0; got -1"),
        (["--seed", "4294967296"], "seed must be at most 2**32 - 1; got 4294967296"),
        (["--num-rounds", "1000000000000"], "num_rounds must be at most 1,000,000"),
        (["--threads", "0"], "threads must be a positive int; got 0"),
        (["--eval.seed", "-5"], "eval.seed must be an int >= 0; got -5"),
        (["--algo.lr", "fast"], "--algo.lr: could not convert string to float: 'fast'"),
        (["--updates", "2.5"], "--updates: invalid literal for int() with base 10: '2.5'"),
    ],
)
def test_train_cli_errors_are_one_line_and_debug_shows_the_traceback(
    tmp_path, capsys, args, fragment
):
    argv = [*args, "--out", str(tmp_path / "run"), "--no-progress"]
    assert train_cli(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and fragment in err and len(err.splitlines()) == 1
    assert not (tmp_path / "run").exists()  # refused before any work
    with pytest.raises((ValueError, TypeError), match=re.escape(fragment)):
        train_cli([*argv, "--debug"])


def test_evaluate_cli_errors_are_one_line(tmp_path, capsys):
    assert evaluate_cli([str(tmp_path / "missing.pt")]) == 2
    err = capsys.readouterr().err
    assert "missing.pt' does not exist" in err and len(err.splitlines()) == 1
    with pytest.raises(CheckpointError, match="does not exist"):
        evaluate_cli([str(tmp_path / "missing.pt"), "--debug"])
