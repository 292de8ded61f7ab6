"""Policy networks behind the project's two protocols.

- :class:`PolicyPlayer` — the co-player protocol, which the play loop
  (:func:`coop_envs.core.play`) drives: the trainer's rollouts and every evaluation. It acts on
  observation codes and samples with the loop's generator, so one seed fixes a whole update.
- :class:`PolicyAgent` — the agent protocol (``reset(num_envs, seed)`` / ``act(observations)``
  on :data:`coop_envs.core.AGENT_OBSERVATION` features), what :func:`baselines.load_agent` gives:
  a trained baseline as an environment's co-player, a leaderboard submission, an evaluation
  subject.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from baselines.policies import ActorCritic
from coop_envs.core import (
    AGENT_OBSERVATION,
    AGENT_PROTOCOL,
    CO_PLAYER_ID_DIM,
    CO_PLAYER_PROTOCOL,
    MAX_BATCH_SIZE,
    NUM_OBSERVATIONS,
    CoPlayer,
    MatrixGame,
    check_positive_int,
    codes_from_one_hot,
)

Ids = torch.Tensor | Callable[[], torch.Tensor] | None
"""Co-player IDs of a batch: a ``(B, 10)`` tensor, a function giving one when play starts, or
None (zeros for a policy that takes IDs)."""


def co_player_ids(co_player: CoPlayer, batch_size: int) -> torch.Tensor:
    """``(B, 10)`` ID vectors of a freshly reset co-player batch (zeros if it has none)."""
    identity = getattr(co_player, "identity", None)
    if identity is None:
        return torch.zeros(batch_size, CO_PLAYER_ID_DIM)
    return torch.from_numpy(np.asarray(identity(), dtype=np.float32))


def seat_of(policy_game: MatrixGame, view: MatrixGame) -> int:
    """Which seat of its training game a policy is in, from the game it is given (its view).

    Raises:
        ValueError: If the view is neither the game nor its swap (another game).
    """
    if np.array_equal(view.payoffs, policy_game.payoffs):
        return 0
    if np.array_equal(view.payoffs, policy_game.swapped().payoffs):
        return 1
    raise ValueError(
        f"this policy was trained on {policy_game.name!r}; it cannot play {view.name!r}"
    )


class PolicyPlayer:
    """A policy network as a co-player: one stepper per episode, actions sampled from ``rng``.

    Args:
        policy: The network (acts without gradients).
        ids: For a policy with ``co_player_id``: the co-player IDs (see :data:`Ids`); a function
            is called at the first move, when every player of the games has been reset.
        greedy: Take the most likely action instead of sampling.
        name: Display name.
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(
        self, policy: ActorCritic, ids: Ids = None, greedy: bool = False, name: str = "policy"
    ) -> None:
        self.policy = policy
        self.ids = ids
        self.greedy = greedy
        self.name = name
        self._stepper = None

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """New episodes in ``batch_size`` games (draws nothing from ``rng``)."""
        self.seat = seat_of(self.policy.game, game)
        self._batch_size = batch_size
        self._stepper = None

    def _ids(self) -> torch.Tensor | None:
        if not self.policy.config.co_player_id:
            return None
        ids = self.ids() if callable(self.ids) else self.ids
        return torch.zeros(self._batch_size, CO_PLAYER_ID_DIM) if ids is None else ids

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``(B,)`` actions for this round's ``(B,)`` codes: one uniform draw per game."""
        if self._stepper is None:
            self._stepper = self.policy.stepper(self._batch_size, self._ids())
        index = torch.from_numpy(np.asarray(obs, dtype=np.int64) + self.seat * NUM_OBSERVATIONS)
        logits = self._stepper.logits(index)
        p_defect = torch.sigmoid(logits[:, 1] - logits[:, 0]).numpy()
        if self.greedy:
            return (p_defect > 0.5).astype(np.int64)
        return (rng.random(len(p_defect)) < p_defect).astype(np.int64)


class PolicyAgent:
    """A trained policy behind the agent protocol (batched ``reset`` / ``act``).

    Observations are the :data:`coop_envs.core.AGENT_OBSERVATION` features (one-hot of the last
    joint action, own previous action, previous reward: 8 numbers per game); the policy reads the
    observation code from the one-hot part. Actions are sampled from the policy (``greedy=False``)
    with a generator seeded by ``reset``.

    Args:
        policy: The network.
        greedy: Take the most likely action instead of sampling.
        seat: The seat whose payoffs the previous-reward feature uses (0 unless the game is
            asymmetric and the agent plays seat 1).
        name: Display name.
    """

    protocol = AGENT_PROTOCOL
    observation_config = AGENT_OBSERVATION

    def __init__(
        self, policy: ActorCritic, greedy: bool = False, seat: int = 0, name: str | None = None
    ) -> None:
        if seat not in (0, 1):
            raise ValueError(f"seat must be 0 or 1; got {seat!r}")
        self.policy = policy
        self.greedy = greedy
        self.seat = seat
        self.name = name or f"{policy.config.arch}_policy"
        self._stepper = None
        self._rng = np.random.default_rng()

    def reset(self, num_envs: int, seed: int | None = None) -> None:
        """Start ``num_envs`` new games."""
        self.num_envs = check_positive_int(num_envs, "num_envs", MAX_BATCH_SIZE)
        self._rng = np.random.default_rng(seed)
        ids = (
            torch.zeros(self.num_envs, CO_PLAYER_ID_DIM)
            if self.policy.config.co_player_id
            else None
        )
        self._stepper = self.policy.stepper(self.num_envs, ids)

    def act(self, observations: np.ndarray) -> np.ndarray:
        """``(B,)`` actions for ``(B, 8)`` observation features."""
        if self._stepper is None:
            raise ValueError("act() called before reset(num_envs, seed)")
        observations = np.asarray(observations)
        if observations.shape != (self.num_envs, AGENT_OBSERVATION.size):
            raise ValueError(
                f"observations must have shape ({self.num_envs}, {AGENT_OBSERVATION.size}); "
                f"got {observations.shape}"
            )
        codes = codes_from_one_hot(observations[:, :NUM_OBSERVATIONS])
        return self.act_codes(codes)

    def act_codes(self, codes: np.ndarray) -> np.ndarray:
        """``(B,)`` actions for ``(B,)`` observation codes (the fast path)."""
        index = torch.from_numpy(np.asarray(codes, dtype=np.int64) + self.seat * NUM_OBSERVATIONS)
        logits = self._stepper.logits(index)
        p_defect = torch.softmax(logits, dim=-1)[:, 1].numpy()
        if self.greedy:
            return (p_defect > 0.5).astype(np.int64)
        return (self._rng.random(len(p_defect)) < p_defect).astype(np.int64)
