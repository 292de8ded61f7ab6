"""Scoring one submission on a game suite (public goods, Coin Game) with the one play loop.

The submission runs in jailed worker processes (:class:`~leaderboard.sandbox.RemoteAgent`): one
for seat 0 of every game, and one more per other seat for self-play (N workers in all). Each
seed plays all the suite's scenarios as one batch of :func:`coop_envs.core.play_batched`, the
submission acting through :class:`co_players.public_goods.ObservationAgentCoPlayer` on the
observations of its own seat. Nothing is stored here.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import numpy as np

from co_players.public_goods import ObservationAgentCoPlayer, RandomReactive
from co_players.registry import resolve_game_co_player
from coop_envs.core import GameSeat, play_batched
from leaderboard.game_suites import (
    GameSuite,
    public_goods_values,
    reactive_count_table,
    reference_values,
)
from leaderboard.sandbox import Limits, RemoteAgent, SubmissionFailure
from leaderboard.scoring import Evaluation, Progress, aggregate
from leaderboard.submissions import Submission, SubmissionError
from leaderboard.suite import SuiteConfig

FULL_GAME = SuiteConfig(seeds=(0, 1, 2), episodes=64, trained_exploiter=False)
"""The full run of a game suite: three seeds, 64 episodes per scenario (no trained exploiter)."""
QUICK_GAME = SuiteConfig(seeds=(0,), episodes=16, trained_exploiter=False)
"""The quick (provisional) run of a game suite."""


class SuiteGame:
    """What a worker is told about a game suite: its name, observation shape and actions."""

    def __init__(self, suite: GameSuite) -> None:
        spec = suite.spec
        self.suite = suite.game
        self.observation_shape = spec.observation_shape
        self.num_actions = spec.num_actions

    def to_dict(self) -> dict[str, Any]:
        """The JSON the worker receives (:mod:`leaderboard.worker`)."""
        return {
            "suite": self.suite,
            "observation_shape": list(self.observation_shape),
            "num_actions": self.num_actions,
        }


class _Recorder:
    """A co-player that passes everything to ``player`` and keeps its actions per round."""

    def __init__(self, player: Any) -> None:
        self.player = player
        self.name = player.name
        self.actions: list[np.ndarray] = []

    def reset(self, spec: Any, batch_size: int, rng: np.random.Generator) -> None:
        self.actions = []
        self.player.reset(spec, batch_size, rng)

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        actions = self.player.act(obs, rng)
        self.actions.append(np.array(actions))
        return actions


def _seats(suite: GameSuite, agents: list[RemoteAgent], episodes: int):
    """The seating of one seed: the submission in seat 0 of every game, co-players elsewhere.

    Returns:
        ``(seats, blocks, co_players)``: the :class:`GameSeat` list (the recorder first), each
        scenario's game indices, and each scenario's co-player objects (seats 1..N-1).
    """
    blocks, co_players = {}, {}
    for i, scenario in enumerate(suite.scenarios):
        blocks[scenario.name] = np.arange(i * episodes, (i + 1) * episodes)
    everything = np.arange(len(suite.scenarios) * episodes)
    seats = [GameSeat(_Recorder(ObservationAgentCoPlayer(agents[0], "submission")), everything, 0)]
    for scenario in suite.scenarios:
        games = blocks[scenario.name]
        if scenario.opponent == "self":
            players = [ObservationAgentCoPlayer(a, f"copy {k}") for k, a in enumerate(agents[1:])]
        else:
            players = [
                resolve_game_co_player(scenario.opponent, suite.game)
                for _ in range(suite.num_players - 1)
            ]
        co_players[scenario.name] = players
        seats += [GameSeat(p, games, seat) for seat, p in enumerate(players, start=1)]
    return seats, blocks, co_players


def _per_game_values(suite: GameSuite, players: list) -> tuple[np.ndarray, np.ndarray] | None:
    """Exact per-game (best, random) against random reactive public goods co-players."""
    if suite.game != "public_goods" or not all(isinstance(p, RandomReactive) for p in players):
        return None
    tables = np.stack([p.tables for p in players], axis=1)  # (E, N - 1, 7)
    spec = suite.spec
    counts = reactive_count_table(tables, spec.num_players)
    return public_goods_values(counts, spec.multiplier, spec.num_rounds)


def play_suite_seed(
    suite: GameSuite,
    agents: list[RemoteAgent],
    seed: int,
    episodes: int,
    evaluation: Evaluation,
    curves: dict[str, list[np.ndarray]],
) -> None:
    """Play every scenario of ``suite`` for one seed and add its metrics to ``evaluation``."""
    seats, blocks, co_players = _seats(suite, agents, episodes)
    core = suite.make_core(len(seats[0].games))
    play_batched(core, seats, np.random.default_rng([seed, 2026]))
    returns = core.returns / core.spec.num_rounds  # (B, N) mean reward per round
    cooperation = core.cooperation_rate()
    contributed = (np.stack(seats[0].player.actions, axis=1) & 1) == 0  # (B, T), public goods
    for scenario in suite.scenarios:
        games, name = blocks[scenario.name], scenario.name
        reward = float(returns[games, 0].mean())
        others = float(returns[games, 1:].mean())
        evaluation.add(name, "reward", seed, reward)
        evaluation.add(name, "opponent_reward", seed, others)
        evaluation.add(name, "cooperation", seed, cooperation[games, 0].mean())
        evaluation.add(name, "opponent_cooperation", seed, cooperation[games, 1:].mean())
        if suite.game == "public_goods":
            curves[name].append(contributed[games].mean(axis=0))
        if "cooperation" in scenario.groups:
            evaluation.add(name, "welfare", seed, suite.welfare_score(returns[games].mean()))
        if "exploitability" in scenario.groups:
            evaluation.add(name, "exploitability", seed, suite.exploitability(others, reward))
        if "adaptivity" in scenario.groups:
            _adaptivity(suite, scenario, co_players[scenario.name], reward, seed, evaluation)


def _adaptivity(suite, scenario, players, reward, seed, evaluation) -> None:
    """``adaptivity`` (and, per game, ``regret``) of one scenario, where its range is scored."""
    per_game = _per_game_values(suite, players)
    if per_game is not None:
        best, rand = float(per_game[0].mean()), float(per_game[1].mean())
        evaluation.add(scenario.name, "regret", seed, best - reward)
    else:
        values = reference_values(suite, scenario.opponent)
        if values is None:
            return
        best, rand = values
    evaluation.add(scenario.name, "adaptivity", seed, (reward - rand) / (best - rand))


def score_game_submission(
    suite: GameSuite,
    submission: Submission,
    config: SuiteConfig,
    limits: Limits | None = None,
    progress: Progress | None = None,
    opponents: list = (),
) -> Evaluation:
    """Run a game suite on one submission (in worker processes).

    Args:
        suite: The game suite.
        submission: What to score (``python`` or ``checkpoint``).
        config: Seeds and episodes (:data:`FULL_GAME` or :data:`QUICK_GAME`).
        limits: Worker limits.
        progress: Called with a short message at each stage.
        opponents: Unused (the game suites have no tournament); kept for the scorer signature.

    Raises:
        SubmissionError: If the submission declares another game, game arguments or observation
            shape (a user error: nothing is stored).
        leaderboard.sandbox.SubmissionFailure: If the submission fails in any other way.
    """
    progress = progress or (lambda message: None)
    start = time.perf_counter()
    evaluation = Evaluation()
    curves: dict[str, list[np.ndarray]] = defaultdict(list)
    game = SuiteGame(suite)
    progress("starting the submission")
    agents = [RemoteAgent(submission, game, limits) for _ in range(suite.num_players)]
    try:
        for agent in agents:
            _wait_ready(agent)
        for seed in config.seeds:
            progress(f"scenarios, seed {seed}")
            play_suite_seed(suite, agents, seed, config.episodes, evaluation, curves)
    finally:
        for agent in agents:
            agent.close()
    aggregate(evaluation, config.seeds, suite.scenarios)
    evaluation.curves = {k: np.mean(v, axis=0).round(4).tolist() for k, v in curves.items()}
    evaluation.seconds = time.perf_counter() - start
    return evaluation


def _wait_ready(agent: RemoteAgent) -> None:
    """Wait for the worker; a submission for another game is a user error, not a failure."""
    try:
        agent.wait_ready()
    except SubmissionFailure as failure:
        first = failure.reason.splitlines()[0]
        prefix = "loading failed: SubmissionError: "
        if first.startswith(prefix):
            raise SubmissionError(first.removeprefix(prefix)) from None
        raise
