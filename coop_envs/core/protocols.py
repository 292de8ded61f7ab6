r"""The small protocols that connect the core to co-players and agents.

Co-players are given to the single-agent environments as a constructor argument typed by
:class:`CoPlayer`, so that ``coop_envs`` never needs to import ``co_players`` at module level.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from coop_envs.core.games import MatrixGame


@runtime_checkable
class CoPlayer(Protocol):
    r"""A batch of B co-players, one per game, that sees only its own side of the play.

    ``reset`` is called at the start of every episode with the batch size of that episode; a
    co-player that is a *distribution* (e.g. random memory-one strategies) draws a fresh member
    for every game there, which is what per-episode resampling means. ``act`` is then called once
    per round with the co-player's own observation codes. Rewards are a function of the codes
    and the game's payoffs (``game.reward_table(1)``), so learning co-players need nothing more.

    A co-player may also implement ``identity() -> (B, 10) float`` returning
    :math:`\log \pi(a \mid o)` per game, for the opponent-ID ablation; without it, the ID block
    is zeros, as for a learning co-player in the paper.
    """

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Start a new episode of ``batch_size`` games of ``game``."""
        ...

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Return ``(B,)`` integer actions given ``(B,) int64`` own-view observation codes."""
        ...
