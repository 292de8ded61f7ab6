"""Batched play: many participants, each in its own slots of one core, stepped in lockstep.

A *slot* is a (game, seat) pair of an :class:`~coop_envs.core.IteratedGame` batch. Every
participant — a policy network acting through its :class:`~baselines.policies.Stepper`, or a
co-player object — owns a set of slots and acts for all of them at once each round, so a whole
update's worth of episodes (learners against tabular co-players, against frozen agents and
against each other) is one core and one loop over rounds. Learner-vs-learner games have one
learner in each seat of the same game: one rollout trains both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from baselines.policies import ActorCritic
from coop_envs.core import NUM_OBSERVATIONS, CoPlayer, IteratedGame, MatrixGame


@dataclass
class PolicySlots:
    """A policy acting in ``games`` from ``seats``; records its trajectory if ``record``."""

    policy: ActorCritic
    games: np.ndarray
    seats: np.ndarray
    ids: torch.Tensor | None = None
    record: bool = False
    greedy: bool = False
    index: torch.Tensor | None = field(default=None, init=False)
    actions: torch.Tensor | None = field(default=None, init=False)
    rewards: torch.Tensor | None = field(default=None, init=False)

    def __len__(self) -> int:
        return len(self.games)


@dataclass
class CoPlayerSlots:
    """A co-player object acting in ``games`` from seat ``seat`` (it sees its own codes)."""

    co_player: CoPlayer
    games: np.ndarray
    seat: int = 1


def play(
    game: MatrixGame,
    num_games: int,
    num_rounds: int,
    policies: list[PolicySlots],
    co_players: list[CoPlayerSlots],
    rng: np.random.Generator,
) -> IteratedGame:
    """Play ``num_games`` games of ``num_rounds`` rounds with every slot filled.

    Policies sample their actions with ``rng`` (one uniform draw per slot and round); co-players
    must already be reset (:func:`reset_co_players`) and draw from ``rng`` too, so one seed fixes
    everything. Recording policies get ``index`` (T, B) int64 inputs, ``actions`` (T, B) int64
    and ``rewards`` (T, B) float32 tensors.

    Returns:
        The core, holding the full history of every game.

    Raises:
        ValueError: If the slots do not cover every (game, seat) exactly once.
    """
    filled = np.zeros((num_games, 2), dtype=np.int64)
    for p in policies:
        np.add.at(filled, (p.games, p.seats), 1)
    for c in co_players:
        np.add.at(filled, (c.games, c.seat), 1)
    if not (filled == 1).all():
        bad = np.argwhere(filled != 1)[0]
        raise ValueError(
            f"every (game, seat) needs exactly one player; game {bad[0]} seat {bad[1]} has "
            f"{filled[bad[0], bad[1]]}"
        )
    core = IteratedGame(game, num_games, num_rounds)
    core.reset()
    steppers = [p.policy.stepper(len(p), p.ids) for p in policies]
    offsets = [torch.from_numpy(p.seats.astype(np.int64) * NUM_OBSERVATIONS) for p in policies]
    for p in policies:
        if p.record:
            p.index = torch.empty((num_rounds, len(p)), dtype=torch.int64)
            p.actions = torch.empty((num_rounds, len(p)), dtype=torch.int64)
            p.rewards = torch.empty((num_rounds, len(p)), dtype=torch.float32)
    joint = np.zeros((num_games, 2), dtype=np.int64)
    codes = core.codes  # (G, 2) view, updated in place by every step
    for t in range(num_rounds):
        for p, stepper, offset in zip(policies, steppers, offsets, strict=True):
            index = torch.from_numpy(codes[p.games, p.seats]) + offset
            logits = stepper.logits(index)
            p_defect = torch.sigmoid(logits[:, 1] - logits[:, 0]).numpy()
            if p.greedy:
                actions = (p_defect > 0.5).astype(np.int64)
            else:
                actions = (rng.random(len(p)) < p_defect).astype(np.int64)
            joint[p.games, p.seats] = actions
            if p.record:
                p.index[t] = index
                p.actions[t] = torch.from_numpy(actions)
        for c in co_players:
            joint[c.games, c.seat] = c.co_player.act(codes[c.games, c.seat], rng)
        rewards, _ = core.step(joint, validate=False)
        for p in policies:
            if p.record:
                p.rewards[t] = torch.from_numpy(rewards[p.games, p.seats])
    return core


def reset_co_players(
    game: MatrixGame, co_players: list[CoPlayerSlots], rng: np.random.Generator
) -> None:
    """Start a new episode for every co-player, each given the game from its own seat."""
    for c in co_players:
        c.co_player.reset(game if c.seat == 0 else game.swapped(), len(c.games), rng)
