r"""The PPI improvement step: Monte-Carlo Q-values inside the model, then a softmax re-weighting.

For every live episode (a model state after START or after the last reward) and each of the
game's ``A`` first actions ``a`` (the matrix games' 2), :func:`q_values` imagines ``rollouts``
continuations of ``horizon`` rounds inside the model — sample the co-player's move from the
observation head, predict the reward, read it, sample the next own action from the policy prior,
and so on — and averages their discounted predicted rewards. All episodes, all first actions
and all rollouts run as one batch of ``B * A * rollouts`` model states, one GRU cell per token.
All first actions share their random numbers (common random numbers), so the *differences*
such as Q(C) − Q(D), which are all the improvement step uses, have far less noise than either
value.

The acting policy is :math:`\pi(a \mid h) \propto p(a \mid h)\exp(\beta \hat Q(h, a))`
(:func:`improved_logits`). The planner knows how many rounds are left and stops rollouts at the
episode's end (the model does not predict termination).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch

from baselines.configs import check_fields, check_nonnegative, check_positive


class Model(Protocol):
    """What the planner needs of a model (``SequenceModel`` or an exact one in the tests)."""

    def feed_action(self, h: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """States after reading the own actions ``(B,)``."""

    def feed_observation(self, h: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """States after reading the observation codes ``(B,)``."""

    def feed_reward(self, h: torch.Tensor, rewards: torch.Tensor) -> torch.Tensor:
        """States after reading the rewards ``(B,)``."""

    def action_logits(self, h: torch.Tensor) -> torch.Tensor:
        """``(B, A)`` policy-prior logits."""

    def observation_logits(self, h: torch.Tensor) -> torch.Tensor:
        """``(B, V)`` next-observation logits."""

    def reward(self, h: torch.Tensor) -> torch.Tensor:
        """``(B,)`` predicted rewards."""

    def repeat(self, h: torch.Tensor, times: int) -> torch.Tensor:
        """Each state ``times`` times in a row."""


@dataclass(frozen=True)
class PlanningConfig:
    """The improvement step's settings (see docs/ppi.md for the defaults' reasons)."""

    beta: float = 1.0
    """Inverse temperature of the re-weighting; 0 acts with the prior. The paper prints 0.01,
    which at this payoff scale (Q-differences of a few units) leaves the prior unchanged."""
    horizon: int = 15
    """Rounds imagined per rollout (the paper's 15)."""
    rollouts: int = 4
    """Rollouts per first action and live episode."""
    discount: float = 1.0
    """Discount of the imagined rewards."""

    def __post_init__(self) -> None:
        check_fields(self, "planning.")
        check_nonnegative(self.beta, "planning.beta")
        for name in ("horizon", "rollouts"):
            check_positive(getattr(self, name), f"planning.{name}", integer=True)
        if isinstance(self.discount, bool) or not 0 < self.discount <= 1:
            raise ValueError(f"planning.discount must be in (0, 1]; got {self.discount!r}")


def _sample(logits: torch.Tensor, uniform: torch.Tensor) -> torch.Tensor:
    """Inverse-CDF draws from ``(N, K)`` logits with ``(N,)`` uniforms (deterministic in them)."""
    cdf = torch.softmax(logits, dim=-1).cumsum(dim=-1)
    return (cdf < uniform.unsqueeze(-1)).sum(dim=-1).clamp_(max=logits.shape[-1] - 1)


@torch.no_grad()
def q_values(
    model: Model,
    h: torch.Tensor,
    rounds_left: int,
    config: PlanningConfig,
    generator: torch.Generator | None = None,
    num_actions: int | None = None,
) -> torch.Tensor:
    """Monte-Carlo Q-values ``(B, A)`` of each action now (the matrix games: cooperate, defect).

    Args:
        model: The world model.
        h: ``(B, ...)`` states after START or after the last reward.
        rounds_left: Rounds left in the episode, this one included (rollouts stop there).
        config: Horizon, rollouts, discount.
        generator: Source of the rollouts' random numbers.
        num_actions: A; None: the model's ``num_actions`` (2 for a model without one).

    Returns:
        ``(B, A)``: mean discounted imagined reward over ``min(horizon, rounds_left)`` rounds.
    """
    if rounds_left < 1:
        raise ValueError(f"rounds_left must be >= 1; got {rounds_left}")
    actions = getattr(model, "num_actions", 2) if num_actions is None else num_actions
    batch, k = h.shape[0], config.rollouts
    steps = min(config.horizon, rounds_left)
    # layout: episode-major, then first action, then rollout
    state = model.repeat(h, actions * k)
    action = torch.arange(actions).repeat_interleave(k).repeat(batch)
    # one set of uniforms per (episode, rollout, step, draw), shared by all first actions
    uniform = torch.rand((batch, 1, k, steps, 2), generator=generator)
    uniform = uniform.expand(batch, actions, k, steps, 2).reshape(batch * actions * k, steps, 2)
    total = torch.zeros(batch * actions * k)
    weight = 1.0
    for step in range(steps):
        if step:
            action = _sample(model.action_logits(state), uniform[:, step, 0])
        state = model.feed_action(state, action)
        code = _sample(model.observation_logits(state), uniform[:, step, 1])
        state = model.feed_observation(state, code)
        reward = model.reward(state)
        total += weight * reward
        weight *= config.discount
        if step + 1 < steps:
            state = model.feed_reward(state, reward)
    return total.view(batch, actions, k).mean(dim=-1)


def improved_logits(prior_logits: torch.Tensor, q: torch.Tensor, beta: float) -> torch.Tensor:
    """``log p(a|h) + beta * Q(h, a)``: logits of the improved policy (unnormalised)."""
    return torch.log_softmax(prior_logits, dim=-1) + beta * q
