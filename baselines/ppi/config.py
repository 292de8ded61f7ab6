"""PPI run configuration and presets (``python -m baselines.train --preset ppi_*``).

Every field is a flag of ``python -m baselines.train`` when the preset is a PPI one. The paper's
presets (Weis et al. 2026, §3) keep its budget — 200,000 pre-training games, 30 phases of
20,000 games, the model re-initialised and retrained for 10 epochs on all data each phase; the
``*_cpu`` variants are the documented CPU deviation (docs/ppi.md).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baselines.config import EvalConfig, _nonnegative, _positive, _unit, config_to_dict
from baselines.ppi.model import ModelConfig
from baselines.ppi.planner import PlanningConfig
from baselines.runfiles import flatten


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
    window: int | None = None
    """If set, each phase trains on the pre-training games plus at most this many of the most
    recent phase episodes (per learner); None: all data (the paper)."""
    subsample: int | None = None
    """If set, each phase trains on the pre-training games plus at most this many phase
    episodes (per learner), drawn afresh each phase uniformly from all of them: a refit of
    constant cost that, unlike ``window``, still sees every phase; None: all data (the paper).
    At most one of ``window`` and ``subsample``."""
    pretrain_share: float | None = None
    """If set, each phase's training uses all phase episodes plus a fresh random subset of the
    pre-training games making up this share of the epoch (at most all of them); None: all
    pre-training games every phase (the paper). A small budget's few phase games otherwise
    hardly move a model fitted to many pre-training games."""
    spectate: bool = False
    """Two learners only: each learner's dataset also gets the other learner's games against
    tabular co-players, seen from the tabular co-player's seat — how the other learner responds
    to many different strategies (a deviation: the paper learns only from its own games)."""

    def __post_init__(self) -> None:
        for name in ("lr", "max_grad_norm"):
            _positive(getattr(self, name), f"fit.{name}")
        for name in ("weight_decay", "beta1", "beta2"):
            _unit(getattr(self, name), f"fit.{name}")
        for name in ("batch_size", "epochs"):
            _positive(getattr(self, name), f"fit.{name}", integer=True)
        _nonnegative(self.pretrain_epochs, "fit.pretrain_epochs", integer=True)
        if self.window is not None:
            _positive(self.window, "fit.window", integer=True)
        if self.subsample is not None:
            _positive(self.subsample, "fit.subsample", integer=True)
            if self.window is not None:
                raise ValueError(
                    "fit.window and fit.subsample are two ways to cap the refit; set at most "
                    f"one; got window={self.window!r}, subsample={self.subsample!r}"
                )
        if not isinstance(self.spectate, bool):
            raise TypeError(f"fit.spectate must be a bool; got {self.spectate!r}")
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
    co_player_id: bool = False
    """Give the model the co-player's log-policy as a first token (opponent-ID ablation)."""
    tabular_concentration: float = 1.0
    """Random tabular only: draw each probability from Beta(c, c); 1 is the paper's U(0, 1)
    (below 1: near-deterministic co-players, the A2C CPU recipe's lever — a deviation)."""
    tabular_uniform_fraction: float = 0.0
    """Share of the tabular co-players drawn from U(0, 1) whatever the concentration."""

    def __post_init__(self) -> None:
        _positive(self.tabular_concentration, "pool.tabular_concentration")
        _unit(self.tabular_uniform_fraction, "pool.tabular_uniform_fraction")
        if self.learners not in (1, 2):
            raise ValueError(f"pool.learners must be 1 or 2 for PPI; got {self.learners!r}")
        _unit(self.tabular_fraction, "pool.tabular_fraction")
        if self.learners == 1 and self.tabular_fraction != 1.0:
            raise ValueError(
                "with one learner every game is against a tabular co-player: "
                f"pool.tabular_fraction must be 1; got {self.tabular_fraction}"
            )


@dataclass(frozen=True)
class PPIConfig:
    """A PPI run: pre-train the model, then phases of play -> add data -> retrain."""

    preset: str = "ppi_mixed_pool"
    """Experiment whose defaults to start from: ppi_stage1, ppi_mixed_pool, ppi_id_ablation,
    ppi_no_tabular, or a ``*_cpu`` budget variant of each (docs/ppi.md)."""
    seed: int = 0
    """Seed of everything: weights, co-players, data, planning."""
    out: Path | None = None
    """Run directory; default runs/<preset>_seed<seed>."""
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
    num_rounds: int = 100
    """Rounds per episode."""
    game: str = "prisoners_dilemma"
    """Game name (see coop_envs.core.GAMES)."""
    time_limit: float | None = None
    """Stop after the phase during which this many minutes have passed; None: no limit."""
    threads: int = 2
    """torch threads."""
    resume: bool = False
    """Continue the run in --out from its last completed phase."""
    progress: bool = True
    """Show progress bars."""
    model: ModelConfig = field(default_factory=ModelConfig)
    fit: FitConfig = field(default_factory=FitConfig)
    planning: PlanningConfig = field(default_factory=PlanningConfig)
    pool: PPIPoolConfig = field(default_factory=PPIPoolConfig)
    eval: EvalConfig = field(default_factory=lambda: EvalConfig(every=1, episodes=256))

    def __post_init__(self) -> None:
        for name in ("phases", "games_per_phase", "pretrain_games", "play_batch", "num_rounds"):
            _positive(getattr(self, name), name, integer=True)
        _positive(self.threads, "threads", integer=True)
        if self.time_limit is not None:
            _positive(self.time_limit, "time_limit")
        if self.model.co_player_id != self.pool.co_player_id:
            raise ValueError(
                "model.co_player_id and pool.co_player_id must agree (the ID ablation sets both)"
            )
        if self.fit.spectate and self.pool.learners != 2:
            raise ValueError(
                "fit.spectate needs two learners (it shares one learner's tabular games with "
                f"the other); got pool.learners={self.pool.learners}"
            )

    @property
    def run_dir(self) -> Path:
        """Where the run's files go."""
        return self.out if self.out is not None else Path("runs") / f"{self.preset}_seed{self.seed}"

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
    "out",
    "pretrained",
    "phases",
    "games_per_phase",
    "play_batch",
    "time_limit",
    "threads",
    "resume",
    "progress",
    "fit.epochs",
    "fit.window",
    "fit.subsample",
    "fit.pretrain_share",
    "fit.spectate",
    "pool.tabular_fraction",
    "planning.",
    "eval.",
)
"""Settings (dotted; a trailing dot: a whole group) that pre-training does not depend on."""


def pretraining_key(config: PPIConfig) -> dict[str, Any]:
    """The settings a run's pre-training depends on, by dotted name.

    Two runs with equal keys pre-train to the same models, data and random state, so one can
    start from the other's pre-training (``--pretrained``).
    """
    return {
        k: v
        for k, v in flatten(config_to_dict(config)).items()
        if not any(k == f or (f.endswith(".") and k.startswith(f)) for f in AFTER_PRETRAINING)
    }


def _replace(config: Any, **changes: Any) -> Any:
    return dataclasses.replace(config, **changes)


PPI_MIXED_POOL = PPIConfig()
PPI_STAGE1 = _replace(
    PPI_MIXED_POOL,
    preset="ppi_stage1",
    pool=PPIPoolConfig(learners=1, tabular_fraction=1.0),
)
PPI_ID_ABLATION = _replace(
    PPI_MIXED_POOL,
    preset="ppi_id_ablation",
    model=ModelConfig(co_player_id=True),
    pool=PPIPoolConfig(co_player_id=True),
)
PPI_NO_TABULAR = _replace(
    PPI_MIXED_POOL, preset="ppi_no_tabular", pool=PPIPoolConfig(tabular_fraction=0.0)
)
PPI_PAPER_PRESETS = {
    c.preset: c for c in (PPI_STAGE1, PPI_MIXED_POOL, PPI_ID_ABLATION, PPI_NO_TABULAR)
}


def ppi_cpu_variant(config: PPIConfig) -> PPIConfig:
    """The CPU-budget deviation of a paper PPI preset.

    GRU-64; 20,000 pre-training games; 6 phases of 1,000 games; the model warm-started each
    phase (one epoch over all data); batches of 64 episodes at lr 3e-3 (the paper's 256 at 1e-4
    do too few updates on a CPU budget to learn in-context prediction); 4 pre-training epochs;
    a 60-minute cap.
    """
    return _replace(
        config,
        preset=f"{config.preset}_cpu",
        phases=6,
        games_per_phase=1_000,
        pretrain_games=20_000,
        play_batch=1_000,
        time_limit=60.0,
        model=_replace(config.model, hidden=64),
        fit=FitConfig(lr=3e-3, batch_size=64, epochs=1, pretrain_epochs=4, from_scratch=False),
    )


def ppi_phases_cpu(config: PPIConfig) -> PPIConfig:
    """The CPU recipe of a paper PPI pool preset: :func:`ppi_cpu_variant` with many cheap phases.

    25 phases of 500 games, each refit warm-started for two epochs over the phase games so far
    only (``fit.pretrain_share=0``: the pre-training games shape the starting model, not the
    refits), so the prior follows the improved policy over many improvement steps and what a
    learner keeps of in-context inference comes from the pool it plays; β = 3 (the improvement
    step's strength: TFT cooperation 0.84 vs 0.69 at β = 1 on the same model). With two
    learners ≈10 minutes of pre-training, then ≈45 s per phase at first and ≈150 s at phase 25
    (the refit grows with the phase games): 43–49 minutes on one thread per run, two runs side by
    side on two cores. Measured (docs/ppi.md, seeds 0, 1, 2): mixed-pool learner-vs-learner
    cooperation 0.04–0.07 at phase 5 → 0.28–0.58 at phase 25, still rising; the no-tabular
    ablation ends at 0.04–0.21 and stops reciprocating TFT; the ID ablation 0.00. (Refits that also
    replay as many pre-training games, ``fit.pretrain_share=0.5``, keep the no-tabular learners
    in-context learners — pre-training games are tabular games — and they cooperate more than
    the mixed pool: ``docs/results/ppi_*_share05_seed*``.)
    """
    cpu = ppi_cpu_variant(config)
    return _replace(
        cpu,
        phases=25,
        games_per_phase=500,
        play_batch=500,
        fit=_replace(cpu.fit, pretrain_share=0.0, epochs=2),
        planning=_replace(cpu.planning, beta=3.0),
        eval=_replace(cpu.eval, every=5, episodes=128),
    )


def ppi_stage1_cpu(config: PPIConfig = PPI_STAGE1) -> PPIConfig:
    """Stage 1's CPU recipe: :func:`ppi_phases_cpu` with 30 phases, evaluated every 3.

    Each refit replays as many pre-training games as phase games (``fit.pretrain_share=0.5``;
    one learner meets only tabular co-players, so this only steadies the fit). Evaluations use
    the paper preset's number of games. One learner: ≈20 s per phase at first, ≈95 s at the
    end. Measured (seeds 0, 1): TFT cooperation in rounds 51–100 rises from 0.71–0.79 after
    pre-training to 0.88–0.94.
    """
    recipe = ppi_phases_cpu(config)
    return _replace(
        recipe,
        phases=30,
        fit=_replace(recipe.fit, pretrain_share=0.5),
        eval=_replace(recipe.eval, every=3, episodes=config.eval.episodes),
    )


PPI_PRESETS: dict[str, PPIConfig] = {
    **PPI_PAPER_PRESETS,
    **{f"{name}_cpu": ppi_phases_cpu(c) for name, c in PPI_PAPER_PRESETS.items()},
    "ppi_stage1_cpu": ppi_stage1_cpu(),
    "ppi_smoke": _replace(
        PPI_STAGE1,
        preset="ppi_smoke",
        phases=2,
        games_per_phase=16,
        pretrain_games=32,
        play_batch=16,
        num_rounds=10,
        model=ModelConfig(hidden=8, embed=4),
        fit=FitConfig(batch_size=8, epochs=1, pretrain_epochs=1, from_scratch=False),
        planning=PlanningConfig(horizon=3, rollouts=2),
        eval=EvalConfig(every=1, episodes=8),
        progress=False,
    ),
}
"""Every PPI preset by name."""


def ppi_config_from_dict(data: dict[str, Any]) -> PPIConfig:
    """Rebuild a :class:`PPIConfig` from its JSON form."""
    data = dict(data)
    for name in ("out", "pretrained"):
        data[name] = None if data.get(name) is None else Path(data[name])
    data["model"] = ModelConfig(**data["model"])
    data["fit"] = FitConfig(**data["fit"])
    data["planning"] = PlanningConfig(**data["planning"])
    data["pool"] = PPIPoolConfig(**data["pool"])
    data["eval"] = EvalConfig(**data["eval"])
    return PPIConfig(**data)
