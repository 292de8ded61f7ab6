r"""Zero-determinant strategies (Press & Dyson 2012), computed from the game's payoffs.

A memory-one strategy :math:`p = (p_{CC}, p_{CD}, p_{DC}, p_{DD})` of player X (own move first)
is zero-determinant when :math:`\tilde p = (p_{CC} - 1, p_{CD} - 1, p_{DC}, p_{DD})` is a linear
combination :math:`\alpha S_X + \beta S_Y + \gamma \mathbf 1` of the payoff vectors
:math:`S_X = (R, S, T, P)` and :math:`S_Y = (R, T, S, P)`. It then enforces, whatever the other
player does, the linear relation :math:`\alpha s_X + \beta s_Y + \gamma = 0` between the long-run
mean payoffs, i.e. :math:`s_X - \kappa = \chi (s_Y - \kappa)` with :math:`\chi = -\beta / \alpha`
and baseline :math:`\kappa = -\gamma / (\alpha + \beta)`.

- *Extortionate* (:math:`\kappa = P`, :math:`\chi > 1`): :math:`\tilde p = \phi[(S_X - P) -
  \chi (S_Y - P)]`; X gets :math:`\chi` times Y's surplus over mutual defection.
- *Generous* (:math:`\kappa = R`, :math:`\chi > 1`; Stewart & Plotkin 2013):
  :math:`\tilde p = \phi[(S_X - R) - \chi (S_Y - R)]`; X concedes more of the loss below R.

:math:`\phi > 0` scales how fast the strategy reacts; it must keep every probability in [0, 1],
which bounds it by :math:`\phi_{max}` (:func:`zd_phi_max`). Some (game, kind, :math:`\chi`)
admit no :math:`\phi > 0` at all, e.g. an extortion factor above 3 in the default chicken game.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from co_players.memory_one import MemoryOne
from coop_envs.core import MatrixGame
from coop_envs.core.validation import check_float, check_name

KINDS = ("extortionate", "generous")


def _linear_parts(game: MatrixGame, chi: float, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)`` such that the 4 memory probabilities are ``a + b * phi``."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if not game.is_symmetric:
        raise ValueError(
            f"zero-determinant strategies need a symmetric game (R, S, T, P); "
            f"{game.name!r} is not symmetric"
        )
    if not np.isfinite(chi) or chi < 1:
        raise ValueError(f"chi must be a finite number >= 1; got {chi!r}")
    R, S, T, P = game.R, game.S, game.T, game.P  # noqa: N806 (the game-theory letters)
    kappa = P if kind == "extortionate" else R
    sx = np.array([R, S, T, P]) - kappa
    sy = np.array([R, T, S, P]) - kappa
    a = np.array([1.0, 1.0, 0.0, 0.0])
    return a, sx - chi * sy


def zd_phi_max(game: MatrixGame, chi: float, kind: str = "extortionate") -> float:
    r"""The largest :math:`\phi` that keeps every probability in [0, 1] (0 if none is feasible).

    Args:
        game: A symmetric game.
        chi: The factor :math:`\chi \geq 1`.
        kind: ``"extortionate"`` or ``"generous"``.

    Returns:
        :math:`\phi_{max}`; the strategy exists for :math:`0 < \phi \leq \phi_{max}`.
    """
    a, b = _linear_parts(game, chi, kind)
    bounds = []
    for ai, bi in zip(a, b, strict=True):
        if bi > 0:
            bounds.append((1.0 - ai) / bi)
        elif bi < 0:
            bounds.append(ai / -bi)
    return max(0.0, min(bounds)) if bounds else np.inf


def zd_vector(
    game: MatrixGame,
    chi: float,
    phi: float | None = None,
    kind: str = "extortionate",
    start: float | None = None,
) -> np.ndarray:
    r"""The 5-vector of a zero-determinant strategy.

    Args:
        game: A symmetric game.
        chi: Extortion (or generosity) factor :math:`\chi \geq 1`.
        phi: Reaction scale; ``None`` takes :math:`\phi_{max} / 2`.
        kind: ``"extortionate"`` or ``"generous"``.
        start: P(C) in the first round; ``None`` takes :math:`p_{CC}`.

    Returns:
        ``(5,)`` float64: ``[start, p_CC, p_CD, p_DC, p_DD]``.

    Raises:
        ValueError: If the game is not symmetric, ``chi < 1``, no :math:`\phi > 0` is feasible
            for this game, or ``phi`` is outside :math:`(0, \phi_{max}]`.

    Example:
        >>> from coop_envs.core import PRISONERS_DILEMMA
        >>> zd_vector(PRISONERS_DILEMMA, chi=2).round(3).tolist()
        [0.9, 0.9, 0.5, 0.4, 0.0]
    """
    phi_max = zd_phi_max(game, chi, kind)
    if phi_max <= 0:
        a, b = _linear_parts(game, chi, kind)
        bad = next(i for i in range(4) if (a[i] == 0 and b[i] < 0) or (a[i] == 1 and b[i] > 0))
        state = ("CC", "CD", "DC", "DD")[bad]
        raise ValueError(
            f"no {kind} zero-determinant strategy with chi={chi:g} exists for {game.name!r} "
            f"(R={game.R:g}, S={game.S:g}, T={game.T:g}, P={game.P:g}): P(C|{state}) would leave "
            f"[0, 1] for every phi > 0; try a smaller chi"
        )
    if phi is None:
        phi = phi_max / 2
    elif not 0 < phi <= phi_max + 1e-12:
        raise ValueError(
            f"phi must be in (0, {phi_max:.6g}] for a {kind} ZD strategy with chi={chi:g} in "
            f"{game.name!r}; got {phi!r}"
        )
    a, b = _linear_parts(game, chi, kind)
    memory = np.clip(a + b * phi, 0.0, 1.0)
    if start is not None and not 0 <= check_float(start, "start") <= 1:
        raise ValueError(f"start must be a probability in [0, 1]; got {start!r}")
    return np.concatenate([[memory[0] if start is None else start], memory])


class ZeroDeterminant(MemoryOne):
    r"""A zero-determinant strategy, its vector computed for each game it is reset in.

    Extortionate with factor :math:`\chi` (``zd_extort_2`` etc. in the registry), or generous.

    Args:
        chi: The factor :math:`\chi \geq 1`.
        phi: Reaction scale, or ``None`` for half the feasible maximum.
        kind: ``"extortionate"`` or ``"generous"``.
        start: P(C) in the first round, or ``None`` for :math:`p_{CC}`.
        name: Display name.
    """

    def __init__(
        self,
        chi: float,
        phi: float | None = None,
        kind: str = "extortionate",
        start: float | None = None,
        name: str | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        if check_float(chi, "chi") < 1:
            raise ValueError(f"chi must be a finite number >= 1; got {chi!r}")
        if phi is not None and not check_float(phi, "phi") > 0:
            raise ValueError(f"phi must be a positive number or None; got {phi!r}")
        if start is not None and not 0 <= check_float(start, "start") <= 1:
            raise ValueError(f"start must be a probability in [0, 1]; got {start!r}")
        if name is not None:
            check_name(name)
        self.chi, self.phi, self.kind, self.start = float(chi), phi, kind, start
        prefix = "zd_extort" if kind == "extortionate" else "zd_generous"
        super().__init__(np.full(5, 0.5), name or f"{prefix}_{chi:g}")
        self._cache: dict[MatrixGame, np.ndarray] = {}

    def vector_for(self, game: MatrixGame) -> np.ndarray:
        """The ZD vector for ``game`` (computed once per game)."""
        if game not in self._cache:
            self._cache[game] = zd_vector(game, self.chi, self.phi, self.kind, self.start)
        return self._cache[game]


@dataclass(frozen=True)
class ZDCheck:
    r"""Whether a memory-one vector is zero-determinant, and the relation it enforces.

    Attributes:
        is_zd: :math:`\tilde p` lies in the span of :math:`S_X, S_Y, \mathbf 1` (to ``tol``).
        alpha: Coefficient of :math:`S_X`.
        beta: Coefficient of :math:`S_Y`.
        gamma: Coefficient of :math:`\mathbf 1`.
        chi: :math:`-\beta / \alpha` (``nan`` if :math:`\alpha = 0`).
        kappa: :math:`-\gamma / (\alpha + \beta)` (``nan`` if :math:`\alpha + \beta = 0`).
        residual: Norm of the part of :math:`\tilde p` outside the span.
    """

    is_zd: bool
    alpha: float
    beta: float
    gamma: float
    chi: float
    kappa: float
    residual: float

    def enforces(self, chi: float, kappa: float, tol: float = 1e-8) -> bool:
        r"""Whether the relation is :math:`s_X - \kappa = \chi (s_Y - \kappa)`."""
        return bool(
            self.is_zd
            and abs(self.chi - chi) <= tol * max(1, abs(chi))
            and abs(self.kappa - kappa) <= tol * max(1, abs(kappa))
        )


def zd_check(vector: np.ndarray, game: MatrixGame, tol: float = 1e-9) -> ZDCheck:
    r"""Test whether a memory-one vector is zero-determinant in ``game``.

    Args:
        vector: ``(5,)`` (the start entry is ignored) or ``(4,)`` memory probabilities.
        game: A symmetric game.
        tol: Residual below which the vector counts as ZD.

    Returns:
        The :class:`ZDCheck`: for an extortioner of factor 2, ``chi == 2`` and ``kappa == P``.

    Example:
        >>> from coop_envs.core import PRISONERS_DILEMMA as PD
        >>> zd_check(zd_vector(PD, chi=3), PD).enforces(chi=3, kappa=PD.P)
        True
    """
    p = np.asarray(vector, dtype=np.float64)
    memory = p[1:] if p.shape == (5,) else p
    if memory.shape != (4,):
        raise ValueError(f"vector must have shape (5,) or (4,); got {p.shape}")
    R, S, T, P = game.R, game.S, game.T, game.P  # noqa: N806
    p_tilde = memory - np.array([1.0, 1.0, 0.0, 0.0])
    basis = np.column_stack([[R, S, T, P], [R, T, S, P], np.ones(4)])
    coef, *_ = np.linalg.lstsq(basis, p_tilde, rcond=None)
    residual = float(np.linalg.norm(basis @ coef - p_tilde))
    alpha, beta, gamma = (float(c) for c in coef)
    chi = -beta / alpha if abs(alpha) > 1e-12 else float("nan")
    kappa = -gamma / (alpha + beta) if abs(alpha + beta) > 1e-12 else float("nan")
    nonzero = bool(np.linalg.norm(coef[:2]) > 1e-12)
    return ZDCheck(residual <= tol and nonzero, alpha, beta, gamma, chi, kappa, residual)
