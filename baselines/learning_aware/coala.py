r"""COALA-PG at small scale: a learning-aware policy gradient for a GRU agent (work in progress).

Meulemans et al. (2024, "Multi-agent cooperation through learning-aware policy gradients")
train a sequence-model agent over *meta-episodes*: M inner episodes of T rounds against one
co-player, the agent's hidden state carried across them, so that it can see the co-player learn.
A naive co-player learns between inner episodes from a batch of B episodes it played at once
against the agent (B *streams*), so an action in stream b changes the co-player's next policy,
and with it the return of every stream. COALA-PG's estimator credits it for that. For stream b's
action at inner episode m, round t, the weight of :math:`\nabla \log \pi` is

.. math::
    A^b_{m,t} = \sum_{(m', t') \ge (m, t)} r^b_{m', t'}
    + \sum_{b' \ne b} \sum_{m' > m} \sum_{t'} r^{b'}_{m', t'} - \text{baseline},

the stream's own future plus the other streams' returns from the next inner episode on (the
agent's objective being the mean over streams, the 1/B is a constant step size). Against a
learning-aware co-player (the agent itself, parameters shared: the mixed pool's other half)
nothing couples the streams, and the weight is the own future only.

This module is the algorithm at test size only (:func:`coala_update`); it is not yet a preset,
and the paper-size run (about 1.2e9 steps) is not attempted here. Simplifications: the naive
co-players are memory-one policies (5 logits) updated by REINFORCE with a batch-mean baseline;
the baseline of the agent is the mean weight over the meta-batch per (m, t).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from coop_envs.core import MatrixGame, get_game


class GRUAgent(nn.Module):
    """A GRU over (observation code one-hot, first-round-of-episode flag) -> P(defect) logit."""

    def __init__(self, hidden: int = 32) -> None:
        super().__init__()
        self.cell = nn.GRUCell(6, hidden)
        self.head = nn.Linear(hidden, 1)
        self.hidden = hidden

    def forward(self, codes: torch.Tensor, first: bool, h: torch.Tensor):
        """One round: ``(logit of defecting (n,), next hidden (n, H))``."""
        x = torch.cat(
            [nn.functional.one_hot(codes, 5).float(), torch.full((len(codes), 1), float(first))],
            dim=-1,
        )
        h = self.cell(x, h)
        return self.head(h).squeeze(-1), h


@dataclass(frozen=True)
class CoalaSettings:
    """Sizes and step sizes of one COALA-PG update."""

    game: MatrixGame
    co_players: int = 16
    """Naive co-players per update (each with its own B streams)."""
    self_play: int = 16
    """Agent-vs-agent pairs per update (the mixed pool's learning-aware half)."""
    streams: int = 8
    """B: episodes a naive co-player plays at once and learns from."""
    inner_episodes: int = 4
    """M: inner episodes per meta-episode."""
    rounds: int = 10
    """T: rounds per inner episode."""
    co_player_lr: float = 1.0
    """The naive co-players' learning rate (REINFORCE on their B episodes)."""


def coupled_weights(rewards: torch.Tensor) -> torch.Tensor:
    """COALA-PG's per-action weight before the baseline.

    Args:
        rewards: ``(N, B, M, T)`` the agent's rewards, N co-players with B streams each.

    Returns:
        ``(N, B, M, T)``: own return-to-go over the meta-episode plus the other streams'
        returns from the next inner episode on.
    """
    flat = rewards.flatten(2)  # (N, B, M*T)
    own = flat.flip(-1).cumsum(-1).flip(-1).view_as(rewards)
    per_episode = rewards.sum(-1)  # (N, B, M)
    later = per_episode.flip(-1).cumsum(-1).flip(-1) - per_episode  # episodes m' > m
    others = later.sum(1, keepdim=True) - later  # the other streams
    return own + others.unsqueeze(-1)


def _play(agent, co_logits, s, generator):
    """Agent (seat 0) vs naive memory-one co-players; returns log-probs, rewards, co data."""
    n, b = co_logits.shape[0], s.streams
    payoffs = torch.tensor(s.game.payoffs, dtype=torch.float32)
    h = torch.zeros(n * b, agent.hidden)
    codes = torch.zeros(n * b, 2, dtype=torch.long)  # own-view codes of agent and co-player
    logp, rewards = [], []
    for _ in range(s.inner_episodes):
        co = co_logits.detach().clone().requires_grad_(True)
        ep_co_logp, ep_co_r = [], []
        codes.zero_()
        for t in range(s.rounds):
            logit, h = agent(codes[:, 0], t == 0, h)
            a = (torch.rand(n * b, generator=generator) < torch.sigmoid(logit)).long()
            co_logit = co.repeat_interleave(b, 0).gather(1, codes[:, 1:]).squeeze(1)
            c = (torch.rand(n * b, generator=generator) >= torch.sigmoid(co_logit)).long()
            logp.append(
                -nn.functional.binary_cross_entropy_with_logits(logit, a.float(), reduction="none")
            )
            ep_co_logp.append(
                -nn.functional.binary_cross_entropy_with_logits(
                    co_logit, 1.0 - c.float(), reduction="none"
                )
            )
            r = payoffs[a, c]
            rewards.append(r[:, 0])
            ep_co_r.append(r[:, 1])
            codes = torch.stack([1 + 2 * a + c, 1 + 2 * c + a], dim=1)
        co_logits = _naive_step(co, ep_co_logp, ep_co_r, n, b, s.co_player_lr)
    shape = (s.inner_episodes, s.rounds, n, b)
    logp_t = torch.stack(logp).view(shape).permute(2, 3, 0, 1)
    rewards_t = torch.stack(rewards).view(shape).permute(2, 3, 0, 1)
    return logp_t, rewards_t, co_logits


def _naive_step(co, logps, rewards, n, b, lr):
    logp = torch.stack(logps).view(-1, n, b)  # (T, n, b)
    r = torch.stack(rewards).view(-1, n, b)
    to_go = r.flip(0).cumsum(0).flip(0)
    advantage = to_go - to_go.mean(2, keepdim=True)
    objective = (logp * advantage.detach()).sum(0).mean(1).sum()
    grad = torch.autograd.grad(objective, co)[0]
    return (co + lr * grad).detach()


def coala_update(
    agent: GRUAgent,
    optimizer: torch.optim.Optimizer,
    s: CoalaSettings,
    generator: torch.Generator,
) -> dict[str, float]:
    """One COALA-PG update on a mixed meta-batch (naive co-players and self-play pairs).

    Returns:
        The agent's mean reward per round against the naive co-players (first and last inner
        episode) and in self-play.
    """
    co = torch.randn(s.co_players, 5, generator=generator)
    logp, rewards, _ = _play(agent, co, s, generator)
    weights = coupled_weights(rewards)
    weights = weights - weights.mean((0, 1), keepdim=True)
    loss = -(logp * weights.detach()).sum((2, 3)).mean()
    metrics = {
        "naive/reward_first": float(rewards[:, :, 0].mean()),
        "naive/reward_last": float(rewards[:, :, -1].mean()),
    }
    if s.self_play:
        logp_s, rewards_s = _self_play(agent, s, generator)
        own = rewards_s.flatten(1).flip(-1).cumsum(-1).flip(-1).view_as(rewards_s)
        own = own - own.mean(0, keepdim=True)
        loss = loss + -(logp_s * own.detach()).sum((1, 2)).mean()
        metrics["self/reward"] = float(rewards_s.mean())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return metrics


def _self_play(agent, s, generator):
    """Agent vs agent (shared parameters): ``(2P, M, T)`` log-probs and rewards, both seats."""
    p = s.self_play
    payoffs = torch.tensor(s.game.payoffs, dtype=torch.float32)
    h = torch.zeros(2 * p, agent.hidden)
    logp, rewards = [], []
    for _ in range(s.inner_episodes):
        codes = torch.zeros(2 * p, dtype=torch.long)
        for t in range(s.rounds):
            logit, h = agent(codes, t == 0, h)
            a = (torch.rand(2 * p, generator=generator) < torch.sigmoid(logit)).long()
            logp.append(
                -nn.functional.binary_cross_entropy_with_logits(logit, a.float(), reduction="none")
            )
            mine, theirs = a[:p], a[p:]
            rewards.append(torch.cat([payoffs[mine, theirs, 0], payoffs[mine, theirs, 1]]))
            codes = torch.cat([1 + 2 * mine + theirs, 1 + 2 * theirs + mine])
    shape = (s.inner_episodes, s.rounds, 2 * p)
    return (
        torch.stack(logp).view(shape).permute(2, 0, 1),
        torch.stack(rewards).view(shape).permute(2, 0, 1),
    )


def settings(game: str = "prisoners_dilemma", **kwargs) -> CoalaSettings:
    """:class:`CoalaSettings` for a game by name."""
    return CoalaSettings(get_game(game), **kwargs)
