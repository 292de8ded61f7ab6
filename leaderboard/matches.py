"""Batched matches between agents (submissions) and co-players, played by the parent process.

All games of one game type and seed are one :class:`~coop_envs.core.IteratedGame` batch: every
participant owns some (game, seat) slots and acts for all of them each round. Agents (the agent
protocol, e.g. a :class:`~leaderboard.sandbox.RemoteAgent`) receive the
:data:`~coop_envs.core.AGENT_OBSERVATION` features of their slots, from their own side; co-players
receive their observation codes. A whole scenario set is therefore 100 ``act`` calls per agent,
whatever the number of scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coop_envs.core import (
    AGENT_OBSERVATION,
    COOPERATE,
    Agent,
    CoPlayer,
    IteratedGame,
    MatrixGame,
    ObservationEncoder,
)


@dataclass
class AgentSlots:
    """An agent acting in ``games`` from ``seats`` (its games get consecutive rows)."""

    agent: Agent
    games: np.ndarray
    seats: np.ndarray


@dataclass
class CoPlayerSlots:
    """A co-player acting in ``games`` from seat ``seat``."""

    co_player: CoPlayer
    games: np.ndarray
    seat: int = 1


def play_matches(
    game: MatrixGame,
    num_games: int,
    num_rounds: int,
    agents: list[AgentSlots],
    co_players: list[CoPlayerSlots],
    rng: np.random.Generator,
) -> IteratedGame:
    """Play all games; every (game, seat) must have exactly one participant.

    Agents are reset with seeds drawn from ``rng``; co-players are reset (with their seat's view
    of the game) and act with ``rng``.

    Returns:
        The core with the full history.
    """
    filled = np.zeros((num_games, 2), dtype=np.int64)
    for a in agents:
        np.add.at(filled, (a.games, a.seats), 1)
    for c in co_players:
        np.add.at(filled, (c.games, c.seat), 1)
    if not (filled == 1).all():
        bad = np.argwhere(filled != 1)[0]
        raise ValueError(f"game {bad[0]} seat {bad[1]} has {filled[bad[0], bad[1]]} players")
    core = IteratedGame(game, num_games, num_rounds)
    core.reset()
    encoder = ObservationEncoder(AGENT_OBSERVATION, game, num_rounds)
    for a in agents:
        a.agent.reset(len(a.games), int(rng.integers(2**31)))
    for c in co_players:
        c.co_player.reset(game if c.seat == 0 else game.swapped(), len(c.games), rng)
    joint = np.zeros((num_games, 2), dtype=np.int64)
    codes = core.codes
    for _ in range(num_rounds):
        for a in agents:
            seat_codes = codes[a.games, a.seats]
            features = np.empty((len(a.games), AGENT_OBSERVATION.size), dtype=np.float32)
            for seat in (0, 1):
                rows = a.seats == seat
                if rows.any():
                    features[rows] = encoder.encode(seat, seat_codes[rows], core.t)
            joint[a.games, a.seats] = a.agent.act(features)
        for c in co_players:
            joint[c.games, c.seat] = c.co_player.act(codes[c.games, c.seat], rng)
        core.step(joint)
    return core


@dataclass(frozen=True)
class Outcome:
    """Per-episode outcomes of a set of games, from one seat's side."""

    reward: np.ndarray
    """(E,) mean reward per round of the subject."""
    opponent_reward: np.ndarray
    """(E,) mean reward per round of its opponent."""
    cooperation: np.ndarray
    """(E,) the subject's cooperation rate."""
    opponent_cooperation: np.ndarray
    """(E,) the opponent's cooperation rate."""
    cooperation_curve: np.ndarray
    """(T,) the subject's cooperation rate per round, averaged over the games."""


def outcome(core: IteratedGame, games: np.ndarray, seat: int = 0) -> Outcome:
    """What happened in ``games``, seen from ``seat``."""
    history = core.history[games].astype(np.int64)  # (E, T, 2)
    joint = history[..., 0] * 2 + history[..., 1]
    payoffs = core.game.payoffs.reshape(4, 2)[joint]  # (E, T, 2)
    mine = history[..., seat] == COOPERATE
    theirs = history[..., 1 - seat] == COOPERATE
    return Outcome(
        reward=payoffs[..., seat].mean(axis=1),
        opponent_reward=payoffs[..., 1 - seat].mean(axis=1),
        cooperation=mine.mean(axis=1),
        opponent_cooperation=theirs.mean(axis=1),
        cooperation_curve=mine.mean(axis=0),
    )
