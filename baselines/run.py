"""One run skeleton for every trainer: the run settings, the loop, the run directory.

An algorithm (A2C/PPO in :mod:`baselines.trainer`, PPI in :mod:`baselines.ppi.trainer`) is a
subclass of :class:`Algorithm` that implements the small protocol below — what one step is,
how it is evaluated, what its state is — the way stable-baselines3 algorithms implement
``train()`` under ``BaseAlgorithm.learn()``. Everything around it is written once here:

- the run directory (``config.json`` with the schema version and the git commit,
  ``checkpoint.pt``, ``log.csv``, ``evals.jsonl``, ``summary.json``, the plots) and ``--resume``,
  which continues bit-exactly;
- the loop: the progress bar, the evaluation cadence, the time limit, Ctrl-C (finish the step,
  evaluate, checkpoint, stop; a second Ctrl-C aborts), the status and the summary.

The clock (``seconds``) counts the algorithm's own work — :meth:`Algorithm.begin` and every
:meth:`Algorithm.step` — never evaluations or file writes; an algorithm may split it further in
``counters.clocks`` (PPI: play and fit).
"""

from __future__ import annotations

import subprocess
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from baselines.checkpoints import atomic_save, write_json
from baselines.configs import check_fields, check_positive, differences, flatten, to_dict
from baselines.evaluation import REFERENCE_CO_PLAYERS, MatchResult
from baselines.runfiles import (
    STATE_FORMAT,
    RunDirectoryError,
    file_digest,
    log_step,
    read_state,
    sigint_requests_stop,
    truncate_logs,
    write_summary,
)
from co_players.registry import AXELROD_PREFIX, REGISTRY
from coop_envs.core import (
    CONTRACT_GAMES,
    MAX_BATCH_SIZE,
    check_batch,
    check_positive_int,
    get_game,
)

SCHEMA = 3
"""Version of the run files' layout and of every config's fields (``config.json``, checkpoints).

Version history: 1 (before the run skeleton; no ``schema`` key): flat run settings, no code
version. 2: run settings nested as ``run``; ``config.json`` wraps the config with the schema,
the algorithm, the git commit, the experiment and the input files. 3: the actor-critic trainer
overlaps rollout and learning by default (an unset ``algo.overlap`` meant on-policy before;
:attr:`baselines.config.TrainConfig.UNSET_MEANT`, :func:`baselines.configs.upgrade_settings`).
"""
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class EvalConfig:
    """Periodic evaluation on held-out co-players (never the training batch)."""

    every: int = 100
    """Steps (updates, phases) between evaluations."""
    episodes: int = 256
    """Episodes per opponent."""
    seed: int = 2026
    """Seed of the evaluation games (the same every time, so curves compare like with like)."""
    co_players: tuple[str, ...] = REFERENCE_CO_PLAYERS
    """Co-players (registry ids) every evaluation plays, besides the run's other agents; the
    criteria read the default four. Empty: the other agents only (none: no evaluation)."""

    def __post_init__(self) -> None:
        if isinstance(self.co_players, list):  # tyro and JSON give lists
            object.__setattr__(self, "co_players", tuple(self.co_players))
        check_fields(self, "eval.")
        check_positive(self.every, "eval.every", integer=True)
        check_positive_int(self.episodes, "eval.episodes", MAX_BATCH_SIZE)
        if isinstance(self.co_players, str) or not all(isinstance(n, str) for n in self.co_players):
            raise ValueError(
                f"eval.co_players must be a list of registry ids; got {self.co_players!r}"
            )
        for name in self.co_players:
            if name not in REGISTRY and not name.startswith(AXELROD_PREFIX):
                raise ValueError(
                    f"eval.co_players: unknown co-player {name!r}; known ids: "
                    f"{', '.join(sorted(REGISTRY))}"
                )


@dataclass(frozen=True)
class RunConfig:
    """What every training run has, whatever its algorithm (flags without a prefix)."""

    seed: int = 0
    """Seed of everything: weights, co-players, action sampling, data."""
    out: Path | None = None
    """Run directory; default ``runs/<name>_seed<seed>`` (name: the experiment variant, else
    the preset)."""
    experiment: str | None = None
    """The experiment variant this run belongs to (``stage1/fast``; set by ``--experiment``)."""
    game: str = "prisoners_dilemma"
    """Game name: a matrix game (coop_envs.core.GAMES) or a game of the general contract
    (coop_envs.core.CONTRACT_GAMES: ``public_goods``, ``coin_game``)."""
    num_rounds: int = 100
    """Rounds per episode."""
    time_limit: float | None = None
    """Stop after the step during which this many minutes of training have passed
    (checkpointing first); None: no limit."""
    threads: int = 2
    """torch threads."""
    resume: bool = False
    """Continue the run in --out from its last checkpoint."""
    progress: bool = True
    """Show a progress bar."""
    eval: EvalConfig = field(default_factory=EvalConfig)

    def __post_init__(self) -> None:
        check_fields(self)
        check_batch(self.eval.episodes, self.num_rounds, "eval.episodes")
        check_positive(self.threads, "threads", integer=True)
        if self.time_limit is not None:
            check_positive(self.time_limit, "time_limit")
        if self.experiment is not None and self.experiment.count("/") != 1:
            raise ValueError(
                f"experiment must be '<experiment>/<variant>'; got {self.experiment!r}"
            )
        if self.game not in CONTRACT_GAMES:
            get_game(self.game)  # an unknown name fails here, with the known ones

    def name(self, preset: str) -> str:
        """The run's name: ``<experiment>_<variant>``, else the preset."""
        return self.experiment.replace("/", "_") if self.experiment else preset

    def directory(self, preset: str) -> Path:
        """Where the run's files go."""
        return self.out if self.out is not None else run_directory(self.name(preset), self.seed)


class RunDirectory:
    """Mixin of every algorithm's config: ``run_dir`` from its ``preset`` and ``run`` fields.

    The config classes (``TrainConfig``, ``GameTrainConfig``, ``PPIConfig`` and the
    learning-aware ones) are frozen dataclasses with a ``preset: str`` and a
    ``run: RunConfig``; this class adds no fields, so their field lists (and the CLI) stay theirs.
    """

    @property
    def run_dir(self) -> Path:
        """Where the run's files go."""
        return self.run.directory(self.preset)  # type: ignore[attr-defined]


def run_directory(name: str, seed: int, root: Path = Path("runs")) -> Path:
    """The default directory of run ``name``, seed ``seed``: ``runs/<name>_seed<seed>``."""
    return root / f"{name}_seed{seed}"


RESUMABLE = ("run.time_limit", "run.threads", "run.progress", "run.resume", "run.out")
"""Settings a resumed run may change besides its length (``run.out``: a moved run directory)."""


@dataclass
class Counters:
    """How far a run is: steps done, environment steps learned from, training seconds."""

    step: int = 0
    env_steps: int = 0
    seconds: float = 0.0
    clocks: dict[str, float] = field(default_factory=dict)
    """Parts of ``seconds`` an algorithm times itself (``play``, ``fit``: logged as
    ``<name>_seconds``)."""


@dataclass
class Evaluation:
    """An algorithm's evaluation: each learner's matches, and any further metrics."""

    results: dict[str, dict[str, MatchResult]]
    """``{"l<i>": {opponent: result}}``."""
    metrics: dict[str, float] = field(default_factory=dict)
    """Further log columns (e.g. PPI's model quality), ``l<i>/...``."""


@cache
def code_version() -> dict[str, Any]:
    """The git commit of this checkout (and whether tracked files differ from it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("coop-envs")
    except PackageNotFoundError:
        package = None
    info: dict[str, Any] = {"commit": None, "dirty": None, "package": package}
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return info
    info.update(commit=commit, dirty=bool(status.strip()))
    return info


def legacy_state(
    state: dict[str, Any],
    algorithm: str,
    config: dict[str, Any],
    retired: dict[str, Any],
    step: str,
    clocks: dict[str, float],
    keys: tuple[str, ...],
) -> dict[str, Any]:
    """A schema-1 ``checkpoint.pt`` in the current layout (for ``--resume`` of an old run).

    Args:
        state: The old file's dictionary.
        algorithm: The algorithm's name.
        config: Its config, migrated to the current schema (as a dict of the current fields).
        retired: The old settings the migration could not express.
        step: The old key of the step counter (``update``, ``phase``).
        clocks: The old run's clocks.
        keys: The old keys that are the algorithm's state.

    Raises:
        CheckpointError: If the run used retired settings (this version cannot continue it).
    """
    from baselines.checkpoints import CheckpointError

    if retired:
        raise CheckpointError(
            f"this run used settings this version no longer has: {retired}; resume it with the "
            "version it was started with"
        )
    return {
        "format": STATE_FORMAT,
        "algorithm": algorithm,
        "config": config,
        "counters": {
            "step": state[step],
            "env_steps": state["env_steps"],
            "seconds": state["seconds"],
            "clocks": dict(clocks),
        },
        "state": {k: state[k] for k in keys},
    }


class Algorithm(ABC):
    """A trainer under the one run loop; subclasses implement the protocol below.

    Class attributes: ``name`` (written to ``config.json``), ``unit`` (what a step is called),
    ``checkpoint_every_step`` (log and checkpoint after every step, not only at evaluations: for
    steps that take minutes), ``resumable`` (settings besides :data:`RESUMABLE` a resumed run may
    change, e.g. its length). Attributes: ``config`` (with ``config.run``: a :class:`RunConfig`),
    ``counters``.
    """

    name: ClassVar[str]
    unit: ClassVar[str]
    checkpoint_every_step: ClassVar[bool] = False
    resumable: ClassVar[tuple[str, ...]] = ()

    config: Any
    counters: Counters

    @property
    @abstractmethod
    def total_steps(self) -> int:
        """Steps of the whole run (a resumed run may have more than it started with)."""

    @property
    @abstractmethod
    def num_learners(self) -> int:
        """Number of learners (the log's ``l<i>`` prefixes; the criteria that apply)."""

    def begin(self) -> dict[str, float] | None:
        """Work before the first step of a new run (timed); metrics to log at step 0, or None."""
        return None

    @abstractmethod
    def step(self) -> dict[str, float]:
        """One step (an update, a phase); its training metrics. Advances ``counters.env_steps``."""

    @abstractmethod
    def evaluate(self) -> Evaluation:
        """Evaluate every learner (changes no training state, draws no training randomness)."""

    @abstractmethod
    def state_dict(self) -> dict[str, Any]:
        """Everything a resumed run needs (weights, optimiser, random state).

        Only what ``torch.load(weights_only=True)`` reads: tensors, numbers, strings, containers.
        """

    @abstractmethod
    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` (after :meth:`load_files`)."""

    @abstractmethod
    def save_files(self, directory: Path) -> None:
        """Write the agent files (and any side data the state refers to) into the directory."""

    def load_files(self, directory: Path, state: dict[str, Any]) -> None:  # noqa: B027
        """Read the side data :meth:`save_files` wrote (before :meth:`load_state_dict`)."""

    def postfix(self, metrics: dict[str, float]) -> str:
        """The progress bar's text after a step."""
        return ""

    def criteria(self) -> list | None:
        """The success criteria logged and summarised.

        None: the matrix games' (:func:`baselines.criteria.criteria_for` the number of learners).
        """
        return None

    def sources(self) -> dict[str, str]:
        """Input files the run starts from (``{role: path}``), recorded in ``config.json``."""
        return {}

    # ------------------------------------------------------------------------------ the loop
    @property
    def dir(self) -> Path:
        """The run directory."""
        return self.config.run_dir

    def run(self) -> dict[str, Any]:
        """Train until the run's length, the time limit or Ctrl-C; returns the summary."""
        return Runner(self).run()


class Runner:
    """Runs an :class:`Algorithm` (see the module docstring); one run, once."""

    def __init__(self, algorithm: Algorithm) -> None:
        self.algo = algorithm
        self.config = algorithm.config
        self.directory = algorithm.dir
        self.status = "running"
        self._stop_requested = False
        self._sums: dict[str, float] = {}
        self._count = 0
        self.last_row: dict[str, float] = {}

    # --------------------------------------------------------------------------- files
    def record(self) -> dict[str, Any]:
        """What ``config.json`` holds."""
        return {
            "schema": SCHEMA,
            "algorithm": self.algo.name,
            "code": code_version(),
            "experiment": self.config.run.experiment,
            "sources": {
                role: {"path": str(path), "sha256": file_digest(path)}
                for role, path in self.algo.sources().items()
            },
            "config": to_dict(self.config),
        }

    @property
    def checkpoint_path(self) -> Path:
        """The training-state file."""
        return self.directory / "checkpoint.pt"

    def prepare(self) -> None:
        """Create the run directory (or reopen it and restore the checkpoint with ``resume``).

        Raises:
            RunDirectoryError: If resuming without a checkpoint, or with a changed config, or
                starting over a run that has checkpointed (a directory whose run never
                checkpointed is started afresh: its logs are dropped).
        """
        config_file = self.directory / "config.json"
        if self.config.run.resume:
            if not self.checkpoint_path.exists():
                started = " (a run started there but never checkpointed)" * config_file.exists()
                raise RunDirectoryError(
                    f"--resume: {str(self.directory)!r} has no checkpoint.pt to resume from"
                    f"{started}; run without --resume to start it afresh"
                )
            self.restore()
            truncate_logs(self.directory, self.algo.counters.step)
        elif self.checkpoint_path.exists():
            raise RunDirectoryError(
                f"{str(self.directory)!r} already holds a run; pass --resume to continue it, or "
                "choose another --out"
            )
        else:  # a run that never checkpointed left only logs: start afresh over them
            for name in ("log.csv", "evals.jsonl", "summary.json"):
                (self.directory / name).unlink(missing_ok=True)
        self.directory.mkdir(parents=True, exist_ok=True)
        write_json(config_file, self.record(), indent=2)

    def restore(self) -> None:
        """Load ``checkpoint.pt`` into the algorithm (refusing a changed configuration)."""
        saved = read_state(self.checkpoint_path, self.algo)
        free = {*RESUMABLE, *self.algo.resumable}
        mine = to_dict(self.config)
        changed = [k for k in differences(mine, saved["config"]) if k not in free]
        if changed:
            allowed = sorted(k.removeprefix("run.") for k in free if k != "run.resume")
            now, then = flatten(mine), flatten(saved["config"])
            listed = ", ".join(
                f"{k.removeprefix('run.')} (recorded {then.get(k)!r}, now {now.get(k)!r})"
                for k in changed
            )
            raise RunDirectoryError(
                f"cannot resume {str(self.directory)!r} with a different configuration; changed: "
                f"{listed} (only {', '.join(allowed)} may change; pass the recorded values)"
            )
        self.algo.load_files(self.directory, saved["state"])
        self.algo.load_state_dict(saved["state"])
        counters = saved["counters"]
        self.algo.counters = Counters(
            counters["step"], counters["env_steps"], counters["seconds"], dict(counters["clocks"])
        )

    def checkpoint(self) -> None:
        """Write the agent files, side data and ``checkpoint.pt`` (atomically)."""
        self.algo.save_files(self.directory)
        c = self.algo.counters
        atomic_save(
            {
                "format": STATE_FORMAT,
                "schema": SCHEMA,
                "algorithm": self.algo.name,
                "config": to_dict(self.config),
                "counters": {
                    "step": c.step,
                    "env_steps": c.env_steps,
                    "seconds": c.seconds,
                    "clocks": dict(c.clocks),
                },
                "state": self.algo.state_dict(),
            },
            self.checkpoint_path,
        )

    def log(self, train: dict[str, float], evaluation: Evaluation | None) -> None:
        """One ``log.csv`` row (and ``evals.jsonl`` record)."""
        c = self.algo.counters
        head = {"update": c.step, "env_steps": c.env_steps, "seconds": round(c.seconds, 2)}
        head.update({f"{k}_seconds": round(v, 2) for k, v in c.clocks.items()})
        metrics = dict(train)
        results = {}
        if evaluation is not None:
            metrics.update(evaluation.metrics)
            results = evaluation.results
        self.last_row = log_step(
            self.directory, head, metrics, results, self.algo.num_learners, self.algo.criteria()
        )

    # ---------------------------------------------------------------------------- loop
    def _timed(self, fn):
        start = time.perf_counter()
        out = fn()
        self.algo.counters.seconds += time.perf_counter() - start
        return out

    def _request_stop(self, signum: int, frame: Any) -> None:
        if self._stop_requested:
            raise KeyboardInterrupt
        self._stop_requested = True

    def _progress(self):
        if not self.config.run.progress:
            return None
        from tqdm.auto import tqdm

        return tqdm(
            total=self.algo.total_steps,
            initial=self.algo.counters.step,
            desc=self.config.run.name(self.config.preset),
            unit=self.algo.unit,
            dynamic_ncols=True,
        )

    def _train_metrics(self) -> dict[str, float]:
        """The mean of every training metric since the last logged row."""
        out = {k: v / self._count for k, v in self._sums.items()}
        self._sums.clear()
        self._count = 0
        return out

    def run(self) -> dict[str, Any]:
        """Prepare the directory, run the loop, plot, write and return the summary."""
        from baselines.plotting import plot_run  # matplotlib only when a run is made

        self.prepare()
        algo, c = self.algo, self.algo.counters
        bar = self._progress()
        every = self.config.run.eval.every
        time_limit = self.config.run.time_limit
        with sigint_requests_stop(self._request_stop):
            try:
                if not self.config.run.resume:
                    metrics = self._timed(algo.begin)
                    if metrics is not None:
                        self.log(metrics, algo.evaluate())
                        self.checkpoint()
                c = algo.counters
                while c.step < algo.total_steps:
                    metrics = self._timed(algo.step)
                    c.step += 1
                    for key, value in metrics.items():
                        self._sums[key] = self._sums.get(key, 0.0) + value
                    self._count += 1
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix_str(algo.postfix(metrics))
                    out_of_time = time_limit is not None and c.seconds >= 60 * time_limit
                    done = c.step >= algo.total_steps
                    evaluate = c.step % every == 0 or done or out_of_time or self._stop_requested
                    if evaluate or algo.checkpoint_every_step:
                        self.log(self._train_metrics(), algo.evaluate() if evaluate else None)
                        self.checkpoint()
                    if done:
                        break
                    if out_of_time or self._stop_requested:
                        self.status = "time_limit" if out_of_time else "interrupted"
                        break
                if c.step >= algo.total_steps:
                    self.status = "finished"
            finally:
                if bar is not None:
                    bar.close()
        plot_run(self.directory)
        return write_summary(
            self.directory,
            status=self.status,
            preset=self.config.preset,
            seed=self.config.run.seed,
            update=c.step,
            env_steps=c.env_steps,
            seconds=c.seconds,
            learners=algo.num_learners,
            last=self.last_row,
            criteria=algo.criteria(),
            **{f"{k}_seconds": v for k, v in c.clocks.items()},
        )
