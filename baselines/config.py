"""Training configuration: one frozen dataclass per concern, and the paper's presets.

Every field is a flag of ``python -m baselines.train`` (tyro turns the attribute docstrings into
``--help``); ``--preset NAME`` picks the defaults, and flags override them. Derived quantities
(episodes per update, games per update, environment steps) are properties, never flags.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from baselines.policies import PolicyConfig


def _positive(value: Any, name: str, integer: bool = False) -> None:
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not value > 0:
        what = "a positive int" if integer else "a positive number"
        raise ValueError(f"{name} must be {what}; got {value!r}")
    if not integer and not math.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")


def _nonnegative(value: Any, name: str, integer: bool = False) -> None:
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not value >= 0:
        what = "an int" if integer else "a number"
        raise ValueError(f"{name} must be {what} >= 0; got {value!r}")


def _unit(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be in [0, 1]; got {value!r}")


@dataclass(frozen=True)
class AlgoConfig:
    """The learning algorithm and its hyper-parameters (A2C defaults: the paper's stage 1)."""

    algo: Literal["a2c", "ppo"] = "a2c"
    """``a2c`` (the paper's) or ``ppo`` (clipped surrogate, several epochs per batch)."""
    lr: float = 5e-3
    """Adam learning rate."""
    lr_final: float | None = None
    """If set, the learning rate decays linearly to this by the last update."""
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

    def __post_init__(self) -> None:
        if self.algo not in ("a2c", "ppo"):
            raise ValueError(f"algo must be 'a2c' or 'ppo'; got {self.algo!r}")
        for name in ("lr", "adam_eps", "max_grad_norm", "reward_scale", "ppo_clip"):
            _positive(getattr(self, name), f"algo.{name}")
        if self.lr_final is not None:
            _positive(self.lr_final, "algo.lr_final")
        for name in ("gamma", "gae_lambda"):
            _unit(getattr(self, name), f"algo.{name}")
        for name in ("entropy_coef", "value_coef"):
            _nonnegative(getattr(self, name), f"algo.{name}")
        if self.entropy_coef_final is not None and self.entropy_coef_final < 0:
            raise ValueError(f"algo.entropy_coef_final must be >= 0; got {self.entropy_coef_final}")
        _positive(self.ppo_epochs, "algo.ppo_epochs", integer=True)
        _positive(self.ppo_minibatches, "algo.ppo_minibatches", integer=True)


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
    tabular_concentration_final: float | None = None
    """If set, the concentration moves geometrically to this by the last update (a
    curriculum from near-deterministic co-players to the paper's U(0, 1))."""
    tabular_uniform_fraction: float = 0.0
    """Share of the tabular co-players drawn from the paper's U(0, 1) whatever the
    concentration (a mixture of both distributions)."""
    frozen: tuple[str, ...] = ()
    """Checkpoints of frozen agents to play against (stage 2: the stage-1 agent)."""
    frozen_fraction: float = 0.0
    """Share of each learner's episodes against the frozen agents (split evenly among them)."""
    init: tuple[str, ...] = ()
    """Checkpoints to start the learners from, one per learner (stage 3), or none."""
    co_player_id: bool = False
    """Give learners the co-player's log-policy (zeros for learners and frozen agents)."""

    def __post_init__(self) -> None:
        _positive(self.learners, "pool.learners", integer=True)
        _unit(self.tabular_fraction, "pool.tabular_fraction")
        _unit(self.frozen_fraction, "pool.frozen_fraction")
        _positive(self.tabular_concentration, "pool.tabular_concentration")
        _unit(self.tabular_uniform_fraction, "pool.tabular_uniform_fraction")
        if self.tabular_concentration_final is not None:
            _positive(self.tabular_concentration_final, "pool.tabular_concentration_final")
        concentrated = (
            self.tabular_concentration != 1.0
            or self.tabular_concentration_final
            or self.tabular_uniform_fraction
        )
        if concentrated and not self.tabular.startswith("random_tabular"):
            raise ValueError(
                f"pool.tabular_concentration applies to random_tabular co-players; pool.tabular "
                f"is {self.tabular!r}"
            )
        if self.tabular_fraction + self.frozen_fraction > 1 + 1e-9:
            raise ValueError(
                f"pool.tabular_fraction + pool.frozen_fraction must be <= 1; got "
                f"{self.tabular_fraction} + {self.frozen_fraction}"
            )
        if self.frozen_fraction > 0 and not self.frozen:
            raise ValueError(
                "pool.frozen_fraction > 0 needs frozen agents: pass --pool.frozen PATH [PATH ...] "
                "(for stage2: the stage-1 agent, e.g. runs/stage1/agent_0.pt)"
            )
        if self.init and len(self.init) != self.learners:
            raise ValueError(
                f"pool.init needs one checkpoint per learner ({self.learners}); "
                f"got {len(self.init)}"
            )
        if self.learners == 1 and self.learner_fraction > 1e-9:
            raise ValueError(
                f"a single learner has no other learner to play: tabular_fraction + "
                f"frozen_fraction must be 1; got {self.tabular_fraction + self.frozen_fraction}"
            )

    @property
    def learner_fraction(self) -> float:
        """Share of each learner's episodes against the other learners."""
        return max(0.0, 1.0 - self.tabular_fraction - self.frozen_fraction)


@dataclass(frozen=True)
class EvalConfig:
    """Periodic evaluation on held-out co-players (never the training batch)."""

    every: int = 100
    """Updates between evaluations (and checkpoints)."""
    episodes: int = 256
    """Episodes per opponent."""
    seed: int = 2026
    """Seed of the evaluation games (the same every time, so curves compare like with like)."""

    def __post_init__(self) -> None:
        _positive(self.every, "eval.every", integer=True)
        _positive(self.episodes, "eval.episodes", integer=True)


@dataclass(frozen=True)
class TrainConfig:
    """A training run of recurrent in-context agents (``python -m baselines.train``)."""

    preset: str = "stage1"
    """Experiment whose defaults to start from: stage1, stage2, stage3, mixed_pool, id_ablation,
    no_tabular, or a ``*_cpu`` budget variant of each (see docs/reproduction.md)."""
    seed: int = 0
    """Seed of everything: weights, co-players, action sampling."""
    out: Path | None = None
    """Run directory (config, log, checkpoints, plots); default runs/<preset>_seed<seed>."""
    updates: int = 50_000
    """Number of updates (each: one batch of episodes per learner)."""
    batch_size: int = 2048
    """Episodes per learner per update."""
    num_rounds: int = 100
    """Rounds per episode."""
    game: str = "prisoners_dilemma"
    """Game name (see coop_envs.core.GAMES)."""
    time_limit: float | None = None
    """Stop after this many minutes of training (checkpointing first); None: no limit."""
    threads: int = 2
    """torch threads."""
    bf16: bool = False
    """bfloat16 autocast for the training forward/backward pass."""
    resume: bool = False
    """Continue the run in --out from its last checkpoint."""
    progress: bool = True
    """Show a progress bar."""
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    algo: AlgoConfig = field(default_factory=AlgoConfig)
    pool: PoolConfig = field(default_factory=PoolConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    def __post_init__(self) -> None:
        _positive(self.updates, "updates", integer=True)
        _positive(self.batch_size, "batch_size", integer=True)
        _positive(self.num_rounds, "num_rounds", integer=True)
        _positive(self.threads, "threads", integer=True)
        if self.time_limit is not None:
            _positive(self.time_limit, "time_limit")
        if self.algo.algo == "ppo" and self.batch_size % self.algo.ppo_minibatches:
            raise ValueError(
                f"batch_size ({self.batch_size}) must be divisible by algo.ppo_minibatches "
                f"({self.algo.ppo_minibatches}): PPO minibatches are whole episodes"
            )
        pairs = self.pool.learners - 1
        if pairs and self.learner_episodes % pairs:
            raise ValueError(
                f"each learner's {self.learner_episodes} learner-vs-learner episodes must split "
                f"evenly over the {pairs} other learners"
            )
        if self.policy.co_player_id != self.pool.co_player_id:
            raise ValueError(
                "policy.co_player_id and pool.co_player_id must agree (the ID ablation sets both)"
            )
        if self.policy.arch == "transformer" and self.policy.max_rounds < self.num_rounds:
            raise ValueError(
                f"policy.max_rounds ({self.policy.max_rounds}) must cover num_rounds "
                f"({self.num_rounds})"
            )

    @property
    def run_dir(self) -> Path:
        """Where the run's files go."""
        return self.out if self.out is not None else Path("runs") / f"{self.preset}_seed{self.seed}"

    @property
    def tabular_episodes(self) -> int:
        """Episodes per learner and update against tabular co-players."""
        return round(self.batch_size * self.pool.tabular_fraction)

    @property
    def frozen_episodes(self) -> int:
        """Episodes per learner and update against frozen agents."""
        return round(self.batch_size * self.pool.frozen_fraction)

    @property
    def learner_episodes(self) -> int:
        """Episodes per learner and update against other learners."""
        return self.batch_size - self.tabular_episodes - self.frozen_episodes

    @property
    def games_per_update(self) -> int:
        """Games simulated per update (a learner-vs-learner game serves two learners)."""
        n = self.pool.learners
        return n * (self.tabular_episodes + self.frozen_episodes) + n * self.learner_episodes // 2

    @property
    def env_steps_per_update(self) -> int:
        """Agent-steps learned from per update (episodes x rounds x learners)."""
        return self.pool.learners * self.batch_size * self.num_rounds


def _replace(config: Any, **changes: Any) -> Any:
    return dataclasses.replace(config, **changes)


STAGE1 = TrainConfig(
    preset="stage1",
    updates=50_000,
    batch_size=2048,
    algo=AlgoConfig(
        normalize_advantage=True, reward_scale=0.2, gae_lambda=0.99, entropy_coef=0.001, lr=5e-3
    ),
    pool=PoolConfig(learners=1, tabular_fraction=1.0),
)
STAGE2 = TrainConfig(
    preset="stage2",
    updates=100_000,
    batch_size=2048,
    algo=AlgoConfig(
        normalize_advantage=False, reward_scale=0.05, gae_lambda=1.0, entropy_coef=0.001, lr=5e-3
    ),
    pool=PoolConfig(
        learners=1,
        tabular_fraction=0.0,
        frozen=("runs/stage1_seed0/agent_0.pt",),
        frozen_fraction=1.0,
    ),
)
STAGE3 = TrainConfig(
    preset="stage3",
    updates=10_000,
    batch_size=4096,
    algo=AlgoConfig(
        normalize_advantage=True, reward_scale=0.02, gae_lambda=0.95, entropy_coef=0.001, lr=5e-4
    ),
    pool=PoolConfig(
        learners=2,
        tabular_fraction=0.0,
        init=("runs/stage2_seed0/agent_0.pt", "runs/stage2_seed1/agent_0.pt"),
    ),
)
MIXED_POOL = TrainConfig(
    preset="mixed_pool",
    updates=200_000,
    batch_size=4096,
    algo=AlgoConfig(
        normalize_advantage=True, reward_scale=0.02, gae_lambda=1.0, entropy_coef=0.01, lr=1e-3
    ),
    pool=PoolConfig(learners=2, tabular_fraction=0.5),
)
ID_ABLATION = _replace(
    MIXED_POOL,
    preset="id_ablation",
    policy=PolicyConfig(co_player_id=True),
    pool=_replace(MIXED_POOL.pool, co_player_id=True),
)
NO_TABULAR = _replace(
    MIXED_POOL,
    preset="no_tabular",
    pool=_replace(MIXED_POOL.pool, tabular_fraction=0.0),
)

PAPER_PRESETS: dict[str, TrainConfig] = {
    c.preset: c for c in (STAGE1, STAGE2, STAGE3, MIXED_POOL, ID_ABLATION, NO_TABULAR)
}
"""The paper's experiments with its hyper-parameters (Weis et al. 2026, §3, §4)."""


def cpu_variant(config: TrainConfig, updates: int, minutes: float) -> TrainConfig:
    """The CPU-budget deviation of a paper preset: GRU-64, 512 episodes per update, a time cap.

    Everything else (algorithm, rates, pool) stays the paper's.
    """
    name = f"{config.preset}_cpu"
    return _replace(
        config,
        preset=name,
        updates=updates,
        batch_size=512,
        time_limit=minutes,
        policy=_replace(config.policy, hidden=64),
        eval=EvalConfig(every=max(1, updates // 50)),
    )


CPU_PRESETS: dict[str, TrainConfig] = {
    "stage1_cpu": cpu_variant(STAGE1, updates=8_000, minutes=30),
    "stage2_cpu": _replace(
        cpu_variant(STAGE2, updates=4_000, minutes=20),
        pool=_replace(STAGE2.pool, frozen=("runs/stage1_cpu_seed0/agent_0.pt",)),
    ),
    "stage3_cpu": _replace(
        cpu_variant(STAGE3, updates=2_000, minutes=20),
        pool=_replace(
            STAGE3.pool,
            init=("runs/stage2_cpu_seed0/agent_0.pt", "runs/stage2_cpu_seed1/agent_0.pt"),
        ),
    ),
    "mixed_pool_cpu": cpu_variant(MIXED_POOL, updates=10_000, minutes=60),
    "id_ablation_cpu": cpu_variant(ID_ABLATION, updates=10_000, minutes=60),
    "no_tabular_cpu": cpu_variant(NO_TABULAR, updates=10_000, minutes=60),
}
"""CPU-budget variants (a deviation from the paper: smaller network, batch and run)."""

STAGE1_FAST = _replace(
    STAGE1,
    preset="stage1_fast",
    updates=8_000,
    batch_size=256,
    time_limit=25,
    policy=PolicyConfig(hidden=32),
    algo=_replace(STAGE1.algo, entropy_coef=0.01, entropy_coef_final=0.001, gae_lambda=0.95),
    pool=_replace(STAGE1.pool, tabular_concentration=0.01, tabular_uniform_fraction=0.5),
    eval=EvalConfig(every=150, episodes=2048),
)
"""The CPU recipe for stage 1 (docs/reproduction.md): the paper's A2C loss and learning rate, and
these deviations: half of the tabular co-players drawn from Beta(0.01, 0.01) (near-deterministic
memory-one strategies) and half from the paper's U(0, 1); GRU-32; 256 episodes per update;
entropy 0.01 annealed to 0.001; GAE lambda 0.95. Evaluations use 2,048 episodes per co-player:
with 256 the held-out tabular set is too small a sample for the criterion's 1.0 threshold."""

STAGE1_FAST_ID = _replace(
    STAGE1_FAST,
    preset="stage1_fast_id",
    policy=_replace(STAGE1_FAST.policy, co_player_id=True),
    pool=_replace(STAGE1_FAST.pool, co_player_id=True),
)
"""Stage 1 of the opponent-ID ablation under the CPU recipe: the co-player's log-policy is
given (stage 1 is only tabular co-players, so it is always known)."""

MIXED_POOL_FAST = _replace(
    MIXED_POOL,
    preset="mixed_pool_fast",
    updates=3_000,
    batch_size=256,
    time_limit=30,
    policy=PolicyConfig(hidden=32),
    algo=_replace(
        MIXED_POOL.algo,
        lr=5e-4,
        entropy_coef=0.03,
        entropy_coef_final=0.003,
        gae_lambda=1.0,
        reward_scale=0.2,
    ),
    pool=_replace(
        MIXED_POOL.pool,
        tabular_fraction=0.75,
        tabular_concentration=0.01,
        tabular_uniform_fraction=0.5,
        init=("runs/stage1_fast_seed0/agent_0.pt", "runs/stage1_fast_seed1/agent_0.pt"),
    ),
    eval=EvalConfig(every=100, episodes=2048),
)
"""The CPU recipe for the mixed pool (docs/reproduction.md): a curriculum — both learners start
from stage-1 CPU-recipe agents (two seeds) — then the paper's mixed pool with these deviations:
a quarter of each learner's episodes against the other learner (paper: half), the stage-1
recipe's tabular mixture, GRU-32, 256 episodes per update, learning rate 5e-4, entropy 0.03
annealed to 0.003, GAE lambda 1 (the paper's), reward scale 0.2."""

ID_ABLATION_FAST = _replace(
    MIXED_POOL_FAST,
    preset="id_ablation_fast",
    policy=_replace(MIXED_POOL_FAST.policy, co_player_id=True),
    pool=_replace(
        MIXED_POOL_FAST.pool,
        co_player_id=True,
        init=("runs/stage1_fast_id_seed0/agent_0.pt", "runs/stage1_fast_id_seed1/agent_0.pt"),
    ),
)
"""The opponent-ID ablation under the mixed-pool CPU recipe (stage-1 agents trained with IDs)."""

NO_TABULAR_FAST = _replace(
    MIXED_POOL_FAST,
    preset="no_tabular_fast",
    pool=_replace(MIXED_POOL_FAST.pool, tabular_fraction=0.0),
)
"""The no-tabular ablation under the mixed-pool CPU recipe (same stage-1 agents)."""

STAGE2_FAST = _replace(
    STAGE2,
    preset="stage2_fast",
    updates=3_000,
    batch_size=256,
    time_limit=20,
    policy=PolicyConfig(hidden=32),
    algo=STAGE1_FAST.algo,
    pool=_replace(STAGE2.pool, frozen=("runs/stage1_fast_seed0/agent_0.pt",)),
    eval=EvalConfig(every=100, episodes=2048),
)
"""Stage 2 under the CPU recipe: a fresh learner against a frozen ``stage1_fast`` agent only
(the paper's pool), with the stage-1 recipe's optimisation (advantage normalisation, reward scale
0.2, entropy 0.01 annealed to 0.001, GAE lambda 0.95; the paper's stage 2: no normalisation,
reward scale 0.05, entropy 0.001, lambda 1), GRU-32 and 256 episodes per update."""

STAGE3_FAST = _replace(
    STAGE3,
    preset="stage3_fast",
    updates=2_000,
    batch_size=256,
    time_limit=20,
    policy=PolicyConfig(hidden=32),
    pool=_replace(
        STAGE3.pool,
        init=("runs/stage2_fast_seed0/agent_0.pt", "runs/stage2_fast_seed1/agent_0.pt"),
    ),
    eval=EvalConfig(every=100, episodes=2048),
)
"""Stage 3 under the CPU recipe: two ``stage2_fast`` exploiters trained against each other with
the paper's stage-3 optimisation; GRU-32 and 256 episodes per update (paper: 4,096)."""

FAST_PRESETS: dict[str, TrainConfig] = {
    c.preset: c
    for c in (
        STAGE1_FAST,
        STAGE1_FAST_ID,
        STAGE2_FAST,
        STAGE3_FAST,
        MIXED_POOL_FAST,
        ID_ABLATION_FAST,
        NO_TABULAR_FAST,
    )
}
"""Recipes found by measurement for a CPU budget (deviations stated in each docstring)."""

SMOKE = _replace(
    STAGE1,
    preset="smoke",
    updates=3,
    batch_size=16,
    num_rounds=10,
    policy=PolicyConfig(hidden=16, embed=8),
    eval=EvalConfig(every=2, episodes=16),
)

PRESETS: dict[str, TrainConfig] = {**PAPER_PRESETS, **CPU_PRESETS, **FAST_PRESETS, "smoke": SMOKE}
"""Every preset by name."""


def preset(name: str) -> TrainConfig:
    """The preset ``name``.

    Raises:
        ValueError: For an unknown name (the message lists the known ones).
    """
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None


def config_to_dict(config: Any) -> dict[str, Any]:
    """JSON-friendly form of a (nested) config."""
    return json_ready(dataclasses.asdict(config))


def json_ready(value: Any) -> Any:
    """Paths to strings and tuples to lists, recursively."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def config_from_dict(data: dict[str, Any]) -> TrainConfig:
    """Rebuild a :class:`TrainConfig` from :func:`config_to_dict` output."""
    data = dict(data)
    data["out"] = None if data["out"] is None else Path(data["out"])
    data["policy"] = PolicyConfig(**data["policy"])
    data["algo"] = AlgoConfig(**data["algo"])
    pool = dict(data["pool"])
    pool["frozen"] = tuple(pool["frozen"])
    pool["init"] = tuple(pool["init"])
    data["pool"] = PoolConfig(**pool)
    data["eval"] = EvalConfig(**data["eval"])
    return TrainConfig(**data)
