"""PPI on the games beyond 2x2: run configuration and presets (``--preset ppi_*_public_goods_cpu``).

:class:`PPIGameConfig` is :class:`~baselines.ppi.config.PPIConfig`'s counterpart for a game of
the batched core contract: the same model, fit and planning settings, the game and its
parameters as the game trainer takes them (:class:`~baselines.general.config.GameConfig`), and a
pool of the game's own random co-players (their train split) beside the other learner. Its
sizes — observation vocabulary, actions — come from the game (:mod:`baselines.ppi.tokens`);
the matrix games' configurations and their recorded runs are untouched.

Field defaults are the paper's PPI budget, as for the matrix games; the ``*_cpu`` presets are
the CPU recipe of about a minute on one core (:data:`PPI_GAME_RECIPE`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import tyro

from baselines.configs import (
    ConfigError,
    check_fields,
    check_positive,
    check_unit,
    with_overrides,
)
from baselines.general.config import GameConfig, GameTrainConfig
from baselines.ppi.config import FitConfig, check_pool
from baselines.ppi.model import ModelConfig
from baselines.ppi.planner import PlanningConfig
from baselines.ppi.tokens import observation_tokens
from baselines.run import EvalConfig, RunConfig, RunDirectory
from co_players.registry import game_names
from coop_envs.core import check_batch

PPI_GAMES = ("public_goods",)
"""The games beyond 2x2 PPI plays (the Coin Game's grid has no small token vocabulary yet)."""


@dataclass(frozen=True)
class PPIGamePoolConfig:
    """Who the PPI learners play on a game beyond 2x2."""

    learners: int = 1
    """1 (stage 1: the game's random co-players only) or 2 (the mixed pool: each other too)."""
    tabular_fraction: float = 1.0
    """Share of each learner's games against the game's random co-players (one learner in seat
    0, a fresh co-player in every other seat); the rest against the other learner (the two take
    alternate seats)."""
    tabular: str = ""
    """Co-player registry id of that share (empty: the game's random reactive train split)."""
    conditional_fraction: float | None = None
    """Share of the random co-players' seats (drawn per seat, game and episode; pre-training
    games too) taken by conditional cooperators with a random threshold
    (``random_conditional_cooperator``), as the game trainer's; None: none."""

    def __post_init__(self) -> None:
        check_pool(self, "the random co-players")
        if self.conditional_fraction is not None:
            check_unit(self.conditional_fraction, "pool.conditional_fraction")


def _game_run() -> RunConfig:
    return RunConfig(game="public_goods", eval=EvalConfig(every=1, episodes=256, co_players=()))


@dataclass(frozen=True)
class PPIGameConfig(RunDirectory):
    """A PPI run on a game beyond 2x2: pre-train, then phases of play -> add data -> retrain."""

    preset: str = "ppi_stage1_public_goods_cpu"
    """Preset whose defaults to start from."""
    pretrained: Path | None = None
    """Start from the pre-training of this run directory (its ``pretrained.pt``), as for the
    matrix games."""
    phases: int = 30
    """Phases of play and retraining."""
    games_per_phase: int = 20_000
    """Games per learner and phase."""
    pretrain_games: int = 200_000
    """Games between the game's random co-players to pre-train on (every seat is data)."""
    play_batch: int = 2_000
    """Games played at once (bounds the planner's memory)."""
    run: Annotated[RunConfig, tyro.conf.arg(name="")] = field(default_factory=_game_run)
    game: GameConfig = field(default_factory=GameConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    fit: FitConfig = field(default_factory=FitConfig)
    planning: PlanningConfig = field(default_factory=PlanningConfig)
    pool: PPIGamePoolConfig = field(default_factory=PPIGamePoolConfig)
    eval_co_players: tuple[str, ...] = ()
    """Co-player ids of the game every evaluation plays (empty: the game's default set)."""

    def __post_init__(self) -> None:
        if isinstance(self.eval_co_players, list):  # tyro and JSON give lists
            object.__setattr__(self, "eval_co_players", tuple(self.eval_co_players))
        check_fields(self)
        for name in ("phases", "games_per_phase", "pretrain_games", "play_batch"):
            check_positive(getattr(self, name), name, integer=True)
        for name in ("games_per_phase", "pretrain_games", "play_batch"):
            check_batch(getattr(self, name), self.run.num_rounds, name)
        if self.game.name not in PPI_GAMES:
            raise ValueError(
                f"PPI plays game.name {', '.join(map(repr, PPI_GAMES))} among the games beyond "
                f"2x2; got {self.game.name!r}"
            )
        if self.run.game != self.game.name:
            raise ValueError(
                f"run.game ({self.run.game!r}) and game.name ({self.game.name!r}) must agree"
            )
        if self.model.co_player_id:
            raise ValueError(
                "model.co_player_id (the opponent-ID ablation) is the matrix games' only; "
                f"got True for {self.game.name}"
            )
        if self.run.eval.co_players:
            raise ValueError(
                "eval.co_players names matrix-game co-players, which a game beyond 2x2 does not "
                f"play; got {list(self.run.eval.co_players)}: name the {self.game.name} ones in "
                "eval_co_players (--eval-co-players) instead"
            )
        observation_tokens(self.game.build(1, 2).spec)  # a vocabulary too large fails here
        known = game_names(self.game.name)
        for name in (self.tabular, *self.evaluation_co_players):
            if name not in known:
                raise ValueError(
                    f"unknown {self.game.name} co-player {name!r}; known ids: {', '.join(known)}"
                )

    # the game trainer's: the same random co-players and evaluation set
    tabular = GameTrainConfig.tabular
    evaluation_co_players = GameTrainConfig.evaluation_co_players

    @property
    def tabular_games(self) -> int:
        """Games per learner and phase against the random co-players."""
        return round(self.games_per_phase * self.pool.tabular_fraction)

    @property
    def learner_games(self) -> int:
        """Learner-vs-learner games per phase (each serves both learners)."""
        return self.games_per_phase - self.tabular_games if self.pool.learners == 2 else 0


# ------------------------------------------------------------------------------------ presets
PPI_GAME_RECIPE: dict[str, Any] = {
    "phases": 6,
    "games_per_phase": 128,
    "pretrain_games": 500,
    "play_batch": 256,
    "time_limit": 10.0,
    "threads": 1,
    "model.hidden": 32,
    "model.embed": 16,
    "fit.lr": 3e-3,
    "fit.batch_size": 64,
    "fit.epochs": 2,
    "fit.pretrain_epochs": 4,
    "fit.from_scratch": False,
    "fit.pretrain_share": 0.5,
    "planning.beta": 3.0,
    "planning.horizon": 10,
    "planning.rollouts": 2,
    "eval.every": 3,
    "eval.episodes": 64,
}
"""The CPU recipe on public goods (N = 4, r = 1.6, 100 rounds, the summary observation): the
matrix games' recipe (lr 3e-3 on batches of 64 episodes, warm-started refits of 2 epochs, β = 3)
shrunk to about a minute of one core — GRU-32; 500 pre-training games (every seat an episode:
2,000 episodes); 6 phases of 128 games, each refit replaying as many pre-training episodes as
phase episodes; 2 imagined rollouts of 10 rounds per action; evaluated every 3 phases on 64
games per co-player."""

PPI_GAME_RECIPES: dict[str, tuple[str, dict[str, Any]]] = {
    "ppi_stage1_public_goods_cpu": ("public_goods", PPI_GAME_RECIPE),
    "ppi_mixed_pool_public_goods_cpu": (
        "public_goods",
        {
            **PPI_GAME_RECIPE,
            "games_per_phase": 96,
            "pool.learners": 2,
            "pool.tabular_fraction": 0.5,
            "fit.pretrain_share": 0.0,
        },
    ),
    "ppi_smoke_public_goods": (
        "public_goods",
        {
            "phases": 2,
            "games_per_phase": 8,
            "pretrain_games": 8,
            "play_batch": 16,
            "num_rounds": 6,
            "progress": False,
            "threads": 1,
            "pool.learners": 2,
            "pool.tabular_fraction": 0.5,
            "model.hidden": 8,
            "model.embed": 4,
            "fit.batch_size": 8,
            "fit.epochs": 1,
            "fit.pretrain_epochs": 1,
            "fit.from_scratch": False,
            "planning.horizon": 3,
            "planning.rollouts": 2,
            "eval.every": 1,
            "eval.episodes": 4,
        },
    ),
}
"""Every PPI preset of a game beyond 2x2: ``name -> (game, settings over the field defaults)``.
The mixed pool plays two learners with half their games against each other and refits on the
phase games only, as the matrix games' ``ppi_mixed_pool_cpu`` (96 games per learner and phase:
a learner-vs-learner game serves both). Measured with three seeds
(experiments/ppi_public_goods.toml; one core, two runs on the machine): stage 1 trains in under
a minute, the mixed pool in about two (two models to refit and plan with); the smoke preset, in
seconds, is for tests."""

PPI_GAME_PRESET_NAMES: tuple[str, ...] = tuple(PPI_GAME_RECIPES)
"""The PPI presets of the games beyond 2x2."""


def ppi_game_deviations(name: str) -> tuple[str, dict[str, Any]]:
    """``(game, settings)`` of preset ``name`` (what ``--deviations`` prints).

    Raises:
        ConfigError: For an unknown name (the message lists the known ones).
    """
    if name not in PPI_GAME_RECIPES:
        raise ConfigError(
            f"unknown PPI game preset {name!r}; known: {', '.join(PPI_GAME_PRESET_NAMES)}"
        )
    return PPI_GAME_RECIPES[name]


def ppi_game_preset(name: str) -> PPIGameConfig:
    """The preset ``name`` (a :class:`PPIGameConfig`)."""
    game, changes = ppi_game_deviations(name)
    base = {"game.name": game, "run.game": game}
    return with_overrides(with_overrides(PPIGameConfig(preset=name), base), changes)
