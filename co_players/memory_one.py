r"""Memory-one strategies as data: a batch of co-players is a ``(B, 5)`` probability table.

Row ``b`` of the table is ``[P(C|start), P(C|CC), P(C|CD), P(C|DC), P(C|DD)]`` for game ``b``, from
the co-player's own side (its own move first). Acting for all B games is one gather and one
uniform draw.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coop_envs.core import (
    CO_PLAYER_ID_DIM,
    LOG_PROB_FLOOR,
    NUM_OBSERVATIONS,
    MatrixGame,
)


def check_probabilities(probabilities: Any, name: str = "probabilities") -> np.ndarray:
    """Validate a memory-one vector or table.

    Args:
        probabilities: ``(5,)`` or ``(N, 5)`` array-like of cooperation probabilities.
        name: What to call the input in messages.

    Returns:
        A float64 copy, read-only.

    Raises:
        TypeError: If the values are not numbers.
        ValueError: If the last axis is not 5 long, or a value is NaN or outside [0, 1].
    """
    try:
        table = np.array(probabilities, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be numbers in [0, 1] of shape (5,) or (N, 5) "
            f"[P(C|start), P(C|CC), P(C|CD), P(C|DC), P(C|DD)]; got {probabilities!r}"
        ) from exc
    if table.ndim not in (1, 2) or table.shape[-1] != NUM_OBSERVATIONS:
        raise ValueError(
            f"{name} must have shape (5,) or (N, 5) "
            f"[P(C|start), P(C|CC), P(C|CD), P(C|DC), P(C|DD)]; got shape {table.shape}"
        )
    bad = ~((table >= 0.0) & (table <= 1.0))  # NaN fails both comparisons
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must be probabilities in [0, 1]; got {table[index]} at index "
            f"{index if len(index) > 1 else index[0]}"
        )
    table.setflags(write=False)
    return table


def log_policy(table: np.ndarray) -> np.ndarray:
    r"""The opponent-ID vector of memory-one strategies: :math:`\log \pi(a \mid o)`.

    Args:
        table: ``(B, 5)`` cooperation probabilities.

    Returns:
        ``(B, 10) float32``, entry ``2 * o + a`` is the log-probability of action ``a`` after
        observation ``o``, floored at ``LOG_PROB_FLOOR``.
    """
    pairs = np.stack([table, 1.0 - table], axis=-1).reshape(len(table), CO_PLAYER_ID_DIM)
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(pairs), LOG_PROB_FLOOR).astype(np.float32)


class MemoryOne:
    """A memory-one strategy (or one per game): cooperate with the probability its table gives.

    Args:
        probabilities: ``(5,)`` vector shared by all games, or ``(B, 5)``, one row per game
            (then every episode must have batch size B).
        name: Display name.

    Example:
        >>> import numpy as np
        >>> from coop_envs.core import PRISONERS_DILEMMA
        >>> tft = MemoryOne([1, 1, 0, 1, 0], name="tit_for_tat")
        >>> rng = np.random.default_rng(0)
        >>> tft.reset(PRISONERS_DILEMMA, 3, rng)
        >>> tft.act(np.array([0, 2, 3]), rng).tolist()
        [0, 1, 0]
    """

    def __init__(self, probabilities: Any, name: str | None = None) -> None:
        self.probabilities = check_probabilities(probabilities)
        self.name = name or "memory_one"
        self._table = self.probabilities

    def __repr__(self) -> str:
        if self.probabilities.ndim == 1:
            return f"MemoryOne({self.probabilities.tolist()}, name={self.name!r})"
        return f"MemoryOne(<{len(self.probabilities)} x 5 table>, name={self.name!r})"

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Start an episode of ``batch_size`` games (nothing is drawn: the strategy is fixed)."""
        if self.probabilities.ndim == 2 and len(self.probabilities) != batch_size:
            raise ValueError(
                f"this MemoryOne holds {len(self.probabilities)} rows, one per game; "
                f"got batch_size={batch_size}"
            )
        self._set_table(self.probabilities)

    def _set_table(self, table: np.ndarray) -> None:
        self._table = table
        self._flat = table.ravel()
        if table.ndim == 2:
            self._offsets = np.arange(len(table)) * NUM_OBSERVATIONS
        # A deterministic vector (every entry 0 or 1) needs no random draw: act by lookup.
        self._actions = None
        if table.ndim == 1 and np.isin(table, (0.0, 1.0)).all():
            self._actions = (table == 0.0).astype(np.int64)

    @property
    def table(self) -> np.ndarray:
        """``(5,)`` or ``(B, 5)``, the cooperation probabilities used this episode."""
        return self._table

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Draw ``(B,) int64`` actions: ``COOPERATE`` with the table's probability.

        Deterministic strategies (every probability 0 or 1) draw nothing from ``rng``.
        """
        if self._actions is not None:
            return self._actions[obs]
        if self._table.ndim == 1:
            p = self._flat[obs]
        else:
            p = self._flat[self._offsets + obs]
        # u >= p happens with probability 1 - p, and True == 1 == DEFECT.
        return (rng.random(len(obs)) >= p).astype(np.int64)

    def identity(self) -> np.ndarray:
        """``(B, 10)`` log-policy of each game's strategy, for the opponent-ID ablation."""
        table = np.atleast_2d(self._table)
        return log_policy(table)


class RandomMemoryOne(MemoryOne):
    """The paper's "tabular" co-players: a fresh memory-one strategy per game and episode.

    Each of the 5 probabilities is drawn i.i.d. from U(low, high) at every ``reset``
    (Weis et al. 2026, §2: U(0, 1)).

    Args:
        low: Lower end of the uniform range.
        high: Upper end of the uniform range.
        name: Display name.
    """

    def __init__(self, low: float = 0.0, high: float = 1.0, name: str = "random_tabular") -> None:
        if not 0.0 <= low < high <= 1.0:
            raise ValueError(f"need 0 <= low < high <= 1; got low={low!r}, high={high!r}")
        self.low = float(low)
        self.high = float(high)
        self.name = name
        self.probabilities = np.full(NUM_OBSERVATIONS, 0.5)
        self._set_table(self.probabilities)

    def __repr__(self) -> str:
        return f"RandomMemoryOne(low={self.low}, high={self.high}, name={self.name!r})"

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Draw a new ``(B, 5)`` table for the new episode."""
        table = rng.uniform(self.low, self.high, size=(batch_size, NUM_OBSERVATIONS))
        self._set_table(table)


ALWAYS_COOPERATE = (1.0, 1.0, 1.0, 1.0, 1.0)
ALWAYS_DEFECT = (0.0, 0.0, 0.0, 0.0, 0.0)
RANDOM = (0.5, 0.5, 0.5, 0.5, 0.5)
TIT_FOR_TAT = (1.0, 1.0, 0.0, 1.0, 0.0)
SUSPICIOUS_TIT_FOR_TAT = (0.0, 1.0, 0.0, 1.0, 0.0)
WIN_STAY_LOSE_SHIFT = (1.0, 1.0, 0.0, 0.0, 1.0)
