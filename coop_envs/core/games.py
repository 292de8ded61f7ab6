r"""Two-player 2x2 matrix games as validated, immutable data.

A :class:`MatrixGame` holds a payoff table ``payoffs[a0, a1] -> (r0, r1)`` of shape ``(2, 2, 2)``
float64, indexed by player 0's action, player 1's action and the player who is paid. For symmetric
games the four classic letters are properties: R (reward, both cooperate), S (sucker), T
(temptation) and P (punishment), each from player 0's side.

Named games (module constants and :data:`GAMES`):

=====================  ===================================  ==========================
name                   (R, S, T, P) or table                 condition checked
=====================  ===================================  ==========================
``prisoners_dilemma``  (1, -1, 2, 0), Weis et al. 2026 §1    T > R > P > S, 2R > T + S
``stag_hunt``          (2, -2, 1, 0)                         R > T >= P > S
``chicken``            (0, -1, 1, -2)                        T > R > S > P
``matching_pennies``   player 0 wins 1 on a match            zero-sum
=====================  ===================================  ==========================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from coop_envs.core.constants import COOPERATE, DEFECT, NUM_OBSERVATIONS
from coop_envs.core.validation import check_finite_array

DILEMMA_CONDITIONS: Mapping[str, str] = MappingProxyType(
    {
        "prisoners_dilemma": "symmetric with T > R > P > S and 2R > T + S",
        "stag_hunt": "symmetric with R > T >= P > S",
        "chicken": "symmetric with T > R > S > P",
        "harmony": "symmetric with R > T and S > P",
        "zero_sum": "r0 + r1 == 0 in every cell",
        "other": "any finite (2, 2, 2) table",
    }
)
"""The dilemma kinds a game can be classified as, with the condition that defines each."""


def _check_table(payoffs: Any) -> np.ndarray:
    try:
        table = np.array(payoffs, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"payoffs must be numbers of shape (2, 2, 2) [player 0 action, player 1 action, "
            f"player]; got {payoffs!r} ({type(payoffs).__name__})"
        ) from exc
    if table.shape != (2, 2, 2):
        raise ValueError(
            f"payoffs must have shape (2, 2, 2) [player 0 action, player 1 action, player]; "
            f"got {table.shape}. For pax-style rows (CC, CD, DC, DD) use MatrixGame.from_rows()."
        )
    check_finite_array(table, "payoffs", np.float32)  # rewards are float32
    table.setflags(write=False)
    return table


def _letters(table: np.ndarray) -> tuple[float, float, float, float]:
    """(R, S, T, P) from player 0's side."""
    return (
        float(table[COOPERATE, COOPERATE, 0]),
        float(table[COOPERATE, DEFECT, 0]),
        float(table[DEFECT, COOPERATE, 0]),
        float(table[DEFECT, DEFECT, 0]),
    )


def _is_symmetric(table: np.ndarray) -> bool:
    return bool(np.array_equal(table[:, :, 1], table[:, :, 0].T))


def classify_payoffs(payoffs: Any) -> str:
    """Name the dilemma a payoff table is.

    Args:
        payoffs: A ``(2, 2, 2)`` table ``[a0, a1] -> (r0, r1)``.

    Returns:
        One of the keys of :data:`DILEMMA_CONDITIONS`; ``"other"`` when none applies.

    Example:
        >>> classify_payoffs([[[1, 1], [-1, 2]], [[2, -1], [0, 0]]])
        'prisoners_dilemma'
    """
    table = _check_table(payoffs)
    if _is_symmetric(table):
        R, S, T, P = _letters(table)
        if T > R > P > S and 2 * R > T + S:
            return "prisoners_dilemma"
        if R > T >= P > S:
            return "stag_hunt"
        if T > R > S > P:
            return "chicken"
        if R > T and S > P:
            return "harmony"
    if np.all(table.sum(axis=2) == 0):
        return "zero_sum"
    return "other"


@dataclass(frozen=True, eq=False)
class MatrixGame:
    r"""A two-player game with two actions each, as data.

    Args:
        name: A short snake_case name, shown in renders and logs.
        payoffs: ``(2, 2, 2)`` array-like, ``payoffs[a0, a1] = (r0, r1)``; stored as a read-only
            float64 array.
        dilemma: The kind of game the table must be (a key of :data:`DILEMMA_CONDITIONS`), or
            ``None`` to classify it automatically.

    Raises:
        ValueError: If the table has the wrong shape, is not finite, or is not the ``dilemma``
            it claims to be.
        TypeError: If the table is not numeric.

    Example:
        >>> game = MatrixGame.symmetric("my_pd", R=3, S=0, T=5, P=1)
        >>> game.dilemma, game.T
        ('prisoners_dilemma', 5.0)
    """

    name: str
    payoffs: np.ndarray
    dilemma: str | None = None
    _reward_tables: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty str; got {self.name!r}")
        table = _check_table(self.payoffs)
        kind = classify_payoffs(table)
        if self.dilemma is not None:
            if self.dilemma not in DILEMMA_CONDITIONS:
                raise ValueError(
                    f"unknown dilemma {self.dilemma!r}; accepted: {', '.join(DILEMMA_CONDITIONS)}"
                )
            if self.dilemma != "other" and kind != self.dilemma:
                raise ValueError(
                    f"payoffs of {self.name!r} are not a {self.dilemma} "
                    f"({DILEMMA_CONDITIONS[self.dilemma]}); got {self._describe(table)}, "
                    f"which classifies as {kind!r}"
                )
            kind = self.dilemma
        object.__setattr__(self, "payoffs", table)
        object.__setattr__(self, "dilemma", kind)
        # reward_tables[player, code]: what `player` was paid in the round its observation `code`
        # describes (own move first); 0 for START. Observation features and co-players use it.
        tables = np.zeros((2, NUM_OBSERVATIONS), dtype=np.float64)
        for own in (COOPERATE, DEFECT):
            for other in (COOPERATE, DEFECT):
                code = 1 + 2 * own + other
                tables[0, code] = table[own, other, 0]
                tables[1, code] = table[other, own, 1]
        tables.setflags(write=False)
        object.__setattr__(self, "_reward_tables", tables)

    @staticmethod
    def _describe(table: np.ndarray) -> str:
        if _is_symmetric(table):
            R, S, T, P = _letters(table)
            return f"R={R:g}, S={S:g}, T={T:g}, P={P:g}"
        return f"table {table.tolist()}"

    @classmethod
    def symmetric(
        cls, name: str, *, R: float, S: float, T: float, P: float, dilemma: str | None = None
    ) -> MatrixGame:
        """Build a symmetric game from the letters R, S, T, P (player 0's side).

        Args:
            name: The game's name.
            R: Reward for mutual cooperation.
            S: Sucker's payoff (I cooperate, they defect).
            T: Temptation (I defect, they cooperate).
            P: Punishment for mutual defection.
            dilemma: Required kind, or ``None`` to classify.

        Returns:
            The game.
        """
        rows = [[R, R], [S, T], [T, S], [P, P]]
        return cls.from_rows(name, rows, dilemma=dilemma)

    @classmethod
    def from_rows(cls, name: str, rows: Any, *, dilemma: str | None = None) -> MatrixGame:
        """Build a game from four rows ``(r0, r1)`` in the order CC, CD, DC, DD.

        Args:
            name: The game's name.
            rows: ``(4, 2)`` array-like; row ``k`` is the payoff pair of joint action ``k``
                (player 0's action first).
            dilemma: Required kind, or ``None`` to classify.

        Returns:
            The game.

        Raises:
            ValueError: If ``rows`` does not have shape ``(4, 2)``.
        """
        try:
            array = np.array(rows, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"rows must be numbers of shape (4, 2); got {rows!r}") from exc
        if array.shape != (4, 2):
            raise ValueError(
                f"rows must have shape (4, 2) (CC, CD, DC, DD) x (r0, r1); got {array.shape}"
            )
        return cls(name, array.reshape(2, 2, 2), dilemma=dilemma)

    @property
    def is_symmetric(self) -> bool:
        """Whether swapping the players swaps the payoffs."""
        return _is_symmetric(self.payoffs)

    def _letter(self, which: int) -> float:
        if not self.is_symmetric:
            raise ValueError(
                f"R, S, T, P are defined for symmetric games only; {self.name!r} is not "
                f"symmetric ({self._describe(self.payoffs)})"
            )
        return _letters(self.payoffs)[which]

    @property
    def R(self) -> float:
        """Reward for mutual cooperation."""
        return self._letter(0)

    @property
    def S(self) -> float:
        """Sucker's payoff: I cooperate, they defect."""
        return self._letter(1)

    @property
    def T(self) -> float:
        """Temptation: I defect, they cooperate."""
        return self._letter(2)

    @property
    def P(self) -> float:
        """Punishment for mutual defection."""
        return self._letter(3)

    @property
    def min_payoff(self) -> float:
        """The smallest payoff in the table."""
        return float(self.payoffs.min())

    @property
    def max_payoff(self) -> float:
        """The largest payoff in the table."""
        return float(self.payoffs.max())

    def reward_table(self, player: int) -> np.ndarray:
        """What ``player`` was paid in the round each observation code describes.

        Args:
            player: 0 or 1.

        Returns:
            ``(5,)`` float64, indexed by the player's own-view code; entry ``START`` is 0.
        """
        if player not in (0, 1):
            raise ValueError(f"player must be 0 or 1; got {player!r}")
        return self._reward_tables[player]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MatrixGame):
            return NotImplemented
        return self.name == other.name and np.array_equal(self.payoffs, other.payoffs)

    def __hash__(self) -> int:
        return hash((self.name, self.payoffs.tobytes()))

    def swapped(self) -> MatrixGame:
        """The same game seen from player 1's seat: player 1 becomes player 0.

        Co-players receive the game this way, so each one is player 0 of the game it is given
        and ``reward_table(0)`` pays it. A symmetric game is its own swap.

        Returns:
            The game with the players' roles exchanged (``self`` if symmetric).
        """
        if self.is_symmetric:
            return self
        table = self.payoffs.transpose(1, 0, 2)[:, :, ::-1]
        suffix = "_swapped"
        name = self.name[: -len(suffix)] if self.name.endswith(suffix) else self.name + suffix
        return MatrixGame(name, table.copy())

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form, for run configs and logs."""
        return {"name": self.name, "dilemma": self.dilemma, "payoffs": self.payoffs.tolist()}


def prisoners_dilemma(
    *, T: float = 2.0, R: float = 1.0, P: float = 0.0, S: float = -1.0
) -> MatrixGame:
    """The prisoner's dilemma; defaults are the paper's payoffs (Weis et al. 2026, §1).

    Args:
        T: Temptation.
        R: Reward.
        P: Punishment.
        S: Sucker's payoff.

    Returns:
        The game, named ``prisoners_dilemma``.

    Raises:
        ValueError: Unless T > R > P > S and 2R > T + S.
    """
    return MatrixGame.symmetric(
        "prisoners_dilemma", R=R, S=S, T=T, P=P, dilemma="prisoners_dilemma"
    )


def stag_hunt(*, R: float = 2.0, T: float = 1.0, P: float = 0.0, S: float = -2.0) -> MatrixGame:
    """The stag hunt: cooperation (stag) pays best, but only if both hunt it.

    The defaults make mutual defection risk-dominant (P - S > R - T) and mutual cooperation
    payoff-dominant, on the prisoner's dilemma's scale.

    Args:
        R: Both hunt stag.
        T: I hunt hare, they hunt stag.
        P: Both hunt hare.
        S: I hunt stag alone.

    Returns:
        The game, named ``stag_hunt``.

    Raises:
        ValueError: Unless R > T >= P > S.
    """
    return MatrixGame.symmetric("stag_hunt", R=R, S=S, T=T, P=P, dilemma="stag_hunt")


def chicken(*, T: float = 1.0, R: float = 0.0, S: float = -1.0, P: float = -2.0) -> MatrixGame:
    """Chicken (snowdrift): defecting (going straight) pays unless both do it.

    Defaults follow pax's chicken table (CC 0, CD -1, DC 1, DD -2).

    Args:
        T: I go straight, they swerve.
        R: Both swerve.
        S: I swerve, they go straight.
        P: Both go straight (crash).

    Returns:
        The game, named ``chicken``.

    Raises:
        ValueError: Unless T > R > S > P.
    """
    return MatrixGame.symmetric("chicken", R=R, S=S, T=T, P=P, dilemma="chicken")


def matching_pennies(*, stake: float = 1.0) -> MatrixGame:
    """Matching pennies, the zero-sum control: player 0 wins ``stake`` when the moves match.

    Args:
        stake: What changes hands each round; must be positive.

    Returns:
        The game, named ``matching_pennies``.

    Raises:
        ValueError: If ``stake`` is not positive.
    """
    if not stake > 0:
        raise ValueError(f"stake must be positive; got {stake!r}")
    rows = [[stake, -stake], [-stake, stake], [-stake, stake], [stake, -stake]]
    return MatrixGame.from_rows("matching_pennies", rows, dilemma="zero_sum")


PRISONERS_DILEMMA: MatrixGame = prisoners_dilemma()
STAG_HUNT: MatrixGame = stag_hunt()
CHICKEN: MatrixGame = chicken()
MATCHING_PENNIES: MatrixGame = matching_pennies()

GAMES: Mapping[str, MatrixGame] = MappingProxyType(
    {g.name: g for g in (PRISONERS_DILEMMA, STAG_HUNT, CHICKEN, MATCHING_PENNIES)}
)
"""The named games, by name."""


def get_game(game: str | MatrixGame | Any) -> MatrixGame:
    """Resolve a game given by name, as a :class:`MatrixGame`, or as a raw payoff table.

    Args:
        game: A key of :data:`GAMES`, a :class:`MatrixGame`, or a ``(2, 2, 2)`` (or pax-style
            ``(4, 2)``) payoff array-like, which becomes a game named ``custom``.

    Returns:
        The game.

    Raises:
        ValueError: For an unknown name (the message lists the known ones) or a bad table.
    """
    if isinstance(game, MatrixGame):
        return game
    if isinstance(game, str):
        try:
            return GAMES[game]
        except KeyError:
            raise ValueError(
                f"unknown game {game!r}; known games: {', '.join(GAMES)} "
                "(or pass a MatrixGame or a (2, 2, 2) payoff table)"
            ) from None
    if not isinstance(game, (list, tuple, np.ndarray)):
        raise TypeError(
            f"game must be a name ({', '.join(GAMES)}), a MatrixGame or a (2, 2, 2) payoff "
            f"table; got {game!r} ({type(game).__name__})"
        )
    if np.shape(game) == (4, 2):
        return MatrixGame.from_rows("custom", game)
    return MatrixGame("custom", game)
