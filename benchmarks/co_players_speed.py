"""Co-player speed: acting for B = 65536 games, and the exact best-response DP.

Prints one table and writes JSON (default ``benchmarks/results/co_players_speed.json``). All
rows are measured in the same run; each is the best of several repeats.

Goals (issue 3): acting for 65536 memory-one co-players costs <= 3x one ``rng.random(65536)``;
the best response for T = 100 takes <= 10 ms for one co-player and < 1 s for 10,000 batched.

Run:  python benchmarks/co_players_speed.py [--seconds S] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from co_players import MemoryOne, grim_trigger, make_co_player, resolve_co_player
from co_players.analysis import best_response
from coop_envs.core import PRISONERS_DILEMMA

BATCH = 65536


def best_time(run: Callable[[], object], seconds: float, repeats: int = 5) -> float:
    """Best seconds per call over ``repeats`` timings of at least ``seconds / repeats`` each."""
    best = np.inf
    for _ in range(repeats):
        calls = 0
        start = time.perf_counter()
        while True:
            run()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / repeats:
                break
        best = min(best, elapsed / calls)
    return best


def act_time(co_player, seconds: float) -> float:
    rng = np.random.default_rng(0)
    co_player.reset(PRISONERS_DILEMMA, BATCH, rng)
    obs = rng.integers(0, 5, size=BATCH)
    return best_time(lambda: co_player.act(obs, rng), seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds per measurement")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "co_players_speed.json"
    )
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error(f"--seconds must be positive; got {args.seconds}")
    s = args.seconds
    rng = np.random.default_rng(0)
    rows: dict[str, float] = {}
    rows["rng.random(65536) (reference)"] = best_time(lambda: rng.random(BATCH), s)
    rows["memory-one act, one stochastic vector"] = act_time(
        MemoryOne([0.3, 0.9, 0.2, 0.6, 0.1]), s
    )
    rows["memory-one act, random tabular (B x 5 table)"] = act_time(
        make_co_player("random_tabular"), s
    )
    rows["memory-one act, tit-for-tat (deterministic)"] = act_time(make_co_player("tit_for_tat"), s)
    rows["finite-state act, grim trigger"] = act_time(grim_trigger(), s)
    rows["mixture act, 3 components"] = act_time(
        resolve_co_player({"random_tabular": 1, "tit_for_tat": 1, "grim_trigger": 1}), s
    )
    rows["Q-learner act (learning step included)"] = act_time(make_co_player("q_learner"), s)
    one = rng.random((1, 5))
    rows["best response, 1 co-player, T=100"] = best_time(lambda: best_response(one), s)
    many = rng.random((10000, 5))
    rows["best response, 10,000 co-players, T=100"] = best_time(
        lambda: best_response(many), max(s, 2.0), repeats=2
    )

    reference = rows["rng.random(65536) (reference)"]
    width = max(map(len, rows))
    print(f"{'measurement (B = 65536 games where acting)':<{width}}  {'time':>10}  vs rng.random")
    for name, seconds in rows.items():
        ratio = f"{seconds / reference:6.2f}x" if "act" in name or "rng" in name else ""
        print(f"{name:<{width}}  {seconds * 1e3:>8.3f} ms  {ratio}")
    ratios = {
        "stochastic_vector_act_over_rng_random": rows["memory-one act, one stochastic vector"]
        / reference,
        "random_tabular_act_over_rng_random": rows["memory-one act, random tabular (B x 5 table)"]
        / reference,
    }
    print()
    print(
        f"memory-one act = {ratios['stochastic_vector_act_over_rng_random']:.2f}x (shared vector) "
        f"and {ratios['random_tabular_act_over_rng_random']:.2f}x (per-game table) one "
        "rng.random call (goal <= 3x)"
    )
    print(
        f"best response: {rows['best response, 1 co-player, T=100'] * 1e3:.2f} ms for one "
        f"co-player (goal <= 10 ms), {rows['best response, 10,000 co-players, T=100']:.3f} s "
        "for 10,000 (goal < 1 s)"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "co_players_speed",
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "machine": {
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "numpy": np.__version__,
                },
                "seconds": rows,
                "ratios": ratios,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
