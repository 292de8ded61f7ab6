r"""Learning co-players: naive learners that adapt *inside* an episode, batched over B games.

They start every episode from scratch and learn from the rewards of the rounds played so far:
the "in-context learners" against which extortion pays (Press & Dyson 2012; Weis et al. 2026, §4).
Each co-player is player 0 of the game it is given, so its reward for the round its observation
code describes is ``game.reward_table(0)[code]``.

- :class:`QLearner`: tabular Q-learning over the 5 observations, epsilon-greedy.
- :class:`PolicyGradientLearner`: a memory-one policy :math:`\sigma(\theta)` updated by REINFORCE
  every ``k`` rounds from the rewards of those rounds.
"""

from __future__ import annotations

import numpy as np

from coop_envs.core import (
    CO_PLAYER_PROTOCOL,
    MAX_NUM_ROUNDS,
    NUM_OBSERVATIONS,
    MatrixGame,
    check_float,
    check_positive_int,
)


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str; got {name!r}")
    return name


def _check_unit(value: float, name: str, *, open_low: bool = False) -> float:
    bracket = "(0, 1]" if open_low else "[0, 1]"
    try:  # a non-number is a TypeError naming the parameter
        checked = check_float(value, name, 0.0, 1.0)
    except ValueError:
        checked = -1.0
    if checked < 0 or (open_low and checked == 0):
        raise ValueError(f"{name} must be in {bracket}; got {value!r}")
    return checked


class QLearner:
    r"""Tabular Q-learning inside an episode: state = last observation code, epsilon-greedy.

    Update after each round: :math:`Q(s, a) \mathrel{+}= \alpha (r + \gamma \max_{a'} Q(s', a') -
    Q(s, a))`. Ties break towards cooperation.

    Args:
        learning_rate: :math:`\alpha \in (0, 1]`.
        discount: :math:`\gamma \in [0, 1]`.
        epsilon: Exploration probability in [0, 1].
        optimistic: Initial Q-value; above what a round pays, it makes the learner try both
            actions early.
        name: Display name.

    With the defaults it learns, within one 100-round episode of the paper's game, to cooperate
    with tit-for-tat (about 90% of the last 50 rounds) and to defect against always-defect (about
    7%); an extortioner takes about twice its payoff (tests/co_players/test_learners.py).
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(
        self,
        learning_rate: float = 0.5,
        discount: float = 0.9,
        epsilon: float = 0.05,
        optimistic: float = 3.0,
        name: str = "q_learner",
    ) -> None:
        self.learning_rate = _check_unit(learning_rate, "learning_rate", open_low=True)
        self.discount = _check_unit(discount, "discount")
        self.epsilon = _check_unit(epsilon, "epsilon")
        self.optimistic = check_float(optimistic, "optimistic")
        self.name = _check_name(name)
        self.q = np.zeros((0, NUM_OBSERVATIONS, 2))

    def __repr__(self) -> str:
        return (
            f"QLearner(learning_rate={self.learning_rate}, discount={self.discount}, "
            f"epsilon={self.epsilon})"
        )

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Forget everything: fresh Q-tables for a new episode."""
        self._rewards = game.reward_table(0)
        self.q = np.full((batch_size, NUM_OBSERVATIONS, 2), self.optimistic)
        self._rows = np.arange(batch_size)
        self._last: tuple[np.ndarray, np.ndarray] | None = None

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Learn from the round ``obs`` describes, then pick ``(B,)`` actions."""
        rows = self._rows
        if self._last is not None:
            state, action = self._last
            target = self._rewards[obs] + self.discount * self.q[rows, obs].max(axis=1)
            self.q[rows, state, action] += self.learning_rate * (
                target - self.q[rows, state, action]
            )
        values = self.q[rows, obs]
        greedy = (values[:, 1] > values[:, 0]).astype(np.int64)
        explore = rng.random(len(obs)) < self.epsilon
        action = np.where(explore, rng.integers(0, 2, size=len(obs)), greedy)
        self._last = (obs, action)
        return action


class PolicyGradientLearner:
    r"""A memory-one policy learned by REINFORCE inside the episode, updated every ``k`` rounds.

    The policy is :math:`P(C \mid o) = \sigma(\theta_o)`, starting at :math:`\theta = 0`
    (cooperate with probability 1/2). Every ``k`` rounds, with :math:`G_t` the sum of the
    rewards from round :math:`t` to the end of the window and :math:`b` their mean,
    :math:`\theta \mathrel{+}= \eta \sum_t (G_t - b) \nabla \log \pi(a_t \mid o_t)`.

    Args:
        learning_rate: :math:`\eta > 0`.
        window: ``k``, rounds between updates.
        name: Display name.
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(
        self, learning_rate: float = 2.0, window: int = 5, name: str = "pg_learner"
    ) -> None:
        self.learning_rate = check_float(learning_rate, "learning_rate")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive; got {learning_rate!r}")
        self.window = check_positive_int(window, "window", MAX_NUM_ROUNDS)
        self.name = _check_name(name)
        self.theta = np.zeros((0, NUM_OBSERVATIONS))

    def __repr__(self) -> str:
        return f"PolicyGradientLearner(learning_rate={self.learning_rate}, window={self.window})"

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Start from the uniform policy for a new episode."""
        self._rewards = game.reward_table(0)
        self._scale = max(abs(game.max_payoff), abs(game.min_payoff), 1e-9)
        self.theta = np.zeros((batch_size, NUM_OBSERVATIONS))
        self._rows = np.arange(batch_size)
        self._trace: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (obs, action, p_coop)
        self._window_rewards: list[np.ndarray] = []

    @property
    def cooperation_probabilities(self) -> np.ndarray:
        """``(B, 5)`` current P(C) after each observation."""
        return 1.0 / (1.0 + np.exp(-self.theta))

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Record the last round's reward, update every ``window`` rounds, then act."""
        if self._trace:
            self._window_rewards.append(self._rewards[obs] / self._scale)
            if len(self._window_rewards) == self.window:
                self._update()
        p = self.cooperation_probabilities[self._rows, obs]
        action = (rng.random(len(obs)) >= p).astype(np.int64)
        self._trace.append((obs, action, p))
        return action

    def _update(self) -> None:
        rewards = np.stack(self._window_rewards)  # (k, B)
        to_go = np.cumsum(rewards[::-1], axis=0)[::-1]
        advantage = to_go - to_go.mean(axis=0)
        for (obs, action, p), adv in zip(self._trace, advantage, strict=True):
            # d/dtheta log pi(a|o) = (1 - p) for C, -p for D
            grad = np.where(action == 0, 1.0 - p, -p)
            self.theta[self._rows, obs] += self.learning_rate * adv * grad
        self._trace = []
        self._window_rewards = []
