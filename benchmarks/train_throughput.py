"""Trainer throughput: a full update (rollout + learning step) against the bare network.

For GRU widths 32/64/128 and batches of 256/1024/4096 episodes of 100 rounds, prints in one run
the environment steps per second of

- the *bare network*: ``nn.GRU`` + the heads, forward and backward over (100, B) inputs;
- a *full update* of the stage-1 trainer (A2C): the rollout through the NumPy core (acting
  round by round with the random tabular co-players) and the learning step;

and the ratio update time / bare time (goal <= 1.5). Each figure is the best of ``--repeats``,
the bare network and the update measured alternately so both see the same machine load.
Writes JSON (default ``benchmarks/results/train_throughput.json``).

Run:  python benchmarks/train_throughput.py [--widths 32 64] [--batches 256 1024] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import torch

from baselines.config import preset
from baselines.configs import with_overrides
from baselines.trainer import Trainer

ROUNDS = 100


def bare_step(hidden: int, batch: int):
    gru = torch.nn.GRU(32, hidden)
    heads = torch.nn.Linear(hidden, 3)
    x = torch.randn(ROUNDS, batch, 32)

    def step() -> None:
        out, _ = gru(x)
        heads(torch.nn.functional.silu(out)).sum().backward()

    return step


def measure(hidden: int, batch: int, threads: int, repeats: int) -> dict:
    """Best-of-``repeats`` seconds of the bare network and of the update's parts, interleaved
    so that both see the same machine load."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = {
            "out": Path(tmp),
            "batch_size": batch,
            "threads": threads,
            "progress": False,
            "policy.hidden": hidden,
        }
        trainer = Trainer(with_overrides(preset("stage1"), settings))
        bare = bare_step(hidden, batch)
        trainer.step()
        bare()
        best = {
            "bare": float("inf"),
            "rollout": float("inf"),
            "learn": float("inf"),
            "update": float("inf"),
        }
        for _ in range(repeats):
            start = time.perf_counter()
            bare()
            best["bare"] = min(best["bare"], time.perf_counter() - start)
            start = time.perf_counter()
            trajectories = trainer.rollout()
            middle = time.perf_counter()
            trainer._learn(0, trajectories[0])
            end = time.perf_counter()
            best["rollout"] = min(best["rollout"], middle - start)
            best["learn"] = min(best["learn"], end - middle)
            best["update"] = min(best["update"], end - start)
        return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[32, 64, 128])
    parser.add_argument("--batches", type=int, nargs="+", default=[256, 1024, 4096])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "train_throughput.json"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.threads < 1:
        parser.error("--repeats and --threads must be positive")
    torch.set_num_threads(args.threads)
    rows = []
    print(
        f"{'GRU':>4} {'batch':>6} {'bare f+b':>12} {'update':>12} {'rollout':>9} {'learn':>9} "
        f"{'update/bare':>12}"
    )
    for hidden in args.widths:
        for batch in args.batches:
            steps = batch * ROUNDS
            parts = measure(hidden, batch, args.threads, args.repeats)
            bare = parts["bare"]
            row = {
                "hidden": hidden,
                "batch": batch,
                "bare_steps_per_s": steps / bare,
                "update_steps_per_s": steps / parts["update"],
                "rollout_s": parts["rollout"],
                "learn_s": parts["learn"],
                "bare_s": bare,
                "ratio": parts["update"] / bare,
            }
            rows.append(row)
            print(
                f"{hidden:>4} {batch:>6} {steps / bare / 1e3:>9.0f}k/s "
                f"{steps / parts['update'] / 1e3:>9.0f}k/s {parts['rollout'] * 1e3:>7.0f}ms "
                f"{parts['learn'] * 1e3:>7.0f}ms {row['ratio']:>11.2f}x"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "train_throughput",
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "machine": {
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "torch": torch.__version__,
                    "threads": args.threads,
                },
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
