"""Scoring one submission with the suite: matches, exploiters, exact values, aggregation.

The submission runs in worker processes (:class:`~leaderboard.sandbox.RemoteAgent`): one for its
seat in every game, a second one for the other seat in self-play. Each seed plays, per game type,
all that game's scenarios as one batch. Memory-one submissions also get their exact values from
:mod:`co_players.analysis` (self-play, the exact best response as exploiter), recorded beside the
sampled ones. Everything happens before anything is stored: a failure anywhere fails the whole
evaluation, with its reason.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from co_players import AgentCoPlayer, make_co_player
from co_players.analysis import best_response, expected_payoffs, policy_payoffs
from coop_envs.core import Seat, get_game, outcome, play
from leaderboard.sandbox import Limits, RemoteAgent, SubmissionFailure
from leaderboard.submissions import Submission
from leaderboard.suite import (
    GROUPS,
    HELD_OUT_LEARNERS,
    METRIC_OF_GROUP,
    MIN_RANGE,
    ROUNDS,
    SCENARIOS,
    SuiteConfig,
    adaptivity_score,
    exploitability,
    headline,
    reference_values,
    welfare_score,
)

Progress = Callable[[str], None]


@dataclass
class Evaluation:
    """The results of one submission on the suite (not yet stored)."""

    metrics: list[tuple[str, str, int | None, float]] = field(default_factory=list)
    """``(scenario, metric, seed, value)``; seed ``None`` for exact (seed-free) values."""
    curves: dict[str, list[float]] = field(default_factory=dict)
    """Within-episode cooperation curve of the submission per scenario (mean over seeds)."""
    matches: list[tuple[int | None, int, dict[str, float]]] = field(default_factory=list)
    """Tournament results ``(None = this submission, opponent id, result)``."""
    seconds: float = 0.0

    def add(self, scenario: str, metric: str, seed: int | None, value: float) -> None:
        """Record one value."""
        self.metrics.append((scenario, metric, seed, float(value)))

    def values(self, scenario: str, metric: str) -> list[float]:
        """All per-seed values of one metric."""
        return [
            v
            for s, m, seed, v in self.metrics
            if s == scenario and m == metric and seed is not None
        ]


def _scenarios_of(game: str, names: set[str] | None = None) -> list:
    return [
        s
        for s in SCENARIOS
        if s.game == game
        and s.opponent not in ("best_response", "trained_exploiter")
        and (names is None or s.name in names)
    ]


Population = Sequence[tuple[str, Any]]
"""The held-out learners as ``(name, agent)`` pairs
(:func:`leaderboard.held_out.load_population`)."""


def needs_population(scenarios: Sequence = SCENARIOS) -> bool:
    """Whether ``scenarios`` play the held-out population of in-context learners."""
    return any(s.opponent == HELD_OUT_LEARNERS for s in scenarios)


def split_games(games: np.ndarray, population: Population) -> list[np.ndarray]:
    """``games`` split into one consecutive block per learner, as evenly as they divide.

    Raises:
        ValueError: If the population is empty or there are fewer games than learners.
    """
    if len(population) == 0:
        raise ValueError("the held-out population is empty; its manifest must list learners")
    if len(games) < len(population):
        raise ValueError(
            f"the held-out scenario needs at least one episode per learner "
            f"({len(population)} learners); got episodes={len(games)}"
        )
    return np.array_split(games, len(population))


def _seat_scenarios(
    scenarios: list, agents: dict[str, RemoteAgent], episodes: int, population: Population | None
) -> tuple[int, dict[str, list[np.ndarray]], list[Seat], dict[str, Any]]:
    """Games, seats and co-players of one game's scenarios, played as one batch.

    Returns:
        ``(number of games, blocks, seats, co-player objects)``: each scenario's games as blocks
        (one block, or one per held-out learner, each weighted equally in its metrics), every
        seat (the submission in seat 0 of all games), and the registry co-players by scenario.
    """
    blocks: dict[str, list[np.ndarray]] = {}
    seats, co_player_objects = [], {}
    cursor = 0
    for scenario in scenarios:
        games = np.arange(cursor, cursor + episodes)
        cursor += episodes
        if scenario.opponent == HELD_OUT_LEARNERS:
            blocks[scenario.name] = split_games(games, population)
            for (name, learner), block in zip(population, blocks[scenario.name], strict=True):
                seats.append(Seat(AgentCoPlayer(learner, num_rounds=ROUNDS, name=name), block, 1))
            continue
        blocks[scenario.name] = [games]
        if scenario.opponent == "self":
            seats.append(Seat(AgentCoPlayer(agents["copy"], num_rounds=ROUNDS), games, 1))
        else:
            co_player = make_co_player(scenario.opponent)
            co_player_objects[scenario.name] = co_player
            seats.append(Seat(co_player, games, 1))
    main = Seat(AgentCoPlayer(agents["main"], num_rounds=ROUNDS), np.arange(cursor), 0)
    return cursor, blocks, [main, *seats], co_player_objects


def _block_means(core: Any, blocks: list[np.ndarray]) -> dict[str, Any]:
    """Seat 0's reward, co-player reward, both cooperation shares and curve: mean over blocks."""
    results = [outcome(core, block, seat=0) for block in blocks]
    return {
        "reward": np.mean([r.reward.mean() for r in results]),
        "opponent_reward": np.mean([r.opponent_reward.mean() for r in results]),
        "cooperation": np.mean([r.cooperation.mean() for r in results]),
        "opponent_cooperation": np.mean([r.opponent_cooperation.mean() for r in results]),
        "curve": np.mean([r.cooperation_curve for r in results], axis=0),
    }


def play_seed(
    submission: Submission,
    agents: dict[str, RemoteAgent],
    seed: int,
    episodes: int,
    evaluation: Evaluation,
    curves: dict[str, list[np.ndarray]],
    population: Population | None = None,
) -> None:
    """Play every co-player and self-play scenario of the suite for one seed.

    Args:
        submission: What is scored.
        agents: The submission's workers: ``main`` (seat 0) and ``copy`` (self-play's seat 1).
        seed: Evaluation seed.
        episodes: Episodes per scenario.
        evaluation: Where the metrics go.
        curves: Where each scenario's within-episode cooperation curve goes.
        population: The held-out learners; default: :func:`leaderboard.held_out.load_population`
            (verified against its manifest).

    Raises:
        ValueError: If the held-out population is missing or changed.
    """
    rng = np.random.default_rng([seed, 2026])
    if population is None and needs_population():
        from leaderboard.held_out import load_population

        population = load_population()
    for game_name in dict.fromkeys(s.game for s in SCENARIOS):
        game = get_game(game_name)
        scenarios = _scenarios_of(game_name)
        num_games, blocks, seats, co_player_objects = _seat_scenarios(
            scenarios, agents, episodes, population
        )
        core = play(game, num_games, ROUNDS, seats, rng)
        for scenario in scenarios:
            name = scenario.name
            result = _block_means(core, blocks[name])
            reward, theirs = result["reward"], result["opponent_reward"]
            evaluation.add(name, "reward", seed, reward)
            evaluation.add(name, "opponent_reward", seed, theirs)
            evaluation.add(name, "cooperation", seed, result["cooperation"])
            evaluation.add(name, "opponent_cooperation", seed, result["opponent_cooperation"])
            curves[name].append(result["curve"])
            if "cooperation" in scenario.groups:
                evaluation.add(name, "welfare", seed, welfare_score(reward, theirs, game))
            if "exploitability" in scenario.groups:
                evaluation.add(name, "exploitability", seed, exploitability(theirs, reward, game))
            if "adaptivity" in scenario.groups:
                _add_adaptivity(evaluation, scenario, co_player_objects, game, seed, reward)


def _add_adaptivity(evaluation, scenario, co_player_objects, game, seed, reward) -> None:
    """The scenario's adaptivity (and, for random tabular co-players, best response and regret)."""
    name = scenario.name
    if scenario.opponent.startswith("random_tabular"):
        table = co_player_objects[name].table
        best = best_response(table, game, ROUNDS).value.mean()
        rand = expected_payoffs(np.full(5, 0.5), table, game, ROUNDS)[:, 0].mean()
        evaluation.add(name, "best_response", seed, best)
        evaluation.add(name, "regret", seed, best - reward)
    else:
        best, rand = reference_values(scenario.opponent, game.name)
    if best - rand >= MIN_RANGE:
        evaluation.add(name, "adaptivity", seed, adaptivity_score(reward, best, rand))


def exact_memory_one(vector: tuple[float, ...], evaluation: Evaluation) -> None:
    """Exact values of a memory-one submission: self-play, and the exact best response to it."""
    game = get_game("prisoners_dilemma")
    p = np.asarray(vector)
    self_play = expected_payoffs(p, p, game, ROUNDS)[0]
    evaluation.add("pd/self_play", "exact_reward", None, self_play[0])
    evaluation.add("pd/self_play", "exact_welfare", None, welfare_score(*self_play, game))
    best = best_response(p, game, ROUNDS)
    exploiter, mine = policy_payoffs(best.policy[0], p, game)
    name = "pd/exploiter_best_response"
    evaluation.add(name, "reward", None, mine)
    evaluation.add(name, "opponent_reward", None, exploiter)
    evaluation.add(name, "exploitability", None, exploitability(exploiter, mine, game))


def train_exploiter(
    submission_agent: RemoteAgent,
    suite: SuiteConfig,
    evaluation: Evaluation,
    curves: dict[str, list[np.ndarray]],
    progress: Progress,
) -> None:
    """Train a GRU exploiter against the frozen submission (the paper's stage 2), then play it.

    Budget (fixed since suite v1): GRU-32, A2C with the paper's stage-2 hyper-parameters, 64
    episodes per update, ``suite.exploiter_updates`` updates, seed 0.
    """
    from baselines.config import preset
    from baselines.configs import with_overrides
    from baselines.evaluation import evaluate_against
    from baselines.trainer import Trainer

    co_player = AgentCoPlayer(submission_agent, num_rounds=ROUNDS, name="submission")
    with tempfile.TemporaryDirectory(prefix="coop-exploiter-") as tmp:
        config = with_overrides(
            preset("stage2"),
            {
                "seed": 0,
                "out": Path(tmp) / "exploiter",
                "updates": suite.exploiter_updates,
                "batch_size": 64,
                "threads": 1,
                "progress": False,
                "policy.hidden": 32,
                # on-policy, as the suite's scores were recorded (and the submission, which may
                # run in a jail, is played from one thread only)
                "algo.overlap": False,
                # the submission plays the "tabular" share (co_player= below)
                "pool.tabular_fraction": 1.0,
                "pool.tabular": "random_tabular",
                "pool.frozen_from": None,
                "pool.frozen_fraction": 0.0,
                # scored below, against the submission, not on the reference co-players
                "eval.every": suite.exploiter_updates,
                "eval.co_players": (),
            },
        )
        trainer = Trainer(config, co_player=co_player)
        progress(f"training an exploiter ({suite.exploiter_updates} updates)")
        trainer.run()
        exploiter = trainer.learners[0].eval()
    game = get_game("prisoners_dilemma")
    name = "pd/exploiter_trained"
    for seed in suite.seeds:
        result = evaluate_against(exploiter, co_player, game, suite.episodes, ROUNDS, seed=seed)
        # the exploiter sits in seat 0 here: the submission's reward is the opponent's
        evaluation.add(name, "reward", seed, result.opponent_reward)
        evaluation.add(name, "opponent_reward", seed, result.reward)
        evaluation.add(name, "cooperation", seed, result.opponent_cooperation)
        evaluation.add(name, "opponent_cooperation", seed, result.cooperation)
        evaluation.add(
            name,
            "exploitability",
            seed,
            exploitability(result.reward, result.opponent_reward, game),
        )


def aggregate(evaluation: Evaluation, seeds: tuple[int, ...], scenarios: tuple = SCENARIOS) -> None:
    """Group scores and the headline per seed (``summary`` scenario) over ``scenarios``."""
    for seed in seeds:
        per_group = {}
        for group in GROUPS:
            metric = METRIC_OF_GROUP[group]
            values = []
            for scenario in scenarios:
                if group not in scenario.groups:
                    continue
                rows = [
                    (sd, v)
                    for s, m, sd, v in evaluation.metrics
                    if s == scenario.name and m == metric and sd in (seed, None)
                ]
                seeded = [v for sd, v in rows if sd == seed]
                values.extend(seeded or [v for sd, v in rows])  # exact values have no seed
            if group == "exploitability":
                per_group[group] = max(values) if values else 0.0
            else:
                per_group[group] = float(np.mean(values))
        for group, value in per_group.items():
            evaluation.add("summary", group, seed, value)
        evaluation.add("summary", "score", seed, headline(per_group))


def _population() -> Population | None:
    """The verified held-out population if the suite plays it (else ``None``)."""
    if not needs_population():
        return None
    from leaderboard.held_out import load_population

    return load_population()


def score_submission(
    submission: Submission,
    suite: SuiteConfig,
    limits: Limits | None = None,
    progress: Progress | None = None,
    opponents: list[tuple[int, str, Submission]] = (),
) -> Evaluation:
    """Run the whole suite on one submission (in worker processes), then its tournament matches.

    Args:
        submission: What to score.
        suite: How much of the suite to run.
        limits: Worker limits.
        progress: Called with a short message at each stage.
        opponents: ``(submission id, name, submission)`` of the stored submissions to play a
            tournament match against (this submission in seat 0).

    Raises:
        leaderboard.sandbox.SubmissionFailure: If the submission fails in any way (an opponent
            that fails is skipped).
        ValueError: If the held-out population is missing or changed (nothing is played).
    """
    progress = progress or (lambda message: None)
    start = time.perf_counter()
    evaluation = Evaluation()
    curves: dict[str, list[np.ndarray]] = defaultdict(list)
    game = get_game("prisoners_dilemma")
    population = _population()  # checked before any worker starts: not the submission's fault
    progress("starting the submission")
    with (
        RemoteAgent(submission, game, limits) as main,
        RemoteAgent(submission, game, limits) as copy,
    ):
        agents = {"main": main, "copy": copy}
        for seed in suite.seeds:
            progress(f"scenarios, seed {seed}")
            play_seed(submission, agents, seed, suite.episodes, evaluation, curves, population)
        if suite.trained_exploiter:
            train_exploiter(main, suite, evaluation, curves, progress)
        for opponent_id, name, opponent in opponents:
            progress(f"tournament vs {name}")
            result = play_pair(main, opponent, suite.seeds[0], suite.episodes, limits)
            if result is not None:
                evaluation.matches.append((None, opponent_id, result))
    if submission.memory_one is not None:
        exact_memory_one(submission.memory_one, evaluation)
    aggregate(evaluation, suite.seeds)
    evaluation.curves = {k: np.mean(v, axis=0).round(4).tolist() for k, v in curves.items()}
    evaluation.seconds = time.perf_counter() - start
    return evaluation


def play_pair(
    first: RemoteAgent, second: Submission, seed: int, episodes: int, limits: Limits | None = None
) -> dict[str, float] | None:
    """One tournament match: ``first`` (seat 0, running) against ``second`` (seat 1) in the PD.

    Returns:
        The result from ``first``'s side, or ``None`` if ``second`` fails (it was scored before;
        its failing now, e.g. a file that changed, must not fail the new submission).
    """
    game = get_game("prisoners_dilemma")
    rng = np.random.default_rng([seed, 7])
    games = np.arange(episodes)
    try:
        with RemoteAgent(second, game, limits) as b:
            b.wait_ready()
            seats = [
                Seat(AgentCoPlayer(first, num_rounds=ROUNDS), games, 0),
                Seat(AgentCoPlayer(b, num_rounds=ROUNDS), games, 1),
            ]
            core = play(game, episodes, ROUNDS, seats, rng)
    except SubmissionFailure as failure:
        if failure.agent is first:
            raise
        return None
    result = outcome(core, games, seat=0)
    return {
        "reward": float(result.reward.mean()),
        "opponent_reward": float(result.opponent_reward.mean()),
        "cooperation": float(result.cooperation.mean()),
        "opponent_cooperation": float(result.opponent_cooperation.mean()),
    }


# two-sided 95% quantiles of Student's t for 1..10 degrees of freedom (then the normal's 1.96)
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228)


def summarise(values: list[float]) -> dict[str, Any]:
    """Mean and 95% interval over seeds (Student's t; no interval for a single value)."""
    array = np.asarray(values, dtype=float)
    mean = float(array.mean()) if len(array) else float("nan")
    if len(array) < 2:
        return {"mean": mean, "low": None, "high": None, "n": len(array)}
    df = len(array) - 1
    quantile = _T95[df - 1] if df <= len(_T95) else 1.96
    half = float(quantile * array.std(ddof=1) / np.sqrt(len(array)))
    return {"mean": mean, "low": mean - half, "high": mean + half, "n": len(array)}


# ------------------------------------------------------------------------------- Ray fan-out
RAY_INSTALL_HINT = "pip install -c constraints.txt 'coop-envs[sweep]' (it brings ray)"


def pack_submission(submission: Submission) -> dict[str, bytes]:
    """The submitted file, or every file of a submitted directory, by relative path (else empty).

    What a Ray task on another node writes there when its path does not hold the same content.
    """
    source = Path(submission.source)
    if submission.kind not in ("python", "checkpoint", "sb3", "rllib") or not source.exists():
        return {}
    if source.is_file():
        return {source.name: source.read_bytes()}
    return {str(p.relative_to(source)): p.read_bytes() for p in source.rglob("*") if p.is_file()}


def unpack_submission(
    submission: Submission, files: dict[str, bytes], directory: Path
) -> Submission:
    """``submission`` where this node has its content: its own path, else written to ``directory``.

    Raises:
        SubmissionFailure: If the content written here does not hash as submitted.
    """
    from leaderboard.submissions import SubmissionError, inspect_submission

    if not files:
        return submission
    try:
        if inspect_submission(submission.source, submission.kind) == submission:
            return submission
    except SubmissionError:
        pass  # not here (another node): write it
    target = directory / f"submission-{submission.content_hash[:12]}"
    if len(files) == 1 and Path(submission.source).name in files and submission.kind != "rllib":
        target.mkdir(parents=True, exist_ok=True)
        target = target / Path(submission.source).name
        target.write_bytes(files[target.name])
    else:
        for name, data in files.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(data)
    copy = inspect_submission(str(target), submission.kind)
    if copy.content_hash != submission.content_hash:
        raise SubmissionFailure(f"the copy of {submission.source!r} on this node differs")
    return copy


def _plain_failures(part: Callable) -> Callable:
    """``part`` raising its :class:`SubmissionFailure` without the worker object (not picklable)."""

    @functools.wraps(part)
    def run(*args: Any) -> Any:
        try:
            return part(*args)
        except SubmissionFailure as failure:
            raise SubmissionFailure(failure.reason) from None

    return run


@_plain_failures
def _seed_part(submission, files, suite, limits, seed) -> tuple[list, dict[str, list]]:
    """One seed of the scenarios (a Ray task): its metrics and curves."""
    with tempfile.TemporaryDirectory(prefix="coop-ray-") as tmp:
        submission = unpack_submission(submission, files, Path(tmp))
        evaluation, curves = Evaluation(), defaultdict(list)
        game = get_game("prisoners_dilemma")
        with (
            RemoteAgent(submission, game, limits) as main,
            RemoteAgent(submission, game, limits) as copy,
        ):
            agents = {"main": main, "copy": copy}
            play_seed(submission, agents, seed, suite.episodes, evaluation, curves)
    return evaluation.metrics, dict(curves)


@_plain_failures
def _exploiter_part(submission, files, suite, limits) -> list:
    """The trained exploiter (a Ray task): its metrics."""
    with tempfile.TemporaryDirectory(prefix="coop-ray-") as tmp:
        submission = unpack_submission(submission, files, Path(tmp))
        evaluation = Evaluation()
        with RemoteAgent(submission, get_game("prisoners_dilemma"), limits) as main:
            train_exploiter(main, suite, evaluation, defaultdict(list), lambda message: None)
    return evaluation.metrics


@_plain_failures
def _match_part(submission, files, opponent, opponent_files, seed, episodes, limits):
    """One tournament match (a Ray task): its result, or None if the opponent failed."""
    with tempfile.TemporaryDirectory(prefix="coop-ray-") as tmp:
        submission = unpack_submission(submission, files, Path(tmp) / "a")
        opponent = unpack_submission(opponent, opponent_files, Path(tmp) / "b")
        with RemoteAgent(submission, get_game("prisoners_dilemma"), limits) as first:
            return play_pair(first, opponent, seed, episodes, limits)


def connect_ray(address: str | None) -> bool:
    """Connect to the Ray cluster at ``address`` (``None``/``"local"``: start one here).

    Returns:
        Whether this call started the connection (the caller then shuts it down); an existing
        connection is used as it is.

    Raises:
        ImportError: If ray is missing (the message says which ``pip install`` fixes it).
    """
    try:
        import ray
    except ImportError as exc:
        raise ImportError(f"--ray needs ray: {RAY_INSTALL_HINT}") from exc
    if ray.is_initialized():
        return False
    if address in (None, "local"):
        ray.init(include_dashboard=False, log_to_driver=False)
    else:
        ray.init(address=address, log_to_driver=False)
    return True


def score_submission_on_ray(
    submission: Submission,
    suite: SuiteConfig,
    limits: Limits | None = None,
    progress: Progress | None = None,
    opponents: list[tuple[int, str, Submission]] = (),
    address: str | None = None,
) -> Evaluation:
    """:func:`score_submission` with its parts as Ray tasks: each seed, the exploiter, each match.

    Every task starts its own jailed workers (:class:`~leaderboard.sandbox.RemoteAgent`) on the
    node it runs on, and gets the submitted files with it (written there only where the path
    does not hold the same content). The parts' results are put together in the sequential
    order, so the evaluation is the one :func:`score_submission` gives.

    Args:
        submission: What to score.
        suite: How much of the suite to run.
        limits: Worker limits.
        progress: Called with a short message as each part finishes.
        opponents: As for :func:`score_submission`.
        address: Ray cluster address; ``None`` or ``"local"`` start a local one (an existing
            connection is used as it is).

    Raises:
        leaderboard.sandbox.SubmissionFailure: If the submission fails in any part.
        ImportError: If ray is missing.
        ValueError: If the held-out population is missing or changed here (each seed's task
            checks it again on its node: the learners play there, outside the jail).
    """
    progress = progress or (lambda message: None)
    if needs_population():
        from leaderboard.held_out import verify_population

        verify_population()
    started = connect_ray(address)
    import ray

    start = time.perf_counter()
    limits = limits or Limits()
    files = pack_submission(submission)
    task = ray.remote(num_cpus=1, max_retries=0)
    seeds = {
        task(_seed_part).remote(submission, files, suite, limits, seed): f"scenarios, seed {seed}"
        for seed in suite.seeds
    }
    exploiter = (
        task(_exploiter_part).remote(submission, files, suite, limits)
        if suite.trained_exploiter
        else None
    )
    matches = {
        task(_match_part).remote(
            submission, files, other, pack_submission(other), suite.seeds[0], suite.episodes, limits
        ): (opponent_id, name)
        for opponent_id, name, other in opponents
    }
    labels = {
        **seeds,
        **({exploiter: "trained exploiter"} if exploiter else {}),
        **{ref: f"tournament vs {name}" for ref, (_, name) in matches.items()},
    }
    try:
        pending = list(labels)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            progress(f"done: {labels[done[0]]}")
        results = dict(zip(labels, ray.get(list(labels)), strict=True))
    except ray.exceptions.RayTaskError as error:
        cause = getattr(error, "cause", None)
        if isinstance(cause, SubmissionFailure):
            raise SubmissionFailure(cause.reason) from None
        raise
    finally:
        if started:
            ray.shutdown()
    evaluation = Evaluation()
    curves: dict[str, list[np.ndarray]] = defaultdict(list)
    for ref in seeds:
        metrics, part_curves = results[ref]
        evaluation.metrics.extend(metrics)
        for name, values in part_curves.items():
            curves[name].extend(values)
    if exploiter is not None:
        evaluation.metrics.extend(results[exploiter])
    for ref, (opponent_id, _) in matches.items():
        if results[ref] is not None:
            evaluation.matches.append((None, opponent_id, results[ref]))
    if submission.memory_one is not None:
        exact_memory_one(submission.memory_one, evaluation)
    aggregate(evaluation, suite.seeds)
    evaluation.curves = {k: np.mean(v, axis=0).round(4).tolist() for k, v in curves.items()}
    evaluation.seconds = time.perf_counter() - start
    return evaluation
