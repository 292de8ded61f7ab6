"""What the single-agent front ends share: B games of any core against batches of co-players.

:class:`~coop_envs.gym_env.BatchedGameEnv` is this with B = 1 and
:class:`~coop_envs.vector_env.BatchedGameVectorEnv` with B = ``num_envs``; the learner is
player 0 and co-players fill seats 1 .. N - 1.

How a new game plugs in: implement :class:`~coop_envs.core.contract.BatchedGame` in the core,
register co-players for it (:func:`co_players.registry.register_game`), and pass a core of it to
:class:`VersusCoPlayer` (through the Gym, vector or PettingZoo adapter). Nothing here knows any
game by name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coop_envs.core import (
    BatchedGame,
    CoPlayer,
    IteratedGame,
    check_discrete_actions,
    co_player_view,
)


def resolve_co_player(spec: Any, game: str | None = None) -> CoPlayer:
    """Resolve ``co_player=`` through the co-player registry, imported only when needed.

    Args:
        spec: What the user passed.
        game: The game's name for games with their own co-players (``None``: the matrix games).
    """
    from co_players.registry import resolve_co_player as resolve  # lazy: keeps imports a DAG

    return resolve(spec) if game is None else resolve(spec, game=game)


def _per_seat(spec: Any, num_others: int) -> bool:
    """Whether ``spec`` gives one co-player per other seat (a list of ids or objects)."""
    return (
        num_others > 1
        and isinstance(spec, (list, tuple))
        and len(spec) == num_others
        and all(isinstance(s, str) or hasattr(s, "act") for s in spec)
    )


class VersusCoPlayer:
    """B games in lockstep of a learner (player 0) against co-players in seats 1 .. N - 1.

    Args:
        core: The game, any :class:`~coop_envs.core.contract.BatchedGame` of B games.
        co_player: What fills the other seats: one co-player spec for all of them (one object
            then plays all ``B x (N - 1)`` seats as one batch, seat-major rows, so distributions
            draw independently per seat), or, for N > 2, a list of N - 1 specs, one per seat.
            A spec is anything :func:`co_players.registry.resolve_co_player` accepts for the game.
        co_player_id: Give the learner the co-player's log-policy (matrix games only).

    Raises:
        ValueError: If ``co_player_id`` is asked of a core that cannot take it.
    """

    def __init__(self, core: BatchedGame, co_player: Any, co_player_id: bool = False) -> None:
        self.core = core
        self.spec = core.spec
        matrix = isinstance(core, IteratedGame)  # its co-players: the matrix-game protocol
        self.game = core.game if matrix else core
        game_name = None if matrix else self.spec.name
        others = self.spec.num_players - 1
        if _per_seat(co_player, others):
            players = [resolve_co_player(s, game_name) for s in co_player]
            self._groups = [(p, (seat,)) for seat, p in enumerate(players, start=1)]
        else:
            self._groups = [(resolve_co_player(co_player, game_name), tuple(range(1, others + 1)))]
        self.co_player = self._groups[0][0] if len(self._groups) == 1 else self._groups
        self._co_player_id = co_player_id
        if co_player_id and game_name is not None:
            raise ValueError(
                f"co_player_id=True is for the matrix games; {self.spec.name} has none"
            )
        self._views = [co_player_view(core, seat) for seat in range(1, others + 1)]
        self._joint = np.zeros((core.batch_size, self.spec.num_players), dtype=np.int64)
        self._ids: np.ndarray | None = None

    def observation_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """``(low, high)`` of one learner observation."""
        own = getattr(self.core, "observation_bounds", None)
        return own() if own is not None else self.spec.observation_bounds

    def _learner_observation(self) -> np.ndarray:
        if self._co_player_id:
            return self.core.observation(0, self._ids)
        return self.core.observation(0)

    def _group_obs(self, seats: tuple[int, ...]) -> np.ndarray:
        if len(seats) == 1:
            return self._views[seats[0] - 1][1]()
        return np.concatenate([self._views[s - 1][1]() for s in seats])

    def reset(self, rng: np.random.Generator) -> np.ndarray:
        """New episode: new co-players drawn from ``rng``; returns ``(B, *S)`` observations."""
        self.core.reset(rng)
        batch = self.core.batch_size
        for player, seats in self._groups:
            player.reset(self._views[seats[0] - 1][0], batch * len(seats), rng)
        self._ids = None
        if self._co_player_id:
            identity = getattr(self.co_player, "identity", None)
            self._ids = None if identity is None else identity()
        return self._learner_observation()

    def step(
        self, actions: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, bool]:
        """Play a round with the learner's validated ``(B,)`` actions.

        Returns:
            ``(observations (B, *S), rewards (B, N), done)``.

        Raises:
            ValueError: If a co-player returns invalid actions.
        """
        batch = self.core.batch_size
        for player, seats in self._groups:
            theirs = player.act(self._group_obs(seats), rng)
            theirs = check_discrete_actions(
                theirs, (batch * len(seats),), self.spec.action_meanings, "co-player actions"
            )
            self._joint[:, list(seats)] = theirs.reshape(len(seats), batch).T
        self._joint[:, 0] = actions
        rewards, done = self.core.step(self._joint, validate=False)
        return self._learner_observation(), rewards, done

    @property
    def joint(self) -> np.ndarray:
        """``(B, N) int64`` the actions of the last round played (a view)."""
        return self._joint
