"""COALA-PG's update throughput side by side: the bare network, on-policy and overlapped updates.

One update of the ``coala_cpu`` preset plays its meta-batch (16 naive learners x 16 streams and
128 self-play pairs: 512 rows, 8 inner episodes of 100 rounds, 409,600 agent-steps) and replays
every meta-trajectory through ``nn.GRU`` for the loss. In one run, the rows measured in turn within
each repetition so that all see the same machine load, it prints the agent-steps/s of

- ``bare``: ``nn.GRU`` + the heads, forward and backward over ``(800, 512)`` inputs, one torch
  thread (the named peer: the learning step cannot be faster than its network);
- ``on-policy``: :class:`~baselines.learning_aware.trainer.CoalaTrainer` updates, one thread
  (``run.threads=1``, ``overlap=False``: the runs recorded before the overlap);
- ``overlapped``: the same with ``overlap=True`` and ``run.threads=2`` (the next update's
  meta-trajectories played on a second thread while this update learns);

the ratio of each to the bare network, and how long the paper's ≈1.2e9 steps take at that rate
(updates only; evaluations add a few per cent). Each figure is the best repetition; all are in the
JSON, with the load average beside them.

Writes JSON (default ``benchmarks/results/coala_throughput.json``) with the git commit, the config
schema and the machine.

Run:  python benchmarks/coala_throughput.py
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import torch
from tqdm.auto import tqdm

from baselines.checkpoints import write_json
from baselines.configs import with_overrides
from baselines.learning_aware.config import la_preset
from baselines.learning_aware.trainer import CoalaTrainer
from baselines.run import SCHEMA, code_version

ROOT = Path(__file__).resolve().parents[1]
PAPER_STEPS = 1.2e9
"""The paper's IPD run, in agent-steps (docs/learning_aware.md)."""


def make_trainer(overlap: bool, threads: int) -> CoalaTrainer:
    """The ``coala_cpu`` trainer from fresh weights, warmed up by one update."""
    settings = {"init_from": None, "overlap": overlap, "run.threads": threads}
    trainer = CoalaTrainer(with_overrides(la_preset("coala_cpu"), settings))
    trainer.step()
    return trainer


def bare_step(trainer: CoalaTrainer) -> Callable[[], None]:
    """One forward+backward of ``nn.GRU`` and the heads over the update's ``(M*T, rows)`` inputs."""
    s, c = trainer.settings, trainer.config
    rows = s.co_players * s.streams + 2 * s.self_play
    gru = torch.nn.GRU(c.embed, c.hidden)
    heads = torch.nn.Linear(c.hidden, 3)
    x = torch.randn(s.inner_episodes * s.rounds, rows, c.embed)

    def step() -> None:
        out, _ = gru(x)
        heads(torch.nn.functional.silu(out)).sum().backward()

    return step


def timed(step: Callable[[], object], threads: int, updates: int) -> float:
    """Seconds per call over ``updates`` consecutive calls with ``threads`` torch threads."""
    torch.set_num_threads(threads)
    start = time.perf_counter()
    for _ in range(updates):
        step()
    return (time.perf_counter() - start) / updates


def load() -> list[float]:
    """The 1-, 5- and 15-minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--updates", type=int, default=4, help="updates per timed repetition")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "coala_throughput.json"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.updates < 1:
        parser.error(
            f"--repeats and --updates must be positive; got {args.repeats}, {args.updates}"
        )
    started = load()
    on_policy = make_trainer(False, 1)
    overlapped = make_trainer(True, 2)
    s = on_policy.settings
    steps = (s.co_players * s.streams + 2 * s.self_play) * s.inner_episodes * s.rounds
    rows: dict[str, tuple[Callable[[], object], int]] = {
        "bare": (bare_step(on_policy), 1),
        "on-policy": (on_policy.step, 1),
        "overlapped": (overlapped.step, 1),  # the trainer's learner thread; its actor is the 2nd
    }
    seconds: dict[str, list[float]] = {name: [] for name in rows}
    loads = []
    for _ in tqdm(range(args.repeats), desc="repetitions"):
        for name, (step, threads) in rows.items():
            seconds[name].append(timed(step, threads, args.updates))
        loads.append(load())
    best = {name: min(times) for name, times in seconds.items()}
    results = {
        name: {
            "cores": 2 if name == "overlapped" else 1,
            "seconds_per_update": best[name],
            "agent_steps_per_s": steps / best[name],
            "ratio_to_bare": best["bare"] / best[name],
            "paper_run_minutes": PAPER_STEPS / (steps / best[name]) / 60,
            "all_seconds": seconds[name],
        }
        for name in rows
    }
    print(f"COALA-PG update: {steps:,} agent-steps (coala_cpu), best of {args.repeats}")
    print(
        f"{'row':<12}{'cores':>6}{'s/update':>10}{'agent-steps/s':>15}{'/ bare':>8}{'1.2e9 in':>10}"
    )
    for name, r in results.items():
        print(
            f"{name:<12}{r['cores']:>6}{r['seconds_per_update']:>10.3f}"
            f"{r['agent_steps_per_s']:>15,.0f}{r['ratio_to_bare']:>8.2f}"
            f"{r['paper_run_minutes']:>8.0f} min"
        )
    record = {
        "benchmark": "coala_throughput",
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "code": code_version(),
        "schema": SCHEMA,
        "command": "python benchmarks/coala_throughput.py",
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "torch": torch.__version__,
            "cpu_count": os.cpu_count(),
            "load_start": started,
            "loads": loads,
        },
        "agent_steps_per_update": steps,
        "repeats": args.repeats,
        "updates_per_repeat": args.updates,
        "rows": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_json(args.out, record, indent=2)
    print(f"\nload {started} -> {load()}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
