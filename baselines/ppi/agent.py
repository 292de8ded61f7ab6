"""PPI agents: the model plus the improvement step, acting round by round for a batch of games.

:class:`PPIActor` holds the acting logic (feed the round's observation and reward, plan, sample,
feed the action). Two thin fronts put it behind the project's protocols:

- :class:`PPIAgent` — the agent protocol (``reset(num_envs, seed)`` / ``act(observations)`` on
  :data:`coop_envs.core.AGENT_OBSERVATION` features), so a PPI agent can be evaluated, used as a
  co-player (:class:`co_players.AgentCoPlayer`) and submitted to the leaderboard;
- :class:`PPICoPlayer` — the co-player protocol on observation codes, which the trainer uses (it
  can also hand the model the co-player's ID for the opponent-ID ablation).

On the games beyond 2x2 (public goods) the actor is the same and reads the game's observations
through their tokens (:mod:`baselines.ppi.tokens`), its previous reward read off the observation:

- :class:`PPIGamePlayer` — a co-player of :func:`coop_envs.core.play_batched` (the trainer's);
- :class:`PPIGameAgent` — the agent protocol on the game's ``(B, D)`` observations, declaring
  ``game``, ``game_kwargs`` and ``observation_shape`` like the game trainer's agents, so it can
  be a leaderboard submission of the game's suite.

A PPI agent is saved as one file (:func:`save_ppi`, :func:`save_ppi_game`), read by
:func:`baselines.load_agent` like any baseline checkpoint; a file of a game beyond 2x2 records
the game and its observation tokens, and is refused by a game whose observations differ.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from baselines.checkpoints import FORMAT, VERSION, CheckpointError, atomic_save, read_checkpoint
from baselines.players import co_player_ids
from baselines.ppi.model import ModelConfig, SequenceModel
from baselines.ppi.planner import PlanningConfig, improved_logits, q_values
from baselines.ppi.tokens import PublicGoodsTokens, observation_tokens
from coop_envs.core import (
    AGENT_OBSERVATION,
    AGENT_PROTOCOL,
    CO_PLAYER_ID_DIM,
    CO_PLAYER_PROTOCOL,
    CONTRACT_GAMES,
    DEFAULT_NUM_ROUNDS,
    MAX_BATCH_SIZE,
    MatrixGame,
    check_finite_array,
    check_positive_int,
    codes_from_one_hot,
)

KIND = "ppi"


class PPIActor:
    """Acts for a batch of games: prior from the model, improved by planning (see planner).

    Args:
        model: The sequence model.
        planning: The improvement step's settings (``beta=0``: act with the prior, no planning).
        num_rounds: Episode length (the planner stops rollouts at the episode's end).
        greedy: Take the most likely action instead of sampling.
    """

    def __init__(
        self,
        model: SequenceModel,
        planning: PlanningConfig,
        num_rounds: int = DEFAULT_NUM_ROUNDS,
        greedy: bool = False,
    ) -> None:
        self.model = model
        self.planning = planning
        self.num_rounds = check_positive_int(num_rounds, "num_rounds")
        self.greedy = greedy
        self.h: torch.Tensor | None = None
        self.t = 0
        self.last_prior: torch.Tensor | None = None
        """``(B, A)`` prior logits of the last :meth:`act` (read by diagnostics)."""
        self.last_q: torch.Tensor | None = None
        """``(B, A)`` Q-values of the last :meth:`act`; None when acting with the prior."""

    def start(self, batch_size: int, seed: int, ids: torch.Tensor | None = None) -> None:
        """New episodes; ``seed`` fixes every random draw of this batch's play."""
        self.generator = torch.Generator().manual_seed(int(seed))
        if self.model.config.co_player_id and ids is None:
            ids = torch.zeros(batch_size, CO_PLAYER_ID_DIM)
        self.h = self.model.start(batch_size, ids)
        self.t = 0

    def act(self, codes: np.ndarray, prev_rewards: np.ndarray) -> np.ndarray:
        """``(B,)`` actions for this round's observation codes and previous rewards."""
        if self.h is None:
            raise ValueError("act() called before start()/reset()")
        if self.t >= self.num_rounds:
            raise ValueError(
                f"the episode has {self.num_rounds} rounds; act() called {self.t + 1} times "
                "without a reset"
            )
        model = self.model
        if self.t:
            self.h = model.feed_observation(self.h, torch.from_numpy(np.asarray(codes, np.int64)))
            rewards = torch.from_numpy(np.asarray(prev_rewards, dtype=np.float32))
            self.h = model.feed_reward(self.h, rewards)
        logits = self.last_prior = model.action_logits(self.h)
        self.last_q = None
        if self.planning.beta > 0:
            q = q_values(model, self.h, self.num_rounds - self.t, self.planning, self.generator)
            logits = improved_logits(logits, q, self.planning.beta)
            self.last_q = q
        if self.greedy:
            actions = logits.argmax(dim=-1)
        else:
            actions = torch.multinomial(torch.softmax(logits, -1), 1, generator=self.generator)
            actions = actions.squeeze(-1)
        self.h = model.feed_action(self.h, actions)
        self.t += 1
        return actions.numpy().astype(np.int64)


class PPICoPlayer:
    """A PPI actor behind the co-player protocol (acts on observation codes).

    For the opponent-ID ablation, ``id_source`` is the co-player this one faces (reset before
    this one): its log-policy is read at ``reset`` and kept as ``last_ids``; learners and other
    agents without one give zeros. The previous reward is read off the game from this seat.
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(self, actor: PPIActor, name: str = "ppi", id_source: Any = None) -> None:
        self.actor = actor
        self.name = name
        self.id_source = id_source
        self.last_ids: torch.Tensor | None = None

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """New episodes for ``batch_size`` games of ``game`` (this player first)."""
        self._rewards = game.reward_table(0).astype(np.float32)
        self.last_ids = None
        if self.actor.model.config.co_player_id:
            self.last_ids = (
                co_player_ids(self.id_source, batch_size)
                if self.id_source is not None
                else torch.zeros(batch_size, CO_PLAYER_ID_DIM)
            )
        self.actor.start(batch_size, int(rng.integers(2**31)), self.last_ids)

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Actions for the ``(B,)`` observation codes (this player's own side)."""
        return self.actor.act(obs, self._rewards[obs])


class PPIAgent:
    """A PPI agent behind the agent protocol.

    Observations are :data:`coop_envs.core.AGENT_OBSERVATION` features (one-hot of the last
    joint action, previous own action, previous reward); the agent reads the code and the reward.
    """

    protocol = AGENT_PROTOCOL
    observation_config = AGENT_OBSERVATION

    def __init__(self, actor: PPIActor, name: str = "ppi") -> None:
        self.actor = actor
        self.name = name
        layout = AGENT_OBSERVATION.layout
        self._obs, self._reward = layout["observation"], layout["prev_reward"]

    def reset(self, num_envs: int, seed: int | None = None) -> None:
        """Start ``num_envs`` new games."""
        self.num_envs = check_positive_int(num_envs, "num_envs", MAX_BATCH_SIZE)
        seed = int(np.random.SeedSequence(seed).generate_state(1)[0])
        self.actor.start(self.num_envs, seed)

    def act(self, observations: np.ndarray) -> np.ndarray:
        """``(B,)`` actions for ``(B, 8)`` observation features."""
        observations = np.asarray(observations, dtype=np.float32)
        if observations.shape != (getattr(self, "num_envs", -1), AGENT_OBSERVATION.size):
            raise ValueError(
                f"observations must have shape (num_envs, {AGENT_OBSERVATION.size}) after "
                f"reset(num_envs, seed); got {observations.shape}"
            )
        codes = codes_from_one_hot(observations[:, self._obs])
        rewards = check_finite_array(observations[:, self._reward][:, 0], "previous rewards")
        return self.actor.act(codes, rewards)


class PPIGamePlayer:
    """A PPI actor as a co-player of a game beyond 2x2 (:func:`coop_envs.core.play_batched`).

    Each round it reads its ``(B, D)`` observation as a token and its previous reward off it.

    Args:
        actor: The actor (its model sized to ``tokens``).
        tokens: The game's observation tokens.
        name: Display name.
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(self, actor: PPIActor, tokens: PublicGoodsTokens, name: str = "ppi") -> None:
        self.actor = actor
        self.tokens = tokens
        self.name = name

    def reset(self, spec: Any, batch_size: int, rng: np.random.Generator) -> None:
        """New episodes in ``batch_size`` games of ``spec`` (one seed drawn from ``rng``).

        Raises:
            ValueError: If ``spec`` is another game, or the same with other observations.
        """
        check_game(self.tokens, spec)
        self.actor.start(batch_size, int(rng.integers(2**31)))

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``(B,)`` actions for this round's ``(B, D)`` observations from its seat."""
        return self.actor.act(self.tokens.encode(obs), self.tokens.reward(obs))


def check_game(tokens: PublicGoodsTokens, spec: Any) -> None:
    """Raise ``ValueError`` unless ``spec`` is the game whose observations ``tokens`` read.

    Raises:
        ValueError: Naming the game (and layout) received and the one accepted.
    """
    mine = tokens.key
    try:
        theirs = observation_tokens(spec).key
    except (TypeError, ValueError):
        theirs = {"game": getattr(spec, "name", type(spec).__name__)}
    if theirs != mine:
        raise ValueError(
            f"this PPI agent plays {_describe(mine)}; it was reset with {_describe(theirs)}"
        )


def _describe(key: dict[str, Any]) -> str:
    if "layout" not in key:
        return repr(key["game"])
    return (
        f"{key['game']} with N = {key['num_players']}, {key['num_actions']} actions and "
        f"observation={key['layout']!r}"
    )


class PPIGameAgent:
    """A PPI agent of a game beyond 2x2 behind the agent protocol (batched ``reset`` / ``act``).

    Args:
        actor: The actor.
        tokens: The game's observation tokens.
        game: ``{"name", "kwargs", "num_rounds"}`` of the game it was trained on.
        name: Display name.

    Attributes:
        game: The game's name (``public_goods``).
        game_kwargs: The game's parameters (e.g. ``{"num_players": 4, ...}``).
        observation_shape: One observation's shape.
    """

    protocol = AGENT_PROTOCOL

    def __init__(
        self, actor: PPIActor, tokens: PublicGoodsTokens, game: dict[str, Any], name: str = "ppi"
    ) -> None:
        self.actor = actor
        self.tokens = tokens
        self.name = name
        self.game = game["name"]
        self.game_kwargs = dict(game["kwargs"])
        self.observation_shape = tokens.spec.observation_shape

    def seat(self, seated: Any = None) -> PPIGamePlayer:
        """A fresh co-player of its game for one seat (its own actor: seats never share state).

        ``seated`` (the co-players seated with it) is ignored: a PPI agent reads them off its
        observations only. The seat factory of
        :func:`baselines.general.trainer.evaluate_game_players`.
        """
        actor = self.actor
        fresh = PPIActor(actor.model, actor.planning, actor.num_rounds, greedy=actor.greedy)
        return PPIGamePlayer(fresh, self.tokens, name=self.name)

    def reset(self, num_envs: int, seed: int | None = None) -> None:
        """Start ``num_envs`` new games."""
        self.num_envs = check_positive_int(num_envs, "num_envs", MAX_BATCH_SIZE)
        seed = int(np.random.SeedSequence(seed).generate_state(1)[0])
        self.actor.start(self.num_envs, seed)

    def act(self, observations: np.ndarray) -> np.ndarray:
        """``(B,)`` actions for ``(B, D)`` observations of the game from its seat.

        Raises:
            ValueError: If the shape is not ``(num_envs, D)`` or a row is no observation of the
                game (the message names what was received and what is accepted).
        """
        observations = np.asarray(observations, dtype=np.float32)
        shape = (getattr(self, "num_envs", -1), self.tokens.observation_size)
        if observations.shape != shape:
            raise ValueError(
                f"observations must have shape (num_envs, {shape[1]}) after reset(num_envs, "
                f"seed) ({_describe(self.tokens.key)}); got {observations.shape}"
            )
        return self.actor.act(self.tokens.encode(observations), self.tokens.reward(observations))


def save_ppi_game(
    path: str | Path,
    model: SequenceModel,
    planning: PlanningConfig,
    game: dict[str, Any],
    tokens: PublicGoodsTokens,
    meta: dict[str, Any] | None = None,
) -> Path:
    """Save a PPI agent of a game beyond 2x2 (model, planning, game, its tokens) to one file.

    Args:
        path: The file to write.
        model: The sequence model (sized to ``tokens``).
        planning: The improvement step's settings.
        game: ``{"name", "kwargs", "num_rounds"}`` of the game.
        tokens: The game's observation tokens (their :attr:`~PublicGoodsTokens.key` is kept).
        meta: Name, preset, seed, ... of the run.
    """
    record = dict(game)
    return _save(path, model, planning, record["num_rounds"], record, meta, tokens=tokens.key)


def game_tokens_from_payload(payload: dict[str, Any], source: str) -> PublicGoodsTokens:
    """The observation tokens of a PPI file of a game beyond 2x2 (checked against its record)."""
    try:
        game = payload["game"]
        core = CONTRACT_GAMES[game["name"]](batch_size=1, num_rounds=2, **game["kwargs"])
        tokens = observation_tokens(core.spec)
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{source} has an invalid game: {exc}") from exc
    if payload.get("tokens") != tokens.key:
        raise CheckpointError(
            f"{source} records observation tokens {payload.get('tokens')}; its game has "
            f"{tokens.key} (saved by another version of the tokens?)"
        )
    return tokens


def is_game_payload(payload: dict[str, Any]) -> bool:
    """Whether a PPI file is of a game beyond 2x2 (else of the 2x2 matrix games)."""
    game = payload.get("game")
    return isinstance(game, dict) and game.get("name") in CONTRACT_GAMES


def save_ppi(
    path: str | Path,
    model: SequenceModel,
    planning: PlanningConfig,
    game: MatrixGame,
    num_rounds: int = DEFAULT_NUM_ROUNDS,
    meta: dict[str, Any] | None = None,
) -> Path:
    """Save a PPI agent (model weights and config, planning settings, game) to one file."""
    return _save(path, model, planning, num_rounds, game.to_dict(), meta)


def _save(
    path: str | Path,
    model: SequenceModel,
    planning: PlanningConfig,
    num_rounds: int,
    game: dict[str, Any],
    meta: dict[str, Any] | None,
    **extra: Any,
) -> Path:
    from dataclasses import asdict

    payload = {
        "format": FORMAT,
        "version": VERSION,
        "kind": KIND,
        "model_config": asdict(model.config),
        "planning": asdict(planning),
        "num_rounds": int(num_rounds),
        "game": game,
        **extra,
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "meta": meta or {},
    }
    path = Path(path)
    atomic_save(payload, path)
    return path


def model_from_payload(
    payload: dict[str, Any], source: str = "checkpoint", tokens: PublicGoodsTokens | None = None
) -> SequenceModel:
    """Rebuild the sequence model of a PPI checkpoint dictionary (sized to ``tokens``' game)."""
    sizes = () if tokens is None else (tokens.size, tokens.num_actions)
    try:
        model = SequenceModel(ModelConfig(**payload["model_config"]), *sizes)
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{source} has an invalid PPI model config: {exc}") from exc
    try:
        model.load_state_dict(payload["state_dict"])
    except (RuntimeError, KeyError) as exc:
        raise CheckpointError(f"{source}: weights do not match its model config: {exc}") from exc
    return model.eval()


def ppi_agent_from_payload(
    payload: dict[str, Any],
    source: str,
    greedy: bool = False,
    name: str | None = None,
    planning: PlanningConfig | None = None,
) -> PPIAgent | PPIGameAgent:
    """The agent of a PPI checkpoint dictionary (``planning`` overrides the saved one).

    A :class:`PPIAgent` for the matrix games; a :class:`PPIGameAgent` for a game beyond 2x2.
    """
    tokens = game_tokens_from_payload(payload, source) if is_game_payload(payload) else None
    model = model_from_payload(payload, source, tokens)
    if planning is not None and not isinstance(planning, PlanningConfig):
        raise TypeError(f"planning must be a PlanningConfig or None; got {type(planning).__name__}")
    try:
        if planning is None:
            planning = PlanningConfig(**payload["planning"])
        rounds = int(payload.get("num_rounds", DEFAULT_NUM_ROUNDS))
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{source} has invalid planning settings: {exc}") from exc
    actor = PPIActor(model, planning, rounds, greedy=greedy)
    name = name or payload.get("meta", {}).get("name") or "ppi"
    if tokens is not None:
        return PPIGameAgent(actor, tokens, payload["game"], name=name)
    return PPIAgent(actor, name=name)


def load_ppi(
    path: str | Path, greedy: bool = False, planning: PlanningConfig | None = None
) -> PPIAgent | PPIGameAgent:
    """Load a PPI agent saved by :func:`save_ppi`.

    Args:
        path: The agent file.
        greedy: Take the most likely action instead of sampling.
        planning: Plan with these settings instead of the saved ones (e.g. a larger β or
            horizon); :func:`save_ppi` with them writes a new agent file.
    """
    payload = read_checkpoint(path)
    if payload.get("kind") != KIND:
        raise CheckpointError(f"{str(path)!r} is not a PPI agent (kind {payload.get('kind')!r})")
    source = f"checkpoint {str(path)!r}"
    return ppi_agent_from_payload(payload, source, greedy, Path(path).stem, planning)
