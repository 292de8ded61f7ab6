"""The recurrent in-context agent for any game of the batched core contract, and its agent files.

:class:`GamePolicy` is the paper's GRU agent with its input taken from the game: each round it
reads the flattened observation from its own seat (``spec.observation_shape``, float32) and the
one-hot of its own previous action (``spec.num_actions``; zeros at the first round), through one
linear embedding, plus, for the opponent-ID ablation, a linear embedding of the co-players'
parameters; then a GRU, swish, and linear policy (``spec.num_actions`` logits) and value heads.
Unlike the matrix games' agent it is not given its previous reward: a submission to the
leaderboard sees observations only, and the agent must read what happened from them (the public
goods observation holds every move of the last round; the Coin Game's the positions, from which
a pick-up shows).

Behind the two protocols of the project:

- :class:`GamePolicyPlayer` — the co-player protocol of :func:`coop_envs.core.play_batched`
  (trainer rollouts and evaluations; samples with the loop's generator, and records what it saw
  and did when the trainer asks);
- :class:`GamePolicyAgent` — the agent protocol (``reset(num_envs, seed)``,
  ``act(observations)``), what :func:`baselines.load_agent` gives for these agent files: a
  leaderboard submission, or a co-player of the game's environments.

Agent files use the container of :mod:`baselines.checkpoints` with ``kind: "game_policy"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from baselines.checkpoints import FORMAT, VERSION, CheckpointError, atomic_save
from baselines.policies import PolicyConfig
from coop_envs.core import (
    AGENT_PROTOCOL,
    CO_PLAYER_PROTOCOL,
    CONTRACT_GAMES,
    MAX_BATCH_SIZE,
    GameSpec,
    check_positive_int,
)

KIND = "game_policy"
"""The ``kind`` of these agent files."""


class GamePolicy(nn.Module):
    """Embedding of (observation, previous own action) -> GRU -> swish -> policy and value heads.

    Args:
        config: Network shape (``arch`` must be ``gru``).
        spec: The game (observation shape and number of actions).
        id_size: Length of the co-player ID vector (``config.co_player_id`` only).
        game: ``{"name", "kwargs", "num_rounds"}`` of the game it is trained on (kept in its file).

    Raises:
        ValueError: For another architecture, or ``co_player_id`` without an ID size.
    """

    def __init__(
        self, config: PolicyConfig, spec: GameSpec, id_size: int = 0, game: dict | None = None
    ) -> None:
        super().__init__()
        if config.arch != "gru":
            raise ValueError(f"GamePolicy is a GRU agent; got policy.arch={config.arch!r}")
        if config.co_player_id and id_size < 1:
            raise ValueError("policy.co_player_id needs co-players with IDs (id_size >= 1)")
        self.config = config
        self.spec = spec
        self.game = dict(game or {"name": spec.name, "kwargs": {}, "num_rounds": spec.num_rounds})
        self.obs_size = math.prod(spec.observation_shape)
        self.num_actions = spec.num_actions
        self.id_size = id_size if config.co_player_id else 0
        self.input_size = self.obs_size + self.num_actions
        self.embed = nn.Linear(self.input_size, config.embed)
        self.id_embed = nn.Linear(self.id_size, config.embed) if self.id_size else None
        self.gru = nn.GRU(config.embed, config.hidden)
        self.policy_head = nn.Linear(config.hidden, self.num_actions)
        self.value_head = nn.Linear(config.hidden, 1)
        nn.init.orthogonal_(self.policy_head.weight, gain=0.01)  # a near-uniform first policy
        nn.init.zeros_(self.policy_head.bias)

    def inputs(self, obs: np.ndarray, previous: np.ndarray) -> torch.Tensor:
        """``(B, F)`` inputs of one round.

        Args:
            obs: ``(B, *S)`` observations.
            previous: ``(B,)`` previous actions, -1 before the first round.
        """
        batch = len(obs)
        x = torch.zeros(batch, self.input_size)
        x[:, : self.obs_size] = torch.from_numpy(
            np.asarray(obs, dtype=np.float32).reshape(batch, -1)
        )
        played = np.flatnonzero(previous >= 0)
        x[played, self.obs_size + previous[played]] = 1.0
        return x

    def _embed(self, x: torch.Tensor, ids: torch.Tensor | None) -> torch.Tensor:
        out = self.embed(x)
        if self.id_embed is not None:
            if ids is None:
                raise ValueError("this policy embeds co-player IDs (co_player_id=True); got none")
            out = out + self.id_embed(ids)
        return out

    def forward(
        self, x: torch.Tensor, ids: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Replay whole episodes: ``(T, B, F)`` inputs -> ``(logits (T, B, A), values (T, B))``."""
        out, _ = self.gru(self._embed(x, ids))
        out = nn.functional.silu(out)
        return self.policy_head(out), self.value_head(out).squeeze(-1)

    def stepper(self, batch_size: int, ids: torch.Tensor | None = None) -> GameStepper:
        """A no-grad, round-by-round actor for ``batch_size`` new episodes."""
        return GameStepper(self, batch_size, ids)


class GameStepper:
    """One ``gru_cell`` per round (no gradients); made by :meth:`GamePolicy.stepper`."""

    def __init__(self, policy: GamePolicy, batch_size: int, ids: torch.Tensor | None) -> None:
        self.policy = policy
        with torch.no_grad():
            self.bias = None
            if policy.id_embed is not None:
                if ids is None:
                    raise ValueError("this policy embeds co-player IDs (co_player_id=True)")
                self.bias = policy.id_embed(ids)
        gru = policy.gru
        self.weights = (gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0)
        self.h = torch.zeros(batch_size, policy.config.hidden)

    @torch.inference_mode()
    def probabilities(self, x: torch.Tensor) -> np.ndarray:
        """``(B, A)`` action probabilities for this round's ``(B, F)`` inputs; advances state."""
        e = self.policy.embed(x)
        if self.bias is not None:
            e = e + self.bias
        self.h = torch.gru_cell(e, self.h, *self.weights)
        logits = self.policy.policy_head(nn.functional.silu(self.h))
        return torch.softmax(logits, dim=-1).double().numpy()


def sample(probabilities: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """``(B,)`` actions by inverse CDF: one uniform draw per game (the same draws, same actions)."""
    cdf = np.cumsum(probabilities, axis=1)
    return np.minimum((cdf < uniform[:, None]).sum(axis=1), probabilities.shape[1] - 1)


Ids = torch.Tensor | Callable[[], torch.Tensor] | None
"""Co-player IDs of a batch: a tensor, a function giving one at the first move, or None."""


class GamePolicyPlayer:
    """A :class:`GamePolicy` as a co-player of :func:`coop_envs.core.play_batched`.

    Args:
        policy: The network.
        ids: For a policy with ``co_player_id``: the IDs (zeros when None).
        greedy: Take the most likely action instead of sampling.
        record: Keep every round's inputs and actions (:attr:`inputs`, :attr:`actions`).
        name: Display name.
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(
        self,
        policy: GamePolicy,
        ids: Ids = None,
        greedy: bool = False,
        record: bool = False,
        name: str = "policy",
    ) -> None:
        self.policy = policy
        self.ids = ids
        self.greedy = greedy
        self.record = record
        self.name = name

    def reset(self, spec: GameSpec, batch_size: int, rng: np.random.Generator) -> None:
        """New episodes in ``batch_size`` games (draws nothing from ``rng``).

        Raises:
            ValueError: If the game differs from the policy's (observation shape or actions).
        """
        check_spec(self.policy, spec)
        self.batch_size = batch_size
        self.previous = np.full(batch_size, -1, dtype=np.int64)
        self._stepper: GameStepper | None = None
        self.inputs: list[torch.Tensor] = []
        self.actions: list[np.ndarray] = []

    def _ids(self) -> torch.Tensor | None:
        if not self.policy.id_size:
            return None
        ids = self.ids() if callable(self.ids) else self.ids
        return torch.zeros(self.batch_size, self.policy.id_size) if ids is None else ids

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``(B,)`` actions for this round's ``(B, *S)`` observations: one uniform draw per game."""
        if self._stepper is None:
            self._stepper = self.policy.stepper(self.batch_size, self._ids())
        x = self.policy.inputs(obs, self.previous)
        p = self._stepper.probabilities(x)
        actions = p.argmax(axis=1) if self.greedy else sample(p, rng.random(len(p)))
        if self.record:
            self.inputs.append(x)
            self.actions.append(actions)
        self.previous = actions
        return actions


def check_spec(policy: GamePolicy, spec: Any) -> None:
    """Raise ``ValueError`` unless ``spec`` is a game the policy can play."""
    if not isinstance(spec, GameSpec):
        raise ValueError(
            f"this policy plays games of the general contract ({policy.spec.name}); it was reset "
            f"with {type(spec).__name__}"
        )
    mine = (policy.spec.name, policy.spec.observation_shape, policy.spec.num_actions)
    theirs = (spec.name, spec.observation_shape, spec.num_actions)
    if mine != theirs:
        raise ValueError(
            f"this policy was trained on {mine[0]} (observation {mine[1]}, {mine[2]} actions); "
            f"it cannot play {theirs[0]} (observation {theirs[1]}, {theirs[2]} actions)"
        )


class GamePolicyAgent:
    """A trained :class:`GamePolicy` behind the agent protocol (batched ``reset`` / ``act``).

    Args:
        policy: The network.
        greedy: Take the most likely action instead of sampling.
        name: Display name.

    Attributes:
        game: The game's name (``public_goods``, ``coin_game``).
        game_kwargs: The game's parameters it was trained with (e.g. ``{"num_players": 4}``).
    """

    protocol = AGENT_PROTOCOL

    def __init__(self, policy: GamePolicy, greedy: bool = False, name: str | None = None) -> None:
        self.policy = policy
        self.greedy = greedy
        self.name = name or f"{policy.spec.name}_gru"
        self.game = policy.game["name"]
        self.game_kwargs = dict(policy.game["kwargs"])
        self._player = GamePolicyPlayer(policy, greedy=greedy, name=self.name)
        self._rng: np.random.Generator | None = None

    def reset(self, num_envs: int, seed: int | None = None) -> None:
        """Start ``num_envs`` new games."""
        self.num_envs = check_positive_int(num_envs, "num_envs", MAX_BATCH_SIZE)
        self._rng = np.random.default_rng(seed)
        self._player.reset(self.policy.spec, self.num_envs, self._rng)

    def act(self, observations: np.ndarray) -> np.ndarray:
        """``(B,)`` actions for ``(B, *spec.observation_shape)`` observations from its seat."""
        if self._rng is None:
            raise ValueError("act() called before reset(num_envs, seed)")
        observations = np.asarray(observations)
        shape = (self.num_envs, *self.policy.spec.observation_shape)
        if observations.shape != shape and observations.shape != (
            self.num_envs,
            self.policy.obs_size,
        ):
            raise ValueError(f"observations must have shape {shape}; got {observations.shape}")
        return self._player.act(observations, self._rng)


# -------------------------------------------------------------------------------- agent files
def save_game_policy(path: str | Path, policy: GamePolicy, meta: dict[str, Any]) -> Path:
    """Save ``policy`` (weights, config, game, dimensions, ``meta``) to one file, atomically."""
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "kind": KIND,
        "policy_config": asdict(policy.config),
        "game": policy.game,
        "id_size": policy.id_size,
        "state_dict": {k: v.detach().cpu() for k, v in policy.state_dict().items()},
        "meta": meta,
    }
    atomic_save(payload, Path(path))
    return Path(path)


def game_policy_from_payload(payload: dict[str, Any], source: str) -> GamePolicy:
    """Rebuild a :class:`GamePolicy` from an agent file's dictionary.

    Raises:
        CheckpointError: If its config or game is invalid or the weights do not match them.
    """
    try:
        config = PolicyConfig(**payload["policy_config"])
        game = payload["game"]
        core = CONTRACT_GAMES[game["name"]](
            batch_size=1, num_rounds=game["num_rounds"], **game["kwargs"]
        )
        policy = GamePolicy(config, core.spec, int(payload["id_size"]), game)
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{source} has an invalid policy config or game: {exc}") from exc
    try:
        policy.load_state_dict(payload["state_dict"])
    except (RuntimeError, KeyError) as exc:
        raise CheckpointError(
            f"{source}: weights do not match its config: {str(exc)[:300]}"
        ) from exc
    policy.eval()
    return policy
