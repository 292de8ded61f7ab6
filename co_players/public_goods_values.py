r"""Exact values of public goods against groups of reactive co-players: what knowing them is worth.

Every co-player of :mod:`co_players.public_goods` that the trainers draw — a
:class:`~co_players.public_goods.RandomReactive` table or a conditional cooperator with a
threshold — contributes with a probability that depends only on the last round: its own move
and how many of the others contributed. So, given the N - 1 co-players of a group, the learner's
best response is a finite-horizon MDP over the last round's joint moves (``2^N`` states and the
start), solved by backward induction, batched over many groups (NumPy only).

Each co-player is a *seat table* of ``1 + 2N`` contribution probabilities: index 0 the first
round, then ``1 + own_kept * N + c`` for its own last move (0: contributed, 1: kept) and the
number ``c`` of the *others* who contributed. :func:`pool_values` brackets what an in-context
learner can earn against a pool of groups, as :mod:`co_players.coin_game_values` does for the
Coin Game, exactly for each group drawn and averaged over the draws (a Monte-Carlo mean over the
pool, with its standard error):

- ``best_response``: the best response to each group *knowing it* and seeing every seat's last
  move (the ceiling; a learner that sees only the count of contributors can do no better);
- ``mean_response``: the best response to the pool's *mean* co-player in every seat (a policy of
  its own last move and the count that keeps no memory of the group), evaluated against each
  drawn group. It is not the best such policy (a policy's value is not linear in the group,
  which acts again every round: a reciprocator can do better), only a reference;
- ``always_contribute`` and ``never_contribute``.

``knowing_worth = best_response - mean_response`` bounds from above what knowing the group adds
over the best response to the average co-player.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from co_players.analysis import pool_summary
from co_players.public_goods import NUM_STATES, RandomReactive
from coop_envs.core.public_goods import MIN_PLAYERS, PublicGoodsGame
from coop_envs.core.validation import check_float, check_int

MAX_EXACT_PLAYERS = 8
"""Largest N solved exactly (the states double with every player)."""
CHUNK = 256
"""Groups solved at once."""
POLICIES = ("best_response", "always_contribute", "never_contribute")


def reactive_seat_tables(tables: Any, num_players: int) -> np.ndarray:
    """``(..., 1 + 2N)`` seat tables of 7-state reactive tables (none / some / all of the others).

    Raises:
        ValueError: If the last axis is not 7 probabilities in [0, 1].
    """
    n = _check_players(num_players)
    tables = _probabilities(tables, "tables")
    if tables.shape[-1] != NUM_STATES:
        raise ValueError(f"reactive tables have {NUM_STATES} entries; got shape {tables.shape}")
    count = np.arange(n)
    bucket = np.where(count == 0, 0, np.where(count == n - 1, 2, 1))  # none / some / all
    index = np.concatenate([[0], 1 + bucket, 4 + bucket])  # start, own C x c, own K x c
    return tables[..., index]


def conditional_seat_tables(thresholds: Any, num_players: int) -> np.ndarray:
    """``(K, 1 + 2N)`` seat tables of conditional cooperators with thresholds ``k``.

    A conditional cooperator contributes first, then iff at least ``k`` of the others contributed
    last round.

    Raises:
        ValueError: If a threshold is outside 1..N-1.
    """
    n = _check_players(num_players)
    thresholds = np.asarray(thresholds)
    if thresholds.dtype.kind not in "iu" or ((thresholds < 1) | (thresholds > n - 1)).any():
        raise ValueError(
            f"thresholds must be integers in 1..{n - 1}; got {np.asarray(thresholds).tolist()}"
        )
    contribute = (np.arange(n)[None] >= thresholds[..., None]).astype(np.float64)
    first = np.ones((*thresholds.shape, 1))
    return np.concatenate([first, contribute, contribute], axis=-1)


class _Group:
    """The learner (seat 0) and N - 1 co-players: the joint-move states and their tables."""

    def __init__(self, num_players: int, multiplier: float) -> None:
        n = self.n = num_players
        self.multiplier = multiplier
        codes = np.arange(2**n)  # bit p: player p contributed last round
        bits = (codes[:, None] >> np.arange(n)) & 1  # (2^n, n)
        count = bits.sum(axis=1)
        seat = np.zeros((n - 1, 1 + 2**n), dtype=np.int64)  # seat state of each co-player
        for i in range(n - 1):
            own = bits[:, i + 1]
            seat[i, 1:] = 1 + (1 - own) * n + (count - own)
        self.seat = seat
        moves = np.arange(2 ** (n - 1))
        self.co_bits = (moves[:, None] >> np.arange(n - 1)) & 1  # (2^(n-1), n-1)
        # state index after the learner's move x (1: contribute) and the co-players' moves m
        self.next_state = 1 + np.arange(2)[:, None] + 2 * moves[None, :]  # (2, 2^(n-1))

    def values(self, seats: np.ndarray, rounds: int, **policy: Any) -> np.ndarray:
        """``(K,)`` :meth:`solve`'s values for any number of groups, :data:`CHUNK` at a time."""
        return np.concatenate([self.solve(chunk, rounds, **policy)[0] for chunk in _chunks(seats)])

    def solve(
        self,
        seats: np.ndarray,
        rounds: int,
        plan: np.ndarray | None = None,
        fixed: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-round value from the start of the best response (or ``plan``, or ``fixed``).

        Args:
            seats: ``(K, N - 1, 1 + 2N)`` seat tables.
            rounds: Rounds of the episode.
            plan: ``(rounds, 1 + 2^N)`` the learner's contribution (1) or keeping (0) per round
                and state, or None.
            fixed: 1 (always contribute) or 0 (never), or None.

        Returns:
            ``(K,)`` values per round, and the best response's ``(rounds, 1 + 2^N)`` plan for
            the first group.
        """
        k = len(seats)
        p = np.take_along_axis(seats, np.broadcast_to(self.seat, (k, *self.seat.shape)), axis=2)
        # p: (K, N-1, S) each co-player's contribution probability in each state
        p = p.transpose(0, 2, 1)[:, :, None, :]  # (K, S, 1, N-1)
        bits = self.co_bits[None, None]  # (1, 1, M, N-1)
        moves = np.where(bits == 1, p, 1 - p).prod(axis=3)  # (K, S, M)
        base = self.multiplier / self.n * p[:, :, 0].sum(axis=2)  # (K, S) from the others
        rewards = np.stack(
            [1.0 + base, self.multiplier / self.n + base], axis=2
        )  # (K, S, 2): keep, contribute
        value = np.zeros((k, 1 + 2**self.n))
        best_plan = np.zeros((rounds, 1 + 2**self.n), dtype=np.int64)
        for t in reversed(range(rounds)):
            q = (
                rewards
                + np.stack(
                    [moves @ value[:, self.next_state[x]][:, :, None] for x in (0, 1)], axis=2
                )[..., 0]
            )
            if plan is not None:
                act = np.broadcast_to(plan[t], (k, plan.shape[1]))
            elif fixed is not None:
                act = np.full((k, q.shape[1]), fixed)
            else:
                act = q.argmax(axis=2)
                best_plan[t] = act[0]
            value = np.take_along_axis(q, act[:, :, None], axis=2)[:, :, 0]
        return value[:, 0] / rounds, best_plan


def group_values(
    seats: Any,
    num_players: int = 4,
    multiplier: float = 1.6,
    rounds: int = 100,
    policy: str = "best_response",
) -> np.ndarray:
    """Exact reward per round of the learner against each group of N - 1 co-players.

    Args:
        seats: ``(K, N - 1, 1 + 2N)`` seat tables (:func:`reactive_seat_tables`,
            :func:`conditional_seat_tables`).
        num_players: N, 2..8.
        multiplier: r.
        rounds: Rounds of the episode.
        policy: ``"best_response"`` (knowing the group, seeing every seat's move),
            ``"always_contribute"`` or ``"never_contribute"``.

    Returns:
        ``(K,) float64``.

    Raises:
        ValueError: For seat tables of another shape or outside [0, 1], an unknown policy, or
            sizes out of range.
    """
    n, r, rounds = _check_sizes(num_players, multiplier, rounds)
    seats = _check_seats(seats, n)
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}; got {policy!r}")
    fixed = {"always_contribute": 1, "never_contribute": 0}.get(policy)
    group = _Group(n, r)
    return group.values(seats, rounds, fixed=fixed)


def draw_groups(
    samples: int,
    rng: np.random.Generator,
    num_players: int = 4,
    split: str | None = "held_out",
    concentration: float = 1.0,
    conditional_fraction: float = 0.0,
) -> np.ndarray:
    """``(samples, N - 1, 1 + 2N)`` groups of seat tables, as the trainers draw them.

    Each seat is a random conditional cooperator with probability ``conditional_fraction``
    (threshold uniform in 1..N-1), else a :class:`RandomReactive` table (``split``,
    Beta(``concentration``)), independently per seat and group (as
    :func:`baselines.general.trainer.training_co_player`'s mixture draws them).

    Args:
        samples: Groups to draw.
        rng: The generator.
        num_players: N, 2..8.
        split: ``None``, ``"train"`` or ``"held_out"``.
        concentration: c of the reactive tables' Beta(c, c) draw.
        conditional_fraction: Share of conditional cooperators, in [0, 1].

    Raises:
        TypeError: If ``rng`` is not a ``numpy.random.Generator``.
        ValueError: For a size, split, concentration or fraction out of range.
    """
    n = _check_players(num_players)
    samples = check_int(samples, "samples", 1, 1_000_000)
    fraction = check_float(conditional_fraction, "conditional_fraction", 0.0, 1.0)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    seats = samples * (n - 1)
    reactive = reactive_seat_tables(
        RandomReactive(split, concentration=concentration).sample(seats, rng), n
    )
    conditional = conditional_seat_tables(rng.integers(1, n, seats), n)
    pick = rng.random(seats) < fraction
    return np.where(pick[:, None], conditional, reactive).reshape(samples, n - 1, 1 + 2 * n)


def pool_values(
    num_players: int = 4,
    multiplier: float = 1.6,
    rounds: int = 100,
    split: str | None = "held_out",
    concentration: float = 1.0,
    conditional_fraction: float = 0.0,
    samples: int = 4096,
    seed: int = 0,
) -> dict[str, float]:
    """What a learner can earn per round against a pool of groups (see the module docstring).

    The pool is :func:`draw_groups`'s: ``samples`` groups from ``seed``, and the mean co-player
    from a further ``samples`` groups (``samples x (N - 1)`` seats).

    Args:
        num_players: N, 2..8.
        multiplier: r, as the game accepts it.
        rounds: Rounds of the episode.
        split: ``None``, ``"train"`` or ``"held_out"``.
        concentration: c of the reactive tables' Beta(c, c) draw.
        conditional_fraction: Share of conditional cooperators, in [0, 1].
        samples: Groups drawn.
        seed: Seed of the draws.

    Returns:
        ``{"best_response", "mean_response", "always_contribute", "never_contribute",
        "knowing_worth"}`` (the last ``best_response - mean_response``), means per round over
        the groups, and ``"<key>_se"``: each one's standard error over the draws.

    Raises:
        TypeError: For a size or seed that is not an integer.
        ValueError: For sizes, r, a split, a concentration or a fraction out of range.
    """
    n, r, rounds = _check_sizes(num_players, multiplier, rounds)
    fraction = check_float(conditional_fraction, "conditional_fraction", 0.0, 1.0)
    rng = np.random.default_rng(check_int(seed, "seed", 0))
    groups = draw_groups(samples, rng, n, split, concentration, fraction)
    mean_seat = draw_groups(samples, rng, n, split, concentration, fraction).mean(axis=(0, 1))
    group = _Group(n, r)
    _, plan = group.solve(np.broadcast_to(mean_seat, (1, n - 1, mean_seat.size)), rounds)
    joined = {
        "best_response": group.values(groups, rounds),
        "mean_response": group.values(groups, rounds, plan=plan),
        "always_contribute": group.values(groups, rounds, fixed=1),
        "never_contribute": group.values(groups, rounds, fixed=0),
    }
    joined["knowing_worth"] = joined["best_response"] - joined["mean_response"]
    return pool_summary(joined)


def _chunks(array: np.ndarray) -> list[np.ndarray]:
    return [array[i : i + CHUNK] for i in range(0, len(array), CHUNK)]


def _check_players(num_players: Any) -> int:
    return check_int(num_players, "num_players", MIN_PLAYERS, MAX_EXACT_PLAYERS)


def _check_sizes(num_players: Any, multiplier: Any, rounds: Any) -> tuple[int, float, int]:
    n = _check_players(num_players)
    rounds = check_int(rounds, "rounds", 1, 100_000)
    PublicGoodsGame(n, multiplier=multiplier, batch_size=1, num_rounds=1)  # r as the game takes it
    return n, float(multiplier), rounds


def _probabilities(array: Any, what: str) -> np.ndarray:
    try:
        array = np.asarray(array, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} must be numbers; got {array!r}") from error
    bad = ~(np.isfinite(array) & (array >= 0) & (array <= 1))
    if bad.any():
        raise ValueError(
            f"{what} must be probabilities in [0, 1]; got {array[bad][:3].tolist()} "
            f"at index {tuple(int(i) for i in np.argwhere(bad)[0])}"
        )
    return array


def _check_seats(seats: Any, n: int) -> np.ndarray:
    seats = _probabilities(seats, "seats")
    if seats.ndim != 3 or seats.shape[1:] != (n - 1, 1 + 2 * n) or not len(seats):
        raise ValueError(
            f"seats must have shape (K, N - 1, 1 + 2N) = (K, {n - 1}, {1 + 2 * n}); "
            f"got {seats.shape}"
        )
    return seats
