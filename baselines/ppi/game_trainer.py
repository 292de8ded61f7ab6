"""PPI on the games beyond 2x2: the matrix games' phase loop on N-player public goods.

:class:`PPIGameTrainer` is :class:`~baselines.ppi.trainer.PPITrainer` with the game's sizes and
seating: the model's vocabulary and actions come from the game (:mod:`baselines.ppi.tokens`),
episodes are :class:`~baselines.ppi.model.GameEpisodes` (own actions, observation tokens,
rewards), and every game is played by the one play loop (:func:`coop_envs.core.play_batched`)
with the game trainer's seating (:func:`baselines.general.trainer.make_game_layout`):

- pre-training: games with the game's random co-players (train split) in every seat; every seat
  is an episode of each learner's data;
- a phase: per learner, ``tabular_fraction`` of its games in seat 0 against fresh random
  co-players in the other seats, the rest against the other learner in alternate seats (each
  of a learner's seats is an episode);
- evaluation: each learner in seat 0 against the game's evaluation co-players in every other
  seat (:data:`~baselines.general.config.EVAL_CO_PLAYERS`: the held-out random co-players and
  scripted bots) and against the other learner, measured as the game trainer measures (reward
  per round, contribution), with the random co-players' own mean beside it
  (``ref/<id>/reward``), and the model's losses on held-out random games.

The phase loop, the refits, checkpoints, ``--resume`` and ``--pretrained`` are the matrix
games' code.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import torch

from baselines.general.trainer import (
    evaluate_in_run,
    make_game_layout,
    reference_reward,
    training_co_player,
)
from baselines.ppi.agent import PPIGamePlayer, save_ppi_game
from baselines.ppi.game_config import PPIGameConfig
from baselines.ppi.model import GameEpisodes, SequenceModel
from baselines.ppi.tokens import observation_tokens
from baselines.ppi.trainer import PPITrainer
from baselines.run import Counters, Evaluation
from co_players.registry import game_names, resolve_game_co_player
from coop_envs.core import GameSeat, play_batched


class _Rounds:
    """``on_round`` of the play loop: every round's joint actions and rewards, ``(T, B, N)``."""

    def __init__(self) -> None:
        self.joint: list[np.ndarray] = []
        self.rewards: list[np.ndarray] = []

    def __call__(self, joint: np.ndarray, rewards: np.ndarray) -> None:
        self.joint.append(joint.copy())
        self.rewards.append(np.array(rewards, dtype=np.float32))


class PPIGameTrainer(PPITrainer):
    """Runs a :class:`~baselines.ppi.game_config.PPIGameConfig` (see the module docstring).

    Raises:
        RunDirectoryError: If ``pretrained`` names a run without a matching pre-training.
        CheckpointError: If that pre-training's files are unreadable or do not match.
    """

    name = "ppi_game"
    legacy_format = None
    episodes_type = GameEpisodes

    def __init__(self, config: PPIGameConfig) -> None:
        self.config = config
        self.counters = Counters(clocks={"play": 0.0, "fit": 0.0})
        run = config.run
        torch.set_num_threads(run.threads)
        torch.manual_seed(run.seed)
        self.rng = np.random.default_rng(run.seed)
        self.spec = config.game.build(1, run.num_rounds).spec
        self.tokens = observation_tokens(self.spec)
        self.game = {"name": config.game.name, "kwargs": config.game.kwargs}
        self.game["num_rounds"] = run.num_rounds
        self.models = [self._new_model() for _ in range(config.pool.learners)]
        self.data: list[GameEpisodes | None] = [None] * config.pool.learners
        self.pretrain_size = 0
        self._pretrained = None
        if config.pretrained is not None and not run.resume:
            self._pretrained = self.read_pretrained(config.pretrained)  # before any file is made

    def _new_model(self) -> SequenceModel:
        return SequenceModel(self.config.model, self.tokens.size, self.spec.num_actions)

    def criteria(self) -> list:
        """None apply: the matrix games' criteria do not transfer (as for the game trainer)."""
        return []

    @staticmethod
    def cooperated(own: np.ndarray) -> np.ndarray:
        """Whether each own action contributes (``CONTRIBUTE``, ``CONTRIBUTE_AND_PUNISH``)."""
        return (own & 1) == 0

    # ------------------------------------------------------------------------------ play
    def _co_player(self, name: str) -> Any:
        return resolve_game_co_player(name, self.config.game.name)

    def _tabular(self) -> Any:
        """A training co-player for one seat (``pool.conditional_fraction`` applied)."""
        config = self.config
        return training_co_player(
            config.game.name, config.tabular, conditional_fraction=config.pool.conditional_fraction
        )

    def _episodes(self, rounds: _Rounds, games: np.ndarray, seat: int) -> GameEpisodes:
        """The episodes of ``games`` from ``seat``'s side."""
        joint = np.stack(rounds.joint)[:, games]  # (T, G, N)
        rewards = np.stack(rounds.rewards)[:, games, seat]
        return GameEpisodes(
            np.ascontiguousarray(joint[..., seat].T).astype(np.int8),
            np.ascontiguousarray(self.tokens.from_joint(joint, seat).T),
            np.ascontiguousarray(rewards.T),
        )

    def _play(self, num_games: int, seats: list[GameSeat]) -> _Rounds:
        core = self.config.game.build(num_games, self.config.run.num_rounds)
        rounds = _Rounds()
        play_batched(core, seats, self.rng, validate=False, on_round=rounds)
        return rounds

    def pretrain_data(self) -> None:
        """Draw each learner's pre-training games (random co-players in every seat)."""
        config, n = self.config, self.spec.num_players
        for i in range(config.pool.learners):
            parts = []
            chunks = -(-config.pretrain_games // config.play_batch)
            for c in range(chunks):
                size = (
                    config.pretrain_games * (c + 1) // chunks - config.pretrain_games * c // chunks
                )
                games = np.arange(size)
                seats = [GameSeat(self._tabular(), games, s) for s in range(n)]
                rounds = self._play(size, seats)
                parts += [self._episodes(rounds, games, s) for s in range(n)]
            self.data[i] = GameEpisodes.concatenate(parts)
        self.pretrain_size = n * config.pretrain_games

    def _play_chunk(self, tab: int, ll: int) -> list[GameEpisodes]:
        config = self.config
        counts = SimpleNamespace(  # what make_game_layout reads of a game trainer's config
            pool=SimpleNamespace(learners=config.pool.learners), tabular_games=tab, learner_games=ll
        )
        num_games, blocks = make_game_layout(counts, self.spec.num_players)
        seats, owners = [], []
        for b in blocks:
            if b.learner is None:
                seats.append(GameSeat(self._tabular(), b.games, b.seat))
                continue
            player = PPIGamePlayer(self.actor(b.learner), self.tokens, name=f"learner_{b.learner}")
            seats.append(GameSeat(player, b.games, b.seat))
            owners.append(b)
        rounds = self._play(num_games, seats)
        out: list[list[GameEpisodes]] = [[] for _ in range(config.pool.learners)]
        for b in owners:
            out[b.learner].append(self._episodes(rounds, b.games, b.seat))
        return [GameEpisodes.concatenate(o) for o in out]

    # ------------------------------------------------------------------------ evaluation
    @functools.cached_property
    def _model_test_set(self) -> GameEpisodes:
        """Held-out random games (every seat an episode) for the model's quality, drawn once."""
        run, n = self.config.run, self.spec.num_players
        games = np.arange(run.eval.episodes)
        name = f"{self.config.tabular.removesuffix('_train')}_held_out"
        if name not in game_names(self.config.game.name):
            name = self.config.evaluation_co_players[0]
        rng = np.random.default_rng(run.eval.seed)
        core = self.config.game.build(len(games), run.num_rounds)
        rounds = _Rounds()
        seats = [GameSeat(self._co_player(name), games, s) for s in range(n)]
        play_batched(core, seats, rng, validate=False, on_round=rounds)
        return GameEpisodes.concatenate([self._episodes(rounds, games, s) for s in range(n)])

    def evaluate_learner(self, i: int) -> dict[str, Any]:
        """Learner ``i`` (seat 0) against each evaluation co-player and the other learners."""

        def seat(j: int) -> Any:
            return lambda seated: PPIGamePlayer(self.actor(j), self.tokens)

        others = {j: seat(j) for j in range(len(self.models)) if j != i}
        return evaluate_in_run(self.config, seat(i), others)

    def evaluate(self) -> Evaluation:
        """Every learner vs the evaluation co-players and the other learner; model quality."""
        results: dict[str, Any] = {}
        metrics: dict[str, float] = {}
        held_out = self._model_test_set
        for i, model in enumerate(self.models):
            results[f"l{i}"] = self.evaluate_learner(i)
            with torch.no_grad():
                losses = model.losses(held_out)
            metrics[f"l{i}/model/observation_ce"] = float(losses["observation"])
            metrics[f"l{i}/model/action_ce"] = float(losses["action"])
            metrics[f"l{i}/model/reward_mse"] = float(losses["reward"])
        name = self.config.evaluation_co_players[0]
        metrics[f"ref/{name}/reward"] = reference_reward(self.config, name)
        return Evaluation(results, metrics)

    # ---------------------------------------------------------------------------- files
    def save_agent(self, path: Path, model: SequenceModel, meta: dict[str, Any]) -> None:
        """Write one learner's agent file (with the game and its observation tokens)."""
        save_ppi_game(path, model, self.config.planning, self.game, self.tokens, meta)
