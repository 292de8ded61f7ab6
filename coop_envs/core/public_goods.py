r"""The iterated N-player public goods game, batched: B games of N players in lockstep.

Each round every player holds an endowment of 1 and either contributes it to a common pot or
keeps it; the pot is multiplied by :math:`r` and shared equally among all N players. With
:math:`c_i \in \{0, 1\}` player :math:`i`'s contribution and :math:`k = \sum_j c_j`, its
reward is the linear public goods payoff (Ledyard 1995):

.. math:: u_i = (1 - c_i) + \frac{r}{N} k .

With :math:`1 < r < N` it is a social dilemma: a contribution costs its owner 1 and returns it
:math:`r / N < 1`, so keeping dominates, yet everyone contributing (:math:`r` each) beats nobody
contributing (1 each). The default :math:`r = 1.6` is Fehr & Gächter's (2000) marginal per-capita
return of 0.4 in groups of four.

**Costly punishment** (``punishment=True``, after Fehr & Gächter 2000) is played in the same
round, as a commitment, so that the game stays one batched step per round: the actions are

======  =======================  =============================================================
action  name                     meaning
======  =======================  =============================================================
0       ``CONTRIBUTE``           contribute, do not punish
1       ``KEEP``                 keep, do not punish
2       ``CONTRIBUTE_AND_PUNISH``  contribute, and punish every *other* player who keeps now
3       ``KEEP_AND_PUNISH``      keep, and punish every *other* player who keeps now
======  =======================  =============================================================

i.e. ``action % 2`` is the contribution choice (``CONTRIBUTE`` = 0 = ``COOPERATE``) and
``action // 2`` the punishment bit. A punisher pays ``punishment_cost`` per other player who keeps;
each player who keeps pays ``punishment_fine`` per other punisher:

.. math:: u_i = (1 - c_i) + \frac{r}{N} k - \text{cost}\, p_i \sum_{j \ne i} (1 - c_j)
    - \text{fine}\, (1 - c_i) \sum_{j \ne i} p_j .

Punishing costs nothing in a round where everyone else contributes. Without punishment the
actions are 0 and 1 only.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np

from coop_envs.core.contract import GameSpec, check_joint_actions, check_player
from coop_envs.core.rendering import render_history, render_history_rgb
from coop_envs.core.validation import (
    MAX_HISTORY_CELLS,
    check_batch,
    check_bool,
    check_float,
    check_int,
)

CONTRIBUTE: int = 0
"""Contribute the endowment (the cooperative move; equal to ``COOPERATE``)."""
KEEP: int = 1
"""Keep the endowment (free-ride; equal to ``DEFECT``)."""
CONTRIBUTE_AND_PUNISH: int = 2
"""Contribute and punish everyone else who keeps this round (``punishment=True`` only)."""
KEEP_AND_PUNISH: int = 3
"""Keep and punish everyone else who keeps this round (``punishment=True`` only)."""
ACTION_MEANINGS: tuple[str, ...] = (
    "CONTRIBUTE",
    "KEEP",
    "CONTRIBUTE_AND_PUNISH",
    "KEEP_AND_PUNISH",
)

MIN_PLAYERS: int = 2
MAX_PLAYERS: int = 16
DEFAULT_NUM_PLAYERS: int = 4
DEFAULT_MULTIPLIER: float = 1.6
"""r = 1.6: marginal per-capita return 0.4 with N = 4 (Fehr & Gächter 2000)."""
DEFAULT_NUM_ROUNDS: int = 100
DEFAULT_PUNISHMENT_COST: float = 0.2
DEFAULT_PUNISHMENT_FINE: float = 0.6
"""Fine = 3 x cost, the 1:3 ratio of Fehr & Gächter (2002)."""
OBSERVATIONS: tuple[str, ...] = ("summary", "full")


@dataclass(frozen=True)
class PublicGoodsSpec(GameSpec):
    """The :class:`~coop_envs.core.contract.GameSpec` of a public goods game, plus its rules.

    Co-players are reset with it; :meth:`features` and :meth:`reward` read any of its
    observation layouts, so a co-player works with either.
    """

    multiplier: float = DEFAULT_MULTIPLIER
    """r, the factor the pot is multiplied by."""
    punishment: bool = False
    """Whether actions 2 and 3 (punish) exist."""
    punishment_cost: float = 0.0
    """What a punisher pays per other player who keeps (0 without punishment)."""
    punishment_fine: float = 0.0
    """What a keeper pays per other punisher (0 without punishment)."""
    layout: str = "summary"
    """``"summary"`` or ``"full"`` (see :class:`PublicGoodsGame`)."""

    def features(self, obs: np.ndarray) -> tuple[np.ndarray, ...]:
        """The last round from the observer's seat, from ``(B, D)`` observations of either layout.

        Returns:
            ``(start, own_contributed, others_contributed, own_punished, others_punished)``,
            each ``(B,)``: ``start`` and the ``own_*`` as bool, the ``others_*`` as counts
            (int64, of the other N - 1 players). Before the first round all but ``start`` are 0.
        """
        obs = np.asarray(obs)
        others = self.num_players - 1
        start = obs[:, 0] > 0.5
        if self.layout == "summary":
            own_c, others_c = obs[:, 1] > 0.5, np.rint(obs[:, 2] * others)
            punish = (obs[:, 3] > 0.5, np.rint(obs[:, 4] * others)) if self.punishment else None
        else:
            n = self.num_players
            own_c, others_c = obs[:, 1] > 0.5, obs[:, 2 : 1 + n].sum(axis=1)
            block = obs[:, 1 + n : 1 + 2 * n]
            punish = (block[:, 0] > 0.5, block[:, 1:].sum(axis=1)) if self.punishment else None
        if punish is None:
            zeros = np.zeros(len(obs), dtype=np.int64)
            punish = (zeros.astype(bool), zeros)
        return (
            start,
            own_c,
            others_c.astype(np.int64),
            punish[0],
            np.asarray(punish[1]).astype(np.int64),
        )

    def reward(self, obs: np.ndarray) -> np.ndarray:
        """``(B,) float64`` the observer's reward in the round ``obs`` describes (0 at the start).

        What a learning co-player learns from: it is the reward the game paid for that round.
        """
        start, own_c, others_c, own_p, others_p = self.features(obs)
        n = self.num_players
        c = own_c.astype(np.float64)
        reward = (1.0 - c) + self.multiplier / n * (c + others_c)
        reward -= self.punishment_cost * own_p * (n - 1 - others_c)
        reward -= self.punishment_fine * (1.0 - c) * others_p
        return np.where(start, 0.0, reward)


def public_goods_rewards(
    actions: np.ndarray,
    multiplier: float,
    punishment_cost: float = 0.0,
    punishment_fine: float = 0.0,
) -> np.ndarray:
    """Rewards of played rounds: ``(..., N)`` integer actions -> ``(..., N) float64``.

    Args:
        actions: Actions of the N players (last axis), any leading shape.
        multiplier: r.
        punishment_cost: Paid by a punisher per other player who keeps.
        punishment_fine: Paid by a keeper per other punisher.

    Returns:
        Each player's reward (see the module docstring for the formula).

    Example:
        >>> public_goods_rewards(np.array([CONTRIBUTE, KEEP, KEEP]), 1.5).tolist()
        [0.5, 1.5, 1.5]
    """
    actions = np.asarray(actions)
    n = actions.shape[-1]
    keeps = (actions & 1).astype(np.float64)
    contributed = n - keeps.sum(axis=-1, keepdims=True)
    rewards = keeps + multiplier / n * contributed
    if punishment_cost or punishment_fine:
        punishes = (actions >> 1).astype(np.float64)
        other_keepers = keeps.sum(axis=-1, keepdims=True) - keeps
        other_punishers = punishes.sum(axis=-1, keepdims=True) - punishes
        rewards -= punishment_cost * punishes * other_keepers
        rewards -= punishment_fine * keeps * other_punishers
    return rewards


def _reward_range(n: int, multiplier: float, cost: float, fine: float, actions: int) -> tuple:
    """Exact ``(min, max)`` of one player's round reward, over the other players' counts."""
    low, high = np.inf, -np.inf
    for own in range(actions):
        # every way of splitting the N - 1 others over the action types (<= 816 for N = 16)
        for counts in product(range(n), repeat=actions):
            if sum(counts) != n - 1:
                continue
            row = np.array([own] + [a for a, c in enumerate(counts) for _ in range(c)])
            reward = public_goods_rewards(row, multiplier, cost, fine)[0]
            low, high = min(low, reward), max(high, reward)
    return float(low), float(high)


def _check_punishment(punishment: Any, cost: Any, fine: Any) -> tuple[bool, float, float]:
    punishment = check_bool(punishment, "punishment")
    if not punishment:
        for value, name in ((cost, "punishment_cost"), (fine, "punishment_fine")):
            if value is not None:
                raise ValueError(
                    f"{name}={value!r} is set but punishment=False; pass punishment=True to play "
                    "with the punishment stage, or leave it None"
                )
        return False, 0.0, 0.0
    checked = []
    for value, name, default in (
        (cost, "punishment_cost", DEFAULT_PUNISHMENT_COST),
        (fine, "punishment_fine", DEFAULT_PUNISHMENT_FINE),
    ):
        value = default if value is None else check_float(value, name, 0.0, 1e6, np.float32)
        if value <= 0:
            raise ValueError(f"{name} must be > 0 (punishment is costly and fines); got {value!r}")
        checked.append(value)
    return True, checked[0], checked[1]


class PublicGoodsGame:
    r"""B iterated N-player public goods games of T rounds, stepped in lockstep.

    Implements :class:`~coop_envs.core.contract.BatchedGame`; the payoffs and the punishment
    stage are in the module docstring (:mod:`coop_envs.core.public_goods`); the environment page
    is :class:`~coop_envs.gym_env.PublicGoodsEnv`.

    Observations from player ``i``'s seat (float32, all in [0, 1]):

    - ``observation="summary"`` (default), ``(3,)``: ``[start, own_contributed,
      share_of_others_contributed]``; with punishment ``(5,)``: ``+ [own_punished,
      share_of_others_punished]``.
    - ``observation="full"``, ``(1 + N,)``: ``[start, contributed_i, contributed_{i+1}, ...,
      contributed_{i-1}]`` (the contribution vector rotated to one's own seat); with punishment
      ``(1 + 2N,)``: ``+`` the punishment vector, rotated the same way.

    ``start`` is 1 before the first round (everything else 0 then) and 0 afterwards. With N = 2
    the two layouts hold the same numbers.

    Args:
        num_players: N, 2..16 (default 4).
        multiplier: r, with 1 < r < N (default 1.6).
        batch_size: B.
        num_rounds: T (default 100).
        punishment: Add the punishment actions 2 and 3.
        punishment_cost: What a punisher pays per other player who keeps (default 0.2;
            ``punishment=True`` only).
        punishment_fine: What a keeper pays per other punisher (default 0.6;
            ``punishment=True`` only).
        observation: ``"summary"`` or ``"full"``.

    Raises:
        TypeError: For arguments of the wrong type.
        ValueError: For N outside 2..16, r outside (1, N), a cost or fine that is not positive
            (or set without ``punishment``), or an unknown observation layout.

    Example:
        >>> game = PublicGoodsGame(num_players=3, multiplier=1.5, batch_size=1, num_rounds=2)
        >>> game.reset()
        >>> rewards, done = game.step([[CONTRIBUTE, CONTRIBUTE, KEEP]])
        >>> rewards.tolist(), done, game.observation(2).tolist()
        ([[1.0, 1.0, 2.0]], False, [[0.0, 0.0, 1.0]])
    """

    def __init__(
        self,
        num_players: int = DEFAULT_NUM_PLAYERS,
        multiplier: float = DEFAULT_MULTIPLIER,
        batch_size: int = 1,
        num_rounds: int = DEFAULT_NUM_ROUNDS,
        punishment: bool = False,
        punishment_cost: float | None = None,
        punishment_fine: float | None = None,
        observation: str = "summary",
    ) -> None:
        n = check_int(num_players, "num_players", MIN_PLAYERS, MAX_PLAYERS)
        r = check_float(multiplier, "multiplier", dtype=np.float32)
        if not 1.0 < r < n:
            raise ValueError(
                f"multiplier must satisfy 1 < r < num_players = {n}, so that the game is a social "
                f"dilemma (a contribution returns r/N < 1 to its owner but r > 1 to the group); "
                f"got {multiplier!r}"
            )
        punishment, cost, fine = _check_punishment(punishment, punishment_cost, punishment_fine)
        if observation not in OBSERVATIONS:
            raise ValueError(
                f"observation must be one of {', '.join(map(repr, OBSERVATIONS))}; "
                f"got {observation!r}"
            )
        self.batch_size, self.num_rounds = check_batch(batch_size, num_rounds)
        if self.batch_size * self.num_rounds * n > MAX_HISTORY_CELLS:
            raise ValueError(
                f"batch_size x num_rounds x num_players = {self.batch_size * self.num_rounds * n:,}"
                f" actions would be stored; at most {MAX_HISTORY_CELLS:,} are accepted"
            )
        num_actions = 4 if punishment else 2
        blocks = 2 if punishment else 1
        size = 1 + blocks * (2 if observation == "summary" else n)
        self.spec = PublicGoodsSpec(
            name="public_goods",
            num_players=n,
            num_actions=num_actions,
            observation_shape=(size,),
            observation_low=0.0,
            observation_high=1.0,
            num_rounds=self.num_rounds,
            action_meanings=ACTION_MEANINGS[:num_actions],
            reward_range=_reward_range(n, r, cost, fine, num_actions),
            multiplier=r,
            punishment=punishment,
            punishment_cost=cost,
            punishment_fine=fine,
            layout=observation,
        )
        """The game's :class:`PublicGoodsSpec`."""
        self._table = self._reward_table()
        self._history = np.full((self.num_rounds, self.batch_size, n), -1, dtype=np.int8)
        self._returns = np.zeros((self.batch_size, n), dtype=np.float64)
        self.t = 0

    @property
    def num_players(self) -> int:
        """N."""
        return self.spec.num_players

    @property
    def history(self) -> np.ndarray:
        """``(B, T, N) int8`` every player's action per round; -1 = not played (a view)."""
        return self._history.transpose(1, 0, 2)

    @property
    def rewards(self) -> np.ndarray:
        """``(B, t, N) float32`` each player's reward in every round played so far."""
        played = self.history[:, : self.t].astype(np.int64)
        return self._rewards(played).astype(np.float32)

    def _reward_table(self) -> np.ndarray:
        """``(A * (N + 1) * (N + 1),) float32`` rewards by (own action, keepers, punishers), flat.

        Keepers and punishers count everyone, oneself included; a round's rewards are then one
        ``np.take`` (the step's hot path; :func:`public_goods_rewards` is the reference a test
        holds it to).
        """
        s, n = self.spec, self.spec.num_players
        own, keepers, punishers = np.meshgrid(
            np.arange(s.num_actions), np.arange(n + 1), np.arange(n + 1), indexing="ij"
        )
        keep, punish = own & 1, own >> 1
        table = keep + s.multiplier / n * (n - keepers)
        table -= s.punishment_cost * punish * (keepers - keep)
        table -= s.punishment_fine * keep * (punishers - punish)
        return table.astype(np.float32).ravel()

    def _rewards(self, actions: np.ndarray) -> np.ndarray:
        s = self.spec
        return public_goods_rewards(actions, s.multiplier, s.punishment_cost, s.punishment_fine)

    @property
    def returns(self) -> np.ndarray:
        """``(B, N) float64`` sum of each player's rewards so far (a copy)."""
        return self._returns.copy()

    @property
    def done(self) -> bool:
        """Whether all rounds have been played (all games end together)."""
        return self.t >= self.num_rounds

    def reset(self, rng: np.random.Generator | None = None) -> None:
        """Start all B games afresh (the game has no chance: ``rng`` is ignored)."""
        self._history.fill(-1)
        self._returns.fill(0.0)
        self.t = 0

    def step(self, actions: Any, validate: bool = True) -> tuple[np.ndarray, bool]:
        """Play one round in every game.

        Args:
            actions: ``(B, N)`` integer actions, column ``p`` for player ``p``.
            validate: Check the actions (shape, dtype, range); trainers may pass ``False``.

        Returns:
            ``(rewards, done)``: ``(B, N) float32`` rewards of this round, and whether the games
            have now ended.

        Raises:
            ValueError: If the games already ended, or the actions are out of range or of the
                wrong shape (the message names the game and player).
            TypeError: If the actions are not integers.
        """
        if self.t >= self.num_rounds:
            raise ValueError(
                f"step() called after all {self.num_rounds} rounds were played; call reset()"
            )
        if validate:
            actions = check_joint_actions(actions, self.batch_size, self.spec)
        actions = np.asarray(actions)
        width = self.num_players + 1
        index = (actions & 1).sum(axis=1, keepdims=True)  # keepers
        if self.spec.punishment:
            index = index * width + (actions >> 1).sum(axis=1, keepdims=True)
        else:
            index = index * width
        index = index + actions * (width * width)
        rewards = np.take(self._table, index)
        self._returns += rewards
        self._history[self.t] = actions
        self.t += 1
        return rewards, self.t >= self.num_rounds

    def observation(self, player: int) -> np.ndarray:
        """What ``player`` sees now, from its own seat (layouts in the class docstring).

        Returns:
            ``(B, D) float32``, a new array.
        """
        player = check_player(player, self.num_players)
        s = self.spec
        out = np.zeros((self.batch_size, s.observation_shape[0]), dtype=np.float32)
        if self.t == 0:
            out[:, 0] = 1.0
            return out
        last = self._history[self.t - 1]
        blocks = [(last & 1) == 0]
        if s.punishment:
            blocks.append(last >> 1 == 1)
        n = self.num_players
        for b, block in enumerate(blocks):
            if s.layout == "summary":
                own = block[:, player]
                out[:, 1 + 2 * b] = own
                out[:, 2 + 2 * b] = (block.sum(axis=1) - own) / (n - 1)
            else:
                out[:, 1 + n * b : 1 + n * (b + 1)] = np.roll(block, -player, axis=1)
        return out

    def cooperation_rate(self) -> np.ndarray:
        """Share of the rounds played so far in which each player contributed.

        Returns:
            ``(B, N) float64``; NaN before the first round (as the matrix games).
        """
        if self.t == 0:
            return np.full((self.batch_size, self.num_players), np.nan)
        return ((self._history[: self.t] & 1) == 0).mean(axis=0)

    def render_text(self, row: int, names: tuple[str, ...]) -> str:
        """Game ``row``'s contributions so far as text (``C`` contributed, ``D`` kept)."""
        kept = np.where(self._history[:, row] < 0, -1, self._history[:, row] & 1)
        return render_history(kept, self.t, self._returns[row], self.spec.name, names)

    def render_rgb(self, row: int) -> np.ndarray:
        """Game ``row`` as an image: one row per player (green contributed, red kept)."""
        kept = np.where(self._history[:, row] < 0, -1, self._history[:, row] & 1)
        return render_history_rgb(kept)
