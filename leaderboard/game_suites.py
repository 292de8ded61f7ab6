r"""Leaderboard suites of the games beyond 2x2: N-player public goods and the Coin Game.

One suite per game, each with its own version (``public_goods-1``, ``coin_game-1``); runs of
different versions are never ranked together (nor with the matrix suite's, ``1`` and ``2``). A
scenario is (game, co-player in every other seat, groups, tags), Melting Pot-style; the
submission sits in seat 0 and, in self-play, a copy of it in every other seat.

Normalised scores per scenario (fixed for these versions; changing them makes a new version):

==============  ========================================================================
group           normalised score of one scenario (its metric name)
==============  ========================================================================
cooperation     ``welfare`` :math:`(\bar u - u_D) / (u_C - u_D)`: :math:`\bar u` the mean
                reward per round over all seats; :math:`u_D` and :math:`u_C` the same mean
                when everybody defects and when everybody cooperates (public goods: 1 and
                r; Coin Game: greedy and own-coin self-play, exact values)
adaptivity      ``adaptivity`` :math:`(r - r_{rand}) / (r_{BR} - r_{rand})`: 0 = the
                uniformly random policy, 1 = the exact best response (dynamic programming
                over rounds x the co-players' states; per game for random reactive public
                goods co-players); for the Coin Game's random reactive co-players, whose
                exact response is not tractable per game, 1 = the better of the two scripted
                responses (own coin, greedy)
exploitability  ``exploitability`` :math:`\max(0, r_X - r) / g`: the exploiters' mean gain
                over the submission as a share of the largest per-round gap :math:`g`
                (public goods: 1, a keeper's edge over a contributor; Coin Game: 3, +1 for
                the taker against -2 for the victim)
==============  ========================================================================

Aggregates and headline as in suite v1: cooperation and adaptivity are means over their
scenarios, exploitability is the maximum over the exploiters, and the score is
:math:`(C + A) / 2 - E`.

The reference values are constants in this module (:data:`PUBLIC_GOODS_REFERENCES`,
:data:`COIN_GAME_REFERENCES`, :data:`COIN_GAME_WELFARE`), computed once by
:func:`public_goods_values` and :func:`coin_game_values` (exact) and
:func:`coin_reactive_references` (a fixed-seed simulation); tests recompute them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from co_players import public_goods as pg
from co_players.coin_game import Greedy, OwnCoin
from co_players.registry import resolve_game_co_player
from coop_envs.core.coin_game import NUM_CHANNELS, CoinGame, coin_grid
from coop_envs.core.public_goods import CONTRIBUTE, KEEP, PublicGoodsGame, PublicGoodsSpec
from leaderboard.suite import MIN_RANGE, Scenario

__all__ = [
    "COIN_GAME_REFERENCES",
    "COIN_GAME_WELFARE",
    "GAME_SUITES",
    "PUBLIC_GOODS_REFERENCES",
    "GameSuite",
    "coin_game_values",
    "coin_reactive_references",
    "count_table",
    "get_game_suite",
    "public_goods_values",
    "reference_agent",
    "suite_of_version",
]


@dataclass(frozen=True, eq=False)
class GameSuite:
    """A leaderboard suite of one game: its scenarios and fixed normalisation.

    Attributes:
        game: The game's name (``GameSpec.name``), what ``--game`` takes.
        version: The suite version stored with every run (never mixed in rankings).
        game_kwargs: The game's arguments (an agent file's ``game_kwargs`` must match).
        scenarios: Every scenario, in display order.
        references: Co-player id -> ``(best response, random policy)`` mean reward per round.
        welfare: ``(everybody defects, everybody cooperates)`` mean reward per round and seat.
        gap: The largest per-round reward gap between an exploiter and the submission.
        prefix: Scenario-name prefix (``pg``, ``coin``).
    """

    game: str
    version: str
    game_kwargs: dict[str, Any]
    scenarios: tuple[Scenario, ...]
    references: dict[str, tuple[float, float]]
    welfare: tuple[float, float]
    gap: float
    prefix: str

    def make_core(self, batch_size: int, **overrides: Any) -> Any:
        """A fresh core of ``batch_size`` games with the suite's arguments (or ``overrides``)."""
        kwargs = {**self.game_kwargs, **overrides}
        if self.game == "public_goods":
            return PublicGoodsGame(batch_size=batch_size, **kwargs)
        return CoinGame(batch_size=batch_size, **kwargs)

    @property
    def spec(self) -> Any:
        """The game's :class:`~coop_envs.core.contract.GameSpec`."""
        return self.make_core(1).spec

    @property
    def num_players(self) -> int:
        """N."""
        return self.spec.num_players

    def welfare_score(self, mean_reward: float) -> float:
        r""":math:`(\bar u - u_D) / (u_C - u_D)` of the mean reward per round over all seats."""
        low, high = self.welfare
        return (mean_reward - low) / (high - low)

    def exploitability(self, exploiter_reward: float, reward: float) -> float:
        r""":math:`\max(0, r_X - r) / g`."""
        return max(0.0, exploiter_reward - reward) / self.gap

    def describe(self) -> str:
        """One line naming the suite, e.g. ``public_goods-1 (public_goods, num_players=4)``."""
        kwargs = ", ".join(f"{k}={v}" for k, v in self.game_kwargs.items())
        return f"{self.version} ({self.game}, {kwargs})"


def _scenarios(prefix: str, game: str, rows: str) -> tuple[Scenario, ...]:
    """Scenarios from lines ``name co-player groups tag...`` (``=``: the co-player is ``name``)."""
    scenarios = []
    for line in rows.strip().splitlines():
        name, opponent, groups, *tags = line.split()
        opponent = name if opponent == "=" else opponent
        groups = tuple(groups.split("+"))
        scenarios.append(Scenario(f"{prefix}/{name}", game, opponent, groups, tuple(tags)))
    return tuple(scenarios)


class UniformRandom:
    """The uniformly random policy of any game of the contract (a co-player)."""

    protocol = "co_player"
    name = "random"

    def reset(self, spec: Any, batch_size: int, rng: np.random.Generator) -> None:
        """Start ``batch_size`` games of the game ``spec`` describes."""
        self.num_actions, self.batch_size = spec.num_actions, batch_size

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``(B,)`` actions drawn uniformly."""
        return rng.integers(0, self.num_actions, self.batch_size)


def reference_agent(game: str, co_player: str) -> Any:
    """A reference entry: a co-player of ``game`` (or ``"random"``) as an agent of its suite.

    What the files in ``leaderboard/references/`` return from ``make_agent()``.
    """
    from co_players.adapters import GameCoPlayerAgent

    suite = get_game_suite(game)
    player = UniformRandom() if co_player == "random" else resolve_game_co_player(co_player, game)
    return GameCoPlayerAgent(player, suite.spec, suite.game_kwargs)


# ------------------------------------------------------------------------------- public goods
def count_table(co_player: Any, spec: PublicGoodsSpec) -> np.ndarray | None:
    """A public goods co-player as contribution probabilities by (own move, others' count).

    Args:
        co_player: A :class:`~co_players.public_goods.ReactivePolicy` (one table) or
            :class:`~co_players.public_goods.ConditionalCooperator` without punishment.
        spec: The game.

    Returns:
        ``(1 + 2N,)``: index 0 the first round; ``1 + k`` after contributing with ``k`` others
        contributing, ``1 + N + k`` after keeping; ``None`` for any other co-player (no exact
        values).
    """
    n = spec.num_players
    k = np.arange(n)
    if isinstance(co_player, pg.ConditionalCooperator):
        if co_player.probabilistic:
            after = k / (n - 1)
        else:
            others = n - 1
            need = {None: -(-others // 2), "all": others}.get(co_player.threshold)
            need = co_player.threshold if need is None else need
            after = (k >= need).astype(float)
        return np.concatenate([[1.0], after, after])
    if isinstance(co_player, pg.ReactivePolicy) and co_player.table.ndim == 1:
        return reactive_count_table(co_player.table, n)
    return None


def reactive_count_table(tables: np.ndarray, n: int) -> np.ndarray:
    """``(..., 7)`` reactive tables as ``(..., 1 + 2N)`` count tables (see :func:`count_table`)."""
    tables = np.asarray(tables, dtype=float)
    k = np.arange(n)
    bucket = np.where(k == 0, 0, np.where(k == n - 1, 2, 1))
    index = np.concatenate([[0], 1 + bucket, 4 + bucket])
    return tables[..., index]


def public_goods_values(
    tables: np.ndarray, multiplier: float, num_rounds: int
) -> tuple[np.ndarray, np.ndarray]:
    """Exact values per round of the best response and of the uniformly random policy.

    The submission sits in seat 0 against N - 1 co-players, each contributing with a
    probability given by its own count table (:func:`count_table`). The state is the last
    round's contributions (own move and each co-player's: :math:`2^N` states, plus the start).

    Args:
        tables: ``(G, N - 1, 1 + 2N)`` count tables, one set per game (or ``(N - 1, 1 + 2N)``).
        multiplier: r.
        num_rounds: T.

    Returns:
        ``(best, random)``, each ``(G,)`` mean reward per round (scalars' arrays for one game).
    """
    tables = np.asarray(tables, dtype=float)
    if tables.ndim == 2:
        tables = tables[None]
    games, m, width = tables.shape
    n = m + 1
    if width != 1 + 2 * n:
        raise ValueError(f"count tables must be (G, N - 1, 1 + 2N); got {tables.shape}")
    outcomes = np.array([[(c >> j) & 1 for j in range(m)] for c in range(2**m)])  # (O, m)
    # states: (own move a, co-players' contributed bits c) -> a * 2^m + c; start = 2^n
    p_state = np.zeros((games, 2**n + 1, m))  # P(co-player j contributes | state)
    for a in (CONTRIBUTE, KEEP):
        for c, bits in enumerate(outcomes):
            others = (a == CONTRIBUTE) + bits.sum() - bits  # (m,) each one's others' count
            column = 1 + np.where(bits == 1, 0, n) + others
            p_state[:, a * 2**m + c] = tables[:, np.arange(m), column]
    p_state[:, 2**n] = tables[:, :, 0]
    # P(outcome | state): product over the co-players, (G, S, O)
    prob = np.prod(
        np.where(outcomes[None, None] == 1, p_state[:, :, None], 1 - p_state[:, :, None]), axis=3
    )
    count = outcomes.sum(axis=1)
    reward = np.stack([multiplier / n * (count + 1), 1 + multiplier / n * count])  # (2, O)
    best = np.zeros((games, 2**n + 1))
    rand = np.zeros((games, 2**n + 1))
    nxt = np.arange(2)[:, None] * 2**m + np.arange(2**m)[None]  # (2, O)
    for _ in range(num_rounds):
        q_best = np.einsum("gso,gao->gsa", prob, reward[None] + best[:, nxt])
        q_rand = np.einsum("gso,gao->gsa", prob, reward[None] + rand[:, nxt])
        best, rand = q_best.max(axis=2), q_rand.mean(axis=2)
    return best[:, 2**n] / num_rounds, rand[:, 2**n] / num_rounds


def public_goods_reference(opponent: str, spec: PublicGoodsSpec) -> tuple[float, float]:
    """``(best, random)`` per round against N - 1 copies of a named co-player (exact)."""
    table = count_table(resolve_game_co_player(opponent, "public_goods"), spec)
    if table is None:
        raise ValueError(f"no exact values for the public goods co-player {opponent!r}")
    tables = np.broadcast_to(table, (spec.num_players - 1, len(table)))
    best, rand = public_goods_values(tables, spec.multiplier, spec.num_rounds)
    return float(best[0]), float(rand[0])


PUBLIC_GOODS_KWARGS: dict[str, Any] = {
    "num_players": 4,
    "multiplier": 1.6,
    "num_rounds": 100,
    "punishment": False,
    "observation": "summary",
}
"""The suite's game: N = 4, r = 1.6 (Fehr & Gächter 2000), 100 rounds, no punishment stage,
summary observation (an agent file declaring other values is refused)."""

PUBLIC_GOODS_REFERENCES: dict[str, tuple[float, float]] = {
    "conditional_cooperator": (2.2, 1.9),
    "unconditional_reciprocator": (2.2, 1.9),
    "strict_conditional_cooperator": (1.606, 0.724),
    "probabilistic_conditional_cooperator": (1.608, 1.318),
    "always_contribute": (2.2, 1.9),
    "never_contribute": (1.0, 0.7),
}
"""Co-player id -> (best response, random policy) mean reward per round, N = 4, r = 1.6, T = 100
(:func:`public_goods_reference`; tests/leaderboard/test_game_suites.py recomputes them)."""

_PG = "public_goods"
PUBLIC_GOODS_SUITE = GameSuite(
    game=_PG,
    version="public_goods-1",
    game_kwargs=PUBLIC_GOODS_KWARGS,
    # the majority and the unconditional conditional cooperators each see two others contribute
    # whatever the submission does: they feed adaptivity only (best response: always keep)
    scenarios=_scenarios(
        "pg",
        _PG,
        """
        self_play self cooperation cooperation self_play
        strict_conditional_cooperator = cooperation+adaptivity reciprocity
        probabilistic_conditional_cooperator = cooperation+adaptivity reciprocity forgiveness
        conditional_cooperator = adaptivity reciprocity exploitation
        unconditional_reciprocator = adaptivity reciprocity exploitation
        always_contribute = adaptivity exploitation
        never_contribute = adaptivity defense
        random_reactive random_reactive_held_out adaptivity adaptivity
        exploiter_never_contribute never_contribute exploitability defense
        exploiter_q_learner public_goods_q_learner exploitability defense in_context_learner
        """,
    ),
    references=PUBLIC_GOODS_REFERENCES,
    welfare=(1.0, 1.6),  # everybody keeps: 1 each; everybody contributes: r each
    gap=1.0,
    prefix="pg",
)


# ---------------------------------------------------------------------------------- coin game
@dataclass(frozen=True, eq=False)
class _CoinChain:
    """Every state of a Coin Game and its transitions, for exact values (seat 0 = submission).

    A state is ``(p0, p1, red, blue)`` cells (coins off the players and each other); the
    transitions follow :meth:`coop_envs.core.coin_game.CoinGame.step`, respawns included.
    """

    cells: np.ndarray
    """``(S, 4)`` the states."""
    start: np.ndarray
    """``(S,)`` the reset distribution (four distinct cells, uniform)."""
    moves: dict[tuple[int, int], tuple[np.ndarray, ...]]
    """``(a, b)`` -> ``(src, dst, prob, reward_0, reward_1, taken_by_0)`` per joint action."""

    def observations(self, seat: int) -> np.ndarray:
        """``(S, 4 * G * G) float32`` every state as seen from ``seat`` (absolute frame)."""
        order = [0, 1, 2, 3] if seat == 0 else [1, 0, 3, 2]
        num_cells = int(np.max(self.cells)) + 1
        size = round(num_cells**0.5)
        obs = np.zeros((len(self.cells), NUM_CHANNELS, size * size), dtype=np.float32)
        rows = np.arange(len(self.cells))
        for channel, column in enumerate(order):
            obs[rows, channel, self.cells[:, column]] = 1.0
        return obs.reshape(len(self.cells), -1)


@cache
def _coin_chain(grid_size: int) -> _CoinChain:
    grid = coin_grid(grid_size)
    n = grid.num_cells
    p0, p1, red, blue = (a.ravel() for a in np.indices((n, n, n, n)))
    valid = (red != p0) & (red != p1) & (blue != p0) & (blue != p1) & (blue != red)
    cells = np.stack([p0, p1, red, blue], axis=1)[valid]
    index = np.full(n**4, -1)
    index[np.flatnonzero(valid)] = np.arange(len(cells))
    start = (cells[:, 0] != cells[:, 1]).astype(float)
    start /= start.sum()
    everywhere = np.arange(n)
    moves = {}
    for a in range(5):
        for b in range(5):
            q0, q1 = grid.next_cell[cells[:, 0], a], grid.next_cell[cells[:, 1], b]
            r_by_0, b_by_0 = q0 == cells[:, 2], q0 == cells[:, 3]
            r_by_1, b_by_1 = q1 == cells[:, 2], q1 == cells[:, 3]
            reward_0 = r_by_0 + b_by_0 - 2.0 * r_by_1
            reward_1 = r_by_1 + b_by_1 - 2.0 * b_by_0
            # red respawns off both players and blue's old cell; then blue off both and red
            red_free = (everywhere != q0[:, None]) & (everywhere != q1[:, None])
            red_free &= everywhere != cells[:, 3:4]
            red_p = np.where(
                (r_by_0 | r_by_1)[:, None],
                red_free / red_free.sum(axis=1, keepdims=True),
                everywhere == cells[:, 2:3],
            )
            blue_free = (everywhere != q0[:, None, None]) & (everywhere != q1[:, None, None])
            blue_free = blue_free & (everywhere[None, None] != everywhere[None, :, None])
            blue_p = np.where(
                (b_by_0 | b_by_1)[:, None, None],
                blue_free / np.maximum(blue_free.sum(axis=2, keepdims=True), 1),
                (everywhere == cells[:, 3:4])[:, None, :],
            )
            joint = red_p[:, :, None] * blue_p  # (S, red', blue')
            src, new_red, new_blue = np.nonzero(joint)
            dst = index[((q0[src] * n + q1[src]) * n + new_red) * n + new_blue]
            if (dst < 0).any():
                raise AssertionError("a transition left the state space")  # our invariant
            prob = joint[src, new_red, new_blue]
            moves[a, b] = (src, dst, prob, reward_0, reward_1, b_by_0)
    return _CoinChain(cells, start, moves)


def coin_game_values(
    co_player: str,
    grid_size: int = 3,
    num_rounds: int = 16,
    submission: str | None = None,
) -> tuple[float, ...]:
    """Exact values per round against a scripted Coin Game co-player in seat 1.

    Dynamic programming over rounds x grid states x the co-player's state. The co-player is
    ``coin_own_coin``, ``coin_greedy``, ``coin_reciprocator`` (greedy for 3 rounds after the
    submission takes its coin) or ``coin_reciprocator_long`` (6 rounds).

    Args:
        co_player: Its registry id.
        grid_size: G.
        num_rounds: T.
        submission: ``None``: the best response and the uniformly random policy; else a scripted
            policy for seat 0 too (``coin_own_coin`` or ``coin_greedy``), evaluated.

    Returns:
        ``(best, random)`` mean reward per round of seat 0; with ``submission``,
        ``(seat 0, seat 1)`` mean rewards per round.
    """
    chain = _coin_chain(grid_size)
    spec = CoinGame(grid_size=grid_size, num_rounds=num_rounds).spec
    punish = {"coin_own_coin": 0, "coin_greedy": None, "coin_reciprocator": 3}
    punish["coin_reciprocator_long"] = 6
    if co_player not in punish:
        raise ValueError(f"no exact values for the Coin Game co-player {co_player!r}")
    scripted = {}
    for seat in (0, 1):
        for name, policy in (("coin_own_coin", OwnCoin()), ("coin_greedy", Greedy())):
            policy.reset(spec, len(chain.cells), np.random.default_rng(0))
            scripted[seat, name] = policy.act(chain.observations(seat), np.random.default_rng(0))
    k = punish[co_player]
    levels = 1 if k in (0, None) else k + 1  # co-player state: greedy rounds left
    moods = [
        scripted[1, "coin_greedy" if (k is None or level > 0) else "coin_own_coin"]
        for level in range(levels)
    ]
    after = [
        (np.full(2, 0) if levels == 1 else np.array([max(level - 1, 0), k]))
        for level in range(levels)
    ]  # next level if not taken / taken
    size = len(chain.cells)
    mine = scripted[0, submission] if submission else None
    values = np.zeros((2, size, levels))  # (best or seat 0, random or seat 1)
    for _ in range(num_rounds):
        new = np.zeros_like(values)
        q = np.zeros((2, size, levels, 5))
        for level in range(levels):
            for a in range(5):
                for b in range(5):
                    src, dst, prob, r0, r1, taken = chain.moves[a, b]
                    chosen = moods[level] == b
                    if mine is not None:
                        chosen = chosen & (mine == a)
                    if not chosen.any():
                        continue
                    nxt = after[level][taken[src].astype(int)]
                    for v in (0, 1):
                        future = np.bincount(src, prob * values[v, dst, nxt], minlength=size)
                        rewards = r1 if (mine is not None and v == 1) else r0
                        q[v, :, level, a] += chosen * (rewards + future)
        if mine is None:
            new[0], new[1] = q[0].max(axis=2), q[1].mean(axis=2)
        else:
            new = q.sum(axis=3)
        values = new
    first = values[:, :, 0] @ chain.start / num_rounds
    return float(first[0]), float(first[1])


def coin_reactive_references(
    co_player: str = "coin_reactive_held_out", games: int = 20000, seed: int = 2026
) -> tuple[float, float]:
    """Fixed-seed simulated ``(best scripted response, random policy)`` per round, Coin Game.

    The best scripted response is the better of own-coin and greedy play against the
    distribution (its exact response per drawn co-player is not tractable here).

    Args:
        co_player: A Coin Game co-player id (a distribution).
        games: Games simulated per policy.
        seed: The generator's seed (same seed, same numbers).
    """
    from coop_envs.core import GameSeat, play_batched

    rows = np.arange(games)
    values = {}
    for name in ("random", "coin_own_coin", "coin_greedy"):
        mine = UniformRandom() if name == "random" else resolve_game_co_player(name, "coin_game")
        seats = [
            GameSeat(mine, rows, 0),
            GameSeat(resolve_game_co_player(co_player, "coin_game"), rows, 1),
        ]
        core = play_batched(COIN_GAME_SUITE.make_core(games), seats, np.random.default_rng(seed))
        values[name] = float(core.returns[:, 0].mean() / core.spec.num_rounds)
    return max(values["coin_own_coin"], values["coin_greedy"]), values["random"]


COIN_GAME_KWARGS: dict[str, Any] = {"grid_size": 3, "num_rounds": 16, "egocentric": False}
"""The suite's game: the anchors' 3x3 grid and 16 rounds, absolute (not egocentric) view."""

COIN_GAME_REFERENCES: dict[str, tuple[float, float]] = {
    "coin_reciprocator": (0.6962073333014845, 0.08376888452240105),
    "coin_reciprocator_long": (0.6893370261445254, 0.018547191685789836),
    "coin_own_coin": (0.8463011655633488, 0.18851925363026473),
    "coin_greedy": (0.4084253159329289, -0.2861822026513609),
    "coin_reactive_held_out": (0.511725, -0.129353125),
}
"""Co-player id -> (best response, random policy) mean reward per round, 3x3, 16 rounds: exact
(:func:`coin_game_values`), except ``coin_reactive_held_out`` (:func:`coin_reactive_references`);
tests/leaderboard/test_game_suites.py recomputes them."""

COIN_GAME_WELFARE: tuple[float, float] = (0.3304777619085102, 0.66717817341799)
"""Mean reward per round and seat when both play greedy and when both play own coin (exact)."""

_CG = "coin_game"
COIN_GAME_SUITE = GameSuite(
    game=_CG,
    version="coin_game-1",
    game_kwargs=COIN_GAME_KWARGS,
    scenarios=_scenarios(
        "coin",
        _CG,
        """
        self_play self cooperation cooperation self_play
        reciprocator coin_reciprocator cooperation+adaptivity reciprocity
        reciprocator_long coin_reciprocator_long cooperation+adaptivity reciprocity
        own_coin coin_own_coin adaptivity exploitation
        greedy coin_greedy adaptivity defense
        reactive coin_reactive_held_out adaptivity adaptivity
        exploiter_greedy coin_greedy exploitability defense
        exploiter_bandit coin_bandit exploitability defense in_context_learner
        """,
    ),
    references=COIN_GAME_REFERENCES,
    welfare=COIN_GAME_WELFARE,
    gap=3.0,  # +1 to the taker, -2 to the victim in one round
    prefix="coin",
)

GAME_SUITES: dict[str, GameSuite] = {s.game: s for s in (PUBLIC_GOODS_SUITE, COIN_GAME_SUITE)}
"""The game suites by game name (what ``coop-leaderboard submit --game`` takes)."""


def get_game_suite(game: Any) -> GameSuite:
    """The suite of a game by name.

    Raises:
        ValueError: For an unknown game (the message lists the accepted ones).
    """
    if not isinstance(game, str) or game not in GAME_SUITES:
        known = ", ".join(["matrix", *GAME_SUITES])
        raise ValueError(f"unknown --game {game!r}; accepted: {known}")
    return GAME_SUITES[game]


def suite_of_version(version: str) -> GameSuite | None:
    """The game suite of a stored suite version, or ``None`` (the matrix suite's versions)."""
    return next((s for s in GAME_SUITES.values() if s.version == version), None)


def reference_values(suite: GameSuite, opponent: str) -> tuple[float, float] | None:
    """``(best, random)`` per round of a scenario's co-player, if its range is scored.

    ``None`` where there is no constant (random reactive public goods co-players: exact per
    game at scoring time) or where best and random differ by less than ``MIN_RANGE``.
    """
    values = suite.references.get(opponent)
    if values is None or values[0] - values[1] < MIN_RANGE:
        return None
    return values
