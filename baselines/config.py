"""A2C/PPO configuration: one frozen dataclass per concern, and the presets as data.

Every field is a flag of ``python -m baselines.train`` (tyro turns the attribute docstrings into
``--help``; the run settings of :class:`~baselines.run.RunConfig` have no prefix: ``--seed``,
``--eval.every``); ``--preset NAME`` picks the defaults, and flags override them. Derived
quantities (episodes per update, games per update, environment steps) are properties, never
flags.

A preset is data: a paper preset is a set of dotted settings over the field defaults (which are
the paper's stage 1), and every other preset is one paper preset plus a set of deviations
(:data:`RECIPES`), so what a CPU recipe changes, and only that, is written in one place
(``python -m baselines.train --preset NAME --deviations`` prints it). Measured outcomes live in
the evidence (``docs/reproduction.md``), not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import tyro

from baselines.configs import (
    ConfigError,
    check_fields,
    check_nonnegative,
    check_positive,
    check_unit,
    migrate_run_fields,
    with_overrides,
)
from baselines.policies import PolicyConfig
from baselines.run import RunConfig, RunDirectory, run_directory
from coop_envs.core import CONTRACT_GAMES, check_batch

DEVICE = re.compile(r"cpu|cuda(:\d+)?")
"""The devices a run accepts (:attr:`TrainConfig.device`)."""


@dataclass(frozen=True)
class AlgoConfig:
    """The learning algorithm and its hyper-parameters (A2C defaults: the paper's stage 1)."""

    algo: Literal["a2c", "ppo"] = "a2c"
    """``a2c`` (the paper's) or ``ppo`` (clipped surrogate, several epochs per batch)."""
    lr: float = 5e-3
    """Adam learning rate."""
    adam_eps: float = 1e-5
    """Adam epsilon."""
    gamma: float = 0.99
    """Discount factor."""
    gae_lambda: float = 0.99
    """GAE lambda."""
    entropy_coef: float = 0.001
    """Entropy bonus coefficient."""
    entropy_coef_final: float | None = None
    """If set, the entropy coefficient moves linearly to this by the last update."""
    value_coef: float = 0.5
    """Weight of the value loss (mean squared error)."""
    max_grad_norm: float = 1.0
    """Gradient-norm clip."""
    normalize_advantage: bool = True
    """Normalise advantages over the batch."""
    reward_scale: float = 0.2
    """Rewards are multiplied by this before GAE (the paper's reward rescaling)."""
    ppo_epochs: int = 4
    """PPO: passes over each batch."""
    ppo_minibatches: int = 4
    """PPO: minibatches per pass (whole episodes; must divide the batch)."""
    ppo_clip: float = 0.2
    """PPO: clip range of the probability ratio."""
    overlap: bool | None = None
    """``True``: play update k+1's games (on a second core, with the weights before update k's
    step: a one-step-stale policy) while update k learns (see :mod:`baselines.trainer`);
    ``False``: on-policy, one after the other. ``None`` (the default): overlapped wherever the
    trainer can and has a second core for it (on the CPU, ``run.threads`` >= 2, without random
    pairing or snapshots), on-policy elsewhere; the trainer records which. Configs of schema 2
    and before (every run recorded, and every experiment written, before this became the
    default) mean ``False`` by ``None`` (:attr:`TrainConfig.UNSET_MEANT`)."""

    def __post_init__(self) -> None:
        check_fields(self, "algo.")
        if self.algo not in ("a2c", "ppo"):
            raise ValueError(f"algo must be 'a2c' or 'ppo'; got {self.algo!r}")
        for name in ("lr", "adam_eps", "max_grad_norm", "reward_scale", "ppo_clip"):
            check_positive(getattr(self, name), f"algo.{name}")
        for name in ("gamma", "gae_lambda"):
            check_unit(getattr(self, name), f"algo.{name}")
        for name in ("entropy_coef", "value_coef"):
            check_nonnegative(getattr(self, name), f"algo.{name}")
        if self.entropy_coef_final is not None:
            check_nonnegative(self.entropy_coef_final, "algo.entropy_coef_final")
        check_positive(self.ppo_epochs, "algo.ppo_epochs", integer=True)
        check_positive(self.ppo_minibatches, "algo.ppo_minibatches", integer=True)
        if self.overlap is not None and not isinstance(self.overlap, bool):
            raise TypeError(f"algo.overlap must be a bool or None; got {self.overlap!r}")


@dataclass(frozen=True)
class PoolConfig:
    """Who the learners play: tabular co-players, frozen agents, and each other."""

    learners: int = 1
    """Number of learning agents trained at once."""
    tabular_fraction: float = 1.0
    """Share of each learner's episodes against the tabular co-players."""
    tabular: str = "random_tabular_train"
    """Co-player registry id of that share (the paper's random tabular agents, train half)."""
    tabular_concentration: float = 1.0
    """Random tabular only: draw each probability from Beta(c, c); 1 is the paper's U(0, 1),
    below 1 gives more deterministic co-players (a deviation from the paper)."""
    tabular_uniform_fraction: float = 0.0
    """Random tabular only: share of the tabular games whose co-player is drawn from the
    paper's U(0, 1) whatever the concentration (:func:`co_players.tabular_mixture`)."""
    finite_state_fraction: float | None = None
    """Share of the tabular games whose co-player is a random reactive finite-state machine
    instead (:class:`co_players.RandomFiniteState`, from the same split as ``pool.tabular``:
    reciprocators that punish or forgive over several rounds, none playing like a named
    strategy); None (every run recorded before this field) or 0: none."""
    frozen: tuple[str, ...] = ()
    """Agent files of frozen agents to play against."""
    frozen_from: str | None = None
    """Or the run whose first agent is the frozen one, by name (a preset or experiment variant,
    e.g. ``stage1_fast``): ``runs/<name>_seed<s>/agent_0.pt``, s from ``frozen_seeds``."""
    frozen_seeds: tuple[int, ...] = ()
    """Seeds of the ``frozen_from`` runs, one frozen agent each; default: this run's seed."""
    frozen_fraction: float = 0.0
    """Share of each learner's episodes against the frozen agents (split evenly among them)."""
    init: tuple[str, ...] = ()
    """Agent files to start the learners from, one per learner, or none."""
    init_from: str | None = None
    """Or the run whose first agents start the learners, by name (``runs/<name>_seed<s>/
    agent_0.pt``), s from ``init_seeds``."""
    init_seeds: tuple[int, ...] = ()
    """Seeds of the ``init_from`` runs, one per learner; default: this run's seed, seed + 1, ..."""
    pairing: str | None = None
    """How the learners meet: ``all`` (every pair of learners, each update, an equal share of
    the learner episodes) or ``random`` (a population: each update a fresh random perfect
    matching of the learners, drawn from the run's generator, each pair playing all of its two
    learners' learner episodes). None means ``all``: the runs recorded before this field."""
    snapshot_every: int | None = None
    """Population snapshots: every this many updates (from update 0) a frozen copy of every
    learner joins the snapshot pool; None: no snapshots."""
    snapshot_fraction: float | None = None
    """Share of each learner's episodes against one snapshot, drawn uniformly from the pool
    each update (needs ``snapshot_every``)."""

    def __post_init__(self) -> None:
        check_fields(self, "pool.")
        check_positive(self.learners, "pool.learners", integer=True)
        check_unit(self.tabular_fraction, "pool.tabular_fraction")
        check_unit(self.frozen_fraction, "pool.frozen_fraction")
        self._check_population()
        check_positive(self.tabular_concentration, "pool.tabular_concentration")
        check_unit(self.tabular_uniform_fraction, "pool.tabular_uniform_fraction")
        if self.finite_state_fraction is not None:
            check_unit(self.finite_state_fraction, "pool.finite_state_fraction")
        shaped = (
            self.tabular_concentration != 1.0
            or self.tabular_uniform_fraction
            or self.finite_state_fraction
        )
        if shaped and not self.tabular.startswith("random_tabular"):
            raise ValueError(
                "pool.tabular_concentration, pool.tabular_uniform_fraction and "
                "pool.finite_state_fraction apply to random_tabular co-players; pool.tabular is "
                f"{self.tabular!r}"
            )
        if self.tabular_fraction + self.frozen_fraction + self.snapshot_share > 1 + 1e-9:
            raise ValueError(
                f"pool.tabular_fraction + pool.frozen_fraction + pool.snapshot_fraction must be "
                f"<= 1; got {self.tabular_fraction} + {self.frozen_fraction} + "
                f"{self.snapshot_share}"
            )
        for paths, name in ((self.frozen, "frozen"), (self.init, "init")):
            if getattr(self, f"{name}_from") is not None and paths:
                raise ValueError(
                    f"give pool.{name} (files) or pool.{name}_from (a run name), not both"
                )
            seeds = getattr(self, f"{name}_seeds")
            if seeds and getattr(self, f"{name}_from") is None:
                raise ValueError(f"pool.{name}_seeds needs pool.{name}_from")
            if any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in seeds):
                raise ValueError(f"pool.{name}_seeds must be ints >= 0; got {seeds!r}")
        if self.frozen_fraction > 0 and not (self.frozen or self.frozen_from):
            raise ValueError(
                "pool.frozen_fraction > 0 needs frozen agents: pass --pool.frozen PATH [PATH ...] "
                "or --pool.frozen-from RUN (for stage2: the stage-1 run, e.g. stage1_fast)"
            )
        if self.init and len(self.init) != self.learners:
            raise ValueError(
                f"pool.init needs one agent file per learner ({self.learners}); "
                f"got {len(self.init)}"
            )
        if self.init_seeds and len(self.init_seeds) != self.learners:
            raise ValueError(
                f"pool.init_seeds needs one seed per learner ({self.learners}); "
                f"got {len(self.init_seeds)}"
            )
        if self.learners == 1 and self.learner_fraction > 1e-9:
            raise ValueError(
                f"a single learner has no other learner to play: tabular_fraction + "
                f"frozen_fraction + snapshot_fraction must be 1; got "
                f"{self.tabular_fraction + self.frozen_fraction + self.snapshot_share}"
            )

    def _check_population(self) -> None:
        """The population settings: pairing, snapshots."""
        if self.pairing not in (None, "all", "random"):
            raise ValueError(f"pool.pairing must be 'all' or 'random'; got {self.pairing!r}")
        if self.pairing == "random" and (self.learners < 2 or self.learners % 2):
            raise ValueError(
                "pool.pairing='random' pairs the learners in a perfect matching each update: "
                f"pool.learners must be even and >= 2; got {self.learners}"
            )
        if (self.snapshot_every is None) != (self.snapshot_fraction is None):
            raise ValueError(
                "snapshots need both pool.snapshot_every (updates between snapshots) and "
                f"pool.snapshot_fraction (their share of the episodes); got snapshot_every="
                f"{self.snapshot_every}, snapshot_fraction={self.snapshot_fraction}"
            )
        if self.snapshot_every is not None:
            check_positive(self.snapshot_every, "pool.snapshot_every", integer=True)
            check_unit(self.snapshot_fraction, "pool.snapshot_fraction")
            if not self.snapshot_fraction:
                raise ValueError(
                    f"pool.snapshot_fraction must be in (0, 1]; got {self.snapshot_fraction!r} "
                    "(leave both snapshot settings unset for no snapshots)"
                )

    @property
    def random_pairing(self) -> bool:
        """Whether the learners are paired at random each update (a population)."""
        return self.pairing == "random"

    @property
    def snapshot_share(self) -> float:
        """Share of each learner's episodes against snapshots (0 without snapshots)."""
        return self.snapshot_fraction or 0.0

    @property
    def learner_fraction(self) -> float:
        """Share of each learner's episodes against the other learners."""
        return max(0.0, 1.0 - self.tabular_fraction - self.frozen_fraction - self.snapshot_share)

    def init_files(self, seed: int) -> tuple[str, ...]:
        """The agent files the learners start from (none: fresh weights)."""
        if self.init_from is None:
            return self.init
        seeds = self.init_seeds or tuple(seed + i for i in range(self.learners))
        return tuple(str(run_directory(self.init_from, s) / "agent_0.pt") for s in seeds)

    def frozen_files(self, seed: int) -> tuple[str, ...]:
        """The agent files of the frozen agents."""
        if self.frozen_from is None:
            return self.frozen
        seeds = self.frozen_seeds or (seed,)
        return tuple(str(run_directory(self.frozen_from, s) / "agent_0.pt") for s in seeds)


@dataclass(frozen=True)
class TrainConfig(RunDirectory):
    """A training run of recurrent in-context agents (``python -m baselines.train``)."""

    preset: str = "stage1"
    """Preset whose defaults to start from (``--help`` lists them; experiments name one)."""
    updates: int = 50_000
    """Number of updates (each: one batch of episodes per learner)."""
    batch_size: int = 2048
    """Episodes per learner per update."""
    device: str | None = None
    """torch device of the networks, the episodes' tensors and the loss: ``cpu``, ``cuda`` or
    ``cuda:N`` (the game stays NumPy on the CPU; evaluations play on the CPU). None means the
    CPU, as in every run recorded before this field (whether a CUDA device is present is
    checked when the trainer starts)."""
    run: Annotated[RunConfig, tyro.conf.arg(name="")] = field(default_factory=RunConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    algo: AlgoConfig = field(default_factory=AlgoConfig)
    pool: PoolConfig = field(default_factory=PoolConfig)

    UNSET_MEANT = {3: {"algo.overlap": False}}
    """Before schema 3 an unset ``algo.overlap`` meant on-policy
    (:func:`baselines.configs.unset_meant`)."""

    @property
    def overlapped(self) -> bool:
        """Whether the trainer overlaps rollout and learning (``algo.overlap``, resolved).

        Unset, it overlaps where that applies and has a core to run on: on the CPU, with
        ``run.threads`` of 2 or more (the actor takes one), without random pairing or snapshots.
        """
        if self.algo.overlap is not None:
            return self.algo.overlap
        population = self.pool.random_pairing or self.pool.snapshot_every is not None
        cpu = self.device in (None, "cpu")
        return not population and cpu and self.run.threads >= 2

    def resolved(self) -> TrainConfig:
        """This config with ``algo.overlap`` set to what the trainer does (what a run records)."""
        if self.algo.overlap is not None:
            return self
        return with_overrides(self, {"algo.overlap": self.overlapped})

    def __post_init__(self) -> None:
        check_fields(self)
        check_positive(self.updates, "updates", integer=True)
        if self.device is not None and not DEVICE.fullmatch(self.device):
            raise ValueError(f"device must be 'cpu', 'cuda' or 'cuda:N'; got {self.device!r}")
        check_batch(self.batch_size, self.run.num_rounds, "batch_size")
        if self.run.game in CONTRACT_GAMES:
            raise ValueError(
                f"game {self.run.game!r} is not a 2x2 matrix game: train it with its own presets "
                f"(e.g. stage1_{self.run.game}_fast; baselines.general)"
            )
        if self.algo.algo == "ppo" and self.batch_size % self.algo.ppo_minibatches:
            raise ValueError(
                f"batch_size ({self.batch_size}) must be divisible by algo.ppo_minibatches "
                f"({self.algo.ppo_minibatches}): PPO minibatches are whole episodes"
            )
        pairs = 1 if self.pool.random_pairing else self.pool.learners - 1
        if pairs and self.learner_episodes % pairs:
            raise ValueError(
                f"each learner's {self.learner_episodes} learner-vs-learner episodes must split "
                f"evenly over the {pairs} other learners"
            )
        population = self.pool.random_pairing or self.pool.snapshot_every is not None
        if self.algo.overlap and population:
            raise ValueError(
                "algo.overlap does not support pool.pairing='random' or snapshots (the next "
                "update's layout is drawn with its games); unset algo.overlap"
            )
        if self.policy.co_player_id and self.pool.finite_state_fraction:
            raise ValueError(
                "policy.co_player_id needs co-players with a log-policy ID; the random "
                "finite-state co-players of pool.finite_state_fraction have none: set one to "
                "false/0"
            )
        if self.policy.arch == "transformer" and self.policy.max_rounds < self.run.num_rounds:
            raise ValueError(
                f"policy.max_rounds ({self.policy.max_rounds}) must cover num_rounds "
                f"({self.run.num_rounds})"
            )

    @property
    def tabular_episodes(self) -> int:
        """Episodes per learner and update against tabular co-players."""
        return round(self.batch_size * self.pool.tabular_fraction)

    @property
    def frozen_episodes(self) -> int:
        """Episodes per learner and update against frozen agents."""
        return round(self.batch_size * self.pool.frozen_fraction)

    @property
    def snapshot_episodes(self) -> int:
        """Episodes per learner and update against a snapshot."""
        return round(self.batch_size * self.pool.snapshot_share)

    @property
    def learner_episodes(self) -> int:
        """Episodes per learner and update against other learners."""
        alone = self.tabular_episodes + self.frozen_episodes + self.snapshot_episodes
        return self.batch_size - alone

    @property
    def games_per_update(self) -> int:
        """Games simulated per update (a learner-vs-learner game serves two learners)."""
        n = self.pool.learners
        alone = self.tabular_episodes + self.frozen_episodes + self.snapshot_episodes
        return n * alone + n * self.learner_episodes // 2

    @property
    def env_steps_per_update(self) -> int:
        """Agent-steps learned from per update (episodes x rounds x learners)."""
        return self.pool.learners * self.batch_size * self.run.num_rounds


# ------------------------------------------------------------------------------------ presets
PAPER: dict[str, dict[str, Any]] = {
    "stage1": {},
    "stage2": {
        "updates": 100_000,
        "algo.normalize_advantage": False,
        "algo.reward_scale": 0.05,
        "algo.gae_lambda": 1.0,
        "pool.tabular_fraction": 0.0,
        "pool.frozen_from": "stage1",
        "pool.frozen_fraction": 1.0,
    },
    "stage3": {
        "updates": 10_000,
        "batch_size": 4096,
        "algo.reward_scale": 0.02,
        "algo.gae_lambda": 0.95,
        "algo.lr": 5e-4,
        "pool.learners": 2,
        "pool.tabular_fraction": 0.0,
        "pool.init_from": "stage2",
    },
    "mixed_pool": {
        "updates": 200_000,
        "batch_size": 4096,
        "algo.reward_scale": 0.02,
        "algo.gae_lambda": 1.0,
        "algo.entropy_coef": 0.01,
        "algo.lr": 1e-3,
        "pool.learners": 2,
        "pool.tabular_fraction": 0.5,
    },
}
PAPER["id_ablation"] = {**PAPER["mixed_pool"], "policy.co_player_id": True}
PAPER["no_tabular"] = {**PAPER["mixed_pool"], "pool.tabular_fraction": 0.0}
"""The paper's experiments (Weis et al. 2026, §3, §4) as settings over the field defaults,
which are its stage 1."""

CPU_BUDGET = {"batch_size": 512, "policy.hidden": 64}
"""The ``*_cpu`` deviation of a paper preset: GRU-64, 512 episodes per update, fewer updates
and a time cap (everything else stays the paper's)."""


def _cpu(updates: int, minutes: float) -> dict[str, Any]:
    return {**CPU_BUDGET, "updates": updates, "time_limit": minutes, "eval.every": updates // 50}


STAGE1_RECIPE = {
    "updates": 8_000,
    "batch_size": 256,
    "time_limit": 25,
    "policy.hidden": 32,
    "algo.entropy_coef": 0.01,
    "algo.entropy_coef_final": 0.001,
    "algo.gae_lambda": 0.95,
    "pool.tabular_concentration": 0.01,
    "pool.tabular_uniform_fraction": 0.5,
    "eval.every": 150,
    "eval.episodes": 2048,
}
"""The CPU recipe for stage 1 (docs/reproduction.md): the paper's A2C loss and learning rate;
half the tabular co-players near-deterministic (Beta(0.01, 0.01)), half the paper's U(0, 1);
GRU-32; 256 episodes per update; entropy 0.01 annealed to 0.001; GAE lambda 0.95. Evaluations
use 2,048 episodes per co-player: 256 are too few to resolve the criterion's 1.0 threshold
against random tabular co-players."""

MIXED_POOL_RECIPE = {
    "updates": 3_000,
    "batch_size": 256,
    "time_limit": 30,
    "policy.hidden": 32,
    "algo.lr": 5e-4,
    "algo.entropy_coef": 0.03,
    "algo.entropy_coef_final": 0.003,
    "algo.gae_lambda": 1.0,
    "algo.reward_scale": 0.2,
    "pool.tabular_fraction": 0.75,
    "pool.tabular_concentration": 0.01,
    "pool.tabular_uniform_fraction": 0.5,
    "pool.init_from": "stage1_fast",
    "eval.every": 100,
    "eval.episodes": 2048,
}
"""The CPU recipe for the mixed pool: a curriculum — the learners start from two seeds' stage-1
recipe agents — then the paper's mixed pool with a quarter of each learner's episodes against
the other learner (paper: half), the stage-1 recipe's tabular mixture, GRU-32, 256 episodes per
update, lr 5e-4, entropy 0.03 annealed to 0.003, reward scale 0.2 (GAE lambda 1: the paper's)."""

POPULATION_RECIPE = {
    **MIXED_POOL_RECIPE,
    "time_limit": 60,
    "pool.learners": 4,
    "pool.pairing": "random",
}
"""The mixed pool as a population (issue 31): four learners, from four seeds' stage-1 recipe
agents, each update paired at random (a fresh perfect matching), so no learner can settle on a
convention with one fixed partner; the rest is MIXED_POOL_RECIPE. An hour's budget (the issue's
bound per seed) because each update plays twice the mixed pool's episodes."""

STAGE2_RECIPE = {
    **{k: v for k, v in STAGE1_RECIPE.items() if k.startswith("algo.")},
    "algo.normalize_advantage": True,
    "algo.reward_scale": 0.2,
    "updates": 3_000,
    "batch_size": 256,
    "time_limit": 20,
    "policy.hidden": 32,
    "pool.frozen_from": "stage1_fast",
    "eval.every": 100,
    "eval.episodes": 2048,
}
"""Stage 2 under the CPU recipe: a fresh learner against a frozen ``stage1_fast`` agent only
(the paper's pool), with the stage-1 recipe's optimisation (advantage normalisation, reward scale
0.2, entropy 0.01 annealed to 0.001, GAE lambda 0.95; the paper's stage 2: none, 0.05, 0.001,
1), GRU-32 and 256 episodes per update."""

STAGE3_RECIPE = {
    "updates": 2_000,
    "batch_size": 256,
    "time_limit": 20,
    "policy.hidden": 32,
    "pool.init_from": "stage2_fast",
    "eval.every": 100,
    "eval.episodes": 2048,
}
"""Stage 3 under the CPU recipe: two ``stage2_fast`` exploiters trained against each other with
the paper's stage-3 optimisation; GRU-32 and 256 episodes per update (paper: 4,096)."""

RECIPES: dict[str, tuple[str, dict[str, Any]]] = {
    "stage1_cpu": ("stage1", _cpu(8_000, 30)),
    "stage2_cpu": ("stage2", {**_cpu(4_000, 20), "pool.frozen_from": "stage1_cpu"}),
    "stage3_cpu": ("stage3", {**_cpu(2_000, 20), "pool.init_from": "stage2_cpu"}),
    "mixed_pool_cpu": ("mixed_pool", _cpu(10_000, 60)),
    "id_ablation_cpu": ("id_ablation", _cpu(10_000, 60)),
    "no_tabular_cpu": ("no_tabular", _cpu(10_000, 60)),
    "stage1_fast": ("stage1", STAGE1_RECIPE),
    "stage1_fast_id": ("stage1", {**STAGE1_RECIPE, "policy.co_player_id": True}),
    "stage2_fast": ("stage2", STAGE2_RECIPE),
    "stage3_fast": ("stage3", STAGE3_RECIPE),
    "mixed_pool_fast": ("mixed_pool", MIXED_POOL_RECIPE),
    "id_ablation_fast": (
        "id_ablation",
        {**MIXED_POOL_RECIPE, "pool.init_from": "stage1_fast_id"},
    ),
    "no_tabular_fast": ("no_tabular", {**MIXED_POOL_RECIPE, "pool.tabular_fraction": 0.0}),
    "population_fast": ("mixed_pool", POPULATION_RECIPE),
    "population8_fast": (
        "mixed_pool",
        # eight learners: each evaluation plays eleven opponents per learner, so half as often
        {**POPULATION_RECIPE, "pool.learners": 8, "eval.every": 200},
    ),
    "population_no_tabular_fast": (
        "no_tabular",
        {**POPULATION_RECIPE, "pool.tabular_fraction": 0.0},
    ),
    "population_id_ablation_fast": (
        "id_ablation",
        {**POPULATION_RECIPE, "pool.init_from": "stage1_fast_id"},
    ),
    "smoke": (
        "stage1",
        {
            "updates": 3,
            "batch_size": 16,
            "num_rounds": 10,
            "policy.hidden": 16,
            "policy.embed": 8,
            "eval.every": 2,
            "eval.episodes": 16,
        },
    ),
}
"""Every other preset: ``name -> (paper preset, deviations from it)``. ``*_cpu``: the paper's
recipe on a CPU budget; ``*_fast``: the CPU recipes found by measurement; ``smoke``: seconds."""


def deviations(name: str) -> tuple[str, dict[str, Any]]:
    """``(paper preset, settings changed from it)`` of preset ``name``.

    A paper preset is itself with no changes.
    """
    if name in PAPER:
        return name, {}
    if name not in RECIPES:
        raise ConfigError(f"unknown preset {name!r}; known: {', '.join(PRESET_NAMES)}")
    return RECIPES[name]


def preset(name: str) -> TrainConfig:
    """The preset ``name``.

    Raises:
        ValueError: For an unknown name (the message lists the known ones).
    """
    base, changes = deviations(name)
    config = with_overrides(TrainConfig(preset=name), PAPER[base])
    return with_overrides(config, changes)


PRESET_NAMES: tuple[str, ...] = (*PAPER, *RECIPES)
"""Every preset's name."""
PRESETS: dict[str, TrainConfig] = {name: preset(name) for name in PRESET_NAMES}
"""Every preset by name."""


# ---------------------------------------------------------------------------- old schemas
RETIRED = {
    "bf16": False,
    "algo.lr_final": None,
    "pool.tabular_concentration_final": None,
}
"""Settings of schema 1 that schema 2 no longer has, with the value that meant "off"."""


def migrate(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A schema-1 ``TrainConfig`` dict (the flat layout before the run skeleton) in schema 2.

    Returns:
        ``(config, retired)``: the dict :func:`~baselines.configs.from_dict` reads, and the
        settings of the old run that schema 2 cannot express, where they were not off (a run
        with any cannot be re-run or resumed by this version; its recorded commit can).
    """
    return migrate_run_fields(data, RETIRED, drop={"pool.co_player_id"})
