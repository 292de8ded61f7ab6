r"""Memory-one strategies as data: a batch of co-players is a ``(B, 5)`` probability table.

Row ``b`` of the table is ``[P(C|start), P(C|CC), P(C|CD), P(C|DC), P(C|DD)]`` for game ``b``, from
the co-player's own side (its own move first). Acting for all B games is one gather and one
uniform draw; deterministic strategies (every entry 0 or 1) need no draw at all.

Named members (vectors for the paper's prisoner's dilemma, T=2, R=1, P=0, S=-1):

==========================  ==============================  ========================================
strategy                    vector                          reference
==========================  ==============================  ========================================
always_cooperate            (1, 1, 1, 1, 1)
always_defect               (0, 0, 0, 0, 0)
random                      (.5, .5, .5, .5, .5)
tit_for_tat                 (1, 1, 0, 1, 0)                 Axelrod 1980
suspicious_tit_for_tat      (0, 1, 0, 1, 0)                 Beaufils et al. 1996
win_stay_lose_shift         (1, 1, 0, 0, 1)                 Nowak & Sigmund 1993
generous_tit_for_tat        (1, 1, g, 1, g), g = 0.5        Nowak & Sigmund 1992
tit_for_tat_tremble         (1-e, 1-e, e, 1-e, e), e = .05
zd_extort_2 / 3 / 5         see :mod:`.zero_determinant`    Press & Dyson 2012
zd_generous_2               see :mod:`.zero_determinant`    Stewart & Plotkin 2013
random_tabular              U(0, 1) each, every episode     Weis et al. 2026, §2
==========================  ==============================  ========================================
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coop_envs.core import (
    CO_PLAYER_ID_DIM,
    CO_PLAYER_PROTOCOL,
    LOG_PROB_FLOOR,
    NUM_OBSERVATIONS,
    MatrixGame,
)
from coop_envs.core.validation import check_float, check_int, check_name, check_probability


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

    protocol = CO_PLAYER_PROTOCOL

    def __init__(self, probabilities: Any, name: str | None = None) -> None:
        self.probabilities = check_probabilities(probabilities)
        self.name = "memory_one" if name is None else check_name(name)
        self._set_table(self.probabilities)
        self._batch_size = 1

    def __repr__(self) -> str:
        if self.probabilities.ndim == 1:
            return f"MemoryOne({self.probabilities.tolist()}, name={self.name!r})"
        return f"MemoryOne(<{len(self.probabilities)} x 5 table>, name={self.name!r})"

    def vector_for(self, game: MatrixGame) -> np.ndarray:
        """The ``(5,)`` or ``(B, 5)`` table this strategy plays in ``game``."""
        return self.probabilities

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Start an episode of ``batch_size`` games (nothing is drawn: the strategy is fixed)."""
        table = self.vector_for(game)
        self._batch_size = batch_size
        if table.ndim == 2 and len(table) != batch_size:
            raise ValueError(
                f"{self.name} holds {len(table)} rows, one per game; got batch_size={batch_size}"
            )
        self._set_table(table)

    def _set_table(self, table: np.ndarray) -> None:
        self._table = table
        self._flat = table.ravel()
        if table.ndim == 2:
            self._offsets = np.arange(len(table)) * NUM_OBSERVATIONS
        # A deterministic vector (every entry 0 or 1) needs no random draw: act by lookup.
        self._actions = None
        self._uniform = np.empty(0)
        if table.ndim == 1 and np.isin(table, (0.0, 1.0)).all():
            self._actions = (table == 0.0).astype(np.int64)

    @property
    def table(self) -> np.ndarray:
        """``(5,)`` or ``(B, 5)``, the cooperation probabilities used this episode."""
        return self._table

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Draw ``(B,)`` integer actions: ``COOPERATE`` with the table's probability.

        Deterministic strategies (every probability 0 or 1) draw nothing from ``rng``.
        """
        if self._actions is not None:
            return self._actions[obs]
        batch = len(obs)
        if len(self._uniform) != batch:
            self._uniform, self._p, self._index = (
                np.empty(batch),
                np.empty(batch),
                np.empty(batch, dtype=np.int64),
            )
        # Reused buffers: fresh 512 KB temporaries cost more in page faults than the draw itself
        # (benchmarks/co_players_speed.py).
        if self._table.ndim == 1:
            np.take(self._flat, obs, out=self._p)
        else:
            np.add(self._offsets, obs, out=self._index)
            np.take(self._flat, self._index, out=self._p)
        rng.random(out=self._uniform)
        # u >= p happens with probability 1 - p, and True == 1 == DEFECT.
        return np.greater_equal(self._uniform, self._p).view(np.int8)

    def identity(self) -> np.ndarray:
        """``(B, 10)`` log-policy of each game's strategy, for the opponent-ID ablation."""
        table = self._table
        if table.ndim == 1:
            table = np.broadcast_to(table, (self._batch_size, NUM_OBSERVATIONS))
        return log_policy(table)


SPLITS = ("train", "held_out")
"""The two halves of a random co-player family: training and held-out evaluation."""


def check_cells(cells: Any) -> int:
    """Return ``cells`` if it is an even int in [2, 1000] (a checkerboard that halves), else raise.

    Raises:
        ValueError: Naming the value received and the accepted ones.
    """
    if check_int(cells, "cells", 2, 1000) % 2:
        raise ValueError(f"cells must be an even int >= 2; got {cells!r}")
    return cells


def check_split(split: Any) -> str | None:
    """Return ``split`` if it is ``None`` (every draw) or one of :data:`SPLITS`, else raise.

    Raises:
        ValueError: Naming the value received and the accepted ones.
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be None, 'train' or 'held_out'; got {split!r}")
    return split


class RandomMemoryOne(MemoryOne):
    """The paper's "tabular" co-players: a fresh memory-one strategy per game and episode.

    Each of the 5 probabilities is drawn i.i.d. from U(0, 1) at every ``reset``
    (Weis et al. 2026, §2). With ``split``, draws are confined to one half of the unit cube, a
    checkerboard of ``cells`` cells per axis: a vector is in the ``"train"`` half when the sum of
    its cell indices is even and in the ``"held_out"`` half when it is odd (see
    :func:`tabular_split`). The halves are disjoint by construction, each is uniform on its
    cells, and every marginal stays uniform on [0, 1].

    With ``concentration`` c other than 1, each probability is drawn from Beta(c, c) instead of
    U(0, 1) (= Beta(1, 1)): c < 1 makes strategies more deterministic (probabilities near 0 and
    1, so reciprocators such as near-TFT players are common), c > 1 more random. This is not the
    paper's distribution; the split then still holds exactly, but within a half the draw is only
    approximately Beta.

    Args:
        split: ``None`` (the whole cube: the paper's distribution), ``"train"`` or ``"held_out"``.
        cells: Cells per axis of the checkerboard; even, so the split is a perfect halving.
        concentration: c of the Beta(c, c) draw; 1 is uniform.
        name: Display name.
    """

    def __init__(
        self,
        split: str | None = None,
        cells: int = 10,
        concentration: float = 1.0,
        name: str = "random_tabular",
    ) -> None:
        check_split(split)
        check_cells(cells)
        if not check_float(concentration, "concentration") > 0:
            raise ValueError(f"concentration must be a positive number; got {concentration!r}")
        self.split = split
        self.cells = cells
        self.concentration = float(concentration)
        self.name = check_name(name)
        self.probabilities = np.full(NUM_OBSERVATIONS, 0.5)
        self._set_table(self.probabilities)

    def __repr__(self) -> str:
        return (
            f"RandomMemoryOne(split={self.split!r}, concentration={self.concentration}, "
            f"name={self.name!r})"
        )

    def sample(self, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Draw a ``(batch_size, 5)`` table from this distribution."""
        shape = (batch_size, NUM_OBSERVATIONS)
        if self.concentration == 1.0:
            table = rng.random(shape)
        else:
            table = rng.beta(self.concentration, self.concentration, size=shape)
        if self.split is not None:
            # a Beta draw can round to exactly 1.0, which would move within its own cell below
            np.minimum(table, np.nextafter(1.0, 0.0), out=table)
            wanted = 0 if self.split == "train" else 1
            wrong = tabular_split(table, self.cells) != wanted
            # Move the first coordinate into the paired cell (0<->1, 2<->3, ...) at the same
            # offset: a bijection between the halves that keeps a uniform draw uniform.
            scaled = table[wrong, 0] * self.cells
            cell = np.minimum(scaled.astype(np.int64), self.cells - 1)
            table[wrong, 0] = ((cell ^ 1) + (scaled - cell)) / self.cells
            # rounding can land a value on a cell boundary: put those few mid-cell instead
            still = np.flatnonzero(tabular_split(table, self.cells) != wanted)
            if len(still):
                index = np.minimum((table[still, 0] * self.cells).astype(np.int64), self.cells - 1)
                table[still, 0] = ((index ^ 1) + 0.5) / self.cells
        return table

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Draw a new ``(B, 5)`` table for the new episode."""
        self._batch_size = batch_size
        self._set_table(self.sample(batch_size, rng))


def tabular_split(table: np.ndarray, cells: int = 10) -> np.ndarray:
    """Which half of the checkerboard split each memory-one vector lies in.

    Args:
        table: ``(B, 5)`` cooperation probabilities.
        cells: Cells per axis.

    Returns:
        ``(B,) int64``: 0 for the ``"train"`` half, 1 for ``"held_out"``.
    """
    index = np.minimum((np.asarray(table) * cells).astype(np.int64), cells - 1)
    return index.sum(axis=-1) % 2


def generosity(game: MatrixGame) -> float:
    r"""Generous tit-for-tat's forgiveness :math:`\min(1 - \frac{T-R}{R-S}, \frac{R-P}{T-P})`.

    Nowak & Sigmund (1992); 0.5 for the paper's payoffs, 1/3 for Axelrod's (3, 0, 5, 1).

    Raises:
        ValueError: If the game is not symmetric.
    """
    R, S, T, P = game.R, game.S, game.T, game.P  # noqa: N806 (the game-theory letters)
    return float(np.clip(min(1 - (T - R) / (R - S), (R - P) / (T - P)), 0.0, 1.0))


class GenerousTitForTat(MemoryOne):
    """Tit-for-tat that forgives a defection with probability ``g``: ``(1, 1, g, 1, g)``.

    Args:
        forgiveness: ``g``; ``None`` computes it from the game's payoffs (:func:`generosity`).
        name: Display name.
    """

    def __init__(self, forgiveness: float | None = None, name: str = "generous_tit_for_tat"):
        if forgiveness is not None:
            check_probability(forgiveness, "forgiveness")
        self.forgiveness = forgiveness
        super().__init__(TIT_FOR_TAT, name)

    def vector_for(self, game: MatrixGame) -> np.ndarray:
        """``(1, 1, g, 1, g)`` with ``g`` for this game."""
        g = self.forgiveness if self.forgiveness is not None else generosity(game)
        return np.array([1.0, 1.0, g, 1.0, g])


def tremble(vector: Any, epsilon: float) -> np.ndarray:
    """A memory-one vector whose every move is flipped with probability ``epsilon``.

    Args:
        vector: ``(5,)`` cooperation probabilities.
        epsilon: Tremble probability in [0, 0.5].

    Returns:
        ``(1 - epsilon) * p + epsilon * (1 - p)``.
    """
    if not 0.0 <= check_float(epsilon, "epsilon") <= 0.5:
        raise ValueError(f"epsilon must be in [0, 0.5]; got {epsilon!r}")
    p = check_probabilities(vector, "vector")
    return (1 - epsilon) * p + epsilon * (1 - p)


ALWAYS_COOPERATE = (1.0, 1.0, 1.0, 1.0, 1.0)
"""Always cooperate."""
ALWAYS_DEFECT = (0.0, 0.0, 0.0, 0.0, 0.0)
"""Always defect."""
RANDOM = (0.5, 0.5, 0.5, 0.5, 0.5)
"""Cooperate with probability 1/2, whatever happened."""
TIT_FOR_TAT = (1.0, 1.0, 0.0, 1.0, 0.0)
"""Cooperate first, then copy the other's last move."""
SUSPICIOUS_TIT_FOR_TAT = (0.0, 1.0, 0.0, 1.0, 0.0)
"""Defect first, then copy the other's last move."""
WIN_STAY_LOSE_SHIFT = (1.0, 1.0, 0.0, 0.0, 1.0)
"""Cooperate first; keep the last move after CC or DC, switch after CD or DD (Pavlov)."""
