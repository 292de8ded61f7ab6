"""PPI run configuration and presets (``python -m baselines.train --preset ppi_*``).

Every field is a flag of ``python -m baselines.train`` when the preset is a PPI one (the run
settings of :class:`~baselines.run.RunConfig` without a prefix). The paper's presets (Weis et
al. 2026, §3) keep its budget — 200,000 pre-training games, 30 phases of 20,000 games, the model
re-initialised and retrained for 10 epochs on all data each phase; the ``*_cpu`` presets are the
CPU recipe, a documented deviation (:data:`PPI_RECIPE`; docs/ppi.md gives the reasons).
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
    flatten,
    migrate_run_fields,
    to_dict,
    with_overrides,
)
from baselines.ppi.model import ModelConfig
from baselines.ppi.planner import PlanningConfig
from baselines.run import EvalConfig, RunConfig, RunDirectory
from coop_envs.core import check_batch


@dataclass(frozen=True)
class FitConfig:
    """How the sequence model is (re)trained each phase (defaults: the paper's)."""

    lr: float = 1e-4
    """AdamW learning rate."""
    weight_decay: float = 1e-2
    """AdamW weight decay."""
    beta1: float = 0.9
    """AdamW beta1."""
    beta2: float = 0.98
    """AdamW beta2."""
    batch_size: int = 256
    """Episodes per gradient step."""
    epochs: int = 10
    """Passes over the dataset per phase."""
    pretrain_epochs: int = 10
    """Passes over the pre-training games before the first phase."""
    max_grad_norm: float = 1.0
    """Gradient-norm clip."""
    from_scratch: bool = True
    """Re-initialise the model before each phase's training (the paper); False continues from
    the previous phase's weights (cheaper: a documented deviation)."""
    subsample: int | None = None
    """If set, each phase trains on the pre-training games plus at most this many phase
    episodes (per learner), drawn afresh each phase uniformly from all of them: a refit of
    constant size that still sees every phase; None: all data (the paper)."""
    pretrain_share: float | None = None
    """If set, each phase's training uses its phase episodes plus a fresh random subset of the
    pre-training games making up this share of the epoch (at most all of them); None: all
    pre-training games every phase (the paper)."""

    def __post_init__(self) -> None:
        check_fields(self, "fit.")
        for name in ("lr", "max_grad_norm"):
            check_positive(getattr(self, name), f"fit.{name}")
        for name in ("weight_decay", "beta1", "beta2"):
            check_unit(getattr(self, name), f"fit.{name}")
        for name in ("batch_size", "epochs"):
            check_positive(getattr(self, name), f"fit.{name}", integer=True)
        check_nonnegative(self.pretrain_epochs, "fit.pretrain_epochs", integer=True)
        if self.subsample is not None:
            check_positive(self.subsample, "fit.subsample", integer=True)
        if self.pretrain_share is not None and (
            isinstance(self.pretrain_share, bool)
            or not isinstance(self.pretrain_share, (int, float))
            or not 0 <= self.pretrain_share < 1
        ):
            raise ValueError(
                "fit.pretrain_share must be a number in [0, 1) or None; "
                f"got {self.pretrain_share!r}"
            )


@dataclass(frozen=True)
class PPIPoolConfig:
    """Who the PPI learners play."""

    learners: int = 2
    """1 (stage 1: tabular co-players only) or 2 (the mixed pool: each other too)."""
    tabular_fraction: float = 0.5
    """Share of each learner's games against random tabular co-players; the rest against the
    other learner."""
    tabular: str = "random_tabular_train"
    """Co-player registry id of the tabular share (the paper's random tabular, train half)."""

    def __post_init__(self) -> None:
        check_pool(self, "a tabular co-player")


def check_pool(pool: Any, co_players: str) -> None:
    """Check a PPI pool's ``learners`` and ``tabular_fraction`` (of a matrix game or another).

    Args:
        pool: The pool config.
        co_players: Who the tabular share is against, as the message names them.

    Raises:
        ValueError: For other than 1 or 2 learners, a share outside [0, 1], or one learner with
            a share below 1 (the message names the value and what is accepted).
    """
    check_fields(pool, "pool.")
    if pool.learners not in (1, 2) or isinstance(pool.learners, bool):
        raise ValueError(f"pool.learners must be 1 or 2 for PPI; got {pool.learners!r}")
    check_unit(pool.tabular_fraction, "pool.tabular_fraction")
    if pool.learners == 1 and pool.tabular_fraction != 1.0:
        raise ValueError(
            f"with one learner every game is against {co_players}: "
            f"pool.tabular_fraction must be 1; got {pool.tabular_fraction}"
        )


def _ppi_run() -> RunConfig:
    return RunConfig(eval=EvalConfig(every=1, episodes=256))


@dataclass(frozen=True)
class PPIConfig(RunDirectory):
    """A PPI run: pre-train the model, then phases of play -> add data -> retrain."""

    preset: str = "ppi_mixed_pool"
    """Preset whose defaults to start from (``--help`` lists them; experiments name one)."""
    pretrained: Path | None = None
    """Start from the pre-training of this run directory (its ``pretrained.pt``) instead of
    pre-training again: the same numbers, when every setting that pre-training depends on agrees
    (:func:`pretraining_key`); e.g. the mixed pool and its no-tabular ablation of one seed."""
    phases: int = 30
    """Phases of play and retraining."""
    games_per_phase: int = 20_000
    """Games per learner and phase."""
    pretrain_games: int = 200_000
    """Games between random tabular agents to pre-train on (both seats are data)."""
    play_batch: int = 2_000
    """Games played at once (bounds the planner's memory)."""
    run: Annotated[RunConfig, tyro.conf.arg(name="")] = field(default_factory=_ppi_run)
    model: ModelConfig = field(default_factory=ModelConfig)
    fit: FitConfig = field(default_factory=FitConfig)
    planning: PlanningConfig = field(default_factory=PlanningConfig)
    pool: PPIPoolConfig = field(default_factory=PPIPoolConfig)

    def __post_init__(self) -> None:
        check_fields(self)
        for name in ("phases", "games_per_phase", "pretrain_games", "play_batch"):
            check_positive(getattr(self, name), name, integer=True)
        for name in ("games_per_phase", "pretrain_games", "play_batch"):
            check_batch(getattr(self, name), self.run.num_rounds, name)

    @property
    def tabular_games(self) -> int:
        """Games per learner and phase against tabular co-players."""
        return round(self.games_per_phase * self.pool.tabular_fraction)

    @property
    def learner_games(self) -> int:
        """Learner-vs-learner games per phase (each serves both learners)."""
        return self.games_per_phase - self.tabular_games if self.pool.learners == 2 else 0


AFTER_PRETRAINING = (
    "preset",
    "pretrained",
    "phases",
    "games_per_phase",
    "play_batch",
    "run.out",
    "run.experiment",
    "run.time_limit",
    "run.threads",
    "run.resume",
    "run.progress",
    "run.eval.",
    "eval_co_players",  # a game beyond 2x2's evaluation (PPIGameConfig)
    "fit.epochs",
    "fit.subsample",
    "fit.pretrain_share",
    "pool.tabular_fraction",
    "planning.",
)
"""Settings (dotted; a trailing dot: a whole group) that pre-training does not depend on."""


def pretraining_key(config: PPIConfig | dict[str, Any]) -> dict[str, Any]:
    """The settings a run's pre-training depends on, by dotted name.

    Two runs with equal keys pre-train to the same models, data and random state, so one can
    start from the other's pre-training (``--pretrained``). Takes a config or its dict.
    """
    data = config if isinstance(config, dict) else to_dict(config)
    return {
        k: v
        for k, v in flatten(data).items()
        if not any(k == f or (f.endswith(".") and k.startswith(f)) for f in AFTER_PRETRAINING)
    }


# ------------------------------------------------------------------------------------ presets
PPI_PAPER: dict[str, dict[str, Any]] = {
    "ppi_stage1": {"pool.learners": 1, "pool.tabular_fraction": 1.0},
    "ppi_mixed_pool": {},
    "ppi_id_ablation": {"model.co_player_id": True},
    "ppi_no_tabular": {"pool.tabular_fraction": 0.0},
}
"""The paper's PPI experiments as settings over the field defaults (its mixed pool)."""

PPI_RECIPE = {
    "phases": 25,
    "games_per_phase": 500,
    "pretrain_games": 20_000,
    "play_batch": 500,
    "time_limit": 60.0,
    "model.hidden": 64,
    "fit.lr": 3e-3,
    "fit.batch_size": 64,
    "fit.epochs": 2,
    "fit.pretrain_epochs": 4,
    "fit.from_scratch": False,
    "fit.pretrain_share": 0.0,
    "planning.beta": 3.0,
    "eval.every": 5,
    "eval.episodes": 128,
}
"""The CPU recipe of a paper PPI pool preset (docs/ppi.md): GRU-64; 20,000 pre-training games;
many cheap phases (25 of 500 games), each refit warm-started for two epochs over the phase games
so far only (the pre-training games shape the starting model, not the refits); batches of 64
episodes at lr 3e-3 (the paper's 256 at 1e-4 do too few updates on a CPU budget to learn
in-context prediction); 4 pre-training epochs; β = 3 (the paper prints 0.01); a 60-minute
cap."""

PPI_STAGE1_RECIPE = {
    **PPI_RECIPE,
    "phases": 30,
    "fit.pretrain_share": 0.5,
    "eval.every": 3,
    "eval.episodes": 256,
}
"""Stage 1's CPU recipe: :data:`PPI_RECIPE` with 30 phases, refits that replay as many
pre-training games as phase games (one learner meets only tabular co-players, so this only
steadies the fit), evaluated every 3 phases on the paper preset's number of games."""

PPI_RECIPES: dict[str, tuple[str, dict[str, Any]]] = {
    "ppi_stage1_cpu": ("ppi_stage1", PPI_STAGE1_RECIPE),
    "ppi_mixed_pool_cpu": ("ppi_mixed_pool", PPI_RECIPE),
    "ppi_id_ablation_cpu": ("ppi_id_ablation", PPI_RECIPE),
    "ppi_no_tabular_cpu": ("ppi_no_tabular", PPI_RECIPE),
    "ppi_smoke": (
        "ppi_stage1",
        {
            "phases": 2,
            "games_per_phase": 16,
            "pretrain_games": 32,
            "play_batch": 16,
            "num_rounds": 10,
            "progress": False,
            "model.hidden": 8,
            "model.embed": 4,
            "fit.batch_size": 8,
            "fit.epochs": 1,
            "fit.pretrain_epochs": 1,
            "fit.from_scratch": False,
            "planning.horizon": 3,
            "planning.rollouts": 2,
            "eval.every": 1,
            "eval.episodes": 8,
        },
    ),
}
"""Every other PPI preset: ``name -> (paper preset, deviations from it)``."""

PPI_PRESET_NAMES: tuple[str, ...] = (*PPI_PAPER, *PPI_RECIPES)


def ppi_deviations(name: str) -> tuple[str, dict[str, Any]]:
    """``(paper preset, settings changed from it)`` of PPI preset ``name``."""
    if name in PPI_PAPER:
        return name, {}
    if name not in PPI_RECIPES:
        raise ConfigError(f"unknown PPI preset {name!r}; known: {', '.join(PPI_PRESET_NAMES)}")
    return PPI_RECIPES[name]


def ppi_preset(name: str) -> PPIConfig:
    """The PPI preset ``name``."""
    base, changes = ppi_deviations(name)
    return with_overrides(with_overrides(PPIConfig(preset=name), PPI_PAPER[base]), changes)


PPI_PRESETS: dict[str, PPIConfig] = {name: ppi_preset(name) for name in PPI_PRESET_NAMES}
"""Every PPI preset by name."""


# ---------------------------------------------------------------------------- old schemas
PPI_RETIRED = {
    "fit.window": None,
    "fit.spectate": False,
    "pool.tabular_concentration": 1.0,
    "pool.tabular_uniform_fraction": 0.0,
}
"""Settings of schema 1 that schema 2 no longer has, with the value that meant "off"."""


def migrate_ppi(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A schema-1 ``PPIConfig`` dict in schema 2 (see :func:`baselines.config.migrate`)."""
    return migrate_run_fields(data, PPI_RETIRED, drop={"pool.co_player_id"})
