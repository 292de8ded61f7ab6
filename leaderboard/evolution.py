r"""Evolutionary analysis of the board: who survives when the entries compete as strategies.

The tournament's payoff matrix — ``A[i, j]``, entry i's mean reward per round against entry j
(the round-robin matches the scorer plays, in the jail, against every stored entry; the diagonal
is the entry's self-play scenario) — is read as a symmetric two-player game between strategies,
and three analyses are computed with `egttools <https://github.com/Socrates-Group/EGTtools>`_
(an optional extra: ``pip install -c constraints.txt -e ".[evolution]"``; imported lazily):

- **replicator dynamics** :math:`\dot x_i = x_i ((A x)_i - x^\top A x)` from the uniform mix,
  integrated to ``time`` (the shares where it ends, and which entries survive);
- **fixation probabilities** :math:`\rho_{ij}` of one mutant of entry i in a finite population
  of ``population`` players of entry j, under the pairwise-comparison (Fermi) process with
  selection intensity ``beta`` (the imitation form of the Moran process); i *invades* j when
  :math:`\rho_{ij} > 1 / N`, the neutral value;
- **α-Rank** (Omidshafiei et al. 2019): the stationary distribution of the small-mutation-limit
  chain whose moves are those fixations, with the ranking intensity :math:`\alpha` = ``alpha``
  (large: the ranking limit).

Why egttools: of the three libraries the issue names, it is the one that covers all three
analyses exactly — replicator gradients, exact finite-population fixation probabilities and
the small-mutation-limit stationary distribution — in a 4 MB pure wheel on numpy/scipy;
``nashpy`` has replicator dynamics but simulates the Moran process (no exact fixation, no
α-Rank), and ``open_spiel`` has α-Rank and replicator dynamics but is a 52 MB wheel of a whole
game framework (with absl and ml-collections) for two of its modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from coop_envs.core import check_float, check_positive_int

INSTALL = 'pip install -c constraints.txt -e ".[evolution]"'


def _egttools() -> Any:
    try:
        import egttools
        import egttools.analytical
    except ImportError as error:
        raise ImportError(
            f"the evolutionary analysis needs egttools: {INSTALL} (or pip install egttools)"
        ) from error
    return egttools


def payoff_matrix(rows: list[dict[str, Any]], matches: list[dict[str, Any]]) -> np.ndarray:
    """``(n, n)`` mean reward per round of row entry vs column entry, from the stored matches.

    Args:
        rows: The board's entries (:func:`leaderboard.ranking.table`), in order.
        matches: The tournament matches of the suite version (``Database.matches``).

    Returns:
        The matrix; NaN where no match (or self-play) is stored.
    """
    ids = {row["submission_id"]: i for i, row in enumerate(rows)}
    grid = np.full((len(rows), len(rows)), np.nan)
    for m in matches:
        if m["first_id"] in ids and m["second_id"] in ids:
            i, j = ids[m["first_id"]], ids[m["second_id"]]
            grid[i, j] = m["reward"]
            grid[j, i] = m["opponent_reward"]
    for i, row in enumerate(rows):
        self_play = row.get("scenarios", {}).get("pd/self_play", {}).get("reward")
        if self_play is not None:
            grid[i, i] = self_play["mean"]
    return grid


@dataclass(frozen=True)
class Evolution:
    """The three analyses of one payoff matrix (see the module docstring)."""

    names: list[str]
    payoffs: np.ndarray
    """``(n, n)`` the payoff matrix analysed."""
    replicator: np.ndarray
    """``(n,)`` shares where the replicator dynamics from the uniform mix end."""
    fixation: np.ndarray
    """``(n, n)`` fixation probability of one mutant of row entry among column entry's players
    (diagonal: NaN)."""
    stationary: np.ndarray
    """``(n,)`` α-Rank: the small-mutation-limit stationary distribution."""
    population: int
    beta: float
    alpha: float

    @property
    def invasions(self) -> list[tuple[str, str, float]]:
        """``(invader, resident, ρ)`` for pairs with ρ above the neutral 1/N, strongest first."""
        neutral = 1 / self.population
        found = [
            (self.names[i], self.names[j], float(self.fixation[i, j]))
            for i in range(len(self.names))
            for j in range(len(self.names))
            if i != j and self.fixation[i, j] > neutral
        ]
        return sorted(found, key=lambda t: -t[2])


def check_payoffs(payoffs: Any) -> np.ndarray:
    """A finite square matrix of at least one entry.

    Raises:
        ValueError: Naming the shape, or the first missing (NaN) or infinite cell.
    """
    payoffs = np.asarray(payoffs, dtype=np.float64)
    if payoffs.ndim != 2 or payoffs.shape[0] != payoffs.shape[1] or not payoffs.size:
        raise ValueError(f"payoffs must be a non-empty square (n, n) matrix; got {payoffs.shape}")
    if not np.isfinite(payoffs).all():
        i, j = (int(k) for k in np.argwhere(~np.isfinite(payoffs))[0])
        raise ValueError(
            f"payoffs[{i}, {j}] is {payoffs[i, j]}: every pair needs a match (and every entry "
            "its self-play) for the evolutionary analysis"
        )
    return payoffs


def replicator(payoffs: np.ndarray, time: float = 200.0, steps: int = 20_000) -> np.ndarray:
    """Shares after integrating the replicator dynamics from the uniform mix (egttools' gradient).

    Explicit Euler steps on the simplex (the gradient is egttools'); shares are clipped at 0 and
    renormalised, so a strategy that dies out stays out.
    """
    analytical = _egttools().analytical
    n = len(payoffs)
    x = np.full(n, 1 / n)
    dt = time / steps
    for _ in range(steps):
        x = np.clip(x + dt * analytical.replicator_equation(x, payoffs), 0.0, None)
        x /= x.sum()
    return x


def analyse(
    payoffs: Any,
    names: list[str] | None = None,
    population: int = 50,
    beta: float = 1.0,
    alpha: float = 50.0,
    time: float = 200.0,
) -> Evolution:
    """Replicator dynamics, fixation probabilities and α-Rank of a payoff matrix.

    Args:
        payoffs: ``(n, n)`` row strategy's payoff against column strategy.
        names: One per strategy (default ``s0``, ``s1``, ...).
        population: Finite population size N (fixation and α-Rank).
        beta: Selection intensity of the fixation probabilities.
        alpha: Ranking intensity of α-Rank.
        time: How long the replicator dynamics run.

    Raises:
        ValueError: For a non-square, empty or incomplete (NaN) matrix, a name count that does
            not match, or non-positive settings.
        ImportError: Without egttools (the message says which pip install fixes it).

    Example:
        >>> pd = [[1.0, -1.0], [2.0, 0.0]]  # always cooperate, always defect
        >>> e = analyse(pd, ["all_c", "all_d"])  # doctest: +SKIP
        >>> e.stationary.round(3).tolist(), e.invasions[0][:2]  # doctest: +SKIP
        ([0.0, 1.0], ('all_d', 'all_c'))
    """
    payoffs = check_payoffs(payoffs)
    n = len(payoffs)
    names = [f"s{i}" for i in range(n)] if names is None else list(names)
    if len(names) != n:
        raise ValueError(f"need one name per strategy ({n}); got {len(names)}")
    population = check_positive_int(population, "population", 10**6)
    if population < 2:
        raise ValueError(f"population must be at least 2; got {population}")
    for value, what in ((beta, "beta"), (alpha, "alpha"), (time, "time")):
        if check_float(value, what) <= 0:
            raise ValueError(f"{what} must be positive; got {value!r}")
    egttools = _egttools()
    fixation = np.full((n, n), np.nan)
    stationary = np.ones(1)
    if n > 1:
        dynamics = egttools.analytical.StochDynamics(n, payoffs, population)
        for i in range(n):
            for j in range(n):
                if i != j:
                    fixation[i, j] = dynamics.fixation_probability(i, j, beta)
        # column-stochastic: transitions[j, i] is the chance to move from resident i to j
        transitions, _ = dynamics.transition_and_fixation_matrix(alpha)
        stationary = _stationary(transitions.T)
    return Evolution(
        names=names,
        payoffs=payoffs,
        replicator=replicator(payoffs, time),
        fixation=fixation,
        stationary=stationary,
        population=population,
        beta=float(beta),
        alpha=float(alpha),
    )


def _stationary(transitions: np.ndarray) -> np.ndarray:
    """The stationary distribution of a row-stochastic chain (egttools' eigen-solver)."""
    import warnings

    utils = _egttools().utils
    with warnings.catch_warnings():  # near-absorbing chains are the ranking limit, not a fault
        warnings.simplefilter("ignore", RuntimeWarning)
        pi = np.real(utils.calculate_stationary_distribution_non_hermitian(transitions))
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()


def to_dict(evolution: Evolution) -> dict[str, Any]:
    """JSON-friendly form."""
    return {
        "names": evolution.names,
        "payoffs": evolution.payoffs.round(4).tolist(),
        "replicator": evolution.replicator.round(4).tolist(),
        "fixation": np.nan_to_num(evolution.fixation, nan=-1).round(6).tolist(),
        "stationary": evolution.stationary.round(4).tolist(),
        "invasions": [list(t) for t in evolution.invasions],
        "population": evolution.population,
        "beta": evolution.beta,
        "alpha": evolution.alpha,
    }
