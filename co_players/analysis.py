r"""Exact analysis of memory-one play: Markov-chain payoffs and the exact best response.

Two memory-one strategies X (vector ``p``) and Y (vector ``q``, from Y's own side) make the
previous joint action a Markov chain over the states CC, CD, DC, DD (from X's side). Everything
here is batched: ``p`` and ``q`` may be ``(5,)`` or ``(B, 5)``, and results are ``(B, ...)``.

- :func:`expected_payoffs`: mean payoff per round of both players over ``rounds`` rounds;
- :func:`discounted_payoffs`: :math:`(1-\delta) \sum_t \delta^t r_t`;
- :func:`long_run_payoffs`: the limit of the mean per round (Cesàro average of the chain);
- :func:`best_response`: the exact best response of X to a memory-one Y over ``rounds`` rounds
  (dynamic programming over rounds x the 5 observations) and its value;
- :func:`~co_players.zero_determinant.zd_check`: is a vector zero-determinant (re-exported).

``python -m co_players.analysis`` prints the mean exact best-response value against random
tabular co-players (the paper's ceiling, about 1.05 per round).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from co_players.memory_one import check_probabilities
from co_players.zero_determinant import ZDCheck, zd_check
from coop_envs.core import (
    COOPERATE,
    DEFAULT_NUM_ROUNDS,
    DEFECT,
    MAX_HISTORY_CELLS,
    MAX_NUM_ROUNDS,
    NUM_OBSERVATIONS,
    PRISONERS_DILEMMA,
    MatrixGame,
    check_float,
    check_positive_int,
    get_game,
)

# X-side joint state k (0..3 = CC, CD, DC, DD) is Y-side state _SWAP[k].
_SWAP = np.array([0, 2, 1, 3])

__all__ = [
    "BestResponse",
    "ZDCheck",
    "best_response",
    "discounted_payoffs",
    "expected_payoffs",
    "long_run_payoffs",
    "policy_payoffs",
    "pool_summary",
    "transition_matrix",
    "zd_check",
]


def pool_summary(values: dict[str, np.ndarray]) -> dict[str, float]:
    """Each key's mean over co-players drawn from a pool, and ``<key>_se``: its standard error.

    How the exact per-co-player values of :mod:`co_players.coin_game_values` and
    :mod:`co_players.public_goods_values` become a pool's numbers (the standard error is NaN for a
    single draw).
    """
    out: dict[str, float] = {}
    for key, v in values.items():
        v = np.asarray(v, dtype=np.float64)
        out[key] = float(v.mean())
        out[f"{key}_se"] = float(v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else float("nan")
    return out


def _tables(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.atleast_2d(check_probabilities(p, "p"))
    q = np.atleast_2d(check_probabilities(q, "q"))
    try:
        return np.broadcast_arrays(p, q)
    except ValueError:
        raise ValueError(
            f"p and q must have the same batch size (or one of them a single vector); "
            f"got {p.shape} and {q.shape}"
        ) from None


def _joint(px: np.ndarray, qy: np.ndarray) -> np.ndarray:
    """``(..., 4)`` probabilities of CC, CD, DC, DD (X's side) given X's and Y's P(C)."""
    return np.stack([px * qy, px * (1 - qy), (1 - px) * qy, (1 - px) * (1 - qy)], axis=-1)


def transition_matrix(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The chain of X (``p``) against Y (``q``, Y's own side).

    Returns:
        ``(initial (B, 4), transition (B, 4, 4))`` over CC, CD, DC, DD from X's side.
    """
    p, q = _tables(p, q)
    initial = _joint(p[:, 0], q[:, 0])
    transition = _joint(p[:, 1:], q[:, 1:][:, _SWAP])
    return initial, transition


def _rewards(game: MatrixGame) -> np.ndarray:
    """``(4, 2)`` payoffs of both players in CC, CD, DC, DD (X = player 0)."""
    return get_game(game).payoffs.reshape(4, 2)


def expected_payoffs(
    p: np.ndarray, q: np.ndarray, game: MatrixGame = PRISONERS_DILEMMA, rounds: int = 100
) -> np.ndarray:
    """Exact mean payoff per round of X and Y over ``rounds`` rounds.

    Args:
        p: X's ``(5,)`` or ``(B, 5)`` vector.
        q: Y's vector, from Y's own side.
        game: The game, X being player 0.
        rounds: Horizon T.

    Returns:
        ``(B, 2)``: X's and Y's mean payoff per round.

    Example:
        >>> expected_payoffs([1, 1, 0, 1, 0], [0, 0, 0, 0, 0], rounds=100).tolist()
        [[-0.01, 0.02]]
    """
    rounds = check_positive_int(rounds, "rounds", MAX_NUM_ROUNDS)
    state, transition = transition_matrix(p, q)
    total = np.zeros_like(state)
    for _ in range(rounds):
        total += state
        state = np.einsum("bi,bij->bj", state, transition)
    return total @ _rewards(game) / rounds


def discounted_payoffs(
    p: np.ndarray, q: np.ndarray, game: MatrixGame = PRISONERS_DILEMMA, discount: float = 0.99
) -> np.ndarray:
    r"""Normalised discounted payoffs :math:`(1 - \delta) \sum_{t \geq 0} \delta^t r_{t+1}`.

    Returns:
        ``(B, 2)``.
    """
    if not 0 <= check_float(discount, "discount") < 1:
        raise ValueError(f"discount must be in [0, 1); got {discount!r}")
    initial, transition = transition_matrix(p, q)
    eye = np.eye(4)
    # v (I - delta M) = initial  =>  (I - delta M)^T v^T = initial^T
    occupancy = np.linalg.solve(np.swapaxes(eye - discount * transition, 1, 2), initial[..., None])[
        ..., 0
    ]
    return (1 - discount) * occupancy @ _rewards(game)


def long_run_payoffs(
    p: np.ndarray, q: np.ndarray, game: MatrixGame = PRISONERS_DILEMMA, doublings: int = 30
) -> np.ndarray:
    """The limit of the mean payoff per round as the horizon grows (the Cesàro average).

    Well defined for every chain, ergodic or not (e.g. TFT vs TFT, whose long-run payoff
    depends on the first move): the mean over :math:`2^{30}` rounds, by repeated squaring.

    Returns:
        ``(B, 2)``.
    """
    initial, transition = transition_matrix(p, q)
    power = transition.copy()  # M^n
    total = np.broadcast_to(np.eye(4), transition.shape).copy()  # sum_{t<n} M^t
    for _ in range(doublings):
        total = total + total @ power
        power = power @ power
    occupancy = np.einsum("bi,bij->bj", initial, total) / 2**doublings
    return occupancy @ _rewards(game)


@dataclass(frozen=True)
class BestResponse:
    """The exact best response to memory-one co-players over a finite horizon.

    Attributes:
        policy: ``(B, T, 5) int8``: the action in round ``t`` after observation ``o`` (own side);
            ties are broken towards cooperation.
        value: ``(B,)`` mean payoff per round of the best response.
        q_values: ``(B, T, 5, 2)`` expected total payoff from round ``t`` on, per first action.
    """

    policy: np.ndarray
    value: np.ndarray
    q_values: np.ndarray


def best_response(
    q: np.ndarray, game: MatrixGame = PRISONERS_DILEMMA, rounds: int = DEFAULT_NUM_ROUNDS
) -> BestResponse:
    r"""The exact best response of X to memory-one co-players ``q`` over ``rounds`` rounds.

    Against a memory-one co-player, the last joint action is all the co-player conditions on,
    so X's optimal policy is Markov in (round, observation): backward induction over the 5
    observations, :math:`V_T = 0`,
    :math:`Q_t(o, a) = \sum_b \pi_q(b \mid o)[r(a, b) + V_{t+1}(\mathrm{code}(a, b))]`.

    Args:
        q: ``(5,)`` or ``(B, 5)`` co-player vectors (their own side).
        game: The game, X being player 0.
        rounds: Horizon T.

    Returns:
        The :class:`BestResponse` (policy, value per round, Q-values).

    Example:
        >>> best_response([1, 1, 0, 1, 0], rounds=100).value.round(4).tolist()  # vs TFT
        [1.01]
    """
    rounds = check_positive_int(rounds, "rounds", MAX_NUM_ROUNDS)
    q = np.atleast_2d(check_probabilities(q, "q"))
    batch = len(q)
    cells = batch * rounds * NUM_OBSERVATIONS * 2  # q_values, float64
    if cells > MAX_HISTORY_CELLS:
        raise ValueError(
            f"best_response over {batch:,} co-players x {rounds:,} rounds would allocate "
            f"{cells:,} Q-values ({cells * 8 / 2**30:.1f} GiB); at most {MAX_HISTORY_CELLS:,} "
            "are accepted"
        )
    payoff = get_game(game).payoffs[:, :, 0]  # (a, b) -> X's reward
    # P(Y cooperates) after each X-side observation: START -> q[0]; joint k -> q[1 + swap(k)].
    q_coop = np.concatenate([q[:, :1], q[:, 1:][:, _SWAP]], axis=1)  # (B, 5)
    immediate = (
        q_coop[..., None] * payoff[:, COOPERATE] + (1 - q_coop[..., None]) * payoff[:, DEFECT]
    )  # (B, 5, a)
    values = np.zeros((batch, NUM_OBSERVATIONS))
    q_values = np.empty((batch, rounds, NUM_OBSERVATIONS, 2))
    policy = np.empty((batch, rounds, NUM_OBSERVATIONS), dtype=np.int8)
    for t in range(rounds - 1, -1, -1):
        # next observation after (a, b) is code 1 + 2a + b
        after_c = values[:, [1 + 2 * 0 + 0, 1 + 2 * 1 + 0]]  # (B, a): other cooperated
        after_d = values[:, [1 + 2 * 0 + 1, 1 + 2 * 1 + 1]]  # (B, a): other defected
        future = (
            q_coop[..., None] * after_c[:, None, :] + (1 - q_coop[..., None]) * after_d[:, None, :]
        )
        q_t = immediate + future
        q_values[:, t] = q_t
        policy[:, t] = (q_t[..., DEFECT] > q_t[..., COOPERATE]).astype(np.int8)
        values = q_t.max(axis=-1)
    return BestResponse(policy=policy, value=values[:, 0] / rounds, q_values=q_values)


def main(argv: list[str] | None = None) -> int:
    """Print the mean exact best-response value against random tabular co-players."""
    parser = argparse.ArgumentParser(
        description="Mean exact best-response value per round against random U(0,1) "
        "memory-one co-players (the in-context learner's ceiling in Weis et al. 2026)."
    )
    parser.add_argument("--co-players", type=int, default=3000, help="how many co-players")
    parser.add_argument("--rounds", type=int, default=DEFAULT_NUM_ROUNDS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.co_players < 1 or args.rounds < 1:
        parser.error("--co-players and --rounds must be positive")
    q = np.random.default_rng(args.seed).random((args.co_players, NUM_OBSERVATIONS))
    start = time.perf_counter()
    best = best_response(q, rounds=args.rounds)
    seconds = time.perf_counter() - start
    always_defect = expected_payoffs(np.zeros(5), q, rounds=args.rounds)[:, 0]
    always_cooperate = expected_payoffs(np.ones(5), q, rounds=args.rounds)[:, 0]
    sem = best.value.std(ddof=1) / np.sqrt(len(q))
    print(
        f"{args.co_players} random tabular co-players, {args.rounds} rounds, prisoner's dilemma "
        f"(T=2, R=1, P=0, S=-1), seed {args.seed}:"
    )
    print(f"  exact best response: {best.value.mean():.4f} per round (± {1.96 * sem:.4f}, 95%)")
    print(f"  always defect:       {always_defect.mean():.4f} per round")
    print(f"  always cooperate:    {always_cooperate.mean():.4f} per round")
    print(f"  (best responses computed in {seconds * 1e3:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def policy_payoffs(
    policy: np.ndarray, q: np.ndarray, game: MatrixGame = PRISONERS_DILEMMA
) -> np.ndarray:
    """Exact mean payoffs per round when X plays a deterministic non-stationary ``policy``.

    Args:
        policy: ``(T, 5)`` X's action in each round after each of its observations (e.g.
            ``best_response(q).policy[0]``).
        q: ``(5,)`` Y's memory-one vector (Y's own side).
        game: The game, X being player 0.

    Returns:
        ``(2,)``: X's and Y's mean payoff per round.

    Example:
        >>> best = best_response([1, 1, 0, 1, 0], rounds=100)
        >>> policy_payoffs(best.policy[0], [1, 1, 0, 1, 0]).round(3).tolist()
        [1.01, 0.98]
    """
    policy = np.asarray(policy)
    q = check_probabilities(q, "q")
    if q.ndim != 1 or policy.ndim != 2 or policy.shape[1] != NUM_OBSERVATIONS:
        raise ValueError(f"need policy (T, 5) and q (5,); got {policy.shape} and {q.shape}")
    rewards = _rewards(game)
    q_coop = np.concatenate([q[:1], q[1:][_SWAP]])  # P(Y cooperates) after each X-side observation
    distribution = np.zeros(NUM_OBSERVATIONS)
    distribution[0] = 1.0  # START
    total = np.zeros(2)
    for t in range(len(policy)):
        following = np.zeros(NUM_OBSERVATIONS)
        for obs in range(NUM_OBSERVATIONS):
            if distribution[obs] == 0:
                continue
            a = int(policy[t, obs])
            for b, pb in ((COOPERATE, q_coop[obs]), (DEFECT, 1 - q_coop[obs])):
                joint = 2 * a + b
                total += distribution[obs] * pb * rewards[joint]
                following[1 + joint] += distribution[obs] * pb
        distribution = following
    return total / len(policy)
