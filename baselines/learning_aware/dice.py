r"""LOLA-DiCE on sampled games: the DiCE estimator over episodes played by the batched core.

Two memory-one policies (5 logits each, :mod:`.exact`) play ``batch`` episodes of ``rounds``
rounds through the project's one play loop (:func:`coop_envs.core.play` with
:class:`co_players.memory_one.MemoryOne` in both seats); the log-probabilities of the moves
actually made are recomputed in torch from the logits and the observation codes the core
recorded. The DiCE objective (Foerster et al. 2018b, "DiCE: the infinitely differentiable Monte
Carlo estimator") of player i is

.. math::
    \mathcal{L}_i = \frac{1}{B}\sum_b \sum_{t<T} \gamma^t \,
    \square\Big(\sum_{k \le t} \log\pi_0(a^0_k) + \log\pi_1(a^1_k)\Big)\, r_{i,t},
    \qquad \square(x) = e^{x - \bot(x)},

whose value is the sampled return and whose derivatives of every order are unbiased estimates of
those of the exact return :math:`V_i` (:func:`.exact.values` with ``horizon = T``). With
``baseline``, the first-order variance reduction of Mao et al. (2019) adds
:math:`\sum_t (1 - \square(\log\pi_0(a^0_t) + \log\pi_1(a^1_t)))\, \gamma^t b_{i,t}`, where
:math:`b_{i,t}` is the batch mean of the discounted reward-to-go (zero in value, unchanged in
expectation to first order).

A LOLA-DiCE step of player i (Foerster et al. 2018b, §5): sample episodes, take the co-player's
DiCE policy-gradient step :math:`\theta_j' = \theta_j + \eta \nabla_{\theta_j} \mathcal{L}_j`
(differentiably), sample new episodes against :math:`\theta_j'` and ascend
:math:`\nabla_{\theta_i} \mathcal{L}_i(\theta_i, \theta_j')`, differentiating through the
co-player's step. A naive DiCE learner skips the look-ahead (plain REINFORCE).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional

from baselines.learning_aware.exact import check_logits
from co_players.memory_one import MemoryOne
from coop_envs.core import DEFECT, MatrixGame, Seat, play


@dataclass(frozen=True)
class Episodes:
    """Sampled episodes of two memory-one policies, as tensors.

    Attributes:
        codes: ``(B, T, 2) int64`` the observation code each player acted on (own side).
        defected: ``(B, T, 2) float64`` 1 where the player defected.
        rewards: ``(B, T, 2) float64`` each player's reward.
    """

    codes: torch.Tensor
    defected: torch.Tensor
    rewards: torch.Tensor


def sample(
    theta0: torch.Tensor,
    theta1: torch.Tensor,
    game: MatrixGame | str,
    batch: int,
    rounds: int,
    rng: np.random.Generator,
) -> Episodes:
    """Play ``batch`` episodes of ``rounds`` rounds between two memory-one policies.

    Args:
        theta0: ``(5,)`` logits of player 0 (seat 0).
        theta1: ``(5,)`` logits of player 1 (seat 1, its own side).
        game: The game, from player 0's side.
        batch: Episodes played at once.
        rounds: Rounds per episode.
        rng: The generator of every move.

    Returns:
        The :class:`Episodes`.
    """
    check_logits(theta0, "theta0")
    check_logits(theta1, "theta1")
    games = np.arange(batch)
    seats = [
        Seat(MemoryOne(torch.sigmoid(theta0).detach().double().numpy(), "player_0"), games, 0),
        Seat(MemoryOne(torch.sigmoid(theta1).detach().double().numpy(), "player_1"), games, 1),
    ]
    core = play(game, batch, rounds, seats, rng, validate=False)
    return Episodes(
        codes=torch.from_numpy(core.code_history.copy()),
        defected=torch.from_numpy((core.history == DEFECT).astype(np.float64)),
        rewards=torch.from_numpy(core.rewards.astype(np.float64)),
    )


def log_probs(theta: torch.Tensor, codes: torch.Tensor, defected: torch.Tensor) -> torch.Tensor:
    r"""``(B, T)`` log-probability of each move: :math:`\log\sigma(\pm\theta_o)`."""
    logits = theta[codes]
    return functional.logsigmoid(logits * (1.0 - 2.0 * defected))


def magic_box(x: torch.Tensor) -> torch.Tensor:
    r"""DiCE's :math:`\square(x) = e^{x - \bot(x)}`: 1 in value, :math:`\nabla x` in derivative."""
    return torch.exp(x - x.detach())


def dice_objective(
    theta0: torch.Tensor,
    theta1: torch.Tensor,
    episodes: Episodes,
    player: int,
    discount: float,
    baseline: bool = False,
) -> torch.Tensor:
    """Player ``player``'s DiCE objective on ``episodes`` (a scalar; its value is the return).

    Args:
        theta0: Player 0's logits (differentiable or not).
        theta1: Player 1's logits.
        episodes: Episodes these policies played.
        player: Whose reward (0 or 1).
        discount: Discount per round.
        baseline: Add the batch-mean baseline term (Mao et al. 2019).

    Returns:
        The mean over episodes of the magic-boxed discounted return.
    """
    if player not in (0, 1):
        raise ValueError(f"player must be 0 or 1; got {player!r}")
    logp = log_probs(theta0, episodes.codes[..., 0], episodes.defected[..., 0]) + log_probs(
        theta1, episodes.codes[..., 1], episodes.defected[..., 1]
    )  # (B, T)
    rounds = logp.shape[1]
    weights = discount ** torch.arange(rounds, dtype=logp.dtype)
    rewards = episodes.rewards[..., player] * weights
    objective = (magic_box(torch.cumsum(logp, dim=1)) * rewards).sum(1).mean()
    if baseline:
        to_go = rewards.flip(1).cumsum(1).flip(1)  # discounted reward-to-go, weighted from t=0
        b = to_go.mean(0)  # (T,)
        objective = objective + ((1 - magic_box(logp)) * b).sum(1).mean()
    return objective


@dataclass(frozen=True)
class DiceSettings:
    """How one LOLA-DiCE update samples and steps (see :class:`~.config.DiceConfig`)."""

    game: MatrixGame
    rounds: int
    batch: int
    discount: float
    inner_lr: float
    baseline: bool


def dice_gradient(
    mine: int,
    theta: tuple[torch.Tensor, torch.Tensor],
    settings: DiceSettings,
    rng: np.random.Generator,
    lookahead: bool,
) -> torch.Tensor:
    """Player ``mine``'s ascent direction: LOLA-DiCE (``lookahead``) or naive DiCE.

    Args:
        mine: The updating player (0 or 1).
        theta: Both players' current logits.
        settings: Sampling and step sizes.
        rng: The generator of every move.
        lookahead: Differentiate through the co-player's anticipated DiCE step.

    Returns:
        ``(5,)``, detached.
    """
    s = settings
    other = 1 - mine
    leaves = [t.detach().clone().requires_grad_(True) for t in theta]
    if lookahead:
        inner = sample(leaves[0], leaves[1], s.game, s.batch, s.rounds, rng)
        objective = dice_objective(*leaves, inner, other, s.discount, s.baseline)
        step = torch.autograd.grad(objective, leaves[other], create_graph=True)[0]
        ahead = list(leaves)
        ahead[other] = leaves[other] + s.inner_lr * step
    else:
        ahead = leaves
    outer = sample(ahead[0], ahead[1], s.game, s.batch, s.rounds, rng)
    objective = dice_objective(ahead[0], ahead[1], outer, mine, s.discount, s.baseline)
    return torch.autograd.grad(objective, leaves[mine])[0].detach()
