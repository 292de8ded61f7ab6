"""Evaluation of policies: reward, cooperation, within-episode curves and in-context regret.

A policy plays seat 0 against each opponent (seat 1) for ``episodes`` games at once. For
memory-one opponents the exact best response is known (:mod:`co_players.analysis`), so the
*in-context regret* — what the best response to each game's co-player would have earned, minus
what the policy earned, per round — is reported too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from baselines.players import PolicyPlayer, co_player_ids
from baselines.policies import ActorCritic
from co_players import make_co_player
from co_players.analysis import best_response
from co_players.memory_one import MemoryOne
from coop_envs.core import CoPlayer, IteratedGame, MatrixGame, Seat, outcome, play

REFERENCE_CO_PLAYERS = (
    "always_cooperate",
    "always_defect",
    "tit_for_tat",
    "random_tabular_held_out",
)
"""The co-players every evaluation uses: the paper's in-context probes and held-out tabular."""


@dataclass(frozen=True)
class MatchResult:
    """What a policy did against one opponent, averaged over episodes (per round)."""

    reward: float
    """The policy's mean reward per round."""
    opponent_reward: float
    """The opponent's mean reward per round."""
    cooperation: float
    """The policy's cooperation rate."""
    cooperation_late: float
    """The policy's cooperation rate in the second half of the episode (rounds 51-100)."""
    opponent_cooperation: float
    """The opponent's cooperation rate."""
    reward_curve: list[float]
    """The policy's mean reward in each round."""
    cooperation_curve: list[float]
    """The policy's cooperation rate in each round."""
    best_response: float | None
    """Mean exact best-response value per round (memory-one opponents only)."""
    regret: float | None
    """``best_response - reward`` (memory-one opponents only)."""
    episodes: int
    """Episodes played."""

    def summary(self) -> dict[str, float]:
        """The scalar fields (for logs)."""
        return {k: v for k, v in asdict(self).items() if not isinstance(v, list) and v is not None}


def match_result(
    core: IteratedGame, games: np.ndarray, opponent: CoPlayer | None = None, seat: int = 0
) -> MatchResult:
    """What the player in ``seat`` of ``games`` did (with the regret for memory-one opponents)."""
    o = outcome(core, games, seat)
    rewards = o.rewards.astype(np.float64)
    rounds = rewards.shape[1]
    reward = float(rewards.mean())
    best = regret = None
    if isinstance(opponent, MemoryOne):
        game = core.game if seat == 0 else core.game.swapped()
        values = best_response(np.atleast_2d(opponent.table), game, rounds).value
        best = float(values.mean())
        regret = best - reward
    return MatchResult(
        reward=reward,
        opponent_reward=float(o.opponent_rewards.astype(np.float64).mean()),
        cooperation=float(o.cooperated.mean()),
        cooperation_late=float(o.cooperated[:, rounds // 2 :].mean()),
        opponent_cooperation=float(o.opponent_cooperated.mean()),
        reward_curve=rewards.mean(axis=0).round(4).tolist(),
        cooperation_curve=o.cooperation_curve.round(4).tolist(),
        best_response=best,
        regret=regret,
        episodes=len(games),
    )


def evaluate_players(
    player: CoPlayer,
    opponents: dict[str, CoPlayer],
    game: MatrixGame,
    episodes: int = 512,
    num_rounds: int = 100,
    seed: int = 0,
) -> dict[str, MatchResult]:
    """Play ``player`` (seat 0) against each opponent (seat 1) for ``episodes`` games each.

    Each opponent's games have their own generator, ``seed + k`` for the k-th opponent; the
    opponent is reset first, so a player that reads its co-player's ID at its first move (the
    opponent-ID ablation) finds it.

    Returns:
        ``{opponent name: MatchResult}`` (with the in-context regret for memory-one opponents).
    """
    results = {}
    games = np.arange(episodes)
    for k, (name, opponent) in enumerate(opponents.items()):
        if hasattr(player, "id_source"):
            player.id_source = opponent
        seats = [Seat(opponent, games, 1), Seat(player, games, 0)]
        with torch.no_grad():
            core = play(game, episodes, num_rounds, seats, np.random.default_rng(seed + k), False)
        results[name] = match_result(core, games, opponent)
    return results


def evaluate_against(
    policy: ActorCritic,
    opponent: CoPlayer | ActorCritic | str,
    game: MatrixGame,
    episodes: int = 512,
    num_rounds: int = 100,
    seed: int = 0,
    greedy: bool = False,
) -> MatchResult:
    """Play ``policy`` (seat 0) against ``opponent`` (seat 1) for ``episodes`` games.

    Args:
        policy: The evaluated network.
        opponent: A co-player (object or registry id) or another policy network.
        game: The game.
        episodes: Games played at once.
        num_rounds: Rounds per game.
        seed: Seeds the co-players and the action sampling.
        greedy: Play the policy's most likely action instead of sampling.

    Returns:
        The :class:`MatchResult`.
    """
    if isinstance(opponent, str):
        opponent = make_co_player(opponent)
    if isinstance(opponent, ActorCritic):
        opponent = PolicyPlayer(opponent)
    games = np.arange(episodes)
    ids = None
    if policy.config.co_player_id and not isinstance(opponent, PolicyPlayer):
        ids = lambda: co_player_ids(opponent, episodes)  # noqa: E731  (read once it is reset)
    seats = [Seat(PolicyPlayer(policy, ids, greedy), games, 0), Seat(opponent, games, 1)]
    with torch.no_grad():
        core = play(game, episodes, num_rounds, seats, np.random.default_rng(seed), False)
    return match_result(core, games, opponent)


def evaluate(
    policy: ActorCritic,
    game: MatrixGame,
    episodes: int = 512,
    num_rounds: int = 100,
    seed: int = 0,
    co_players: tuple[str, ...] = REFERENCE_CO_PLAYERS,
    others: dict[str, ActorCritic] | None = None,
) -> dict[str, MatchResult]:
    """Evaluate ``policy`` against the reference co-players and any other policies.

    Returns:
        ``{opponent name: MatchResult}``.
    """
    results = {}
    for k, name in enumerate(co_players):
        results[name] = evaluate_against(policy, name, game, episodes, num_rounds, seed + k)
    for k, (name, other) in enumerate((others or {}).items()):
        results[name] = evaluate_against(policy, other, game, episodes, num_rounds, seed + 1000 + k)
    return results


def results_to_dict(results: dict[str, MatchResult]) -> dict[str, Any]:
    """JSON-friendly form."""
    return {name: asdict(result) for name, result in results.items()}
