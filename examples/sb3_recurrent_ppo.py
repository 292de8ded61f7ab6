"""The standard SB3 route: sb3-contrib RecurrentPPO on the registered Gymnasium env.

Exactly as an SB3 user would: ``gym.make("coop_envs/IteratedPrisonersDilemma-v0",
co_player="random_tabular")`` (the paper's random memory-one co-players, redrawn every episode),
vectorised with SB3's ``make_vec_env``, trained with an LSTM policy. The LSTM sees the one-hot
of the last joint action plus its previous action and reward (``prev_action``, ``prev_reward``).

It quickly learns to exploit the co-players (defect against the many exploitable ones); the
in-context inference of the paper needs far more training.

It shows SB3's progress bar while it trains (``progress_bar=True``, which needs ``rich`` and
``tqdm``: both in the ``baselines`` extra) and saves the model as a ``.zip`` that the leaderboard
accepts as it is (kind ``sb3``; its 8 inputs are the leaderboard's observation layout)::

    python examples/sb3_recurrent_ppo.py --timesteps 30000 --out runs/recurrent_ppo.zip
    coop-leaderboard submit runs/recurrent_ppo.zip --name my_recurrent_ppo --quick
"""

from __future__ import annotations

import argparse
from pathlib import Path

import gymnasium as gym
import numpy as np
from sb3_contrib import RecurrentPPO
from stable_baselines3.common.env_util import make_vec_env

import coop_envs  # noqa: F401  (registers the environments)

ENV_ID = "coop_envs/IteratedPrisonersDilemma-v0"
ENV_KWARGS = {"co_player": "random_tabular", "prev_action": True, "prev_reward": True}


def train(
    timesteps: int = 30_000, seed: int = 0, n_envs: int = 8, progress: bool = False
) -> RecurrentPPO:
    """Train RecurrentPPO against random tabular co-players (``progress``: SB3's progress bar)."""
    env = make_vec_env(ENV_ID, n_envs=n_envs, seed=seed, env_kwargs=ENV_KWARGS)
    model = RecurrentPPO(
        "MlpLstmPolicy",
        env,
        n_steps=100,  # one whole episode per environment per rollout
        batch_size=200,
        learning_rate=3e-3,
        ent_coef=0.01,
        policy_kwargs={"lstm_hidden_size": 32, "net_arch": []},
        seed=seed,
        device="cpu",
        verbose=0,
    )
    return model.learn(total_timesteps=timesteps, progress_bar=progress)


def mean_reward(model: RecurrentPPO | None, episodes: int = 200, seed: int = 1000) -> float:
    """Mean reward per round against fresh random tabular co-players (None: always cooperate)."""
    env = gym.make(ENV_ID, **ENV_KWARGS)
    total = 0.0
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed + episode)
        state, start, done = None, np.ones((1,), dtype=bool), False
        while not done:
            if model is None:
                action = 0
            else:
                action, state = model.predict(
                    obs, state=state, episode_start=start, deterministic=True
                )
            obs, reward, terminated, truncated, _ = env.step(int(action))
            total += reward
            start = np.zeros((1,), dtype=bool)
            done = terminated or truncated
    return total / (episodes * 100)


def main(argv: list[str] | None = None) -> int:
    """Train, save the ``.zip``, compare with always-cooperate. Returns the exit status."""
    parser = argparse.ArgumentParser(
        description="Train sb3-contrib RecurrentPPO on coop_envs/IteratedPrisonersDilemma-v0 "
        "against random tabular co-players and save a .zip the leaderboard accepts.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--timesteps", type=int, default=30_000, help="environment steps")
    parser.add_argument("--seed", type=int, default=0, help="training seed")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("runs") / "recurrent_ppo.zip",
        help="where to save the model (submit it with coop-leaderboard submit)",
    )
    parser.add_argument(
        "--eval-episodes", type=int, default=200, help="episodes of the comparison at the end"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.timesteps <= 0 or args.eval_episodes <= 0:
        parser.error(
            f"--timesteps and --eval-episodes must be positive; got {args.timesteps}, "
            f"{args.eval_episodes}"
        )
    if args.out.suffix != ".zip":
        parser.error(f"--out must end in .zip (what submit recognises as SB3); got {args.out}")
    print(f"training RecurrentPPO for {args.timesteps:,} steps (seed {args.seed})", flush=True)
    model = train(args.timesteps, args.seed, progress=not args.no_progress)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    n = args.eval_episodes
    print(f"always cooperate vs random tabular: {mean_reward(None, n):+.3f} per round")
    print(f"RecurrentPPO ({args.timesteps} steps):  {mean_reward(model, n):+.3f} per round")
    print(f"saved {args.out}; enter it on the leaderboard with:")
    print(f"  coop-leaderboard submit {args.out} --name my_recurrent_ppo --quick")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
