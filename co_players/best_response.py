r"""The exact finite-horizon best response to a finite-state co-player (numpy only).

A finite-state co-player (:class:`~co_players.finite_state.FiniteStateMachine`) acts from a
state that moves on its own view of the last joint action; a memory-one co-player is the
5-state machine whose state *is* that view. Everything the co-player will do depends on the
history only through its state, so the best response is Markov in (round, co-player state):
backward induction with :math:`V_T = 0` and

.. math::
    Q_t(s, a) = \sum_b \pi(b \mid s)\,[r(a, b) + V_{t+1}(\mathrm{next}(s, \mathrm{code}(b, a)))],

where :math:`\mathrm{code}(b, a) = 1 + 2b + a` is the co-player's own-move-first observation.
The machine moves before it acts, so the first acting state is ``next[start, START]``.

- :func:`machine_best_response`: the DP for a machine's tables;
- :func:`best_response_to`: for a co-player object (memory-one, ZD, grim, TFTT, ...);
- :func:`as_machine`: a co-player object as ``(next_state, cooperate, start_state)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from co_players.finite_state import FiniteStateMachine
from co_players.memory_one import MemoryOne
from coop_envs.core import (
    DEFAULT_NUM_ROUNDS,
    MAX_NUM_ROUNDS,
    NUM_OBSERVATIONS,
    PRISONERS_DILEMMA,
    START,
    MatrixGame,
    check_float,
    check_positive_int,
    get_game,
)

__all__ = [
    "MachineBestResponse",
    "ProbeTradeoff",
    "as_machine",
    "best_response_to",
    "machine_best_response",
    "probe_tradeoff",
]


@dataclass(frozen=True)
class MachineBestResponse:
    """The exact best response to one finite-state co-player over ``T`` rounds.

    Attributes:
        total: Expected total payoff of the best response over the ``T`` rounds.
        policy: ``(T, S) int8``: its action in round ``t`` when the co-player acts from state
            ``s``; ties broken towards cooperation.
        q_values: ``(T, S, 2)`` expected total from round ``t`` on, per first action.
        start: The co-player's first acting state.
    """

    total: float
    policy: np.ndarray
    q_values: np.ndarray
    start: int

    @property
    def rounds(self) -> int:
        """The horizon T."""
        return len(self.policy)

    @property
    def value(self) -> float:
        """Mean payoff per round."""
        return self.total / self.rounds


def _memory_one_machine(q: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """A memory-one vector as a 5-state machine: the state is the last observation."""
    next_state = np.tile(np.arange(NUM_OBSERVATIONS), (NUM_OBSERVATIONS, 1))
    return next_state, q.astype(np.float64), START


def as_machine(
    co_player: Any, game: MatrixGame = PRISONERS_DILEMMA
) -> tuple[np.ndarray, np.ndarray, int]:
    """``(next_state (S, 5), cooperate (S,), start_state)`` of a co-player object.

    Args:
        co_player: A :class:`~co_players.memory_one.MemoryOne` with one ``(5,)`` vector (its
            subclasses too: generous TFT, zero-determinant), or a
            :class:`~co_players.finite_state.FiniteStateMachine`.
        game: The game from the co-player's seat (a memory-one vector may depend on it).

    Raises:
        TypeError: For another kind of co-player (its state is not known to this module).
        ValueError: For a memory-one co-player with one row per game.
    """
    if isinstance(co_player, FiniteStateMachine):
        return co_player.next_state, co_player.cooperate, co_player.start_state
    if isinstance(co_player, MemoryOne):
        q = np.asarray(co_player.vector_for(get_game(game)))
        if q.ndim != 1:
            raise ValueError(
                f"a best response needs one memory-one vector; {co_player.name!r} holds {q.shape}"
            )
        return _memory_one_machine(q)
    raise TypeError(
        "an exact best response needs a memory-one or finite-state co-player "
        f"(MemoryOne, FiniteStateMachine); got {type(co_player).__name__}"
    )


def _check_machine(next_state: Any, cooperate: Any, start_state: int) -> tuple[np.ndarray, ...]:
    cooperate = np.asarray(cooperate, dtype=np.float64)
    if cooperate.ndim == 1 and not ((cooperate >= 0) & (cooperate <= 1)).all():
        raise ValueError(f"cooperate must hold probabilities in [0, 1]; got {cooperate.tolist()}")
    next_state = np.asarray(next_state)
    states = len(cooperate) if cooperate.ndim == 1 else -1
    if (
        cooperate.ndim != 1
        or next_state.shape != (states, NUM_OBSERVATIONS)
        or next_state.dtype.kind not in "iu"
    ):
        raise ValueError(
            "need cooperate (S,) and an integer next_state (S, 5); got "
            f"{cooperate.shape} and {next_state.shape} {next_state.dtype}"
        )
    if next_state.size and (next_state.min() < 0 or next_state.max() >= states):
        raise ValueError(f"next_state holds states outside 0..{states - 1}")
    if not (isinstance(start_state, int | np.integer) and 0 <= start_state < states):
        raise ValueError(f"start_state must be a state in 0..{states - 1}; got {start_state!r}")
    return next_state.astype(np.int64), cooperate


def machine_best_response(
    next_state: Any,
    cooperate: Any,
    start_state: int = 0,
    game: MatrixGame = PRISONERS_DILEMMA,
    rounds: int = DEFAULT_NUM_ROUNDS,
) -> MachineBestResponse:
    """The exact best response to a finite-state co-player by backward induction.

    Args:
        next_state: ``(S, 5)`` the co-player's next state per state and own-view observation.
        cooperate: ``(S,)`` its cooperation probability in each state.
        start_state: Its state before the first observation (START).
        game: The game, the best responder being player 0.
        rounds: Horizon T.

    Returns:
        The :class:`MachineBestResponse`.

    Raises:
        ValueError: For malformed tables or a bad horizon.

    Example:
        >>> tft = machine_best_response(np.tile(np.arange(5), (5, 1)), [1, 1, 0, 1, 0], 0)
        >>> tft.total, tft.policy[-1].tolist()  # cooperate 99 rounds, defect in the last
        (101.0, [1, 1, 1, 1, 1])
    """
    rounds = check_positive_int(rounds, "rounds", MAX_NUM_ROUNDS)
    next_state, cooperate = _check_machine(next_state, cooperate, start_state)
    payoff = get_game(game).payoffs[:, :, 0]  # (a, b) -> the responder's reward
    states = len(cooperate)
    pi = np.stack([cooperate, 1 - cooperate], axis=1)  # (S, b)
    # following[s, a, b]: the co-player's next state after joint (a, b); its view is 1 + 2b + a
    a, b = np.meshgrid(np.arange(2), np.arange(2), indexing="ij")
    following = next_state[:, 1 + 2 * b + a]  # (S, a, b)
    immediate = pi @ payoff.T  # (S, a)
    values = np.zeros(states)
    q_values = np.empty((rounds, states, 2))
    for t in range(rounds - 1, -1, -1):
        q_t = immediate + np.einsum("sb,sab->sa", pi, values[following])
        q_values[t] = q_t
        values = q_t.max(axis=1)
    policy = (q_values[..., 1] > q_values[..., 0]).astype(np.int8)
    start = int(next_state[start_state, START])
    return MachineBestResponse(float(values[start]), policy, q_values, start)


def best_response_to(
    co_player: Any, game: MatrixGame = PRISONERS_DILEMMA, rounds: int = DEFAULT_NUM_ROUNDS
) -> MachineBestResponse:
    """The exact best response to a memory-one or finite-state co-player object.

    Args:
        co_player: See :func:`as_machine`.
        game: The game, the best responder being player 0 (the co-player sees its swap).
        rounds: Horizon T.

    Example:
        >>> from co_players.finite_state import grim_trigger
        >>> best_response_to(grim_trigger(), rounds=10).total  # cooperate 9 rounds, then defect
        11.0
    """
    game = get_game(game)
    return machine_best_response(*as_machine(co_player, game.swapped()), game=game, rounds=rounds)


def _upper_hull(points: set[tuple[float, float]]) -> np.ndarray:
    """The upper concave hull's vertices of (x, y) points, x ascending, y descending."""
    hull: list[tuple[float, float]] = []
    for point in sorted(points):
        while hull and hull[-1][1] <= point[1]:
            hull.pop()
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (y2 - y1) * (point[0] - x1) <= (point[1] - y1) * (x2 - x1):
                hull.pop()
            else:
                break
        hull.append(point)
    return np.array(hull)


@dataclass(frozen=True)
class ProbeTradeoff:
    """What meeting a bar against always-cooperate costs against one deterministic co-player.

    Until the agent's co-player first defects, an agent cannot tell it from always-cooperate: a
    deterministic co-player X that opens with cooperation answers the agent's moves exactly as
    always-cooperate does until then. A policy that takes ``reference`` per round from
    always-cooperate must defect early (probe), and X may punish the probe.

    Attributes:
        frontier: ``(K, 2)``: the Pareto frontier's vertices, (mean reward per round against
            always-cooperate, total against X), reference ascending; mixtures of two adjacent
            vertices (a stochastic policy) reach the segments between them.
        best_total: The unconstrained best response's total against X.
        reference: The bar per round against always-cooperate.
        total: The highest total against X of any policy meeting the bar (``nan`` if none can).
        rounds: Horizon T.
    """

    frontier: np.ndarray
    best_total: float
    reference: float
    total: float
    rounds: int

    @property
    def regret(self) -> float:
        """The least regret per round against X of any policy meeting the bar."""
        return (self.best_total - self.total) / self.rounds


def probe_tradeoff(
    co_player: Any,
    reference: float,
    game: MatrixGame = PRISONERS_DILEMMA,
    rounds: int = DEFAULT_NUM_ROUNDS,
) -> ProbeTradeoff:
    r"""The least regret against ``co_player`` of any agent earning ``reference`` from AllC.

    Exact, over every (history-dependent, stochastic) policy. While ``co_player`` X has only
    cooperated the agent's history is the same against X and against always-cooperate (AllC),
    so a policy is one plan for that ambiguous branch plus a free continuation after X's first
    defection (X's best response from its state then) and after AllC's branch separates (AllC's
    best response: defect). For a weight :math:`\lambda \ge 0`, backward induction over
    (round, X's state) on the ambiguous branch maximises :math:`\lambda V_{AllC} + V_X`; a dense
    sweep of :math:`\lambda` (ties broken both ways) gives the frontier's vertices, and the bar
    is met on its upper concave hull.

    Args:
        co_player: A deterministic memory-one or finite-state co-player (see :func:`as_machine`).
        reference: The bar: mean reward per round against always-cooperate (the stage-1
            criterion's 1.9).
        game: The game, the agent being player 0.
        rounds: Horizon T.

    Raises:
        ValueError: For a co-player whose moves are random (the ambiguity then depends on the
            path's probability, not on X's state), or a bad horizon.
        TypeError: For a ``reference`` that is not a real number.

    Example:
        >>> from co_players.finite_state import grim_trigger
        >>> round(probe_tradeoff(grim_trigger(), 1.9).regret, 2)  # probe by round 10: punished
        0.89
    """
    game = get_game(game)
    rounds = check_positive_int(rounds, "rounds", MAX_NUM_ROUNDS)
    reference = check_float(reference, "reference (mean reward per round against AllC)")
    next_state, cooperate, start_state = as_machine(co_player, game.swapped())
    next_state, cooperate = _check_machine(next_state, cooperate, start_state)
    if not np.isin(cooperate, (0.0, 1.0)).all():
        raise ValueError(
            f"probe_tradeoff needs a deterministic co-player; {getattr(co_player, 'name', '?')!r} "
            f"cooperates with probabilities {sorted(set(cooperate.tolist()))}"
        )
    best = machine_best_response(next_state, cooperate, start_state, game, rounds)
    payoff = game.payoffs[:, :, 0]
    after = np.append(best.q_values.max(axis=2), np.zeros((1, len(cooperate))), axis=0)
    exploit = payoff[:, 0].max()  # per round against AllC once the branches part
    b_of = (cooperate == 0).astype(np.int64)  # X's move in each state

    def plan(weight: float, prefer_cooperate: bool) -> tuple[float, float]:
        # J[s] = (objective, V_AllC, V_X) from round t on, X acting from state s, ambiguous
        states = len(cooperate)
        value = np.zeros((states, 3))
        for t in range(rounds - 1, -1, -1):
            new = np.empty_like(value)
            for s in range(states):
                b = b_of[s]
                options = []
                for a in (0, 1):
                    nxt = next_state[s, 1 + 2 * b + a]  # X's view: own move first
                    if b == 0:
                        v_ref = payoff[a, 0] + value[nxt, 1]
                        v_x = payoff[a, 0] + value[nxt, 2]
                    else:
                        v_ref = payoff[a, 0] + exploit * (rounds - t - 1)
                        v_x = payoff[a, 1] + after[t + 1, nxt]
                    options.append((weight * v_ref + v_x, v_ref, v_x))
                first, second = options if prefer_cooperate else options[::-1]
                new[s] = first if first[0] >= second[0] - 1e-12 else second
            value = new
        s0 = int(next_state[start_state, START])
        return float(value[s0, 1]) / rounds, float(value[s0, 2])

    weights = np.concatenate([[0.0], np.geomspace(1e-4, 1e4, 161)])
    points = {plan(w, p) for w in weights for p in (True, False)}
    frontier = _upper_hull(points)
    xs, ys = frontier[:, 0], frontier[:, 1]
    if reference > xs[-1] + 1e-12:
        total = float("nan")
    elif reference <= xs[0]:
        total = float(ys[0])
    else:
        total = float(np.interp(reference, xs, ys))
    return ProbeTradeoff(frontier, best.total, float(reference), total, rounds)
