r"""COALA-PG: a learning-aware policy gradient for a recurrent agent (Meulemans et al. 2024).

The agent plays *meta-trajectories*: M inner episodes of T rounds against one co-player, its GRU's
hidden state carried across them (each inner episode opens with the START observation), so that it
can see the co-player learn. Its co-players form a mixed pool:

- **naive learners**: memory-one policies (5 logits of P(C | start, CC, CD, DC, DD)) that play B
  inner episodes at once against the agent (B *streams*) and, after each inner episode, take one
  REINFORCE step on those B episodes (return-to-go, a baseline per round over the streams);
- **copies of the agent** (the learning-aware half of the pool), parameters shared.

An action in stream b changes the naive learner's next policy, and with it the return of every
stream. COALA-PG's estimator credits it for that. For stream b's action at inner episode m, round
t, the weight of :math:`\nabla \log \pi` is

.. math::
    A^b_{m,t} = \sum_{(m', t') \ge (m, t)} r^b_{m', t'}
    + \sum_{b' \ne b} \sum_{m' > m} \sum_{t'} r^{b'}_{m', t'} - \text{baseline},

the stream's own future plus the other streams' returns from the next inner episode on (the
agent's objective being the mean over streams, the 1/B is a constant step size). Against a copy of
itself nothing couples the streams, and the weight is the own future only. Here both terms are
discounted per round (``discount``, over the whole meta-trajectory), the own term gets a learned
baseline (the value head, from the agent's own history) and the coupled term its mean per round
over the naive streams; the advantages are then divided by their standard deviation (a step
size). Without the discount and the critic the weights are :func:`coupled_weights`, the estimator
as written; with them the variance is low enough to learn on a CPU budget.

The agent is the project's GRU actor-critic (:class:`baselines.policies.GRUActorCritic`, its
observation/previous action/previous reward input), so its file is an ordinary ``agent_0.pt``
that ``baselines.evaluate``, cross-play and the leaderboard load. Acting uses the round-by-round
stepper without gradients; the loss replays each meta-trajectory once through ``nn.GRU`` (exact:
the same weights and inputs).

Simplifications (docs/learning_aware.md): naive learners are memory-one policies with exact
score functions, not sequence models trained by their own policy gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from baselines.policies import ActorCritic
from coop_envs.core import MatrixGame


@dataclass(frozen=True)
class CoalaSettings:
    """Sizes and step sizes of one COALA-PG update."""

    game: MatrixGame
    co_players: int = 8
    """Naive learners per update (each with its own B streams)."""
    streams: int = 8
    """B: inner episodes a naive learner plays at once and learns from."""
    self_play: int = 32
    """Agent-vs-copy pairs per update (the learning-aware half of the pool)."""
    inner_episodes: int = 8
    """M: inner episodes per meta-trajectory."""
    rounds: int = 100
    """T: rounds per inner episode."""
    co_player_lr: float = 1.0
    """The naive learners' learning rate (on their mean reward per round)."""
    co_player_init_std: float = 1.0
    """Standard deviation of the naive learners' initial logits."""
    entropy: float = 0.01
    """Entropy bonus of the agent's loss."""
    discount: float = 0.99
    """Discount per round of the agent's returns (over the whole meta-trajectory)."""
    coupling: bool = True
    """Add COALA-PG's coupled term (False: the plain policy gradient, a control)."""
    learner_critic: bool = False
    """Estimate the coupled term from the naive learners' logits instead of the sampled returns
    (:func:`learner_critic_term`)."""


@dataclass
class MetaBatch:
    """One batch of meta-trajectories; ``(M*T, R)`` per round and row.

    Rows: ``co_players * streams`` naive streams (learner-major), then the self-play pairs' seat 0
    and seat 1 (``self_play`` each).
    """

    index: torch.Tensor
    """The agent's input index (``seat * 5 + own-view code``)."""
    actions: torch.Tensor
    """The agent's action (1 = defect)."""
    rewards: torch.Tensor
    """The agent's reward."""
    co_rewards: torch.Tensor
    """The naive learners' rewards ``(M*T, co_players * streams)``."""
    co_cooperated: torch.Tensor
    """Whether the naive learners cooperated ``(M*T, co_players * streams)``."""
    co_logits: torch.Tensor
    """``(M + 1, co_players, 5)``: the naive learners' logits before each inner episode, and after
    the last."""

    def state(self) -> dict[str, torch.Tensor]:
        """Its tensors by field name (a checkpoint's ``pending`` batch; ``MetaBatch(**state)``)."""
        return dict(vars(self))


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


def naive_gradient(
    logits: torch.Tensor, codes: torch.Tensor, cooperated: torch.Tensor, rewards: torch.Tensor
) -> torch.Tensor:
    """REINFORCE gradient of each naive learner's mean reward per round over its streams.

    Args:
        logits: ``(N, 5)`` logits of P(C | code).
        codes: ``(T, N, B)`` the learner's own-view observation codes.
        cooperated: ``(T, N, B)`` bool, its moves.
        rewards: ``(T, N, B)`` its rewards.

    Returns:
        ``(N, 5)``: the score function ``1{C} - P(C | code)`` of each round, weighted by the
        return-to-go minus its mean over the B streams, summed over rounds and averaged over
        streams, divided by T.
    """
    t, n, b = codes.shape
    to_go = rewards.flip(0).cumsum(0).flip(0)
    advantage = to_go - to_go.mean(2, keepdim=True)
    p = torch.sigmoid(logits).gather(1, codes.permute(1, 0, 2).reshape(n, -1)).view(n, t, b)
    score = cooperated.permute(1, 0, 2).float() - p
    weighted = score * advantage.permute(1, 0, 2)
    grad = torch.zeros(n, 5)
    grad.scatter_add_(1, codes.permute(1, 0, 2).reshape(n, -1), weighted.reshape(n, -1))
    return grad / (b * t)


def play_meta(
    policy: ActorCritic,
    s: CoalaSettings,
    rng: np.random.Generator,
    co_players: int | None = None,
    self_play: int | None = None,
) -> MetaBatch:
    """Play one batch of meta-trajectories, without gradients.

    The agent plays fresh naive learners (learning between inner episodes) and copies of itself.

    The game is stepped in NumPy (a few microseconds an operation on these small arrays); the
    agent acts through its round-by-round stepper.

    Args:
        policy: The agent.
        s: Sizes and step sizes.
        rng: Draws the naive learners' initial logits and every action.
        co_players: Naive learners (default ``s.co_players``).
        self_play: Self-play pairs (default ``s.self_play``).
    """
    n = s.co_players if co_players is None else co_players
    p = s.self_play if self_play is None else self_play
    b = s.streams
    nb = n * b
    rows = nb + 2 * p
    reward = np.asarray(s.game.payoffs, dtype=np.float32)[..., 0].reshape(4)  # [2 * mine + theirs]
    seat5 = np.concatenate([np.zeros(nb + p, np.int64), np.full(p, 5, np.int64)])
    partner = np.concatenate([np.arange(nb + p, rows), np.arange(nb, nb + p)])
    theta = (s.co_player_init_std * rng.standard_normal((n, 5))).astype(np.float32)
    history = [theta.copy()]
    stepper = policy.stepper(rows)
    learner_of = np.arange(nb) // b
    mt = s.inner_episodes * s.rounds
    index = np.empty((mt, rows), np.int64)
    actions = np.empty((mt, rows), np.int64)
    rewards = np.empty((mt, rows), np.float32)
    co_codes = np.empty((mt, nb), np.int64)
    co_defect = np.empty((mt, nb), np.int64)
    co_rewards = np.empty((mt, nb), np.float32)
    other = np.empty(rows, np.int64)
    k = 0
    for _ in range(s.inner_episodes):
        code = np.zeros(rows, np.int64)  # the agent's own-view code (0: START)
        co_code = np.zeros(nb, np.int64)
        first = k
        for _ in range(s.rounds):
            index[k] = seat5 + code
            logits = stepper.logits(torch.from_numpy(index[k])).numpy()
            defect = 1.0 / (1.0 + np.exp(logits[:, 0] - logits[:, 1]))
            u = rng.random(rows + nb)
            a = (u[:rows] < defect).astype(np.int64)
            p_c = 1.0 / (1.0 + np.exp(-theta[learner_of, co_code]))
            c = (u[rows:] >= p_c).astype(np.int64)  # 1 = defect
            other[:nb] = c
            other[nb:] = a[partner]
            actions[k] = a
            rewards[k] = reward[2 * a + other]
            co_codes[k] = co_code
            co_defect[k] = c
            co_rewards[k] = reward[2 * c + a[:nb]]
            code = 1 + 2 * a + other
            co_code = 1 + 2 * c + a[:nb]
            k += 1
        if n:
            grad = naive_gradient(
                torch.from_numpy(theta),
                torch.from_numpy(co_codes[first:k]).view(s.rounds, n, b),
                torch.from_numpy(co_defect[first:k] == 0).view(s.rounds, n, b),
                torch.from_numpy(co_rewards[first:k]).view(s.rounds, n, b),
            )
            theta = theta + s.co_player_lr * grad.numpy()
        history.append(theta.copy())
    return MetaBatch(
        index=torch.from_numpy(index),
        actions=torch.from_numpy(actions),
        rewards=torch.from_numpy(rewards),
        co_rewards=torch.from_numpy(co_rewards),
        co_cooperated=torch.from_numpy(co_defect == 0),
        co_logits=torch.from_numpy(np.stack(history)),
    )


def discounted_to_go(rewards: torch.Tensor, discount: float) -> torch.Tensor:
    """``(K, ...)`` discounted return-to-go along the first axis."""
    out = torch.empty_like(rewards)
    running = torch.zeros_like(rewards[0])
    for k in range(len(rewards) - 1, -1, -1):
        running = rewards[k] + discount * running
        out[k] = running
    return out


def coala_returns(
    rewards: torch.Tensor, s: CoalaSettings, co_players: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """The agent's returns ``(own, coupled)``, each ``(M*T, R)``.

    ``own``: the discounted own return-to-go over the meta-trajectory; ``coupled``: for the naive
    streams, the other streams' discounted returns from the next inner episode on (zero for the
    self-play rows).

    With ``discount = 1`` their sum is :func:`coupled_weights`.
    """
    m, t, b = s.inner_episodes, s.rounds, s.streams
    nb = co_players * b
    own = discounted_to_go(rewards, s.discount)
    coupled = torch.zeros_like(rewards)
    if nb and m > 1:
        # the own stream's return from the start of each next inner episode: (M-1, N, B)
        starts = own[t::t, :nb].reshape(m - 1, co_players, b)
        others = (starts.sum(2, keepdim=True) - starts).reshape(m - 1, nb)
        # discounted back to every round of the inner episode before it
        back = s.discount ** torch.arange(t, 0, -1, dtype=rewards.dtype)  # (T,)
        coupled[: (m - 1) * t, :nb] = (back.view(1, t, 1) * others.unsqueeze(1)).reshape(-1, nb)
    return own, coupled


def learner_features(logits: torch.Tensor) -> torch.Tensor:
    """``(K, N, K + 10)`` regression features of naive learners' logits ``(K, N, 5)``.

    A one-hot of the inner episode k (an intercept per episode), then P(C | code) and its square.
    """
    k, n, _ = logits.shape
    p = torch.sigmoid(logits)
    episode = torch.eye(k, dtype=p.dtype).unsqueeze(1).expand(k, n, k)
    return torch.cat([episode, p, p * p], -1)


def ridge_fit(features: torch.Tensor, targets: torch.Tensor, penalty: float = 1e-3) -> torch.Tensor:
    """Least-squares predictions of ``targets`` (``(...,)``) from ``features`` (``(..., F)``)."""
    x = features.reshape(-1, features.shape[-1]).double()
    y = targets.reshape(-1, 1).double()
    eye = torch.eye(x.shape[1], dtype=x.dtype)
    w = torch.linalg.solve(x.T @ x + penalty * len(x) * eye, x.T @ y)
    return (x @ w).view_as(targets).to(targets.dtype)


def learner_critic_term(
    batch: MetaBatch, coupled: torch.Tensor, s: CoalaSettings, co_players: int
) -> torch.Tensor:
    r"""The coupled term estimated through the naive learners' logits, ``(M*T, N*B)``.

    For inner episode m the other streams' later returns depend on stream b's actions only
    through the learner's logits after its step, :math:`\theta_{m+1}`. A least-squares fit
    :math:`f` of the sampled term (per learner, the mean over its streams of the other streams'
    discounted returns from episode m+1 on) on features of :math:`\theta_{m+1}`
    (:func:`learner_features`) replaces the sampled returns by their predicted expectation, and a
    fit :math:`g` of the same targets on :math:`\theta_m` (known before episode m) is the
    baseline: every action of learner n's streams in episode m is weighted by
    :math:`f(\theta_{m+1}) - g(\theta_m)` (discounted back to its round), how much the learner's
    step changed what the other streams can expect. The fits are a critic: lower variance than
    the sampled returns, biased where they are wrong. Zero for the last episode.
    """
    m, t, b = s.inner_episodes, s.rounds, s.streams
    nb = co_players * b
    out = torch.zeros(m * t, nb, dtype=coupled.dtype)
    if not nb or m < 2:
        return out
    back = s.discount ** torch.arange(t, 0, -1, dtype=coupled.dtype)  # (T,)
    # the sampled term at the first round of each episode, undone of its discount back
    sampled = coupled[: (m - 1) * t : t, :nb] / back[0]  # (M-1, N*B)
    target = sampled.view(m - 1, co_players, b).mean(2)  # (M-1, N)
    logits = batch.co_logits.to(coupled.dtype)
    after = ridge_fit(learner_features(logits[1:m]), target)
    before = ridge_fit(learner_features(logits[: m - 1]), target)
    delta = (after - before).repeat_interleave(b, dim=1)  # (M-1, N*B)
    out[: (m - 1) * t] = (back.view(1, t, 1) * delta.unsqueeze(1)).reshape(-1, nb)
    return out


def coala_advantages(
    batch: MetaBatch, values: torch.Tensor, s: CoalaSettings, co_players: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(advantages, value targets)``, ``(M*T, R)``.

    The advantage is the own discounted return minus the critic's value (of the own return, from
    the agent's own history) plus, for the naive streams, the coupled term minus its mean per round
    over the naive streams; divided by its standard deviation. Value targets are the own return
    times ``1 - discount`` (a reward per round); ``values`` are on that scale.
    """
    nb = co_players * s.streams
    own, coupled = coala_returns(batch.rewards, s, co_players)
    scale = 1.0 - s.discount if s.discount < 1 else 1.0 / (s.inner_episodes * s.rounds)
    advantages = own - values.detach() / scale
    if nb and s.coupling and s.learner_critic:
        advantages[:, :nb] += learner_critic_term(batch, coupled, s, co_players)
    elif nb and s.coupling:
        extra = coupled[:, :nb]
        advantages[:, :nb] += extra - extra.mean(1, keepdim=True)
    advantages = advantages / (advantages.std() + 1e-8)
    return advantages, own * scale


def coala_loss(
    policy: ActorCritic, batch: MetaBatch, s: CoalaSettings, co_players: int
) -> tuple[torch.Tensor, dict[str, float]]:
    """The agent's loss on a batch (one ``nn.GRU`` replay of every meta-trajectory).

    The policy gradient with COALA-PG's advantages, the critic's squared error (coefficient 0.5)
    and the entropy bonus.
    """
    logits, values = policy(batch.index)
    log_probs = torch.log_softmax(logits, -1)
    taken = log_probs.gather(-1, batch.actions.unsqueeze(-1)).squeeze(-1)
    entropy = -(log_probs.exp() * log_probs).sum(-1).mean()
    advantages, targets = coala_advantages(batch, values, s, co_players)
    value_loss = (values - targets).pow(2).mean()
    loss = -(taken * advantages).mean() + 0.5 * value_loss - s.entropy * entropy
    return loss, {"entropy": float(entropy.detach()), "value_loss": float(value_loss.detach())}


def meta_metrics(batch: MetaBatch, s: CoalaSettings, co_players: int) -> dict[str, float]:
    """Mean reward per round of the agent and its co-players, first and last inner episode."""
    m, t = s.inner_episodes, s.rounds
    nb = co_players * s.streams
    rewards = batch.rewards.view(m, t, -1)
    out: dict[str, float] = {}
    if nb:
        co = batch.co_rewards.view(m, t, -1)
        co_c = batch.co_cooperated.view(m, t, -1).float()
        out.update(
            {
                "naive_reward": float(rewards[:, :, :nb].mean()),
                "naive_reward_first": float(rewards[0, :, :nb].mean()),
                "naive_reward_last": float(rewards[-1, :, :nb].mean()),
                "naive_opponent_reward": float(co.mean()),
                "naive_opponent_reward_last": float(co[-1].mean()),
                "naive_opponent_cooperation_first": float(co_c[0].mean()),
                "naive_opponent_cooperation_last": float(co_c[-1].mean()),
                "naive_cooperation": float(1 - batch.actions[:, :nb].float().mean()),
            }
        )
    if rewards.shape[-1] > nb:
        cooperated = 1 - batch.actions.view(m, t, -1)[:, :, nb:].float()
        out.update(
            {
                "self_reward": float(rewards[:, :, nb:].mean()),
                "self_reward_first": float(rewards[0, :, nb:].mean()),
                "self_reward_last": float(rewards[-1, :, nb:].mean()),
                "self_cooperation": float(cooperated.mean()),
                "self_cooperation_last": float(cooperated[-1].mean()),
            }
        )
    return out


def coala_learn(
    policy: ActorCritic,
    optimizer: torch.optim.Optimizer,
    batch: MetaBatch,
    s: CoalaSettings,
    clip: float = 1.0,
) -> dict[str, float]:
    """One COALA-PG step on a played meta-batch (``s.co_players`` naive learners' streams first).

    Returns:
        Training metrics (:func:`meta_metrics`, the entropy and the gradient norm).
    """
    loss, info = coala_loss(policy, batch, s, s.co_players)
    optimizer.zero_grad()
    loss.backward()
    norm = nn.utils.clip_grad_norm_(policy.parameters(), clip)
    optimizer.step()
    return {**meta_metrics(batch, s, s.co_players), **info, "grad_norm": float(norm)}


def coala_update(
    policy: ActorCritic,
    optimizer: torch.optim.Optimizer,
    s: CoalaSettings,
    rng: np.random.Generator,
    clip: float = 1.0,
) -> dict[str, float]:
    """One on-policy COALA-PG update: a mixed meta-batch (:func:`play_meta`), then its step."""
    return coala_learn(policy, optimizer, play_meta(policy, s, rng), s, clip)
