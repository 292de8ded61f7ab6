"""Trainer throughput side by side: the bare network, the on-policy and overlapped updates, JAX.

Per shape (default GRU-32 x 256 episodes and GRU-64 x 1024 episodes, 100 rounds each) it prints,
in one run, the environment steps per second of

- ``bare``: ``nn.GRU`` + the heads, forward and backward over ``(100, B)`` inputs, one torch
  thread (the learner's share of the default two cores);
- ``on-policy``: a full update of the stage-1 trainer (``stage1_fast`` at that shape,
  ``algo.overlap=false``): the rollout through the NumPy core, then the A2C step, one thread;
- ``overlapped``: the overlapped trainer (``algo.overlap=True``, ``run.threads=2``): the next
  update's rollout on a second thread while this one learns;
- ``jax``: with ``--jax-python PATH`` (an interpreter with ``jax`` and ``optax``, e.g.
  ``python3 -m venv /work/venvs/jax && /work/venvs/jax/bin/pip install jax optax``), the
  PureJaxRL-style peer ``../shared/tools/peers/jax_a2c.py`` on the same work, pinned to one core
  with ``taskset -c 0`` as its docstring says (its rate excludes its compilation);

then the ratio of each update to the bare network and, per core, to the JAX peer. The rows are
measured in turn within each repetition (``--repeats``), so all see the same machine load; each
figure is the best repetition, all are in the JSON with the load average beside them. A scaling
curve follows: the update's env-steps/s at 1, 2, 4, 8, 16 torch threads (on-policy) and cores
(overlapped: one actor thread plus ``n - 1`` learner threads), as far as ``os.cpu_count()`` allows.

Writes JSON (default ``benchmarks/results/train_throughput_overlap.json``) with the git commit,
the config schema, the machine and its load. ``benchmarks/results/train_throughput.json`` is the
earlier benchmark's (before the overlapped trainer), which the reproduction page's generated
throughput table reads.

Run:  python benchmarks/train_throughput.py --jax-python /work/venvs/jax/bin/python
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch
from tqdm.auto import tqdm

from baselines.checkpoints import write_json
from baselines.config import preset
from baselines.configs import with_overrides
from baselines.run import SCHEMA, code_version
from baselines.trainer import Trainer

ROUNDS = 100
ROOT = Path(__file__).resolve().parents[1]
PEER = ROOT.parent / "shared" / "tools" / "peers" / "jax_a2c.py"
SHAPES = ((32, 256), (64, 1024))


def bare_step(hidden: int, batch: int, embed: int = 32) -> Callable[[], None]:
    """One forward+backward of ``nn.GRU`` and the heads over ``(100, batch)`` inputs."""
    gru = torch.nn.GRU(embed, hidden)
    heads = torch.nn.Linear(hidden, 3)
    x = torch.randn(ROUNDS, batch, embed)

    def step() -> None:
        out, _ = gru(x)
        heads(torch.nn.functional.silu(out)).sum().backward()

    return step


def make_trainer(hidden: int, batch: int, threads: int, overlap: bool, out: Path) -> Trainer:
    """The ``stage1_fast`` trainer at this shape, warmed up by one update."""
    settings = {
        "out": out,
        "batch_size": batch,
        "threads": threads,
        "progress": False,
        "policy.hidden": hidden,
        "algo.overlap": overlap,
    }
    trainer = Trainer(with_overrides(preset("stage1_fast"), settings))
    trainer.step()
    return trainer


def learner_threads(threads: int, overlap: bool) -> int:
    """Torch threads of a trainer with ``run.threads=threads`` (as :class:`Trainer` sets them)."""
    return max(1, threads - 1) if overlap else threads


def time_updates(trainer: Trainer, threads: int, overlap: bool, updates: int) -> float:
    """Seconds per update over ``updates`` consecutive updates."""
    torch.set_num_threads(learner_threads(threads, overlap))
    start = time.perf_counter()
    for _ in range(updates):
        trainer.step()
    return (time.perf_counter() - start) / updates


def time_bare(step: Callable[[], None], threads: int, updates: int) -> float:
    """Seconds per bare forward+backward."""
    torch.set_num_threads(threads)
    start = time.perf_counter()
    for _ in range(updates):
        step()
    return (time.perf_counter() - start) / updates


def jax_peer(python: str, hidden: int, batch: int, updates: int) -> float:
    """Env-steps/s of the JAX peer on one core (``taskset -c 0`` where available).

    Raises:
        RuntimeError: If the peer fails or prints no rate.
    """
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    command = [*pin, python, str(PEER), str(hidden), str(batch), str(updates)]
    env = {**os.environ, "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = re.search(r"([\d.]+)k env-steps/s", done.stdout)
    if done.returncode or not found:
        raise RuntimeError(f"the JAX peer failed ({' '.join(command)}): {done.stderr[-2000:]}")
    return float(found.group(1)) * 1e3


def load() -> list[float]:
    """The 1-, 5- and 15-minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def measure_shape(hidden: int, batch: int, args: argparse.Namespace, tmp: Path) -> dict:
    """Every row of one shape, the rows measured in turn within each repetition."""
    steps = batch * ROUNDS
    cores = min(2, os.cpu_count() or 1)
    runs: dict[str, Callable[[], float]] = {}
    bare = bare_step(hidden, batch)
    bare()
    runs["bare"] = lambda: time_bare(bare, 1, args.updates)
    on_policy = make_trainer(hidden, batch, 1, False, tmp / f"on_{hidden}_{batch}")
    runs["on-policy"] = lambda: time_updates(on_policy, 1, False, args.updates)
    overlapped = make_trainer(hidden, batch, cores, True, tmp / f"ov_{hidden}_{batch}")
    runs["overlapped"] = lambda: time_updates(overlapped, cores, True, args.updates)
    if args.jax_python:
        peer_updates = max(args.updates * 4, 20)
        runs["jax"] = lambda: steps / jax_peer(args.jax_python, hidden, batch, peer_updates)
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    loads = []
    for _ in tqdm(range(args.repeats), desc=f"GRU-{hidden} x {batch}", leave=False):
        loads.append(load())
        for name, run in runs.items():
            seconds[name].append(run())
    best = {name: min(values) for name, values in seconds.items()}
    used = {"bare": 1, "on-policy": 1, "overlapped": cores, "jax": 1}
    rows = []
    for name, value in best.items():
        rate = steps / value
        row = {
            "row": name,
            "cores": used[name],
            "seconds": value,
            "seconds_all": seconds[name],
            "steps_per_s": rate,
            "vs_bare": value / best["bare"],
        }
        if "jax" in best:
            row["vs_jax_per_core"] = (rate / used[name]) / (steps / best["jax"])
        rows.append(row)
    split = on_policy_split(on_policy)
    return {"hidden": hidden, "batch": batch, "load": loads, "rows": rows, "on_policy_split": split}


def on_policy_split(trainer: Trainer) -> dict[str, float]:
    """Seconds of the on-policy update's rollout and learning step (one thread)."""
    torch.set_num_threads(1)
    start = time.perf_counter()
    trajectories = trainer.rollout()
    middle = time.perf_counter()
    trainer._learn(0, trajectories[0])
    return {"rollout_s": middle - start, "learn_s": time.perf_counter() - middle}


def scaling(hidden: int, batch: int, args: argparse.Namespace, tmp: Path) -> list[dict]:
    """Env-steps/s at 1, 2, 4, ... threads/cores up to ``os.cpu_count()``."""
    counts = [n for n in (1, 2, 4, 8, 16) if n <= (os.cpu_count() or 1)]
    out = []
    for n in tqdm(counts, desc=f"scaling GRU-{hidden} x {batch}", leave=False):
        for overlap in (False, True):
            if overlap and n < 2:
                continue
            trainer = make_trainer(hidden, batch, n, overlap, tmp / f"s{n}{overlap}_{hidden}")
            value = min(time_updates(trainer, n, overlap, args.updates) for _ in range(2))
            kind = "overlapped" if overlap else "on-policy"
            out.append({"cores": n, "kind": kind, "steps_per_s": batch * ROUNDS / value})
    return out


def print_shape(shape: dict) -> None:
    """The shape's table."""
    print(f"\nGRU-{shape['hidden']}, {shape['batch']} episodes x {ROUNDS} rounds")
    print(f"{'row':<12} {'cores':>5} {'env-steps/s':>12} {'vs bare':>8} {'vs JAX/core':>12}")
    for row in shape["rows"]:
        jax = row.get("vs_jax_per_core")
        jax_text = f"{jax:>11.2f}x" if jax is not None else f"{'-':>12}"
        print(
            f"{row['row']:<12} {row['cores']:>5} {row['steps_per_s'] / 1e3:>10.0f}k "
            f"{row['vs_bare']:>7.2f}x {jax_text}"
        )
    for point in shape.get("scaling", []):
        print(
            f"  scaling: {point['kind']:<10} {point['cores']:>2} cores "
            f"{point['steps_per_s'] / 1e3:>7.0f}k/s"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=[f"{h}x{b}" for h, b in SHAPES])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--updates", type=int, default=5, help="updates per timed repetition")
    parser.add_argument("--jax-python", help="a Python with jax and optax: adds the JAX peer")
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling curve")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "results" / "train_throughput_overlap.json",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.updates < 1:
        parser.error("--repeats and --updates must be positive")
    try:
        shapes = [tuple(int(x) for x in s.split("x")) for s in args.shapes]
    except ValueError:
        parser.error(f"--shapes takes HIDDENxBATCH, e.g. 32x256; got {args.shapes}")
    if args.jax_python and not PEER.exists():
        parser.error(f"--jax-python: the JAX peer {PEER} is missing")
    results = []
    started = load()
    with tempfile.TemporaryDirectory() as tmp:
        for hidden, batch in shapes:
            shape = measure_shape(hidden, batch, args, Path(tmp))
            if not args.no_scaling:
                shape["scaling"] = scaling(hidden, batch, args, Path(tmp))
            print_shape(shape)
            results.append(shape)
    record = {
        "benchmark": "train_throughput_overlap",
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "code": code_version(),
        "schema": SCHEMA,
        "command": "python benchmarks/train_throughput.py"
        + " --jax-python PY" * bool(args.jax_python),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "torch": torch.__version__,
            "cpu_count": os.cpu_count(),
            "load_start": started,
            "load_end": load(),
        },
        "repeats": args.repeats,
        "updates_per_repeat": args.updates,
        "shapes": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_json(args.out, record, indent=2)
    print(f"\nload {started} -> {load()}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
