"""Configurations and presets of the recurrent in-context trainer on the games beyond 2x2.

A :class:`GameTrainConfig` is :class:`~baselines.config.TrainConfig`'s counterpart for any game
of the batched core contract (:class:`~coop_envs.core.contract.BatchedGame`): the game and its
parameters (:class:`GameConfig`), the same :class:`~baselines.policies.PolicyConfig` and
:class:`~baselines.config.AlgoConfig` (the paper's A2C loss), and a pool of the game's own
co-players (:class:`GamePoolConfig`). Presets are data, as for the matrix games: a base recipe
per game plus the deviations of each experiment (``python -m baselines.train --preset NAME
--deviations`` prints them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import tyro

from baselines.config import AlgoConfig
from baselines.configs import (
    ConfigError,
    check_fields,
    check_positive,
    check_unit,
    with_overrides,
)
from baselines.policies import PolicyConfig
from baselines.run import EvalConfig, RunConfig, RunDirectory, run_directory
from co_players.registry import game_names
from coop_envs.core import CONTRACT_GAMES, check_batch
from coop_envs.core.contract import BatchedGame

GAMES = ("public_goods", "coin_game")
"""The games this trainer plays (``GameSpec.name``)."""


@dataclass(frozen=True)
class GameConfig:
    """The game and its parameters (those of the other game are ignored; defaults: the issue's)."""

    name: Literal["public_goods", "coin_game"] = "public_goods"
    """``public_goods`` (N-player public goods) or ``coin_game`` (the two-player Coin Game)."""
    num_players: int = 4
    """Public goods: N, 2..16."""
    multiplier: float = 1.6
    """Public goods: r (a dilemma for 1 < r < N)."""
    punishment: bool = False
    """Public goods: add the costly punishment stage (actions 2 and 3)."""
    observation: Literal["summary", "full"] = "summary"
    """Public goods: ``summary`` (own move, others' count) or ``full`` (every seat's move)."""
    grid_size: int = 3
    """Coin Game: the grid's side, 2..16."""
    egocentric: bool = False
    """Coin Game: observe the grid centred on oneself."""

    def __post_init__(self) -> None:
        check_fields(self, "game.")
        if self.name not in GAMES:
            raise ValueError(f"game.name must be one of {', '.join(GAMES)}; got {self.name!r}")
        for game in GAMES:  # each game's own checks (N, r, grid size, ...) fail here, by name
            CONTRACT_GAMES[game](batch_size=1, num_rounds=2, **self._kwargs(game))

    @property
    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments of the game's core (and its environments) beyond the batch."""
        return self._kwargs(self.name)

    def _kwargs(self, name: str) -> dict[str, Any]:
        if name == "public_goods":
            return {
                "num_players": self.num_players,
                "multiplier": self.multiplier,
                "punishment": self.punishment,
                "observation": self.observation,
            }
        return {"grid_size": self.grid_size, "egocentric": self.egocentric}

    def build(self, batch_size: int, num_rounds: int) -> BatchedGame:
        """A core of ``batch_size`` games of ``num_rounds`` rounds."""
        return CONTRACT_GAMES[self.name](
            batch_size=batch_size, num_rounds=num_rounds, **self.kwargs
        )


@dataclass(frozen=True)
class GamePoolConfig:
    """Who the learners play: the game's random co-players and each other."""

    learners: int = 1
    """Number of learning agents trained at once."""
    tabular_fraction: float = 1.0
    """Share of each learner's games against the game's random co-players (the analogue of the
    paper's random tabular agents); the rest are against the other learners."""
    tabular: str = ""
    """Co-player registry id of that share (empty: the game's random reactive train split)."""
    tabular_concentration: float | None = None
    """The game's random reactive co-players only (public goods' ``random_reactive*``, the Coin
    Game's ``coin_reactive*``): draw each probability from Beta(c, c) (below 1:
    near-deterministic policies; the matrix games' stage-1 CPU recipe takes 0.01 for half its
    co-players); None: U(0, 1)."""
    conditional_fraction: float | None = None
    """Public goods only: share of the random co-players' seats (drawn per seat, game and
    episode) taken by conditional cooperators with a random threshold
    (``random_conditional_cooperator``): reciprocators whose contributions a learner's own move
    decides; None: none (the runs recorded before this field)."""

    init_from: str | None = None
    """The run whose first agents start the learners, by name (a preset or experiment variant:
    ``runs/<name>_seed<s>/agent_0.pt``), s from ``init_seeds``; None: fresh weights (every run
    recorded before this field)."""
    init_seeds: tuple[int, ...] = ()
    """Seeds of the ``init_from`` runs, one per learner; default: this run's seed, seed + 1, ..."""

    def __post_init__(self) -> None:
        if isinstance(self.init_seeds, list):  # tyro and JSON give lists
            object.__setattr__(self, "init_seeds", tuple(self.init_seeds))
        check_fields(self, "pool.")
        check_positive(self.learners, "pool.learners", integer=True)
        if self.init_from is not None and (
            not isinstance(self.init_from, str) or not self.init_from
        ):
            raise ValueError(
                f"pool.init_from must be a run name (a preset or experiment variant); got "
                f"{self.init_from!r}"
            )
        if not all(isinstance(s, int) and not isinstance(s, bool) for s in self.init_seeds):
            raise TypeError(f"pool.init_seeds must be integers; got {self.init_seeds!r}")
        if self.init_seeds and self.init_from is None:
            raise ValueError("pool.init_seeds needs pool.init_from (the run they are seeds of)")
        if self.init_seeds and len(self.init_seeds) != self.learners:
            raise ValueError(
                f"pool.init_seeds needs one seed per learner ({self.learners}); got "
                f"{self.init_seeds!r}"
            )
        check_unit(self.tabular_fraction, "pool.tabular_fraction")
        if self.tabular_concentration is not None:
            check_positive(self.tabular_concentration, "pool.tabular_concentration")
        if self.conditional_fraction is not None:
            check_unit(self.conditional_fraction, "pool.conditional_fraction")
        if self.learners == 1 and self.tabular_fraction < 1:
            raise ValueError(
                "a single learner has no other learner to play: pool.tabular_fraction must be "
                f"1; got {self.tabular_fraction}"
            )

    def init_files(self, seed: int) -> tuple[str, ...]:
        """The agent files the learners start from (none: fresh weights)."""
        if self.init_from is None:
            return ()
        seeds = self.init_seeds or tuple(seed + i for i in range(self.learners))
        return tuple(str(run_directory(self.init_from, s) / "agent_0.pt") for s in seeds)


TRAIN_POOL = {"public_goods": "random_reactive_train", "coin_game": "coin_reactive_train"}
"""Each game's training co-players (the train split of its random reactive policies)."""
REACTIVE_PREFIX = {"public_goods": "random_reactive", "coin_game": "coin_reactive"}
"""Per game: the id prefix of its random reactive co-players (``pool.tabular_concentration``)."""
EVAL_CO_PLAYERS = {
    "public_goods": (
        "random_reactive_held_out",
        "always_contribute",
        "never_contribute",
        "conditional_cooperator",
        "strict_conditional_cooperator",
    ),
    "coin_game": ("coin_reactive_held_out", "coin_own_coin", "coin_greedy", "coin_reciprocator"),
}
"""What every evaluation plays per game: the held-out random co-players and scripted bots."""


@dataclass(frozen=True)
class GameTrainConfig(RunDirectory):
    """A training run of recurrent in-context agents on a game beyond 2x2."""

    preset: str = "stage1_public_goods_fast"
    """Preset whose defaults to start from."""
    updates: int = 2_000
    """Number of updates (each: one batch of games per learner)."""
    batch_size: int = 256
    """Games per learner per update."""
    run: Annotated[RunConfig, tyro.conf.arg(name="")] = field(
        default_factory=lambda: RunConfig(game="public_goods", eval=EvalConfig(co_players=()))
    )
    game: GameConfig = field(default_factory=GameConfig)
    policy: PolicyConfig = field(default_factory=lambda: PolicyConfig(hidden=32))
    algo: AlgoConfig = field(default_factory=AlgoConfig)
    pool: GamePoolConfig = field(default_factory=GamePoolConfig)
    eval_co_players: tuple[str, ...] = ()
    """Co-player ids of the game every evaluation plays (empty: the game's default set)."""

    def __post_init__(self) -> None:
        if isinstance(self.eval_co_players, list):  # tyro and JSON give lists
            object.__setattr__(self, "eval_co_players", tuple(self.eval_co_players))
        check_fields(self)
        check_positive(self.updates, "updates", integer=True)
        check_batch(self.batch_size, self.run.num_rounds, "batch_size")
        if self.run.game != self.game.name:
            raise ValueError(
                f"run.game ({self.run.game!r}) and game.name ({self.game.name!r}) must agree"
            )
        if self.policy.arch != "gru":
            raise ValueError(
                f"policy.arch must be 'gru' for the games beyond 2x2; got {self.policy.arch!r}"
            )
        if self.algo.overlap:
            raise ValueError("algo.overlap is not available for the games beyond 2x2 (yet)")
        if self.algo.algo == "ppo" and self.batch_size % self.algo.ppo_minibatches:
            raise ValueError(
                f"batch_size ({self.batch_size}) must be divisible by algo.ppo_minibatches "
                f"({self.algo.ppo_minibatches})"
            )
        self._check_pool()
        known = game_names(self.game.name)
        for name in (self.tabular, *self.evaluation_co_players):
            if name not in known:
                raise ValueError(
                    f"unknown {self.game.name} co-player {name!r}; known ids: {', '.join(known)}"
                )
        pairs = self.pool.learners - 1
        if pairs and self.learner_games % pairs:
            raise ValueError(
                f"each learner's {self.learner_games} learner-vs-learner games must split evenly "
                f"over the {pairs} other learners"
            )

    def _check_pool(self) -> None:
        """The pool's settings that apply to some games or co-players only."""
        if self.pool.tabular_concentration is not None and not self.tabular.startswith(
            REACTIVE_PREFIX[self.game.name]
        ):
            raise ValueError(
                "pool.tabular_concentration applies to the random reactive co-players "
                "(public goods' random_reactive*, the Coin Game's coin_reactive*); "
                f"the pool is {self.game.name} {self.tabular!r}"
            )
        if self.pool.conditional_fraction is not None:
            if self.game.name != "public_goods":
                raise ValueError(
                    "pool.conditional_fraction applies to public goods (conditional cooperators); "
                    f"the game is {self.game.name!r}"
                )
            if self.policy.co_player_id:
                raise ValueError(
                    "policy.co_player_id shows the random co-players' parameters, and the "
                    "conditional cooperators of pool.conditional_fraction have none in that "
                    "form: leave one of the two unset"
                )

    @property
    def tabular(self) -> str:
        """The training co-players' registry id."""
        return self.pool.tabular or TRAIN_POOL[self.game.name]

    @property
    def evaluation_co_players(self) -> tuple[str, ...]:
        """The co-players every evaluation plays."""
        return self.eval_co_players or EVAL_CO_PLAYERS[self.game.name]

    @property
    def tabular_games(self) -> int:
        """Games per learner and update against the random co-players."""
        return round(self.batch_size * self.pool.tabular_fraction)

    @property
    def learner_games(self) -> int:
        """Games per learner and update against the other learners."""
        return self.batch_size - self.tabular_games


# ------------------------------------------------------------------------------------ presets
BASE: dict[str, dict[str, Any]] = {
    "public_goods": {
        "game.name": "public_goods",
        "game.num_players": 4,
        "run.game": "public_goods",
        "num_rounds": 100,
        "updates": 2_000,
        "time_limit": 12,
        "eval.every": 100,
        "eval.episodes": 1024,
    },
    "coin_game": {
        "game.name": "coin_game",
        "run.game": "coin_game",
        "num_rounds": 16,
        "updates": 15_000,
        "time_limit": 12,
        "eval.every": 1_000,
        "eval.episodes": 2048,
    },
}
"""Per game: its parameters, episode length and budget (all presets of the game start here):
about 3.5 (public goods) and 6 (Coin Game) minutes of one core; the time limit is a cap."""

RECIPE = {
    "batch_size": 256,
    "policy.hidden": 32,
    "algo.entropy_coef": 0.01,
    "algo.entropy_coef_final": 0.001,
    "algo.gae_lambda": 0.95,
}
"""The stage-1 CPU recipe of the matrix games (GRU-32, 256 games per update, entropy 0.01
annealed to 0.001, GAE lambda 0.95, the paper's A2C loss and learning rate)."""

MIXED = {
    "pool.learners": 2,
    "pool.tabular_fraction": 0.5,
    "algo.lr": 1e-3,
    "algo.reward_scale": 0.2,
    "algo.entropy_coef": 0.03,
    "algo.entropy_coef_final": 0.003,
    "algo.gae_lambda": 1.0,
}
"""The paper's mixed pool, from scratch: two learners, half their games against each other,
half against the random co-players (the matrix games' CPU recipe starts from stage-1 agents
instead); lr 1e-3, entropy 0.03 annealed to 0.003, GAE lambda 1."""

EXPERIMENTS: dict[str, dict[str, Any]] = {
    "stage1": {},
    "mixed_pool": MIXED,
    "no_tabular": {**MIXED, "pool.tabular_fraction": 0.0},
    "id_ablation": {**MIXED, "policy.co_player_id": True},
}
"""What each experiment changes from the game's stage-1 recipe."""

TWO_LEARNERS = {
    "public_goods": {"updates": 1_000},
    "coin_game": {"updates": 8_000, "eval.every": 500},
}
"""The two-learner experiments' budget per game: about the same minutes as stage 1 (each
update trains both learners)."""

GAME_RECIPES: dict[str, tuple[str, dict[str, Any]]] = {
    f"{experiment}_{game}_fast": (
        game,
        {**RECIPE, **BASE[game], **changes, **(TWO_LEARNERS[game] if changes else {})},
    )
    for game in GAMES
    for experiment, changes in EXPERIMENTS.items()
}
ADAPTIVE: dict[str, dict[str, Any]] = {
    "public_goods": {"game.multiplier": 3.0, "pool.conditional_fraction": 0.5},
    "coin_game": {
        "pool.tabular_concentration": 0.1,
        "game.egocentric": True,
        "updates": 60_000,
        "time_limit": 60,
        "eval_co_players": [
            *EVAL_CO_PLAYERS["coin_game"],
            "coin_reactive_near_deterministic_held_out",
        ],
    },
}
"""Per game: the stage-1 recipe whose learners adapt within the episode (the reproduction page,
"Beyond 2x2"): public goods at r = 3 with half the training seats random-threshold conditional
cooperators (``public_goods/stage1_conditional_r3_half``); the Coin Game against
near-deterministic random co-players, egocentric view, four times the budget, also evaluated
against the held-out half of that pool (``coin_game/stage1_egocentric_long``)."""

for _game, _changes in ADAPTIVE.items():
    GAME_RECIPES[f"stage1_{_game}_adaptive"] = (_game, {**RECIPE, **BASE[_game], **_changes})

GAME_RECIPES["smoke_public_goods"] = (
    "public_goods",
    {
        **BASE["public_goods"],
        "updates": 3,
        "batch_size": 16,
        "num_rounds": 10,
        "policy.hidden": 16,
        "policy.embed": 8,
        "eval.every": 2,
        "eval.episodes": 16,
    },
)
GAME_RECIPES["smoke_coin_game"] = (
    "coin_game",
    {
        **BASE["coin_game"],
        **MIXED,
        "updates": 3,
        "batch_size": 16,
        "policy.hidden": 16,
        "policy.embed": 8,
        "eval.every": 2,
        "eval.episodes": 16,
    },
)
"""Every preset: ``name -> (game, settings over the field defaults)``."""

GAME_PRESET_NAMES: tuple[str, ...] = tuple(GAME_RECIPES)
"""The presets of the games beyond 2x2."""


def game_deviations(name: str) -> tuple[str, dict[str, Any]]:
    """``(game, settings)`` of preset ``name`` (what ``--deviations`` prints)."""
    if name not in GAME_RECIPES:
        raise ConfigError(f"unknown preset {name!r}; known: {', '.join(GAME_PRESET_NAMES)}")
    return GAME_RECIPES[name]


def game_preset(name: str) -> GameTrainConfig:
    """The preset ``name``.

    Raises:
        ConfigError: For an unknown name (the message lists the known ones).
    """
    _, changes = game_deviations(name)
    return with_overrides(GameTrainConfig(preset=name), changes)
