r"""The evaluation suite, version 2: scenarios, their normalisation, and the headline score.

Organised Melting Pot-style: a *scenario* is (game, co-player, groups, tags). The co-players are
the held-out split of :mod:`co_players` (never used by a training preset) plus classic references;
the submission never learns who its co-player is.

Each scenario feeds one or more groups, each with its normalised score (fixed since suite v1:
changing them makes a new version, and rankings never mix versions):

==============  =====================================================================  =========
group           normalised score of one scenario (its metric name)                     aggregate
==============  =====================================================================  =========
cooperation     ``welfare`` :math:`((r + r_o) / 2 - P) / (R - P)`: 0 = mutual             mean
                defection, 1 = mutual cooperation; in self-play (two copies of the
                submission, three games), with reciprocators, and (v2) with a held-out
                population of frozen in-context learners (cross-play with strangers)
adaptivity      ``adaptivity`` :math:`(r - r_{rand}) / (r_{BR} - r_{rand})`: 0 = the       mean
                uniformly random policy, 1 = the exact best response; against every
                named co-player whose range is not degenerate (:math:`r_{BR} - r_{rand}
                \geq 0.1`) and held-out random tabular co-players (best response per game)
exploitability  ``exploitability`` :math:`\max(0, r_X - r) / (T - S)`: the exploiter's     max
                gain over the submission as a share of the largest possible gap
==============  =====================================================================  =========

Headline score: :math:`(C + A) / 2 - E`; the Pareto view plots cooperation :math:`C` against
exploitability :math:`E`. So always-defect, the best response to every exploitable co-player,
still scores low: it forgoes cooperation with reciprocators (low :math:`C`, and low
:math:`A` against them); unconditional cooperation is exploitable (high :math:`E`).

The reference values :math:`r_{rand}` and :math:`r_{BR}` are exact (dynamic programming over
rounds x co-player states, :func:`finite_state_values`).

Version history:

- v2: adds ``pd/held_out_learners`` (cooperation only): the submission against a held-out
  population of frozen GRU in-context learners (:mod:`leaderboard.held_out`; the episodes split
  evenly over the learners, each learner weighted equally). Normalisation and headline unchanged.
- v1: the first suite (:data:`SCENARIOS_V1`). Its runs stay stored and are shown apart, never
  ranked with v2's (:data:`MATRIX_SCENARIOS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from co_players import make_co_player
from co_players.finite_state import FiniteStateMachine, Schedule
from co_players.memory_one import MemoryOne
from coop_envs.core import COOPERATE, DEFECT, NUM_OBSERVATIONS, START, MatrixGame, get_game

SUITE_VERSION = "2"
ROUNDS = 100
GROUPS = ("cooperation", "adaptivity", "exploitability")
METRIC_OF_GROUP = {
    "cooperation": "welfare",
    "adaptivity": "adaptivity",
    "exploitability": "exploitability",
}
"""The per-scenario metric each group aggregates."""
MIN_RANGE = 0.1
"""Adaptivity is only scored where best response and random policy differ by this much."""
HELD_OUT_LEARNERS = "held_out_learners"
"""The opponent of the cross-play scenario: the held-out population of in-context learners
(:mod:`leaderboard.held_out`), each learner playing its own block of the scenario's games."""


@dataclass(frozen=True)
class Scenario:
    """One (game, co-player) pairing of the suite."""

    name: str
    """Unique id, ``<game>/<co-player>``."""
    game: str
    """Game name."""
    opponent: str
    """Co-player registry id; ``self`` (a second copy of the submission); ``best_response`` (the
    exact best response, memory-one submissions only); ``trained_exploiter``;
    ``held_out_learners`` (:data:`HELD_OUT_LEARNERS`)."""
    groups: tuple[str, ...]
    """The :data:`GROUPS` it feeds."""
    tags: tuple[str, ...]
    """Melting Pot-style tags (reciprocity, exploitation, defense, forgiveness, teaching, ...)."""


def _s(name: str, opponent: str, groups: str, *tags: str, game: str = "prisoners_dilemma"):
    short = {"prisoners_dilemma": "pd", "stag_hunt": "stag_hunt", "chicken": "chicken"}[game]
    return Scenario(f"{short}/{name}", game, opponent, tuple(groups.split("+")), tags)


SCENARIOS_V1: tuple[Scenario, ...] = (
    _s("self_play", "self", "cooperation", "cooperation", "self_play"),
    _s("self_play", "self", "cooperation", "cooperation", "self_play", game="stag_hunt"),
    _s("self_play", "self", "cooperation", "cooperation", "self_play", game="chicken"),
    _s("tit_for_tat", "tit_for_tat", "cooperation+adaptivity", "reciprocity"),
    _s("win_stay_lose_shift", "win_stay_lose_shift", "cooperation+adaptivity", "reciprocity"),
    _s("generous_tit_for_tat", "generous_tit_for_tat", "cooperation", "reciprocity", "forgiveness"),
    _s("grim_trigger", "grim_trigger", "cooperation+adaptivity", "reciprocity"),
    _s("grim_trigger_2", "grim_trigger_2", "cooperation+adaptivity", "reciprocity", "forgiveness"),
    _s(
        "tit_for_tat_tremble",
        "tit_for_tat_tremble",
        "cooperation+adaptivity",
        "reciprocity",
        "forgiveness",
    ),
    _s(
        "tit_for_two_tats",
        "tit_for_two_tats",
        "cooperation+adaptivity",
        "exploitation",
        "forgiveness",
    ),
    _s("corrigible", "corrigible", "cooperation+adaptivity", "teaching"),
    _s("always_cooperate", "always_cooperate", "adaptivity", "exploitation"),
    _s("always_defect", "always_defect", "adaptivity", "defense"),
    _s("cooperate_then_defect", "cooperate_then_defect", "adaptivity", "defense"),
    _s("random_tabular", "random_tabular_held_out", "adaptivity", "adaptivity"),
    _s("exploiter_always_defect", "always_defect", "exploitability", "defense"),
    _s("exploiter_zd_extort_2", "zd_extort_2", "exploitability", "defense", "extortion"),
    _s("exploiter_zd_extort_3", "zd_extort_3", "exploitability", "defense", "extortion"),
    _s("exploiter_zd_extort_5", "zd_extort_5", "exploitability", "defense", "extortion"),
    _s("exploiter_q_learner", "q_learner", "exploitability", "defense", "in_context_learner"),
    _s("exploiter_pg_learner", "pg_learner", "exploitability", "defense", "in_context_learner"),
    _s("exploiter_best_response", "best_response", "exploitability", "defense", "exact"),
    _s("exploiter_trained", "trained_exploiter", "exploitability", "defense", "trained"),
)
"""Every scenario of suite v1, in display order."""

SCENARIOS: tuple[Scenario, ...] = (
    *SCENARIOS_V1[:11],
    _s(
        "held_out_learners",
        HELD_OUT_LEARNERS,
        "cooperation",
        "cross_play",
        "in_context_learner",
    ),
    *SCENARIOS_V1[11:],
)
"""Every scenario of suite v2 (the current one), in display order: v1's plus the cross-play
scenario against the held-out learners, after the other cooperation scenarios."""
MATRIX_SCENARIOS: dict[str, tuple[Scenario, ...]] = {"1": SCENARIOS_V1, "2": SCENARIOS}
"""The scenarios of each version of the matrix suite (stored runs of older versions are shown
with their own scenarios, on boards of their own)."""


@dataclass(frozen=True)
class SuiteConfig:
    """How much of the suite to run (the scenarios and normalisation never change)."""

    seeds: tuple[int, ...] = (0, 1, 2)
    """Evaluation seeds; the 95% interval is over these."""
    episodes: int = 64
    """Episodes per scenario and seed."""
    trained_exploiter: bool = True
    """Train an exploiter against the frozen submission (the paper's stage 2, small budget)."""
    exploiter_updates: int = 150
    """Updates of the trained exploiter (A2C, GRU-32, 64 episodes per update)."""


FULL = SuiteConfig()
QUICK = SuiteConfig(seeds=(0,), episodes=16, trained_exploiter=False)


def finite_state_values(
    co_player: FiniteStateMachine | MemoryOne | Schedule, game: MatrixGame, rounds: int = ROUNDS
) -> tuple[float, float]:
    """Exact values per round of the best response and of the uniformly random policy.

    Args:
        co_player: A memory-one strategy (one vector), a finite-state machine, or a schedule.
        game: The game, the evaluated player in seat 0 (the co-player gets ``game.swapped()``).
        rounds: Horizon.

    Returns:
        ``(best response, random policy)`` mean reward per round.
    """
    next_state, cooperate, start = _as_machine(co_player, game, rounds)
    payoff = game.payoffs[:, :, 0]  # (a, b) -> my reward
    states = len(cooperate)
    best = np.zeros(states)
    rand = np.zeros(states)
    for t in range(rounds - 1, -1, -1):
        q_best = np.zeros((states, 2))
        q_rand = np.zeros((states, 2))
        for s in range(states):
            for a in (COOPERATE, DEFECT):
                for b, pb in ((COOPERATE, cooperate[s]), (DEFECT, 1 - cooperate[s])):
                    if pb == 0:
                        continue
                    following = next_state[t][s, 1 + 2 * b + a]  # the co-player's own view
                    q_best[s, a] += pb * (payoff[a, b] + best[following])
                    q_rand[s, a] += pb * (payoff[a, b] + rand[following])
        best, rand = q_best.max(axis=1), q_rand.mean(axis=1)
    return float(best[start] / rounds), float(rand[start] / rounds)


def _as_machine(co_player, game: MatrixGame, rounds: int):
    """(next-state tables per round, P(C) per state, first state) of a co-player."""
    if isinstance(co_player, MemoryOne):
        vector = co_player.vector_for(game.swapped())
        if vector.ndim != 1:
            raise ValueError("need a single memory-one vector")
        # state = the co-player's last observation code; it plays vector[state]
        table = np.tile(np.arange(NUM_OBSERVATIONS), (NUM_OBSERVATIONS, 1))
        return [table] * rounds, np.asarray(vector, dtype=float), START
    if isinstance(co_player, FiniteStateMachine):
        table = co_player.next_state
        first = int(table[co_player.start_state, START])
        return [table] * rounds, co_player.cooperate, first
    if isinstance(co_player, Schedule):
        # state = round index; the co-player plays the scheduled move whatever happens
        moves = np.array([co_player.moves[min(t, len(co_player.moves) - 1)] for t in range(rounds)])
        cooperate = np.append((moves == COOPERATE).astype(float), 1.0)
        tables = []
        for t in range(rounds):
            table = np.full((rounds + 1, NUM_OBSERVATIONS), min(t + 1, rounds))
            tables.append(table)
        return tables, cooperate, 0
    raise TypeError(f"no exact values for {type(co_player).__name__}")


@cache
def reference_values(opponent: str, game_name: str = "prisoners_dilemma") -> tuple[float, float]:
    """``(best response, random policy)`` per round against a named co-player (cached)."""
    game = get_game(game_name)
    return finite_state_values(make_co_player(opponent), game)


def welfare_score(reward: float, opponent_reward: float, game: MatrixGame) -> float:
    """``((r + r_o) / 2 - P) / (R - P)``: 0 = mutual defection, 1 = mutual cooperation."""
    return ((reward + opponent_reward) / 2 - game.P) / (game.R - game.P)


def adaptivity_score(reward: float, best: float, random: float) -> float:
    """``(r - r_rand) / (r_BR - r_rand)``: 0 = the random policy, 1 = the best response."""
    return (reward - random) / (best - random)


def exploitability(exploiter_reward: float, reward: float, game: MatrixGame) -> float:
    """``max(0, r_X - r) / (T - S)``: the exploiter's gain over the submission, normalised."""
    return max(0.0, exploiter_reward - reward) / (game.T - game.S)


def headline(groups: dict[str, float]) -> float:
    """The headline score ``(C + A) / 2 - E`` from the group aggregates."""
    return (groups["cooperation"] + groups["adaptivity"]) / 2 - groups["exploitability"]


__all__ = [
    "FULL",
    "GROUPS",
    "HELD_OUT_LEARNERS",
    "MATRIX_SCENARIOS",
    "QUICK",
    "ROUNDS",
    "SCENARIOS",
    "SCENARIOS_V1",
    "SUITE_VERSION",
    "Scenario",
    "SuiteConfig",
    "adaptivity_score",
    "exploitability",
    "finite_state_values",
    "headline",
    "reference_values",
    "welfare_score",
]
