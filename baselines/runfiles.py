"""Run-directory files shared by the trainers (A2C/PPO and PPI): log, evaluations, state.

``log.csv`` holds one row per logged step (the ``update`` column: an update, or a PPI phase);
columns may appear later in a run (the header grows, earlier rows leave them empty).
``evals.jsonl`` holds one JSON record per evaluation, with the within-episode curves.
"""

from __future__ import annotations

import csv
import hashlib
import json
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from baselines.checkpoints import CheckpointError, write_json
from baselines.configs import upgrade_settings
from baselines.criteria import criteria_for

STATE_FORMAT = "coop-envs-run-state"
"""``format`` of ``checkpoint.pt`` (schema 2 and later)."""


class RunDirectoryError(ValueError):
    """The run directory does not fit the request (exists without --resume, or cannot resume)."""


def eval_columns(
    evaluation: dict[str, Any], learners: int, criteria: list | None = None
) -> dict[str, float]:
    """``{learner}/eval/{opponent}/{metric}`` and ``{learner}/criterion/{name}`` log columns.

    ``criteria``: those that apply (default: the matrix games', :func:`criteria_for`).
    """
    row: dict[str, float] = {}
    for learner, results in evaluation.items():
        for opponent, result in results.items():
            for key, value in result.summary().items():
                if key != "episodes":
                    row[f"{learner}/eval/{opponent}/{key}"] = round(value, 5)
        for criterion in criteria_for(learners) if criteria is None else criteria:
            holds, _ = criterion.evaluate(results)
            row[f"{learner}/criterion/{criterion.name}"] = int(holds)
    return row


def log_step(
    directory: Path,
    head: dict[str, float],
    train: dict[str, float],
    evaluation: dict[str, Any],
    learners: int,
    criteria: list | None = None,
) -> dict[str, float]:
    """Log one step; returns the ``log.csv`` row.

    The row is ``head`` (update, env_steps, seconds, ...), the rounded ``train`` metrics and the
    evaluation columns; an evaluation also goes to ``evals.jsonl`` with its within-episode curves.
    """
    from baselines.evaluation import results_to_dict

    row = {**head, **{k: round(v, 5) for k, v in train.items()}}
    row.update(eval_columns(evaluation, learners, criteria))
    append_row(directory, row)
    if evaluation:
        record = {k: head[k] for k in ("update", "env_steps", "seconds")}
        record["results"] = {k: results_to_dict(v) for k, v in evaluation.items()}
        append_eval(directory, record)
    return row


def append_row(directory: Path, row: dict[str, float]) -> None:
    """Append ``row`` to ``log.csv`` (rewriting it when new columns appear)."""
    log_file = directory / "log.csv"
    rows: list[dict[str, Any]] = []
    fieldnames = list(row)
    if log_file.exists() and log_file.stat().st_size > 0:
        with log_file.open() as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            known = list(reader.fieldnames or [])
        fieldnames = known + [k for k in row if k not in known]
    rows.append(row)
    with log_file.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames, restval="")
        writer.writeheader()
        writer.writerows(rows)


def append_eval(directory: Path, record: dict[str, Any]) -> None:
    """Append one evaluation record to ``evals.jsonl``."""
    with (directory / "evals.jsonl").open("a") as f:
        f.write(json.dumps(record) + "\n")


def truncate_logs(directory: Path, update: int) -> None:
    """Drop log rows written after the checkpoint at ``update`` (they will be written again)."""
    log_file = directory / "log.csv"
    if log_file.exists():
        with log_file.open() as f:
            reader = csv.DictReader(f)
            fieldnames = reader.fieldnames or []
            rows = [r for r in reader if int(float(r["update"])) <= update]
        with log_file.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fieldnames)
            writer.writeheader()
            writer.writerows(rows)
    evals = directory / "evals.jsonl"
    if evals.exists():
        lines = [
            line
            for line in evals.read_text().splitlines()
            if line and json.loads(line)["update"] <= update
        ]
        evals.write_text("".join(line + "\n" for line in lines))


def read_state(path: Path, algorithm: Any) -> dict[str, Any]:
    """Read a run's ``checkpoint.pt`` for ``algorithm`` (an :class:`~baselines.run.Algorithm`).

    The file is loaded with ``weights_only=True``: it holds tensors, numbers, strings and
    containers only, so a checkpoint that would run code on loading is refused. A state file of
    the layout before schema 2 (``algorithm.legacy_format``) is converted by
    ``algorithm.from_legacy_state``.

    Raises:
        CheckpointError: If the file is unreadable, not a training state, or another
            algorithm's.
    """
    import torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointError(
            f"cannot read {str(path)!r} ({type(exc).__name__}: {str(exc)[:300]}); it may be "
            "corrupt, or hold objects other than tensors and plain data"
        ) from exc
    found = state.get("format") if isinstance(state, dict) else type(state).__name__
    if found == STATE_FORMAT:
        if state.get("algorithm") != algorithm.name:
            raise CheckpointError(
                f"{str(path)!r} is the training state of a {state.get('algorithm')!r} run; this "
                f"run is {algorithm.name!r}"
            )
        return _upgraded(state, state.get("schema", 2), algorithm)
    legacy = getattr(algorithm, "legacy_format", None)
    if legacy is not None and found == legacy:
        return _upgraded(algorithm.from_legacy_state(state), 1, algorithm)
    raise CheckpointError(
        f"{str(path)!r} is not a training state of a {algorithm.name!r} run (format {found!r})"
    )


def _upgraded(state: dict[str, Any], schema: int, algorithm: Any) -> dict[str, Any]:
    """``state`` with its config's unset settings as they meant at ``schema``."""
    config = upgrade_settings(type(algorithm.config), state["config"], schema)
    return {**state, "config": config}


def file_digest(path: str | Path) -> str | None:
    """SHA-256 of a file's bytes (None if it does not exist)."""
    path = Path(path)
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_summary(
    directory: Path,
    *,
    status: str,
    preset: str,
    seed: int,
    update: int,
    env_steps: int,
    seconds: float,
    learners: int,
    last: dict[str, float],
    criteria: list | None = None,
    **extra: float,
) -> dict[str, Any]:
    """Write (and return) ``summary.json``: status, budget used, time to each criterion.

    ``criteria``: those that apply (default: the matrix games', :func:`criteria_for`).
    """
    from baselines.criteria import time_to_criterion

    summary = {
        "status": status,
        "preset": preset,
        "seed": seed,
        "update": update,
        "env_steps": env_steps,
        "seconds": round(seconds, 1),
        **{k: round(v, 1) for k, v in extra.items()},
        "env_steps_per_second": round(env_steps / max(seconds, 1e-9)),
        "time_to_criterion": {
            f"l{i}/{c.name}": time_to_criterion(directory, c, i)
            for i in range(learners)
            for c in (criteria_for(learners) if criteria is None else criteria)
        },
        "last": last,
    }
    write_json(directory / "summary.json", summary, indent=2)
    return summary


@contextmanager
def sigint_requests_stop(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """Route Ctrl-C to ``handler`` (which asks the loop to stop) for the duration."""
    try:
        previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # not in the main thread: leave Ctrl-C alone
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
