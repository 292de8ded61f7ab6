r"""Observation features: the 5-way one-hot and the optional extras, as one float32 vector.

Layout of the feature vector (blocks present only when enabled, in this order):

=================  =====  ======================================================================
block              width  content
=================  =====  ======================================================================
``co_player_id``   10     (ablation) the co-player's :math:`\log \pi(a \mid o)`, 5 observations x
                          2 actions, floored at :data:`LOG_PROB_FLOOR`; zeros for a learning
                          co-player. Prepended, as in Weis et al. (2026), §4.
``observation``    5      one-hot of the code: START, CC, CD, DC, DD (own move first)
``prev_action``    2      one-hot of the player's own previous action (C, D); zeros at START
``prev_reward``    1      the player's previous reward; 0 at START
``round_index``    1      rounds played so far divided by the number of rounds, in [0, 1)
=================  =====  ======================================================================

Everything but the round index and the co-player ID is a function of the code alone, so the
encoder writes each block with one indexed operation per batch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from coop_envs.core.constants import CO_PLAYER_ID_DIM, NUM_OBSERVATIONS
from coop_envs.core.games import MatrixGame

LOG_PROB_FLOOR: float = math.log(1e-6)
"""Lower bound of the co-player-ID block: log-probabilities below it (e.g. log 0) are floored."""


@dataclass(frozen=True)
class ObservationConfig:
    """Which blocks the observation vector carries besides the 5-way one-hot.

    The default is the paper's observation: the one-hot alone.
    """

    prev_action: bool = False
    """Append the player's own previous action, one-hot over (C, D); zeros at START."""
    prev_reward: bool = False
    """Append the player's previous reward (0 at START)."""
    round_index: bool = False
    """Append the number of rounds played divided by the number of rounds."""
    co_player_id: bool = False
    """Prepend the co-player's 10-number log-policy (the paper's opponent-ID ablation)."""

    def __post_init__(self) -> None:
        for name in ("prev_action", "prev_reward", "round_index", "co_player_id"):
            value = getattr(self, name)
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{name} must be a bool; got {value!r} ({type(value).__name__})")

    @property
    def layout(self) -> dict[str, slice]:
        """Slices of each enabled block in the feature vector, in order."""
        widths = [
            ("co_player_id", CO_PLAYER_ID_DIM if self.co_player_id else 0),
            ("observation", NUM_OBSERVATIONS),
            ("prev_action", 2 if self.prev_action else 0),
            ("prev_reward", 1 if self.prev_reward else 0),
            ("round_index", 1 if self.round_index else 0),
        ]
        out: dict[str, slice] = {}
        start = 0
        for name, width in widths:
            if width:
                out[name] = slice(start, start + width)
                start += width
        return out

    @property
    def size(self) -> int:
        """Length of the feature vector."""
        return max(s.stop for s in self.layout.values())

    def bounds(self, game: MatrixGame) -> tuple[np.ndarray, np.ndarray]:
        """Elementwise ``(low, high)`` float32 bounds of the feature vector for ``game``."""
        low = np.zeros(self.size, dtype=np.float32)
        high = np.ones(self.size, dtype=np.float32)
        layout = self.layout
        if "co_player_id" in layout:
            low[layout["co_player_id"]] = LOG_PROB_FLOOR
            high[layout["co_player_id"]] = 0.0
        if "prev_reward" in layout:
            low[layout["prev_reward"]] = min(game.min_payoff, 0.0)
            high[layout["prev_reward"]] = max(game.max_payoff, 0.0)
        return low, high


class ObservationEncoder:
    """Turns observation codes into feature vectors for one game and horizon.

    Args:
        config: Which blocks to include.
        game: The game (its payoffs give the previous reward).
        num_rounds: The horizon, for the round index.

    Example:
        >>> from coop_envs.core.games import PRISONERS_DILEMMA
        >>> enc = ObservationEncoder(ObservationConfig(prev_reward=True), PRISONERS_DILEMMA, 100)
        >>> enc.encode(0, np.array([0, 3]), t=1).tolist()
        [[1.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0, 2.0]]
    """

    def __init__(self, config: ObservationConfig, game: MatrixGame, num_rounds: int) -> None:
        self.config = config
        self.num_rounds = int(num_rounds)
        layout = config.layout
        self._layout = layout
        self._size = config.size
        self._onehot = layout["observation"].start
        self._id = layout.get("co_player_id")
        self._round = layout.get("round_index")
        self._prev_reward = layout.get("prev_reward")
        self._rewards = np.stack([game.reward_table(p) for p in (0, 1)]).astype(np.float32)
        # prev_action: column of the 1 per code; START writes a 0 into the C column.
        codes = np.arange(NUM_OBSERVATIONS)
        own = np.maximum(codes - 1, 0) // 2
        self._prev_action: tuple[np.ndarray, np.ndarray] | None = None
        if "prev_action" in layout:
            columns = layout["prev_action"].start + own
            values = (codes > 0).astype(np.float32)
            self._prev_action = (columns, values)
        self._row_starts: np.ndarray = np.zeros(0, dtype=np.int64)

    @property
    def size(self) -> int:
        """Length of the feature vector."""
        return self._size

    def encode(
        self,
        player: int,
        codes: np.ndarray,
        t: int,
        co_player_id: np.ndarray | None = None,
    ) -> np.ndarray:
        """Features of a batch of observations of one player.

        Args:
            player: 0 or 1 (the payoffs it sees).
            codes: ``(B,)`` integer observation codes in ``0..4`` (own view).
            t: Rounds played so far (the same for the whole batch: games run in lockstep).
            co_player_id: ``(B, 10)`` log-policy of each game's co-player, or ``None`` for zeros
                (a learning co-player). Ignored unless ``config.co_player_id``.

        Returns:
            ``(B, size)`` float32, a new array.
        """
        batch = len(codes)
        if len(self._row_starts) != batch:
            self._row_starts = np.arange(batch, dtype=np.int64) * self._size
        # Writing ones into a zeroed buffer by flat index is ~3x faster than gathering rows of
        # a (5, size) lookup table (measured in benchmarks/env_throughput.py at B = 65536).
        out = np.zeros((batch, self._size), dtype=np.float32)
        flat = out.reshape(-1)
        flat[self._row_starts + self._onehot + codes] = 1.0
        if self._prev_action is not None:
            columns, values = self._prev_action
            flat[self._row_starts + columns[codes]] = values[codes]
        if self._prev_reward is not None:
            out[:, self._prev_reward.start] = self._rewards[player][codes]
        if self._round is not None:
            out[:, self._round.start] = t / self.num_rounds
        if self._id is not None and co_player_id is not None:
            ids = np.asarray(co_player_id, dtype=np.float32)
            if ids.shape != (batch, CO_PLAYER_ID_DIM):
                raise ValueError(
                    f"co_player_id must have shape (B, {CO_PLAYER_ID_DIM}) = "
                    f"({batch}, {CO_PLAYER_ID_DIM}); got {ids.shape}"
                )
            np.clip(ids, LOG_PROB_FLOOR, 0.0, out=out[:, self._id])
        return out
