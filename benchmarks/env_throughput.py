"""Environment throughput: the batched core against the front ends and outside references.

Prints one table and writes JSON (default ``benchmarks/results/env_throughput.json``). Everything
is measured in the same run, so the ratios at the bottom compare like with like; each figure is
the best of several repeats (the machine is noisy).

Rows:
- core, B = 1 / 64 / 4096 / 65536: ``IteratedGame.step`` with validation, on pre-drawn actions;
- core + co-player + features: what the vector env computes per step (TFT co-player's draw,
  the step, the observation features), without the env object around it;
- vector env, B = 4096 / 65536: ``gym.make_vec(...).step`` against TFT (a deterministic
  co-player: no random draw), and against random tabular co-players (one uniform draw per game);
- gym env / PettingZoo parallel env / AEC env: one game, per step (``gym.make`` wrappers included);
- plain-Python loop: the same game written as a loop over games and rounds;
- PettingZoo ``rps_v2`` parallel env per step (needs pygame-ce), and Axelrod's ``Match``
  (needs the ``axelrod`` extra), where installed.

Run:  python benchmarks/env_throughput.py [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROUNDS = 100


def best_rate(run: Callable[[], int], seconds: float, repeats: int = 5) -> float:
    """Best units/s over ``repeats`` timings of at least ``seconds / repeats`` each."""
    best = 0.0
    budget = seconds / repeats
    for _ in range(repeats):
        units = 0
        start = time.perf_counter()
        while True:
            units += run()
            elapsed = time.perf_counter() - start
            if elapsed >= budget:
                break
        best = max(best, units / elapsed)
    return best


def core_rounds_per_second(batch: int, seconds: float) -> float:
    from coop_envs.core import IteratedGame

    core = IteratedGame(batch_size=batch, num_rounds=ROUNDS)
    actions = np.random.default_rng(0).integers(0, 2, size=(ROUNDS, batch, 2))

    def episode() -> int:
        core.reset()
        for t in range(ROUNDS):
            core.step(actions[t])
        return batch * ROUNDS

    return best_rate(episode, seconds)


def core_with_co_player_rounds_per_second(batch: int, seconds: float) -> float:
    from co_players import make_co_player
    from coop_envs.core import IteratedGame

    core = IteratedGame(batch_size=batch, num_rounds=ROUNDS)
    co_player = make_co_player("tit_for_tat")
    rng = np.random.default_rng(0)
    mine = rng.integers(0, 2, size=(ROUNDS, batch))
    joint = np.zeros((batch, 2), dtype=np.int64)

    def episode() -> int:
        core.reset()
        co_player.reset(core.game, batch, rng)
        core.observation(0)
        for t in range(ROUNDS):
            joint[:, 0] = mine[t]
            joint[:, 1] = co_player.act(core.codes[:, 1], rng)
            core.step(joint)
            core.observation(0)
        return batch * ROUNDS

    return best_rate(episode, seconds)


def vector_env_rounds_per_second(
    batch: int, seconds: float, co_player: str = "tit_for_tat"
) -> float:
    import gymnasium as gym

    import coop_envs  # noqa: F401

    envs = gym.make_vec(
        "coop_envs/IteratedPrisonersDilemma-v0", num_envs=batch, co_player=co_player
    )
    actions = np.random.default_rng(0).integers(0, 2, size=(ROUNDS, batch))
    envs.reset(seed=0)

    def episode() -> int:
        envs.reset()
        for t in range(ROUNDS):
            envs.step(actions[t])
        return batch * ROUNDS

    return best_rate(episode, seconds)


def gym_env_steps_per_second(seconds: float) -> float:
    import gymnasium as gym

    import coop_envs  # noqa: F401

    env = gym.make("coop_envs/IteratedPrisonersDilemma-v0", co_player="tit_for_tat")
    actions = [int(a) for a in np.random.default_rng(0).integers(0, 2, size=ROUNDS)]
    env.reset(seed=0)

    def episode() -> int:
        env.reset()
        for a in actions:
            env.step(a)
        return ROUNDS

    return best_rate(episode, seconds)


def parallel_env_steps_per_second(make: Callable[[], object], seconds: float) -> float:
    env = make()
    env.reset(seed=0)
    agents = list(env.possible_agents)
    rng = np.random.default_rng(0)
    spaces = {a: env.action_space(a) for a in agents}
    draws = [{a: int(rng.integers(spaces[a].n)) for a in agents} for _ in range(ROUNDS)]

    def episode() -> int:
        env.reset()
        steps = 0
        for actions in draws:
            if not env.agents:
                break
            env.step(actions)
            steps += 1
        return steps

    return best_rate(episode, seconds)


def aec_env_steps_per_second(seconds: float) -> float:
    from coop_envs import ipd_v0

    env = ipd_v0.env()
    rng = np.random.default_rng(0)
    draws = [int(a) for a in rng.integers(0, 2, size=2 * ROUNDS)]

    def episode() -> int:
        env.reset()
        for a in draws:
            env.step(a)
        return ROUNDS

    return best_rate(episode, seconds)


def python_loop_rounds_per_second(games: int, seconds: float) -> float:
    payoffs = {(0, 0): (1, 1), (0, 1): (-1, 2), (1, 0): (2, -1), (1, 1): (0, 0)}
    rng = random.Random(0)
    actions = [[(rng.randrange(2), rng.randrange(2)) for _ in range(ROUNDS)] for _ in range(games)]

    def episode() -> int:
        for game in actions:
            history = []
            totals = [0, 0]
            codes = [[0, 0]]
            for a0, a1 in game:
                r0, r1 = payoffs[(a0, a1)]
                totals[0] += r0
                totals[1] += r1
                codes.append([1 + 2 * a0 + a1, 1 + 2 * a1 + a0])
                history.append((a0, a1))
        return games * ROUNDS

    return best_rate(episode, seconds)


def rps_steps_per_second(seconds: float) -> float | str:
    try:
        import pettingzoo

        make = lambda: pettingzoo.make("parallel", "classic/rps-v2", max_cycles=ROUNDS)  # noqa: E731
        make()
    except Exception as exc:
        return f"skipped: {type(exc).__name__} (pip install pygame-ce)"
    return parallel_env_steps_per_second(make, seconds)


def axelrod_rounds_per_second(seconds: float) -> float | str:
    try:
        import axelrod as axl
    except ImportError:
        return "skipped: pip install 'coop-envs[axelrod]'"

    def match() -> int:
        axl.Match((axl.TitForTat(), axl.Random()), turns=ROUNDS, seed=0).play()
        return ROUNDS

    return best_rate(match, seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter timings (noisier)")
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="seconds per measurement (default 2, or 0.5 with --quick)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "env_throughput.json"
    )
    args = parser.parse_args(argv)
    seconds = args.seconds if args.seconds is not None else (0.5 if args.quick else 2.0)
    if seconds <= 0:
        parser.error(f"--seconds must be positive; got {seconds}")

    rows: list[tuple[str, str, float | str]] = []  # (name, unit, value)
    core = {}
    for batch in (1, 64, 4096, 65536):
        core[batch] = core_rounds_per_second(batch, seconds)
        rows.append((f"core step, B={batch}", "rounds/s", core[batch]))
    full = {}
    vector = {}
    for batch in (4096, 65536):
        full[batch] = core_with_co_player_rounds_per_second(batch, seconds)
        rows.append((f"core + TFT co-player + features, B={batch}", "rounds/s", full[batch]))
        vector[batch] = vector_env_rounds_per_second(batch, seconds)
        rows.append((f"vector env (gym.make_vec), B={batch}", "rounds/s", vector[batch]))
    tabular = vector_env_rounds_per_second(65536, seconds, "random_tabular")
    rows.append(("vector env vs random_tabular, B=65536", "rounds/s", tabular))
    from coop_envs import ipd_v0

    gym_rate = gym_env_steps_per_second(seconds)
    rows.append(("gym env (gym.make, one game)", "steps/s", gym_rate))
    par_rate = parallel_env_steps_per_second(ipd_v0.parallel_env, seconds)
    rows.append(("PettingZoo parallel env (one game)", "steps/s", par_rate))
    rows.append(("PettingZoo AEC env (one game)", "rounds/s", aec_env_steps_per_second(seconds)))
    loop = python_loop_rounds_per_second(64, seconds)
    rows.append(("reference: plain-Python loop", "rounds/s", loop))
    rps = rps_steps_per_second(seconds)
    rows.append(("reference: PettingZoo rps_v2 parallel env", "steps/s", rps))
    axl_rate = axelrod_rounds_per_second(seconds)
    rows.append(("reference: Axelrod Match (TFT vs Random)", "rounds/s", axl_rate))

    ratios = {
        "core_B65536_over_python_loop": core[65536] / loop,
        "vector_env_over_core_step_B65536": core[65536] / vector[65536],
        "vector_env_over_core_with_co_player_B65536": full[65536] / vector[65536],
        "vector_env_over_core_step_B4096": core[4096] / vector[4096],
        "core_B1_over_gym_env": core[1] / gym_rate,
    }
    if isinstance(rps, float):
        ratios["coop_parallel_env_over_rps_v2"] = par_rate / rps

    width = max(len(name) for name, _, _ in rows)
    print(f"{'measurement':<{width}}  {'rate':>14}  unit      per step/round")
    for name, unit, value in rows:
        if isinstance(value, str):
            print(f"{name:<{width}}  {value}")
        else:
            print(f"{name:<{width}}  {value:>14,.0f}  {unit:<8}  {1e6 / value:>8.3f} us")
    print()
    print(
        f"core at B=65536 plays {ratios['core_B65536_over_python_loop']:.0f}x more rounds/s "
        "than the plain-Python loop (goal >= 50x)"
    )
    print(
        f"vector env costs {ratios['vector_env_over_core_step_B65536']:.2f}x the bare core step "
        f"and {ratios['vector_env_over_core_with_co_player_B65536']:.2f}x the core + co-player + "
        "features at B=65536 (goal <= 2x)"
    )
    if "coop_parallel_env_over_rps_v2" in ratios:
        print(
            f"our parallel env steps {ratios['coop_parallel_env_over_rps_v2']:.2f}x "
            "as fast as rps_v2"
        )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": "env_throughput",
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "numpy": np.__version__,
        },
        "seconds_per_measurement": seconds,
        "rows": [{"name": n, "unit": u, "value": v} for n, u, v in rows],
        "ratios": ratios,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
