r"""M-FOS against naive learners: a meta-agent that picks a memory-one policy every episode.

Model-Free Opponent Shaping (Lu et al. 2022, ICML) plays a *meta-game* whose every step is a
whole inner game. At meta-step :math:`t` the meta-agent sees the meta-state — both inner policies,
:math:`\sigma(\theta^{a}_{t-1}, \theta^{nl}_t)` — and acts by choosing its inner policy
:math:`\theta^{a}_t` (5 logits, a Gaussian action); the inner game is played (here exactly: the
infinitely repeated game's discounted value, :func:`.exact.values`, as in the authors' IPD code),
the meta-agent is paid its mean reward per round, and the naive learner takes one exact gradient
step on its own value, :math:`\theta^{nl}_{t+1} = \theta^{nl}_t + \alpha \nabla V_{nl}`.
A meta-episode is ``meta_steps`` such steps against a freshly initialised naive learner; ``batch``
meta-episodes run at once, and the meta-agent is trained across meta-episodes with PPO (the
authors': an actor and a critic of one tanh layer, softplus variances, Monte-Carlo returns
normalised over the batch, full-batch epochs).

Deviation: the meta-state holds the naive learner's parameters *after* its latest step (the
authors' code passes those from before it); the meta-agent sees no less.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.distributions import Independent, Normal
from torch.nn import functional

from baselines.learning_aware.coala import discounted_to_go
from baselines.learning_aware.exact import ValueFn, naive_gradients


@dataclass
class MetaRollout:
    """One batch of meta-episodes: ``(S, B, ...)`` per meta-step."""

    states: torch.Tensor
    actions: torch.Tensor
    log_probs: torch.Tensor
    rewards: torch.Tensor
    """The meta-agent's mean reward per round in each inner game."""
    opponent_rewards: torch.Tensor
    """The naive learner's."""
    final_policy: torch.Tensor
    """``(B, 5)`` the meta-agent's last inner policy (logits)."""
    final_opponent: torch.Tensor
    """``(B, 5)`` the naive learner's last logits."""


class MetaPolicy(nn.Module):
    """Actor (Gaussian over 5 logits, softplus variances) and critic on the 10-number state."""

    def __init__(self, hidden: int = 256) -> None:
        super().__init__()
        self.actor = nn.Sequential(nn.Linear(10, hidden), nn.Tanh(), nn.Linear(hidden, 10))
        self.critic = nn.Sequential(nn.Linear(10, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def distribution(self, states: torch.Tensor) -> Independent:
        """The action distribution in ``states`` ``(..., 10)``."""
        mean, raw = self.actor(states).split(5, dim=-1)
        return Independent(Normal(mean, functional.softplus(raw).sqrt() + 1e-6), 1)

    def value(self, states: torch.Tensor) -> torch.Tensor:
        """The critic's value of ``states``."""
        return self.critic(states).squeeze(-1)


def meta_rollout(
    policy: MetaPolicy,
    fn: ValueFn,
    per_round: float,
    batch: int,
    meta_steps: int,
    learner_lr: float,
    generator: torch.Generator,
    greedy: bool = False,
) -> MetaRollout:
    """Play ``batch`` meta-episodes of ``meta_steps`` inner games against fresh naive learners.

    Args:
        policy: The meta-agent.
        fn: The inner game's exact value function (meta-agent = player 0).
        per_round: Factor from total discounted return to mean reward per round.
        batch: Meta-episodes at once.
        meta_steps: Inner games per meta-episode.
        learner_lr: The naive learner's learning rate.
        generator: Draws the initial policies and the meta-agent's actions.
        greedy: Act with the mean action (evaluation).

    Returns:
        The :class:`MetaRollout`.
    """
    opponent = torch.randn(batch, 5, generator=generator, dtype=torch.float64)
    mine = torch.randn(batch, 5, generator=generator, dtype=torch.float64)
    out: dict[str, list[torch.Tensor]] = {
        k: [] for k in ("states", "actions", "log_probs", "rewards", "opponent_rewards")
    }
    for _ in range(meta_steps):
        state = torch.sigmoid(torch.cat([mine, opponent], dim=-1)).float()
        with torch.no_grad():
            dist = policy.distribution(state)
            if greedy:
                action = dist.mean
            else:
                noise = torch.randn(dist.mean.shape, generator=generator)
                action = dist.mean + dist.base_dist.stddev * noise
            log_prob = dist.log_prob(action)
        mine = action.double()
        with torch.no_grad():
            v_mine, v_opponent = fn(mine, opponent)
        _, step = naive_gradients(mine, opponent, fn)
        opponent = opponent + learner_lr * step
        for key, value in zip(
            out,
            (state, action, log_prob, per_round * v_mine.float(), per_round * v_opponent.float()),
            strict=True,
        ):
            out[key].append(value)
    stacked = {k: torch.stack(v) for k, v in out.items()}
    return MetaRollout(**stacked, final_policy=mine, final_opponent=opponent)


@dataclass(frozen=True)
class PPOSettings:
    """PPO's settings for the meta-agent (see :class:`~.config.MFOSConfig`)."""

    lr: float
    gamma: float
    epochs: int
    clip: float
    entropy: float


def ppo_update(
    policy: MetaPolicy, optimizer: torch.optim.Optimizer, rollout: MetaRollout, s: PPOSettings
) -> dict[str, float]:
    """PPO epochs on one batch of meta-episodes (full batch, as the authors'); its losses."""
    returns = discounted_to_go(rollout.rewards, s.gamma)
    returns = (returns - returns.mean()) / (returns.std() + 1e-5)
    for _ in range(s.epochs):
        dist = policy.distribution(rollout.states)
        values = policy.value(rollout.states)
        ratio = torch.exp(dist.log_prob(rollout.actions) - rollout.log_probs)
        advantage = returns - values.detach()
        surrogate = torch.min(ratio * advantage, ratio.clamp(1 - s.clip, 1 + s.clip) * advantage)
        value_loss = functional.mse_loss(values, returns)
        entropy = dist.entropy().mean()
        loss = -surrogate.mean() + 0.5 * value_loss - s.entropy * entropy
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return {"value_loss": float(value_loss.detach()), "entropy": float(entropy.detach())}
