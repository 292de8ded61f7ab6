r"""Exact values of the Coin Game against random reactive co-players: what knowing them is worth.

A :class:`co_players.coin_game.RandomReactive` co-player is fixed for the episode by four numbers
(``p_own`` and ``q`` for each value of "did the other take my coin last round", or with
``memory="episode"`` "at any round so far"), and given them it is a Markov policy of the game's
state: its cells, the two coins' cells and that one flag.
So the learner's best response to one co-player is a finite-horizon MDP over
``(G^2)^4 x 2`` states, solved here by backward induction over the rounds, batched over many
co-players at once (NumPy only; the coins' respawns enter as exact averages over free cells, as
:class:`coop_envs.core.coin_game.CoinGame` draws them).

:func:`reactive_pool_values` brackets what an in-context learner can earn against a pool of them,
exactly for each co-player drawn from the pool and averaged over the draws (a Monte-Carlo mean
over the pool, with its standard error):

- ``best_response``: the best response to each co-player *knowing its four numbers* (the
  ceiling: perfect inference from the first round);
- ``mean_response``: the best response to the pool's *mean* co-player (each round's behaviour
  drawn from the pool-averaged probabilities), a policy of the positions and the flag that keeps
  no memory of whom it meets, evaluated against each drawn co-player. It is not the best such
  policy (a policy's value is not linear in the co-player, who acts again every round), only a
  reference a learner that infers nothing can reach;
- ``greedy`` and ``own_coin``: the two scripted policies, for scale.

``knowing_worth = best_response - mean_response`` bounds from above what inferring the co-player
within the episode can add over the best response to the average co-player. Where it is small,
a stage-1 learner has little reason to adapt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from co_players.analysis import pool_summary
from co_players.coin_game import RandomReactive, check_memory, step_toward
from coop_envs.core.coin_game import (
    DEFAULT_COIN_GAME_ROUNDS,
    DEFAULT_GRID_SIZE,
    OWN_COIN_REWARD,
    PENALTY,
    coin_grid,
)
from coop_envs.core.validation import check_int

CHUNK = 32
"""Co-players solved at once (a round holds a few ``G^8 x 25 x CHUNK`` float arrays: ~0.2 GB at
G = 3)."""
MAX_EXACT_GRID_SIZE = 3
"""Largest grid solved (the states grow as G^8: G = 4 would need several GB)."""
MAX_ROUNDS = 10_000
POLICIES = ("best_response", "greedy", "own_coin")


class _Dynamics:
    """The learner (player 0, red) against one reactive co-player (player 1, blue): tables.

    States are ``(L, C, a, b)`` — learner, co-player, red coin, blue coin cells — times the
    co-player's flag ``f`` ("the learner took my coin last round", or with ``memory="episode"``
    "at any round so far"), laid out C-order as ``(n, n, n, n, 2)`` with ``n = G^2``. Cells that
    coincide where the game never lets them (a coin under a player or on the other coin) are
    carried along and never reached.
    """

    def __init__(self, grid_size: int, memory: str = "last") -> None:
        self.memory = check_memory(memory)
        self.grid = grid = coin_grid(grid_size)
        n = self.n = grid.num_cells
        cells = np.indices((n, n, n, n)).reshape(4, -1)  # (4, n^4): L, C, a, b
        self.cells = cells
        mine, theirs, a, b = cells
        # the co-player's two deterministic behaviours (its view: own C, other L, coins b and a)
        self.toward_own = step_toward(grid, theirs, b, avoid=a)
        self.toward_other = step_toward(grid, theirs, a)
        mine_next = grid.next_cell[mine][:, :, None]  # (n^4, 5 learner actions, 1)
        theirs_next = grid.next_cell[theirs][:, None, :]  # (n^4, 1, 5 co-player actions)
        a_, b_ = a[:, None, None], b[:, None, None]
        self.reward = OWN_COIN_REWARD * (
            (mine_next == a_).astype(np.float64) + (mine_next == b_)
        ) + PENALTY * (theirs_next == a_)  # (n^4, 5, 5), the learner's
        red, blue = (mine_next == a_) | (theirs_next == a_), (mine_next == b_) | (theirs_next == b_)
        flag = (mine_next == b_).astype(np.int64)
        mine_next, theirs_next = (
            np.broadcast_to(mine_next, red.shape),
            np.broadcast_to(theirs_next, red.shape),
        )
        a_, b_ = np.broadcast_to(a_, red.shape), np.broadcast_to(b_, red.shape)
        # rows of the continuation table (see _continuation): no respawn, red, blue, both
        plain = (((mine_next * n + theirs_next) * n + a_) * n + b_) * 2 + flag
        red_only = 2 * n**4 + ((mine_next * n + theirs_next) * n + b_) * 2 + flag
        blue_only = 2 * n**4 + 2 * n**3 + ((mine_next * n + theirs_next) * n + a_) * 2 + flag
        both = 2 * n**4 + 4 * n**3 + (mine_next * n + theirs_next) * 2 + flag
        self.next_row = np.where(
            red & blue, both, np.where(red, red_only, np.where(blue, blue_only, plain))
        )  # (n^4, 5, 5)
        # free cells for a respawn, as CoinGame.step draws them
        grid_cells = np.arange(n)
        at_mine, at_theirs, at_coin = np.indices((n, n, n))
        self.free3 = (
            (grid_cells != at_mine[..., None])
            & (grid_cells != at_theirs[..., None])
            & (grid_cells != at_coin[..., None])
        ).astype(np.float64)  # (L, C, other coin, respawn cell)
        self.free3 /= self.free3.sum(axis=-1, keepdims=True)
        at_mine2, at_theirs2 = np.indices((n, n))
        self.free2 = (
            (grid_cells != at_mine2[..., None]) & (grid_cells != at_theirs2[..., None])
        ).astype(np.float64)
        self.free2 /= self.free2.sum(axis=-1, keepdims=True)
        distinct = (
            (mine != theirs) & (mine != a) & (mine != b) & (theirs != a) & (theirs != b) & (a != b)
        )
        self.start = distinct / distinct.sum()  # (n^4,) the reset's distribution, flag 0

    def _continuation(self, value: np.ndarray) -> np.ndarray:
        """Rows of next-round values: as is, red respawned, blue respawned, both respawned.

        Args:
            value: ``(n, n, n, n, 2, K)`` values at the start of the next round.

        Returns:
            ``(2 n^4 + 4 n^3 + 2 n^2, K)``, indexed by :attr:`next_row`.
        """
        k = value.shape[-1]
        # red respawns off L, C and the blue coin: average over a for each (L, C, b)
        red = np.einsum("lcbx,lcxbfk->lcbfk", self.free3, value)
        # blue respawns off L, C and the red coin: average over b for each (L, C, a)
        blue = np.einsum("lcax,lcaxfk->lcafk", self.free3, value)
        # both: red first off L and C (blue's old cell holds a player), then blue
        both = np.einsum("lcx,lcxfk->lcfk", self.free2, blue)
        return np.concatenate(
            [value.reshape(-1, k), red.reshape(-1, k), blue.reshape(-1, k), both.reshape(-1, k)]
        )

    @staticmethod
    def behaviour(parameters: np.ndarray) -> np.ndarray:
        """``(2, 3, K)`` P(toward own, toward other, random) per flag from ``(K, 2, 2)`` numbers."""
        p_own, q = parameters[..., 0].T, parameters[..., 1].T  # (2, K)
        return np.stack([p_own, (1 - p_own) * q, (1 - p_own) * (1 - q)], axis=1)

    def q_values(self, value: np.ndarray, behaviour: np.ndarray) -> np.ndarray:
        """``(n^4, 2, 5, K)``: this round's reward plus the next round's ``value``, per action."""
        table = self._continuation(value)
        if self.memory == "last":  # the next flag is this round's taking, whatever the flag was
            return self._mix(table[self.next_row], behaviour[None, :, None])
        # a grudge: once set the flag stays (the flag is the rows' lowest bit)
        return np.concatenate(
            [self._mix(table[self.next_row | f], behaviour[None, f : f + 1, None]) for f in (0, 1)],
            axis=1,
        )

    def _mix(self, continuation: np.ndarray, behaviour: np.ndarray) -> np.ndarray:
        """Per action of the learner, the co-player's behaviours weighted by ``behaviour``.

        Args:
            continuation: ``(n^4, 5 mine, 5 theirs, K)`` next-round values.
            behaviour: ``(1, F, 1, 3, K)`` P(toward own, toward other, random) per flag.

        Returns:
            ``(n^4, F, 5, K)``.
        """
        w = self.reward[..., None] + continuation  # (n^4, 5 mine, 5 theirs, K)
        rows = np.arange(w.shape[0])
        own = w[rows, :, self.toward_own]  # (n^4, 5, K)
        other = w[rows, :, self.toward_other]
        random = w.mean(axis=2)
        return (
            behaviour[:, :, :, 0] * own[:, None]
            + behaviour[:, :, :, 1] * other[:, None]
            + behaviour[:, :, :, 2] * random[:, None]
        )

    def values(
        self, parameters: np.ndarray, num_rounds: int, policy: Callable | None = None
    ) -> np.ndarray:
        """``(K,)`` :meth:`solve`'s values for any number of co-players, :data:`CHUNK` at a time."""
        return np.concatenate(
            [self.solve(chunk, num_rounds, policy)[0] for chunk in _chunks(parameters)]
        )

    def solve(
        self, parameters: np.ndarray, num_rounds: int, policy: Callable | None = None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Per-round value of the best response (or of ``policy``) to each co-player.

        Args:
            parameters: ``(K, 2, 2)`` co-players' ``[flag, (p_own, q)]``.
            num_rounds: Rounds of the episode.
            policy: None for the best response, else ``policy(t)`` -> ``(n^4, 2)`` actions of
                the learner in round ``t`` (0-based) per state and flag.

        Returns:
            ``(K,)`` expected return per round from the reset, and the best response's
            ``(n^4, 2)`` actions per round (for the first co-player; empty with ``policy``).
        """
        n, k = self.n, parameters.shape[0]
        behaviour = self.behaviour(parameters)
        value = np.zeros((n, n, n, n, 2, k))
        plan: list[np.ndarray] = []
        for t in reversed(range(num_rounds)):
            q = self.q_values(value, behaviour)
            if policy is None:
                act = q.argmax(axis=2)  # (n^4, 2, K)
                plan.append(act[..., 0])
                best = q.max(axis=2)
            else:
                act = policy(t)
                best = np.take_along_axis(q, act[:, :, None, None], axis=2)[:, :, 0]
            value = best.reshape(n, n, n, n, 2, k)
        plan.reverse()
        start = value.reshape(-1, 2, k)[:, 0]  # flag 0 at the reset
        return self.start @ start / num_rounds, plan


def _scripted(dynamics: _Dynamics, kind: str) -> np.ndarray:
    """``(n^4, 2)`` the learner's scripted actions (its view: own L, other C, coins a and b)."""
    grid = dynamics.grid
    mine, _, a, b = dynamics.cells
    if kind == "own_coin":
        act = step_toward(grid, mine, a, avoid=b)
    else:  # greedy: the nearest coin, its own on a tie
        target = np.where(grid.distance[mine, b] < grid.distance[mine, a], b, a)
        act = step_toward(grid, mine, target)
    return np.repeat(act[:, None], 2, axis=1)


def reactive_values(
    parameters: Any,
    num_rounds: int = DEFAULT_COIN_GAME_ROUNDS,
    grid_size: int = DEFAULT_GRID_SIZE,
    policy: str = "best_response",
    memory: str = "last",
) -> np.ndarray:
    """Exact reward per round of one learner policy against each given reactive co-player.

    Args:
        parameters: ``(K, 2, 2)`` co-players' ``[flag, (p_own, q)]`` in [0, 1], as
            :meth:`co_players.coin_game.RandomReactive.sample` draws them.
        num_rounds: Rounds of the episode.
        grid_size: The grid's side.
        policy: ``"best_response"`` (to each co-player, knowing it), ``"greedy"`` or
            ``"own_coin"`` (the scripted bots of :mod:`co_players.coin_game` in the learner's seat).
        memory: The co-players' feature: ``"last"`` round's taking or any in the ``"episode"``
            (:class:`co_players.coin_game.RandomReactive`).

    Returns:
        ``(K,) float64`` expected reward per round from the game's reset.

    Raises:
        ValueError: For parameters of another shape or outside [0, 1], an unknown policy or
            memory, or rounds / grid size out of range (grid sizes 2..3 are solved).
        TypeError: For a non-integer number of rounds or grid size.
    """
    parameters = _check_parameters(parameters)
    num_rounds = check_int(num_rounds, "num_rounds", 1, MAX_ROUNDS)
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}; got {policy!r}")
    dynamics = _Dynamics(_check_grid(grid_size), memory)
    scripted = None if policy == "best_response" else _scripted(dynamics, policy)
    return dynamics.values(parameters, num_rounds, None if scripted is None else lambda t: scripted)


def best_response_plan(
    parameters: Any,
    num_rounds: int = DEFAULT_COIN_GAME_ROUNDS,
    grid_size: int = DEFAULT_GRID_SIZE,
    memory: str = "last",
) -> np.ndarray:
    """The exact best response to one reactive co-player, as a table of actions.

    Args:
        parameters: ``(2, 2)`` the co-player's ``[flag, (p_own, q)]``.
        num_rounds: Rounds of the episode.
        grid_size: The grid's side G.
        memory: The co-player's feature, ``"last"`` or ``"episode"`` (then ``f`` below is 1
            once the learner has taken the blue coin at any round so far).

    Returns:
        ``(num_rounds, n, n, n, n, 2) int64`` (``n = G^2``): the action of the learner (red,
        player 0) in round ``t`` with itself at cell ``L``, the co-player at ``C``, the red coin
        at ``a``, the blue coin at ``b`` and ``f`` = 1 if it took the blue coin last round:
        ``plan[t, L, C, a, b, f]``.

    Raises:
        ValueError: For parameters of another shape or outside [0, 1], an unknown memory, or
            sizes out of range.
        TypeError: For a non-integer number of rounds or grid size.
    """
    shape = np.shape(parameters)
    if shape != (2, 2):
        raise ValueError(f"parameters must have shape (2, 2) [flag, (p_own, q)]; got {shape}")
    parameters = _check_parameters(np.asarray(parameters)[None])
    num_rounds = check_int(num_rounds, "num_rounds", 1, MAX_ROUNDS)
    dynamics = _Dynamics(_check_grid(grid_size), memory)
    n = dynamics.n
    _, plan = dynamics.solve(parameters, num_rounds)
    return np.stack(plan).reshape(num_rounds, n, n, n, n, 2)


def reactive_pool_values(
    co_player: RandomReactive | None = None,
    num_rounds: int = DEFAULT_COIN_GAME_ROUNDS,
    grid_size: int = DEFAULT_GRID_SIZE,
    samples: int = 256,
    seed: int = 0,
) -> dict[str, float]:
    """What a learner can earn per round against a pool of random reactive co-players.

    Draws ``samples`` co-players from ``co_player`` with ``seed`` and a further 4096 for the
    pool's mean co-player, then, exactly for each drawn one (see the module docstring): the best
    response knowing it, the best response to the mean co-player, greedy and own-coin play.

    Args:
        co_player: The pool (default: the held-out split, uniform); its ``memory`` is the
            co-players' feature.
        num_rounds: Rounds of the episode.
        grid_size: The grid's side, 2..3.
        samples: Co-players drawn from the pool.
        seed: Seed of the draws.

    Returns:
        ``{"best_response", "mean_response", "greedy", "own_coin", "knowing_worth"}``, each a
        mean reward per round over the drawn co-players (``knowing_worth`` is
        ``best_response - mean_response``), and ``"<key>_se"``: each one's standard error over
        the draws.

    Raises:
        TypeError: If ``co_player`` is not a :class:`RandomReactive`, or a size or the seed is
            not an integer.
        ValueError: For rounds, grid size, samples or seed out of range.
    """
    if co_player is None:
        co_player = RandomReactive("held_out")
    if not isinstance(co_player, RandomReactive):
        raise TypeError(
            "co_player must be a co_players.coin_game.RandomReactive; "
            f"got {type(co_player).__name__}"
        )
    samples = check_int(samples, "samples", 1, 1_000_000)
    num_rounds = check_int(num_rounds, "num_rounds", 1, MAX_ROUNDS)
    rng = np.random.default_rng(check_int(seed, "seed", 0))
    dynamics = _Dynamics(_check_grid(grid_size), co_player.memory)
    drawn = co_player.sample(samples, rng)
    _, plan = dynamics.solve(mean_co_player(co_player.sample(4096, rng))[None], num_rounds)
    values = {
        "best_response": dynamics.values(drawn, num_rounds),
        "mean_response": dynamics.values(drawn, num_rounds, lambda t: plan[t]),
    }
    for kind in ("greedy", "own_coin"):
        scripted = _scripted(dynamics, kind)
        values[kind] = dynamics.values(drawn, num_rounds, lambda t, s=scripted: s)
    values["knowing_worth"] = values["best_response"] - values["mean_response"]
    return pool_summary(values)


def mean_co_player(parameters: np.ndarray) -> np.ndarray:
    """``(2, 2)`` the co-player whose behaviour probabilities are the pool's averages.

    Per flag, P(toward own), P(toward other) and P(random) are averaged over the ``(K, 2, 2)``
    draws (not ``p_own`` and ``q`` themselves), then written back as ``[p_own, q]``.
    """
    behaviour = _Dynamics.behaviour(np.asarray(parameters, dtype=np.float64)).mean(axis=2)
    p_own = behaviour[:, 0]
    q = np.divide(behaviour[:, 1], 1 - p_own, out=np.zeros(2), where=p_own < 1)
    return np.stack([p_own, q], axis=1)


def _chunks(parameters: np.ndarray) -> list[np.ndarray]:
    return [parameters[i : i + CHUNK] for i in range(0, len(parameters), CHUNK)]


def _check_grid(grid_size: Any) -> int:
    return check_int(grid_size, "grid_size", 2, MAX_EXACT_GRID_SIZE)


def _check_parameters(parameters: Any) -> np.ndarray:
    try:
        array = np.asarray(parameters, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"parameters must be numbers; got {parameters!r}") from error
    if array.ndim != 3 or array.shape[1:] != (2, 2) or not len(array):
        raise ValueError(
            f"parameters must have shape (K, 2, 2) [flag, (p_own, q)]; got {np.shape(parameters)}"
        )
    bad = ~((array >= 0) & (array <= 1))
    if bad.any():
        row = int(np.argwhere(bad)[0][0])
        raise ValueError(
            f"parameters must be probabilities in [0, 1]; co-player {row} has {array[row].tolist()}"
        )
    return array
