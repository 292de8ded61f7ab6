r"""Exact values of two memory-one policies in a 2x2 game, and exact learning rules on them.

A memory-one policy is 5 logits :math:`\theta` (``[start, CC, CD, DC, DD]``, own move first):
:math:`P(C \mid o) = \sigma(\theta_o)`. Two of them make the previous joint action a Markov chain
(:mod:`co_players.analysis`), so each player's return is a closed form in the logits, written here
in torch so that it can be differentiated to any order:

.. math::
    V_i(\theta_0, \theta_1) = \sum_{t=0}^{T-1} \gamma^t\, s_0 M^t r_i
    \quad (T = \infty:\; s_0 (I - \gamma M)^{-1} r_i),

with :math:`s_0` the first round's joint-action distribution, :math:`M` the transition matrix over
CC, CD, DC, DD (player 0's side) and :math:`r_i` player i's payoffs. This is the *total*
discounted return (the objective of Foerster et al. 2018, whose learning rate 1 refers to it);
:func:`per_round` turns it into the mean per round that :func:`co_players.analysis.
discounted_payoffs` and the leaderboard report.

Learning rules (each returns the ascent direction of both players at once):

- :func:`naive_gradients`: :math:`\nabla_{\theta_i} V_i` (a naive learner, "NL");
- :func:`lola_gradients`: LOLA (Foerster et al. 2018, eq. 4.2, exact version):
  :math:`\nabla_{\theta_i} V_i + \eta\,(\nabla_{\theta_i}\nabla_{\theta_j} V_j)^\top
  \nabla_{\theta_j} V_i`, the shaping term of a first-order look-ahead of the co-player's naive
  step :math:`\Delta\theta_j = \eta \nabla_{\theta_j} V_j`;
- :func:`lookahead_gradients`: the gradient of the looked-ahead objective itself,
  :math:`\nabla_{\theta_i} V_i(\theta_i, \theta_j + \eta \nabla_{\theta_j} V_j)` (LOLA-DiCE's
  exact counterpart: differentiate through the co-player's step).

Payoff scales: ours are (R, S, T, P) = (1, -1, 2, 0) (Weis et al. 2026); LOLA, pax and M-FOS use
(-1, -3, 0, -2), ours minus 2. A constant shift changes neither gradient (the occupancies sum to
:math:`\sum_t \gamma^t` whatever the logits), so the dynamics are the same; values per round
differ by exactly 2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import torch

from coop_envs.core import MAX_NUM_ROUNDS, MatrixGame, check_float, check_positive_int, get_game

Rule = Literal["naive", "lola", "lookahead"]
RULES: tuple[str, ...] = ("naive", "lola", "lookahead")
"""The learning rules a learner may follow."""

ValueFn = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]

# Player 0's joint state k (0..3 = CC, CD, DC, DD) is player 1's state _SWAP[k].
_SWAP = [0, 2, 1, 3]


def _joint(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``(..., 4)`` probabilities of CC, CD, DC, DD given P(C) of player 0 and of player 1."""
    return torch.stack([a * b, a * (1 - b), (1 - a) * b, (1 - a) * (1 - b)], dim=-1)


def check_logits(theta: torch.Tensor, name: str) -> torch.Tensor:
    """Check that ``theta`` is a float tensor of shape ``(..., 5)`` with finite entries.

    Raises:
        TypeError: If it is not a floating-point tensor.
        ValueError: If its last axis is not 5 long or an entry is not finite.
    """
    if not isinstance(theta, torch.Tensor) or not theta.is_floating_point():
        got = f"a {theta.dtype} tensor" if isinstance(theta, torch.Tensor) else type(theta).__name__
        raise TypeError(
            f"{name} must be a floating-point torch tensor of shape (..., 5); got {got}"
        )
    if theta.ndim == 0 or theta.shape[-1] != 5:
        raise ValueError(
            f"{name} must have shape (..., 5) (logits of P(C)); got {tuple(theta.shape)}"
        )
    if not torch.isfinite(theta).all():
        raise ValueError(f"{name} must be finite; got {theta.detach().tolist()}")
    return theta


def check_horizon(discount: float, horizon: int | None) -> tuple[float, int | None]:
    """Validate a discount and horizon pair.

    Raises:
        ValueError: For a discount outside [0, 1) with an infinite horizon (outside [0, 1] with a
            finite one), or a horizon that is not a positive int up to the core's maximum.
    """
    discount = check_float(discount, "discount")
    if horizon is None:
        if not 0 <= discount < 1:
            raise ValueError(
                f"discount must be in [0, 1) for an infinite horizon; got {discount!r}"
            )
        return discount, None
    horizon = check_positive_int(horizon, "horizon", MAX_NUM_ROUNDS)
    if not 0 <= discount <= 1:
        raise ValueError(f"discount must be in [0, 1]; got {discount!r}")
    return discount, horizon


def chain(theta0: torch.Tensor, theta1: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The Markov chain of two memory-one policies (each from its own side).

    Args:
        theta0: ``(..., 5)`` logits of player 0.
        theta1: ``(..., 5)`` logits of player 1 (broadcast against ``theta0``).

    Returns:
        ``(initial (..., 4), transition (..., 4, 4))`` over CC, CD, DC, DD (player 0's side).
    """
    p, q = torch.sigmoid(theta0), torch.sigmoid(theta1)
    initial = _joint(p[..., 0], q[..., 0])
    transition = _joint(p[..., 1:], q[..., 1:][..., _SWAP])
    return initial, transition


def values(
    theta0: torch.Tensor,
    theta1: torch.Tensor,
    game: MatrixGame | str = "prisoners_dilemma",
    discount: float = 0.96,
    horizon: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Total discounted returns :math:`\sum_{t<T} \gamma^t r_{i,t}` of both players, exactly.

    Args:
        theta0: ``(..., 5)`` logits of player 0 (float64 recommended).
        theta1: ``(..., 5)`` logits of player 1 (its own side).
        game: The game, from player 0's side.
        discount: :math:`\gamma`, in [0, 1) (in [0, 1] with a finite horizon).
        horizon: T rounds, or None for the infinitely repeated game.

    Returns:
        ``(V0, V1)``, each of the broadcast batch shape ``(...)``.

    Example:
        >>> import torch
        >>> tft = torch.tensor([9.0, 9.0, -9.0, 9.0, -9.0], dtype=torch.float64)
        >>> v0, v1 = values(tft, -tft.abs(), horizon=4, discount=1.0)  # TFT vs always defect
        >>> round(float(v0), 3), round(float(v1), 3)
        (-1.0, 2.001)
    """
    check_logits(theta0, "theta0")
    check_logits(theta1, "theta1")
    discount, horizon = check_horizon(discount, horizon)
    initial, transition = chain(theta0, theta1)
    rewards = torch.tensor(
        get_game(game).payoffs.reshape(4, 2), dtype=initial.dtype, device=initial.device
    )
    if horizon is None:
        eye = torch.eye(4, dtype=initial.dtype, device=initial.device)
        # occupancy (I - gamma M) = initial  <=>  (I - gamma M)^T occupancy^T = initial^T
        system = (eye - discount * transition).transpose(-1, -2)
        occupancy = torch.linalg.solve(system, initial.unsqueeze(-1)).squeeze(-1)
    else:
        state, occupancy, weight = initial, torch.zeros_like(initial), 1.0
        for _ in range(horizon):
            occupancy = occupancy + weight * state
            state = (state.unsqueeze(-2) @ transition).squeeze(-2)
            weight *= discount
    total = occupancy @ rewards
    return total[..., 0], total[..., 1]


def per_round(discount: float, horizon: int | None) -> float:
    r"""The factor that turns a total discounted return into a mean per round.

    :math:`1 / \sum_{t<T} \gamma^t`: :math:`1 - \gamma` for an infinite horizon, ``1 / T`` for an
    undiscounted finite one.
    """
    discount, horizon = check_horizon(discount, horizon)
    if horizon is None:
        return 1.0 - discount
    return 1.0 / sum(discount**t for t in range(horizon))


def value_function(
    game: MatrixGame | str = "prisoners_dilemma", discount: float = 0.96, horizon: int | None = None
) -> ValueFn:
    """:func:`values` with the game and horizon fixed (checked once)."""
    game = get_game(game)
    check_horizon(discount, horizon)

    def fn(theta0: torch.Tensor, theta1: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return values(theta0, theta1, game, discount, horizon)

    return fn


def _grad(output: torch.Tensor, wrt: torch.Tensor, create_graph: bool) -> torch.Tensor:
    # Batch rows are independent games, so the gradient of the sum is every row's gradient.
    return torch.autograd.grad(output.sum(), wrt, retain_graph=True, create_graph=create_graph)[0]


def _leaves(*thetas: torch.Tensor) -> list[torch.Tensor]:
    return [t.detach().clone().requires_grad_(True) for t in thetas]


@torch.enable_grad()
def naive_gradients(
    theta0: torch.Tensor, theta1: torch.Tensor, fn: ValueFn
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Each player's own gradient :math:`\nabla_{\theta_i} V_i` (the naive learner's step).

    Returns:
        ``(g0, g1)``, detached, shaped like the inputs.
    """
    t0, t1 = _leaves(theta0, theta1)
    v0, v1 = fn(t0, t1)
    return _grad(v0, t0, False), _grad(v1, t1, False)


def _lola(
    mine: torch.Tensor, other: torch.Tensor, v_mine: torch.Tensor, v_other: torch.Tensor, eta: float
) -> torch.Tensor:
    own = _grad(v_mine, mine, True)
    mine_through_other = _grad(v_mine, other, True).detach()  # nabla_other V_mine, held fixed
    other_step = _grad(v_other, other, True)  # nabla_other V_other, a function of mine
    shaping = _grad((other_step * mine_through_other).sum(-1), mine, True)
    return (own + eta * shaping).detach()


@torch.enable_grad()
def lola_gradients(
    theta0: torch.Tensor, theta1: torch.Tensor, fn: ValueFn, eta: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""LOLA's update direction for both players (Foerster et al. 2018, exact values).

    :math:`g_i = \nabla_{\theta_i} V_i + \eta\,(\nabla_{\theta_i} \nabla_{\theta_j} V_j)^\top
    \nabla_{\theta_j} V_i`: the gradient of :math:`V_i + \Delta\theta_j^\top \nabla_{\theta_j}
    V_i` (the first-order look-ahead of the co-player's naive step
    :math:`\Delta\theta_j = \eta \nabla_{\theta_j} V_j`) with the term through
    :math:`\nabla_{\theta_j} V_i` dropped, as in the paper.

    Args:
        theta0: ``(..., 5)`` logits of player 0.
        theta1: ``(..., 5)`` logits of player 1.
        fn: The value function (:func:`value_function`).
        eta: The co-player's learning rate LOLA assumes.

    Returns:
        ``(g0, g1)``, detached.
    """
    t0, t1 = _leaves(theta0, theta1)
    v0, v1 = fn(t0, t1)
    return _lola(t0, t1, v0, v1, eta), _lola(t1, t0, v1, v0, eta)


@torch.enable_grad()
def lookahead_gradients(
    theta0: torch.Tensor, theta1: torch.Tensor, fn: ValueFn, eta: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The gradient of the looked-ahead objective of each player.

    :math:`g_0 = \nabla_{\theta_0} V_0(\theta_0, \theta_1 + \eta \nabla_{\theta_1}
    V_1(\theta_0, \theta_1))`, differentiating through the co-player's naive step (and likewise
    for player 1). To first order in :math:`\eta` it is :func:`lola_gradients` plus the term
    LOLA drops, :math:`\eta\,(\nabla_{\theta_i}\nabla_{\theta_j} V_i)\,\nabla_{\theta_j} V_j`.

    Returns:
        ``(g0, g1)``, detached.
    """
    t0, t1 = _leaves(theta0, theta1)
    v0, v1 = fn(t0, t1)
    t1_next = t1 + eta * _grad(v1, t1, True)
    t0_next = t0 + eta * _grad(v0, t0, True)
    g0 = _grad(fn(t0, t1_next)[0], t0, False)
    g1 = _grad(fn(t0_next, t1)[1], t1, False)
    return g0, g1


def rule_gradients(
    rules: tuple[str, str], theta0: torch.Tensor, theta1: torch.Tensor, fn: ValueFn, eta: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each player's update direction under its own rule (``naive``, ``lola``, ``lookahead``).

    Raises:
        ValueError: For an unknown rule.
    """
    for rule in rules:
        if rule not in RULES:
            raise ValueError(f"unknown learning rule {rule!r}; known: {', '.join(RULES)}")
    if rules[0] == rules[1]:
        return _RULE_FNS[rules[0]](theta0, theta1, fn, eta)
    out = []
    for i, rule in enumerate(rules):
        out.append(_RULE_FNS[rule](theta0, theta1, fn, eta)[i])
    return out[0], out[1]


_RULE_FNS = {
    "naive": lambda t0, t1, fn, eta: naive_gradients(t0, t1, fn),
    "lola": lola_gradients,
    "lookahead": lookahead_gradients,
}
