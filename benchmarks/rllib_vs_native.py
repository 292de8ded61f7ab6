"""RLlib PPO-LSTM on our env vs our native trainer; the leaderboard suite sequential vs on Ray.

Run in the RLlib virtual environment (extra ``rllib``; see ``.ci/run``), one run, same machine:

1. training throughput (environment steps per second, sampling and learning together) of Ray
   RLlib PPO with an LSTM module (``coop_envs.rllib.lstm_model_config``, one env runner) on
   ``coop_envs/IteratedPrisonersDilemma-v0`` against random tabular co-players and on the mixed
   pool, against this project's trainer (``baselines.trainer``, preset ``stage1_fast``: A2C,
   GRU-32, 256 episodes per update, batched core) on the same game;
2. the full leaderboard suite (3 seeds, trained exploiter) for one submission, sequential
   (:func:`leaderboard.scoring.score_submission`) and as Ray tasks on a local 2-CPU cluster
   (:func:`leaderboard.scoring.score_submission_on_ray`; the cluster's start-up is timed apart).

Prints a table and writes ``benchmarks/results/rllib_vs_native.json`` (with the git commit and the
load average: the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rllib_steps_per_second(env: str, iterations: int) -> dict:
    """Env steps/s of RLlib PPO-LSTM after one warm-up iteration."""
    from ray.rllib.algorithms.ppo import PPOConfig

    from coop_envs import rllib

    rllib.register()
    config = (
        PPOConfig()
        .environment(env, env_config=dict(rllib.AGENT_ENV_CONFIG))
        .env_runners(num_env_runners=1)
        .training(train_batch_size_per_learner=2000, minibatch_size=500, num_epochs=4)
        .debugging(seed=0)
    )
    if env == rllib.MIXED_POOL:
        rllib.multi_agent(config)
    else:
        config.rl_module(model_config=rllib.lstm_model_config())
    algo = config.build_algo()
    try:
        algo.train()  # warm-up
        first = algo.train()["env_runners"]["num_env_steps_sampled_lifetime"]
        start = time.perf_counter()
        for _ in range(iterations):
            last = algo.train()["env_runners"]["num_env_steps_sampled_lifetime"]
        seconds = time.perf_counter() - start
    finally:
        algo.stop()
    steps = last - first
    return {"env_steps": int(steps), "seconds": seconds, "steps_per_second": steps / seconds}


def native_steps_per_second(updates: int) -> dict:
    """Env steps/s of this project's trainer (stage1_fast) after one warm-up update."""
    from baselines.config import preset
    from baselines.configs import with_overrides
    from baselines.trainer import Trainer

    with tempfile.TemporaryDirectory() as tmp:
        config = with_overrides(
            preset("stage1_fast"),
            {
                "updates": updates + 1,
                "out": str(Path(tmp) / "run"),
                "progress": False,
                "threads": 1,
                "eval.every": updates + 1,
                "eval.episodes": 16,
            },
        )
        trainer = Trainer(config)
        trainer.begin()
        trainer.step()  # warm-up
        start = time.perf_counter()
        for _ in range(updates):
            trainer.step()
        seconds = time.perf_counter() - start
        steps = updates * config.env_steps_per_update
    return {"env_steps": steps, "seconds": seconds, "steps_per_second": steps / seconds}


def suite_seconds(source: str) -> dict:
    """The full suite for one submission: sequential, then as Ray tasks (2 CPUs)."""
    import ray

    from leaderboard.scoring import score_submission, score_submission_on_ray
    from leaderboard.submissions import inspect_submission
    from leaderboard.suite import FULL

    submission = inspect_submission(source)
    start = time.perf_counter()
    sequential = score_submission(submission, FULL)
    sequential_seconds = time.perf_counter() - start
    start = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    startup = time.perf_counter() - start
    try:
        start = time.perf_counter()
        fanned = score_submission_on_ray(submission, FULL)
        ray_seconds = time.perf_counter() - start
    finally:
        ray.shutdown()
    return {
        "submission": Path(source).name,
        "sequential_seconds": sequential_seconds,
        "ray_seconds": ray_seconds,
        "ray_startup_seconds": startup,
        "same_metrics": sequential.metrics == fanned.metrics,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2, help="timed RLlib iterations")
    parser.add_argument("--updates", type=int, default=20, help="timed native updates")
    parser.add_argument(
        "--submission", default=str(ROOT / "examples" / "submissions" / "tit_for_tat_agent.py")
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "rllib_vs_native.json"
    )
    args = parser.parse_args(argv)
    import ray

    from coop_envs import rllib

    load_before = os.getloadavg()
    rows = []
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        for env in ("coop_envs/IteratedPrisonersDilemma-v0", rllib.MIXED_POOL):
            rows.append(
                {
                    "trainer": f"RLlib PPO-LSTM-64, {env}",
                    **rllib_steps_per_second(env, args.iterations),
                }
            )
    finally:
        ray.shutdown()
    rows.append(
        {"trainer": "native A2C GRU-32 (stage1_fast)", **native_steps_per_second(args.updates)}
    )
    native = rows[-1]["steps_per_second"]
    print(f"{'trainer':<60}{'env steps':>11}{'seconds':>9}{'steps/s':>11}{'vs native':>11}")
    for row in rows:
        row["ratio_to_native"] = row["steps_per_second"] / native
        print(
            f"{row['trainer']:<60}{row['env_steps']:>11}{row['seconds']:>9.1f}"
            f"{row['steps_per_second']:>11.0f}{row['ratio_to_native']:>11.3f}"
        )
    suite = suite_seconds(args.submission)
    print(
        f"\nfull suite for {suite['submission']}: sequential {suite['sequential_seconds']:.1f} s, "
        f"Ray (2 CPUs) {suite['ray_seconds']:.1f} s (+ {suite['ray_startup_seconds']:.1f} s "
        f"cluster start); same metrics: {suite['same_metrics']}"
    )
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "rllib_vs_native",
                "schema": 1,
                "commit": commit,
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "machine": {
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "cpus": os.cpu_count(),
                    "load_average_before": load_before,
                    "load_average_after": os.getloadavg(),
                },
                "config": vars(args) | {"out": str(args.out)},
                "training": rows,
                "suite": suite,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
