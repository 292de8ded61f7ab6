"""The paper's mixed pool on Ray RLlib: two PPO-LSTM learners, evaluated with our own evaluation.

Two RLlib PPO learners with LSTM modules (``coop_envs.rllib.lstm_model_config``, new API stack)
play ``coop_envs/mixed_pool``: each learner plays half its episodes against the other learner and
half against random tabular co-players (memory-one, redrawn every episode), as in the paper's
mixed-pool training. Observations are the agent protocol's (one-hot of the last joint action,
own previous action and reward), so the checkpoint is then scored by ``baselines.evaluate`` (both
modules against always-cooperate, always-defect, tit-for-tat, held-out random tabular co-players
and each other) and can be submitted to the leaderboard::

    python examples/rllib_mixed_pool.py --iterations 3                  # local: 2 CPUs
    python examples/rllib_mixed_pool.py --iterations 50 --address auto  # on a running cluster
    coop-leaderboard submit runs/rllib_mixed_pool_seed0/learner_group/learner/rl_module/learner_0 \\
        --name rllib_learner_0 --quick

Needs the ``rllib`` extra in its own virtual environment (Ray RLlib pins gymnasium 1.2.2)::

    python3 -m venv .venv-rllib && . .venv-rllib/bin/activate
    pip install -c constraints.txt -e ".[rllib,test]"

A few iterations teach the learners to exploit (they beat random play against always-cooperate);
the paper's cooperation between in-context learners needs far more training.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from coop_envs import rllib


def build_config(seed: int = 0, env_runners: int = 1, episodes_per_iteration: int = 20):
    """The PPO config: the mixed pool, two LSTM learners, the agent observation."""
    from ray.rllib.algorithms.ppo import PPOConfig

    rllib.register()
    config = (
        PPOConfig()
        .environment(rllib.MIXED_POOL, env_config={"co_player": "random_tabular"})
        .env_runners(num_env_runners=env_runners, num_envs_per_env_runner=1)
        .training(
            train_batch_size_per_learner=100 * episodes_per_iteration,
            minibatch_size=500,
            num_epochs=4,
            lr=3e-3,
            gamma=0.96,
            lambda_=0.95,
            entropy_coeff=0.01,
        )
        # a broken env runner is an error here, not a restart a minute later
        .fault_tolerance(restart_failed_env_runners=False)
        .debugging(seed=seed)
    )
    return rllib.multi_agent(config)


def train(iterations: int, out: Path, seed: int = 0, env_runners: int = 1) -> Path:
    """Train for ``iterations`` PPO iterations; save the checkpoint to ``out``; return it."""
    from tqdm.auto import tqdm

    algo = build_config(seed, env_runners).build_algo()
    try:
        bar = tqdm(range(iterations), desc="PPO iterations", unit="it")
        for _ in bar:
            result = algo.train()
            returns = result["env_runners"].get("module_episode_returns_mean", {})
            bar.set_postfix({m: f"{r / 100:.2f}/round" for m, r in sorted(returns.items())})
        out.mkdir(parents=True, exist_ok=True)
        algo.save(str(out.resolve()))
    finally:
        algo.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    """Train, save, evaluate; returns the exit status."""
    parser = argparse.ArgumentParser(
        description="Two RLlib PPO-LSTM learners in the paper's mixed pool, then our evaluation.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--iterations", type=int, default=3, help="PPO iterations (20 episodes)")
    parser.add_argument("--address", default=None, help="Ray cluster address (default: local)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--env-runners", type=int, default=1, help="RLlib env-runner processes")
    parser.add_argument("--episodes", type=int, default=256, help="evaluation episodes")
    parser.add_argument(
        "--out", type=Path, default=None, help="default runs/rllib_mixed_pool_seedS"
    )
    args = parser.parse_args(argv)
    if args.iterations < 1:
        parser.error(f"--iterations must be at least 1; got {args.iterations}")
    import ray

    from baselines.evaluate import EvaluateConfig
    from baselines.evaluate import main as evaluate

    out = args.out or Path("runs") / f"rllib_mixed_pool_seed{args.seed}"
    started = not ray.is_initialized()  # else: the caller's cluster, left running
    if args.address:
        ray.init(address=args.address, ignore_reinit_error=True)
    else:
        ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    try:
        train(args.iterations, out, args.seed, args.env_runners)
    finally:
        if started:
            ray.shutdown()
    print(f"saved the checkpoint to {out}")
    evaluate(EvaluateConfig(checkpoints=(out,), episodes=args.episodes, seed=args.seed))
    module = out / "learner_group" / "learner" / "rl_module" / "learner_0"
    print(f"submit a learner: coop-leaderboard submit {module} --name rllib_learner_0 --quick")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
