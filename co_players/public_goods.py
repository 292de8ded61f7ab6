r"""Co-players of the iterated N-player public goods game, batched over B games.

They meet the general co-player protocol (:class:`coop_envs.core.GameCoPlayer`):
``reset(spec, batch_size, rng)`` with the game's
:class:`~coop_envs.core.public_goods.PublicGoodsSpec`, then ``act(obs, rng) -> (B,)`` on the
``(B, D) float32`` observations from their own seat (either layout). State lives in per-row arrays.

Most of them read one small feature of the last round, the *reactive state* (7 values):

=====  ==================================================
state  last round
=====  ==================================================
0      none played yet (start)
1      I contributed, no other player did
2      I contributed, some but not all others did
3      I contributed, all others did
4      I kept, no other player did
5      I kept, some but not all others did
6      I kept, all others did
=====  ==================================================

A *reactive policy* is 7 contribution probabilities, one per state: the N-player analogue of a
memory-one strategy (with N = 2, states 1-6 collapse to CC, CD, DC, DD and it is exactly one).
Co-players that keep only contribute or keep (actions 0 and 1); :class:`ConditionalCooperator`
can also punish in games with the punishment stage.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np

from co_players.adapters import check_agent
from co_players.memory_one import RandomMemoryOne
from coop_envs.core import (
    CO_PLAYER_PROTOCOL,
    check_discrete_actions,
    check_float,
    check_int,
    check_probability,
)
from coop_envs.core.public_goods import CONTRIBUTE, KEEP, PublicGoodsGame, PublicGoodsSpec
from coop_envs.core.validation import check_name

NUM_STATES: int = 7
"""Reactive states: start, then (own move: contributed/kept) x (others: none/some/all)."""
STATE_NAMES: tuple[str, ...] = ("start", "C_none", "C_some", "C_all", "K_none", "K_some", "K_all")
ALWAYS_CONTRIBUTE: tuple[float, ...] = (1.0,) * NUM_STATES
NEVER_CONTRIBUTE: tuple[float, ...] = (0.0,) * NUM_STATES


def check_spec(spec: Any, who: str) -> PublicGoodsSpec:
    """Return ``spec`` if it is a public goods game's spec, else raise ``TypeError``."""
    if not isinstance(spec, PublicGoodsSpec):
        raise TypeError(
            f"{who} plays the public goods game (reset with a PublicGoodsSpec); got "
            f"{type(spec).__name__} {getattr(spec, 'name', spec)!r}"
        )
    return spec


def reactive_state(spec: PublicGoodsSpec, obs: np.ndarray) -> np.ndarray:
    """``(B,) int64`` reactive state (0..6, table in the module docstring) of observations."""
    start, own_c, others_c, _, _ = spec.features(obs)
    others = np.where(others_c == 0, 0, np.where(others_c == spec.num_players - 1, 2, 1))
    return np.where(start, 0, 1 + 3 * (~own_c) + others)


class ReactivePolicy:
    """Contributes with the probability its table gives for the reactive state.

    Args:
        table: 7 probabilities (one per state, in the order of the module docstring), or a
            ``(B, 7)`` array, one row per game.
        name: Display name.

    Raises:
        ValueError: If the table is not 7 probabilities in [0, 1].

    Example:
        >>> import numpy as np
        >>> from coop_envs.core.public_goods import PublicGoodsGame
        >>> game = PublicGoodsGame(num_players=3, batch_size=2)
        >>> p = ReactivePolicy(NEVER_CONTRIBUTE)
        >>> p.reset(game.spec, 2, np.random.default_rng(0))
        >>> game.reset(); p.act(game.observation(1), np.random.default_rng(0)).tolist()
        [1, 1]
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(self, table: Any, name: str = "reactive") -> None:
        self.table = self._check_table(table)
        self.name = check_name(name)

    @staticmethod
    def _check_table(table: Any) -> np.ndarray:
        array = np.asarray(table, dtype=np.float64)
        if array.shape[-1:] != (NUM_STATES,) or array.ndim > 2:
            raise ValueError(
                f"a reactive policy is {NUM_STATES} contribution probabilities "
                f"({', '.join(STATE_NAMES)}), or (B, {NUM_STATES}); got shape {array.shape}"
            )
        if not np.isfinite(array).all() or (array < 0).any() or (array > 1).any():
            raise ValueError(f"reactive probabilities must be in [0, 1]; got {array.tolist()}")
        return array

    def __repr__(self) -> str:
        return f"ReactivePolicy({self.name!r})"

    def sample(self, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """``(B, 7)`` the table of each game this episode (the fixed table, broadcast)."""
        return np.broadcast_to(self.table, (batch_size, NUM_STATES))

    def reset(self, spec: PublicGoodsSpec, batch_size: int, rng: np.random.Generator) -> None:
        """Start an episode; a distribution draws its ``(B, 7)`` tables here."""
        self.spec = check_spec(spec, self.name)
        self.tables = self.sample(batch_size, rng)
        if self.tables.shape != (batch_size, NUM_STATES):
            raise ValueError(
                f"{self.name} has {len(self.tables)} rows of probabilities; it was reset for "
                f"{batch_size} games"
            )
        self._rows = np.arange(batch_size)

    def identity(self) -> np.ndarray:
        """``(B, 7) float32`` each game's contribution probabilities (the opponent-ID ablation)."""
        return np.asarray(self.tables, dtype=np.float32)

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``(B,)`` actions: ``CONTRIBUTE`` with the table's probability, else ``KEEP``."""
        p = self.tables[self._rows, reactive_state(self.spec, obs)]
        return np.where(rng.random(len(p)) < p, CONTRIBUTE, KEEP).astype(np.int64)


class RandomReactive(ReactivePolicy):
    """A fresh reactive policy per game and episode, each probability U(0, 1).

    The analogue of the paper's random tabular co-players. With ``split``, draws come from one
    half of the 7-cube: the checkerboard of :class:`co_players.RandomMemoryOne` (10 cells per
    axis) over the first five probabilities (start, C_none, C_some, C_all, K_none), the last two
    free; so the ``"train"`` and ``"held_out"`` halves are disjoint, and every marginal stays
    uniform.

    Args:
        split: ``None`` (the whole cube), ``"train"`` or ``"held_out"``.
        name: Display name.
        concentration: Draw each probability from Beta(c, c) instead (1: U(0, 1)); below 1 the
            policies are near-deterministic, as the matrix games' stage-1 CPU recipe draws its
            tabular co-players (:func:`co_players.tabular_mixture`).

    Raises:
        ValueError: For an unknown split or a concentration that is not a positive number.
    """

    def __init__(
        self, split: str | None = None, name: str = "random_reactive", concentration: float = 1.0
    ) -> None:
        self._five = RandomMemoryOne(split, concentration=concentration)  # validates both
        self.split = split
        self.concentration = float(concentration)
        super().__init__(np.full(NUM_STATES, 0.5), name)

    def __repr__(self) -> str:
        extra = "" if self.concentration == 1.0 else f", concentration={self.concentration}"
        return f"RandomReactive(split={self.split!r}{extra})"

    def with_concentration(self, concentration: float) -> RandomReactive:
        """The same split and name, drawn from Beta(``concentration``, same)."""
        return RandomReactive(self.split, self.name, concentration=concentration)

    def sample(self, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Draw a ``(batch_size, 7)`` table."""
        five = self._five.sample(batch_size, rng)
        shape = (batch_size, NUM_STATES - 5)
        c = self.concentration
        rest = rng.random(shape) if c == 1.0 else rng.beta(c, c, size=shape)
        return np.concatenate([five, rest], axis=1)


class ConditionalCooperator:
    r"""Contributes first, then iff at least ``threshold`` others contributed last round.

    Conditional cooperation is the most common type in public goods experiments (Fischbacher,
    Gächter & Fehr 2001). With ``probabilistic=True`` it contributes with probability equal to
    the share of others who contributed last round instead (an "imperfect" conditional
    cooperator who matches the group). With ``punish=True``, in a game with the punishment stage
    it punishes whoever keeps whenever it contributes (action ``CONTRIBUTE_AND_PUNISH``).

    Args:
        threshold: Others needed, 1..N-1; ``"all"``: N - 1; ``None``: a majority of the
            others, :math:`\lceil (N - 1) / 2 \rceil`.
        probabilistic: Match the share of contributors instead of a threshold.
        punish: Punish keepers when contributing (games with punishment only).
        name: Display name.

    Raises:
        ValueError: At ``reset``, for a threshold above N - 1.
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(
        self,
        threshold: int | str | None = None,
        probabilistic: bool = False,
        punish: bool = False,
        name: str = "conditional_cooperator",
    ) -> None:
        if threshold not in (None, "all"):
            threshold = check_int(threshold, "threshold (an int >= 1, 'all' or None)", 1)
        self.threshold = threshold
        self.probabilistic = bool(probabilistic)
        self.punish = bool(punish)
        self.name = check_name(name)

    def __repr__(self) -> str:
        return f"ConditionalCooperator({self.name!r})"

    def reset(self, spec: PublicGoodsSpec, batch_size: int, rng: np.random.Generator) -> None:
        """Check the threshold against N."""
        self.spec = check_spec(spec, self.name)
        others = spec.num_players - 1
        if isinstance(self.threshold, int) and self.threshold > others:
            raise ValueError(
                f"threshold must be at most the number of others, {others}; got {self.threshold}"
            )
        majority = -(-others // 2)
        self._k = {None: majority, "all": others}.get(self.threshold, self.threshold)

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``(B,)`` actions (see the class docstring)."""
        start, _, others_c, _, _ = self.spec.features(obs)
        if self.probabilistic:
            share = others_c / (self.spec.num_players - 1)
            contribute = start | (rng.random(len(obs)) < share)
        else:
            contribute = start | (others_c >= self._k)
        actions = np.where(contribute, CONTRIBUTE, KEEP).astype(np.int64)
        if self.punish and self.spec.punishment:
            actions[contribute] += 2
        return actions


class RandomConditionalCooperator:
    """A conditional cooperator whose threshold is drawn per game and episode.

    Contributes in the first round, then iff at least k of the others contributed last round,
    k drawn uniformly from 1..N-1 for each game at ``reset``: a population of reciprocators that
    differ in how many keepers they tolerate (k = N - 1 tolerates none: one keeper starts a
    collapse; k = 1 keeps contributing while anybody does). A learner whose training
    co-players include them meets groups in which its own contribution decides whether the
    others go on contributing, and it cannot know which from the first round: it must infer
    the thresholds in context. With ``noise`` each move is flipped with that probability.

    Args:
        noise: Probability of flipping each move, in [0, 0.5].
        name: Display name.

    Raises:
        ValueError: For a noise outside [0, 0.5].
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(self, noise: float = 0.0, name: str = "random_conditional_cooperator") -> None:
        self.noise = check_float(noise, "noise")
        if not 0.0 <= self.noise <= 0.5:
            raise ValueError(f"noise must be in [0, 0.5]; got {noise!r}")
        self.name = check_name(name)
        self.threshold = np.zeros(0, dtype=np.int64)

    def __repr__(self) -> str:
        return f"RandomConditionalCooperator(noise={self.noise})"

    def reset(self, spec: PublicGoodsSpec, batch_size: int, rng: np.random.Generator) -> None:
        """Draw each game's threshold from 1..N-1."""
        self.spec = check_spec(spec, self.name)
        self.threshold = rng.integers(1, spec.num_players, size=batch_size)

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``(B,)`` actions (see the class docstring)."""
        start, _, others_c, _, _ = self.spec.features(obs)
        contribute = start | (others_c >= self.threshold)
        if self.noise:
            contribute ^= rng.random(len(obs)) < self.noise
        return np.where(contribute, CONTRIBUTE, KEEP).astype(np.int64)


def conditional_pool_values(
    num_players: int = 4, multiplier: float = 1.6, rounds: int = 100
) -> dict[str, float]:
    """What a learner can earn per round in a group of random-threshold conditional cooperators.

    Every other seat is a :class:`RandomConditionalCooperator` (threshold k drawn uniformly from
    1..N-1 per seat). Exact: the expectation over the (N-1)^(N-1) threshold profiles of the
    returns of always contributing, never contributing, and the best response to each profile
    (backward induction over the rounds x the others' last contributions; the cooperators are
    deterministic given their thresholds), all per round.

    Returns:
        ``{"best_response", "always_contribute", "never_contribute", "contributing_pays"}``: the
        last is the share of profiles where always contributing beats never contributing.

    Raises:
        ValueError: For sizes outside the game's bounds.
    """
    spec = PublicGoodsGame(num_players, multiplier=multiplier, batch_size=1, num_rounds=rounds).spec
    n, r, others = spec.num_players, float(spec.multiplier), spec.num_players - 1
    totals = {"best_response": 0.0, "always_contribute": 0.0, "never_contribute": 0.0}
    pays = 0
    profiles = list(product(range(1, n), repeat=others))
    for ks in profiles:

        def following(last: tuple[int, ...], mine: int, ks: tuple[int, ...] = ks) -> tuple:
            total = sum(last) + mine
            return tuple(int(total - c >= k) for c, k in zip(last, ks, strict=True))

        def reward(last: tuple[int, ...], mine: int) -> float:
            return (1 - mine) + r / n * (mine + sum(last))

        start = (1,) * others  # every conditional cooperator contributes in the first round
        states = list(product((0, 1), repeat=others))
        value = dict.fromkeys(states, 0.0)
        for _ in range(rounds):
            value = {s: max(reward(s, a) + value[following(s, a)] for a in (0, 1)) for s in states}
        fixed = {}
        for a in (0, 1):
            state, total = start, 0.0
            for _ in range(rounds):
                total += reward(state, a)
                state = following(state, a)
            fixed[a] = total
        totals["best_response"] += value[start]
        totals["always_contribute"] += fixed[1]
        totals["never_contribute"] += fixed[0]
        pays += fixed[1] > fixed[0]
    values = {k: v / len(profiles) / rounds for k, v in totals.items()}
    return {**values, "contributing_pays": pays / len(profiles)}


class ReactiveQLearner:
    r"""Tabular Q-learning inside an episode on the reactive state, epsilon-greedy, batched.

    Its reward for a round is read off its own observation of it
    (:meth:`~coop_envs.core.public_goods.PublicGoodsSpec.reward`). Update after each round:
    :math:`Q(s, a) \mathrel{+}= \alpha (r + \gamma \max_{a'} Q(s', a') - Q(s, a))`; actions are
    contribute and keep; ties break towards contributing.

    The initial Q-value must be optimistic relative to the *discounted return*, not to one
    round's reward: with a start below :math:`r_{\max} / (1 - \gamma)` the action taken first
    bootstraps on its own state's rising value while the other's successor state stays at the
    start, and the learner sticks to its first action (measured: contributing 94% of the last 50
    rounds against never-contribute with a start of 3 and :math:`\gamma = 0.9`). So the default
    start is :math:`r_{\max} / (1 - \gamma)`. With the defaults, over 100 rounds (B = 200, seed
    0; tests/co_players/test_public_goods.py) it learns to free-ride on three always-contributors
    (N = 4: contributes in about 3% of rounds 51-100) and to contribute with a conditional
    cooperator who requires it (N = 2: about 87%).

    Args:
        learning_rate: :math:`\alpha \in (0, 1]`.
        discount: :math:`\gamma \in [0, 1)`.
        epsilon: Exploration probability in [0, 1].
        optimistic: Initial Q-value; ``None``: :math:`r_{\max} / (1 - \gamma)` of the game.
        name: Display name.
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(
        self,
        learning_rate: float = 0.5,
        discount: float = 0.8,
        epsilon: float = 0.05,
        optimistic: float | None = None,
        name: str = "public_goods_q_learner",
    ) -> None:
        self.learning_rate = check_probability(learning_rate, "learning_rate")
        if self.learning_rate == 0:
            raise ValueError(f"learning_rate must be in (0, 1]; got {learning_rate!r}")
        self.discount = check_probability(discount, "discount")
        if self.discount == 1:
            raise ValueError(f"discount must be in [0, 1); got {discount!r}")
        self.epsilon = check_probability(epsilon, "epsilon")
        self.optimistic = None if optimistic is None else check_float(optimistic, "optimistic")
        self.name = check_name(name)
        self.q = np.zeros((0, NUM_STATES, 2))

    def __repr__(self) -> str:
        return f"ReactiveQLearner(learning_rate={self.learning_rate}, epsilon={self.epsilon})"

    def reset(self, spec: PublicGoodsSpec, batch_size: int, rng: np.random.Generator) -> None:
        """Forget everything: fresh Q-tables for a new episode."""
        self.spec = check_spec(spec, self.name)
        start = self.optimistic
        if start is None:
            start = spec.reward_range[1] / (1.0 - self.discount)
        self.q = np.full((batch_size, NUM_STATES, 2), start)
        self._rows = np.arange(batch_size)
        self._last: tuple[np.ndarray, np.ndarray] | None = None

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Learn from the round ``obs`` describes, then pick ``(B,)`` actions."""
        rows, state = self._rows, reactive_state(self.spec, obs)
        if self._last is not None:
            previous, action = self._last
            target = self.spec.reward(obs) + self.discount * self.q[rows, state].max(axis=1)
            self.q[rows, previous, action] += self.learning_rate * (
                target - self.q[rows, previous, action]
            )
        values = self.q[rows, state]
        greedy = np.where(values[:, KEEP] > values[:, CONTRIBUTE], KEEP, CONTRIBUTE)
        explore = rng.random(len(obs)) < self.epsilon
        action = np.where(explore, rng.integers(0, 2, size=len(obs)), greedy).astype(np.int64)
        self._last = (state, action)
        return action


class ObservationAgentCoPlayer:
    """An agent (``reset(num_envs, seed)``, ``act(observations)``) as a co-player of any game.

    The agent gets the game's observations from its seat as they are, flattened to ``(B, D)``;
    its actions are checked against the game's. This is the frozen-neural-agent co-player of the
    games beyond 2x2 (:class:`co_players.AgentCoPlayer` encodes matrix-game observation codes,
    so it does not generalise).

    Args:
        agent: The policy.
        name: Display name.

    Raises:
        TypeError: If ``agent`` does not meet the agent protocol.
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(self, agent: Any, name: str | None = None) -> None:
        self.agent = check_agent(agent)
        self.name = name or getattr(agent, "name", type(agent).__name__)

    def __repr__(self) -> str:
        return f"ObservationAgentCoPlayer({self.name!r})"

    def reset(self, spec: Any, batch_size: int, rng: np.random.Generator) -> None:
        """Reset the agent for ``batch_size`` games, seeded from ``rng``."""
        self.spec = spec
        self._batch_size = batch_size
        self.agent.reset(batch_size, int(rng.integers(2**31)))

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The agent's checked ``(B,)`` actions for the flattened observations."""
        actions = self.agent.act(np.asarray(obs, dtype=np.float32).reshape(len(obs), -1))
        return check_discrete_actions(
            actions, (self._batch_size,), self.spec.action_meanings, f"actions of {self.name!r}"
        )
