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

from baselines.play import CoPlayerSlots, PolicySlots, play, reset_co_players
from baselines.policies import ActorCritic
from co_players import make_co_player
from co_players.analysis import best_response
from co_players.memory_one import MemoryOne
from coop_envs.core import CO_PLAYER_ID_DIM, COOPERATE, CoPlayer, MatrixGame

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


def co_player_ids(co_player: CoPlayer, batch_size: int) -> torch.Tensor:
    """``(B, 10)`` ID vectors of a freshly reset co-player batch (zeros if it has none)."""
    identity = getattr(co_player, "identity", None)
    if identity is None:
        return torch.zeros(batch_size, CO_PLAYER_ID_DIM)
    return torch.from_numpy(np.asarray(identity(), dtype=np.float32))


def _result(
    core, seat_games: np.ndarray, table: np.ndarray | None, game: MatrixGame
) -> MatchResult:
    history = core.history[seat_games]  # (B, T, 2): policy in seat 0
    rounds = history.shape[1]
    joint = history[..., 0].astype(np.int64) * 2 + history[..., 1]
    payoffs = game.payoffs.reshape(4, 2)[joint]  # (B, T, 2)
    mine = history[..., 0] == COOPERATE
    best = regret = None
    reward = float(payoffs[..., 0].mean())
    if table is not None:
        values = best_response(np.atleast_2d(table), game, rounds).value
        best = float(values.mean())
        regret = best - reward
    return MatchResult(
        reward=reward,
        opponent_reward=float(payoffs[..., 1].mean()),
        cooperation=float(mine.mean()),
        cooperation_late=float(mine[:, rounds // 2 :].mean()),
        opponent_cooperation=float((history[..., 1] == COOPERATE).mean()),
        reward_curve=payoffs[..., 0].mean(axis=0).round(4).tolist(),
        cooperation_curve=mine.mean(axis=0).round(4).tolist(),
        best_response=best,
        regret=regret,
        episodes=len(seat_games),
    )


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
    rng = np.random.default_rng(seed)
    games = np.arange(episodes)
    seat0, seat1 = np.zeros(episodes, dtype=np.int64), np.ones(episodes, dtype=np.int64)
    if isinstance(opponent, str):
        opponent = make_co_player(opponent)
    with torch.no_grad():
        if isinstance(opponent, ActorCritic):
            zeros = torch.zeros(episodes, CO_PLAYER_ID_DIM)
            ids_mine = zeros if policy.config.co_player_id else None
            ids_theirs = zeros if opponent.config.co_player_id else None
            slots = [
                PolicySlots(policy, games, seat0, ids_mine, greedy=greedy),
                PolicySlots(opponent, games, seat1, ids_theirs),
            ]
            core = play(game, episodes, num_rounds, slots, [], rng)
            return _result(core, games, None, game)
        co_players = [CoPlayerSlots(opponent, games)]
        reset_co_players(game, co_players, rng)
        ids = co_player_ids(opponent, episodes) if policy.config.co_player_id else None
        slots = [PolicySlots(policy, games, seat0, ids, greedy=greedy)]
        core = play(game, episodes, num_rounds, slots, co_players, rng)
    table = opponent.table if isinstance(opponent, MemoryOne) else None
    return _result(core, games, table, game)


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


def evaluate_players(
    player: CoPlayer,
    opponents: dict[str, CoPlayer],
    game: MatrixGame,
    episodes: int = 512,
    num_rounds: int = 100,
    seed: int = 0,
) -> dict[str, MatchResult]:
    """Evaluate a co-player-protocol ``player`` (seat 0) against each opponent (seat 1).

    The player acts on observation codes, like a PPI learner. A player with an ``id_source``
    attribute (the opponent-ID ablation) is pointed at each opponent before the games start;
    opponents are reset first, so their IDs are fresh.

    Returns:
        ``{opponent name: MatchResult}`` (with the in-context regret for memory-one opponents).
    """
    results = {}
    games = np.arange(episodes)
    for k, (name, opponent) in enumerate(opponents.items()):
        rng = np.random.default_rng(seed + k)
        if hasattr(player, "id_source"):
            player.id_source = opponent
        slots = [CoPlayerSlots(opponent, games, seat=1), CoPlayerSlots(player, games, seat=0)]
        reset_co_players(game, slots, rng)
        with torch.no_grad():
            core = play(game, episodes, num_rounds, [], slots, rng)
        table = opponent.table if isinstance(opponent, MemoryOne) else None
        results[name] = _result(core, games, table, game)
    return results


def results_to_dict(results: dict[str, MatchResult]) -> dict[str, Any]:
    """JSON-friendly form."""
    return {name: asdict(result) for name, result in results.items()}
