"""Frozen policies as co-players: any object meeting the agent protocol can sit in seat 1.

The agent protocol (:class:`coop_envs.core.Agent`) is what learners, trained baselines and
leaderboard submissions implement: ``reset(num_envs, seed)`` and ``act(observations)`` on
``(B, D) float32`` features. :class:`AgentCoPlayer` turns it into a co-player: it draws the
agent's seed from the environment's generator, encodes the co-player's own observation codes
into the agent's features, and checks the actions it returns.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from coop_envs.core import (
    AGENT_OBSERVATION,
    Agent,
    MatrixGame,
    ObservationConfig,
    ObservationEncoder,
    check_actions,
)


def is_agent(obj: Any) -> bool:
    """Whether ``obj`` looks like an agent: ``reset`` and a one-argument ``act(observations)``.

    Co-players' ``act(obs, rng)`` takes two arguments, which is how the two are told apart.
    """
    act = getattr(obj, "act", None)
    if not callable(getattr(obj, "reset", None)) or not callable(act):
        return False
    try:
        params = [
            p
            for p in inspect.signature(act).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
        ]
    except (TypeError, ValueError):
        return False
    return len(params) == 1


class AgentCoPlayer:
    """Wrap an :class:`~coop_envs.core.Agent` as a co-player.

    Args:
        agent: The policy.
        observation: Feature layout it expects; default: ``agent.observation_config`` if it has
            one, else the paper's learner input :data:`coop_envs.core.AGENT_OBSERVATION`.
        num_rounds: Horizon used for the round-index block (if the layout has one); co-players
            are not told the horizon, so pass the environment's here.
        name: Display name.
    """

    def __init__(
        self,
        agent: Agent,
        observation: ObservationConfig | None = None,
        num_rounds: int = 100,
        name: str | None = None,
    ) -> None:
        if not is_agent(agent):
            raise TypeError(
                "agent must have reset(num_envs, seed) and act(observations); "
                f"got {type(agent).__name__}"
            )
        self.agent = agent
        self.observation = observation or getattr(agent, "observation_config", AGENT_OBSERVATION)
        self.num_rounds = num_rounds
        self.name = name or getattr(agent, "name", type(agent).__name__)

    def __repr__(self) -> str:
        return f"AgentCoPlayer({self.name!r})"

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Reset the agent for ``batch_size`` games, seeded from ``rng``."""
        self._encoder = ObservationEncoder(self.observation, game, self.num_rounds)
        self._t = 0
        self._batch_size = batch_size
        self.agent.reset(batch_size, int(rng.integers(2**31)))

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Encode the codes as the agent's features and return its checked actions."""
        features = self._encoder.encode(0, obs, self._t)
        self._t += 1
        actions = self.agent.act(features)
        return check_actions(actions, (self._batch_size,), f"actions of agent {self.name!r}")
