r"""The small protocols that connect the core to co-players and agents.

Co-players are given to the single-agent environments as a constructor argument typed by
:class:`CoPlayer`, so that ``coop_envs`` never needs to import ``co_players`` at module level.

Both protocols have a ``reset`` and an ``act``, so an object says which one it meets: a class
attribute ``protocol = "agent"`` (:data:`AGENT_PROTOCOL`) or ``protocol = "co_player"``
(:data:`CO_PLAYER_PROTOCOL`). Every co-player and agent of this project declares it; an object
that does not is taken for what the place it is given to expects (``co_player=`` expects a
co-player, a leaderboard's ``make_agent()`` an agent), and its methods are checked there.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from coop_envs.core.games import MatrixGame
from coop_envs.core.observations import ObservationConfig

AGENT_OBSERVATION = ObservationConfig(prev_action=True, prev_reward=True)
"""Default observation of an :class:`Agent`: the paper's learner input (one-hot of the last joint
action, own previous action, own previous reward; 8 numbers)."""


AGENT_PROTOCOL = "agent"
"""Declared by agents: ``protocol = AGENT_PROTOCOL`` on the class."""
CO_PLAYER_PROTOCOL = "co_player"
"""Declared by co-players: ``protocol = CO_PLAYER_PROTOCOL`` on the class."""
PROTOCOLS = (AGENT_PROTOCOL, CO_PLAYER_PROTOCOL)


def declared_protocol(obj: Any) -> Literal["agent", "co_player"] | None:
    """The protocol ``obj`` declares (its ``protocol`` attribute), or None if it declares none.

    Raises:
        ValueError: If it declares something else.

    Example:
        >>> class TitForTat:
        ...     protocol = AGENT_PROTOCOL
        >>> declared_protocol(TitForTat()), declared_protocol(object())
        ('agent', None)
    """
    value = getattr(obj, "protocol", None)
    if value is None:
        return None
    if value not in PROTOCOLS:
        raise ValueError(
            f"{type(obj).__name__}.protocol must be {AGENT_PROTOCOL!r} or "
            f"{CO_PLAYER_PROTOCOL!r}; got {value!r}"
        )
    return value


@runtime_checkable
class CoPlayer(Protocol):
    r"""A batch of B co-players, one per game, that sees only its own side of the play.

    ``reset`` is called at the start of every episode with the batch size of that episode; a
    co-player that is a *distribution* (e.g. random memory-one strategies) draws a fresh member
    for every game there, which is what per-episode resampling means. ``act`` is then called once
    per round with the co-player's own observation codes.

    The game is always given *from the co-player's seat*: the co-player is player 0 of the game
    it receives (environments pass ``game.swapped()`` to the co-player in seat 1), so its reward
    for the round its code describes is ``game.reward_table(0)[code]``. Learning co-players need
    nothing more.

    A co-player may also implement ``identity() -> (B, 10) float`` returning
    :math:`\log \pi(a \mid o)` per game, for the opponent-ID ablation; without it, the ID block
    is zeros, as for a learning co-player in the paper.

    Implementations declare ``protocol = "co_player"`` (not a member of this ``Protocol``, so
    that ``isinstance`` checks only the methods).
    """

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Start a new episode of ``batch_size`` games of ``game``."""
        ...

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Return ``(B,)`` integer actions given ``(B,) int64`` own-view observation codes."""
        ...


@runtime_checkable
class Agent(Protocol):
    """The protocol of a policy that plays B games at once: learners, baselines, submissions.

    ``reset(num_envs, seed)`` starts B = ``num_envs`` games; ``act(observations)`` maps the
    ``(B, D) float32`` observation features (layout: ``observation_config`` if the agent has
    that attribute, else :data:`AGENT_OBSERVATION`) to ``(B,)`` integer actions. Any agent can
    be a co-player through :class:`co_players.AgentCoPlayer`. Implementations declare
    ``protocol = "agent"`` (what tells them apart from co-players, whose methods have the same
    names; not a member of this ``Protocol``, so that ``isinstance`` checks only the methods).
    """

    def reset(self, num_envs: int, seed: int | None = None) -> None:
        """Start ``num_envs`` new games."""
        ...

    def act(self, observations: np.ndarray) -> np.ndarray:
        """Return ``(B,)`` actions for ``(B, D)`` observations."""
        ...
