"""What the single-agent front ends share: B games of the core against a batch of co-players.

:class:`~coop_envs.gym_env.IteratedGameEnv` is this with B = 1 and
:class:`~coop_envs.vector_env.IteratedGameVectorEnv` with B = ``num_envs``; the learner is
player 0 and the co-player player 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coop_envs.core import CoPlayer, IteratedGame, MatrixGame, ObservationConfig, check_actions


def resolve_co_player(spec: Any) -> CoPlayer:
    """Resolve ``co_player=`` through the co-player registry, imported only when needed."""
    from co_players.registry import resolve_co_player as resolve  # lazy: keeps imports a DAG

    return resolve(spec)


class VersusCoPlayer:
    """B games in lockstep of a learner (player 0) against co-players (player 1).

    Args:
        game: Game name, :class:`~coop_envs.core.MatrixGame` or payoff table.
        co_player: Anything :func:`co_players.registry.resolve_co_player` accepts.
        batch_size: B.
        num_rounds: Rounds per episode.
        observation: The learner's observation blocks.
    """

    def __init__(
        self,
        game: str | MatrixGame,
        co_player: Any,
        batch_size: int,
        num_rounds: int,
        observation: ObservationConfig,
    ) -> None:
        self.core = IteratedGame(game, batch_size, num_rounds, observation)
        self.game = self.core.game
        self.co_player = resolve_co_player(co_player)
        self.observation_config = observation
        self._joint = np.zeros((batch_size, 2), dtype=np.int64)
        self._ids: np.ndarray | None = None

    def observation_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """``(low, high)`` of one learner observation."""
        return self.observation_config.bounds(self.game)

    def reset(self, rng: np.random.Generator) -> np.ndarray:
        """New episode: new co-players drawn from ``rng``; returns ``(B, D)`` observations."""
        self.core.reset()
        self.co_player.reset(self.game.swapped(), self.core.batch_size, rng)
        self._ids = None
        if self.observation_config.co_player_id:
            identity = getattr(self.co_player, "identity", None)
            self._ids = None if identity is None else identity()
        return self.core.observation(0, self._ids)

    def step(
        self, actions: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, bool]:
        """Play a round with the learner's validated ``(B,)`` actions.

        Returns:
            ``(observations (B, D), rewards (B, 2), done)``.

        Raises:
            ValueError: If the co-player returns invalid actions.
        """
        theirs = self.co_player.act(self.core.codes[:, 1], rng)
        self._joint[:, 0] = actions
        self._joint[:, 1] = check_actions(theirs, (self.core.batch_size,), "co-player actions")
        rewards, done = self.core.step(self._joint, validate=False)
        return self.core.observation(0, self._ids), rewards, done
