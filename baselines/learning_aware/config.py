"""Learning-aware run configurations and presets (``python -m baselines.train --preset NAME``).

Three algorithms, each a config class and an :class:`~baselines.run.Algorithm`
(:mod:`.trainer`):

- :class:`ExactConfig`: two memory-one learners updated with exact gradients of the closed-form
  discounted value (:mod:`.exact`): naive learners, LOLA (Foerster et al. 2018), or the exact
  look-ahead; presets ``naive_exact``, ``lola_exact``, ``lola_naive_exact``;
- :class:`DiceConfig`: the same learners on sampled episodes with the DiCE estimator
  (:mod:`.dice`); presets ``naive_dice``, ``lola_dice``;
- :class:`MFOSConfig`: M-FOS, a PPO meta-agent shaping naive learners (:mod:`.mfos`); presets
  ``mfos`` (the authors' IPD budget) and ``mfos_cpu`` (minutes on a CPU);
- :class:`CoalaConfig`: COALA-PG, a GRU agent over meta-trajectories against naive learners and
  copies of itself (:mod:`.coala`); preset ``coala_cpu`` (our CPU budget).

Field defaults are the papers' IPD settings: LOLA's exact version (discount 0.96, learning rate 1,
logits drawn from N(0, 1)); LOLA-DiCE (Foerster et al. 2018b: episodes of 150 rounds, 128 per
batch, outer learning rate 0.2, look-ahead 0.3, discount 0.96, 200 updates); M-FOS (Lu et al. 2022,
its code: 4,096 meta-episodes at once, 100 inner games each, 1,024 PPO updates at lr 0.002,
discount 0.99, 4 epochs, clip 0.2, entropy 0.01, tanh-256 networks; naive learners with learning
rate 1, discount 0.96).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import tyro

from baselines.configs import (
    ConfigError,
    check_fields,
    check_nonnegative,
    check_positive,
    check_unit,
    with_overrides,
)
from baselines.learning_aware.exact import RULES, check_horizon
from baselines.run import EvalConfig, RunConfig, RunDirectory, run_directory
from coop_envs.core import check_batch


def _la_run() -> RunConfig:
    # one torch thread: the tensors are tiny, and a second thread only adds contention
    return RunConfig(threads=1, eval=EvalConfig(every=20, episodes=256))


def _coala_run() -> RunConfig:
    return RunConfig(threads=1, eval=EvalConfig(every=25, episodes=256))


def _check_rules(rules: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    if len(rules) != 2 or any(r not in allowed for r in rules):
        raise ValueError(
            f"rules must be two learning rules, one per learner, from {', '.join(allowed)}; "
            f"got {rules!r}"
        )


@dataclass(frozen=True)
class ExactConfig(RunDirectory):
    """Two memory-one learners with exact gradients of the discounted value."""

    preset: str = "lola_exact"
    """Preset whose defaults to start from (``--help`` lists them)."""
    rules: tuple[str, ...] = ("lola", "lola")
    """Learning rule of learner 0 and of learner 1: ``naive``, ``lola`` or ``lookahead``."""
    steps: int = 200
    """Simultaneous updates of both learners."""
    lr: float = 1.0
    """Learning rate on the total discounted return (LOLA's exact IPD: 1)."""
    eta: float = 1.0
    """The co-player's learning rate a LOLA learner anticipates."""
    discount: float = 0.96
    """Discount of the inner game (LOLA, M-FOS: 0.96)."""
    horizon: int | None = None
    """Rounds of the inner game; None: infinitely repeated (the papers')."""
    init_std: float = 1.0
    """Standard deviation of the initial logits (drawn from N(0, std²))."""
    run: Annotated[RunConfig, tyro.conf.arg(name="")] = field(default_factory=_la_run)

    def __post_init__(self) -> None:
        if isinstance(self.rules, list):
            object.__setattr__(self, "rules", tuple(self.rules))
        check_fields(self)
        _check_rules(self.rules, RULES)
        check_positive(self.steps, "steps", integer=True)
        check_positive(self.lr, "lr")
        check_nonnegative(self.eta, "eta")
        check_nonnegative(self.init_std, "init_std")
        check_horizon(self.discount, self.horizon)


@dataclass(frozen=True)
class DiceConfig(RunDirectory):
    """Two memory-one learners on sampled episodes with the DiCE estimator."""

    preset: str = "lola_dice"
    """Preset whose defaults to start from."""
    rules: tuple[str, ...] = ("lola", "lola")
    """Learning rule of learner 0 and of learner 1: ``naive`` (REINFORCE) or ``lola``."""
    updates: int = 200
    """Simultaneous updates of both learners."""
    batch: int = 128
    """Episodes sampled per estimate."""
    rollout_rounds: int = 150
    """Rounds of each sampled episode (the evaluation plays ``num_rounds``)."""
    lr: float = 0.2
    """Outer learning rate."""
    inner_lr: float = 0.3
    """The co-player's learning rate a LOLA-DiCE learner anticipates."""
    discount: float = 0.96
    """Discount of the sampled returns."""
    baseline: bool = True
    """Use the batch-mean baseline term (Mao et al. 2019)."""
    init_std: float = 1.0
    """Standard deviation of the initial logits."""
    run: Annotated[RunConfig, tyro.conf.arg(name="")] = field(default_factory=_la_run)

    def __post_init__(self) -> None:
        if isinstance(self.rules, list):
            object.__setattr__(self, "rules", tuple(self.rules))
        check_fields(self)
        _check_rules(self.rules, ("naive", "lola"))
        for name in ("updates", "batch", "rollout_rounds"):
            check_positive(getattr(self, name), name, integer=True)
        check_positive(self.lr, "lr")
        check_nonnegative(self.inner_lr, "inner_lr")
        check_unit(self.discount, "discount")
        check_nonnegative(self.init_std, "init_std")
        check_batch(self.batch, self.rollout_rounds, "batch")


@dataclass(frozen=True)
class MFOSConfig(RunDirectory):
    """M-FOS: a PPO meta-agent choosing its memory-one policy against naive learners."""

    preset: str = "mfos"
    """Preset whose defaults to start from."""
    meta_episodes: int = 1024
    """PPO updates, one per batch of meta-episodes."""
    batch: int = 4096
    """Meta-episodes played at once (each against its own naive learner)."""
    meta_steps: int = 100
    """Inner games (naive-learner updates) per meta-episode."""
    learner_lr: float = 1.0
    """The naive learners' learning rate."""
    discount: float = 0.96
    """Discount of the inner game (infinitely repeated, exact values)."""
    lr: float = 0.002
    """Adam learning rate of the meta-agent."""
    gamma: float = 0.99
    """Discount over meta-steps."""
    epochs: int = 4
    """PPO epochs per update (full batch)."""
    clip: float = 0.2
    """PPO clip range."""
    entropy: float = 0.01
    """Entropy bonus."""
    hidden: int = 256
    """Width of the actor's and the critic's tanh layer."""
    run: Annotated[RunConfig, tyro.conf.arg(name="")] = field(default_factory=_la_run)

    def __post_init__(self) -> None:
        check_fields(self)
        for name in ("meta_episodes", "batch", "meta_steps", "epochs", "hidden"):
            check_positive(getattr(self, name), name, integer=True)
        for name in ("learner_lr", "lr", "clip"):
            check_positive(getattr(self, name), name)
        check_nonnegative(self.entropy, "entropy")
        check_unit(self.gamma, "gamma")
        check_horizon(self.discount, None)


@dataclass(frozen=True)
class CoalaConfig(RunDirectory):
    """COALA-PG: a GRU agent over meta-trajectories against naive learners and copies of itself."""

    preset: str = "coala_cpu"
    """Preset whose defaults to start from."""
    updates: int = 400
    """Agent updates, one per batch of meta-trajectories."""
    co_players: int = 16
    """Naive learners per update (each plays ``streams`` inner episodes at once)."""
    streams: int = 16
    """B: inner episodes a naive learner plays at once and learns from."""
    self_play: int = 128
    """Agent-vs-copy pairs per update (the learning-aware half of the pool)."""
    inner_episodes: int = 8
    """M: inner episodes per meta-trajectory (each ``num_rounds`` rounds)."""
    co_player_lr: float = 1.0
    """The naive learners' learning rate on their mean reward per round."""
    co_player_init_std: float = 1.0
    """Standard deviation of the naive learners' initial logits."""
    lr: float = 3e-3
    """Adam learning rate of the agent."""
    entropy: float = 0.01
    """Entropy bonus."""
    discount: float = 0.99
    """Discount per round of the agent's returns, over the whole meta-trajectory."""
    clip: float = 1.0
    """Gradient-norm clip."""
    hidden: int = 32
    """GRU hidden units."""
    embed: int = 32
    """Width of the input embedding."""
    eval_co_players: int = 32
    """Naive learners in an evaluation's meta-trajectories (and as many self-play pairs)."""
    init_from: str | None = "stage1_fast"
    """Start from the first agent of run ``runs/<init_from>_seed<seed>/agent_0.pt`` (a GRU of
    ``hidden`` units and ``embed`` wide; copy ``docs/results/stage1/fast/seed<S>/agent_0.pt``
    there first); None: fresh weights."""
    coupling: bool | None = None
    """Credit an action in a naive learner's stream with the other streams' later returns
    (COALA-PG's term); False: the plain policy gradient against the same pool (a control).
    None means True (runs recorded before this field)."""
    learner_critic: bool | None = None
    """Estimate COALA-PG's coupled term through the naive learners' logits (a least-squares
    critic of the other streams' later returns, :func:`~baselines.learning_aware.coala.
    learner_critic_term`) instead of the sampled returns. False: the sampled term. None means
    False (runs recorded before this field)."""
    overlap: bool | None = None
    """Play the next update's meta-trajectories on a second thread, with the weights before this
    update's step, while this update learns (one-step-stale, as the in-context trainer's
    ``algo.overlap``); the learner gets ``run.threads - 1`` torch threads (at least 1). False: on
    policy, one after the other. None means False (runs recorded before this field)."""
    run: Annotated[RunConfig, tyro.conf.arg(name="")] = field(default_factory=_coala_run)

    def __post_init__(self) -> None:
        check_fields(self)
        if self.init_from is not None and (
            not isinstance(self.init_from, str) or not self.init_from
        ):
            raise TypeError(f"init_from must be a run name or None; got {self.init_from!r}")
        for name in (
            "updates",
            "streams",
            "inner_episodes",
            "hidden",
            "embed",
            "eval_co_players",
        ):
            check_positive(getattr(self, name), name, integer=True)
        for name in ("co_players", "self_play"):
            check_nonnegative(getattr(self, name), name, integer=True)
        for name in ("overlap", "learner_critic"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be a bool or None; got {getattr(self, name)!r}")
        if not self.co_players and not self.self_play:
            raise ValueError("co_players and self_play are both 0: nothing to play against")
        for name in ("lr", "clip"):
            check_positive(getattr(self, name), name)
        for name in ("co_player_lr", "co_player_init_std", "entropy"):
            check_nonnegative(getattr(self, name), name)
        check_unit(self.discount, "discount")
        if self.run.game != "prisoners_dilemma":
            raise ValueError(
                "COALA-PG is implemented for the prisoner's dilemma only; got game "
                f"{self.run.game!r}"
            )

    def init_file(self) -> Path | None:
        """The agent file the agent starts from (None: fresh weights)."""
        if self.init_from is None:
            return None
        return run_directory(self.init_from, self.run.seed) / "agent_0.pt"


LearningAwareConfig = ExactConfig | DiceConfig | MFOSConfig | CoalaConfig
"""Any learning-aware run configuration."""

# ------------------------------------------------------------------------------------ presets
LA_PAPER: dict[str, tuple[type, dict[str, Any]]] = {
    "naive_exact": (ExactConfig, {"rules": ("naive", "naive")}),
    "lola_exact": (ExactConfig, {}),
    "lola_naive_exact": (ExactConfig, {"rules": ("lola", "naive")}),
    "naive_dice": (DiceConfig, {"rules": ("naive", "naive")}),
    "lola_dice": (DiceConfig, {}),
    "mfos": (MFOSConfig, {}),
}
"""The papers' IPD settings: ``name -> (config class, settings over its defaults)``."""

LA_RECIPES: dict[str, tuple[str, dict[str, Any]]] = {
    "mfos_cpu": ("mfos", {"meta_episodes": 150, "batch": 256, "eval.every": 10}),
}
"""CPU recipes: ``name -> (paper preset, deviations)``. ``mfos_cpu``: 256 meta-episodes at once
(paper: 4,096) and 150 PPO updates (paper: 1,024), about a minute on two shared cores."""

LA_OWN: dict[str, tuple[type, dict[str, Any]]] = {
    "coala_cpu": (CoalaConfig, {}),
}
"""Presets with no paper setting to deviate from: ``coala_cpu`` is our CPU-budget COALA-PG (the
paper's IPD hyper-parameters are not in our reference notes; docs/learning_aware.md)."""

LA_PRESET_NAMES: tuple[str, ...] = (*LA_PAPER, *LA_RECIPES, *LA_OWN)
"""Every learning-aware preset's name."""


def la_deviations(name: str) -> tuple[str, dict[str, Any]]:
    """``(paper preset, settings changed from it)`` of learning-aware preset ``name``."""
    if name in LA_PAPER or name in LA_OWN:
        return name, {}
    if name not in LA_RECIPES:
        raise ConfigError(
            f"unknown learning-aware preset {name!r}; known: {', '.join(LA_PRESET_NAMES)}"
        )
    return LA_RECIPES[name]


def la_preset(name: str) -> LearningAwareConfig:
    """The learning-aware preset ``name``.

    Raises:
        ConfigError: For an unknown name (listing the known ones).
    """
    base, changes = la_deviations(name)
    cls, settings = {**LA_PAPER, **LA_OWN}[base]
    return with_overrides(with_overrides(cls(preset=name), settings), changes)
