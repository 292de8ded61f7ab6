"""The standard SB3 route: sb3-contrib RecurrentPPO on the registered Gymnasium env.

Exactly as an SB3 user would: ``gym.make("coop_envs/IteratedPrisonersDilemma-v0",
co_player="random_tabular")`` (the paper's random memory-one co-players, redrawn every episode),
vectorised with SB3's ``make_vec_env``, trained with an LSTM policy. The LSTM sees the one-hot
of the last joint action plus its previous action and reward (``prev_action``, ``prev_reward``).

It quickly learns to exploit the co-players (defect against the many exploitable ones); the
in-context inference of the paper needs far more training.

Run:  python examples/sb3_recurrent_ppo.py --timesteps 30000
"""

from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np
from sb3_contrib import RecurrentPPO
from stable_baselines3.common.env_util import make_vec_env

import coop_envs  # noqa: F401  (registers the environments)

ENV_ID = "coop_envs/IteratedPrisonersDilemma-v0"
ENV_KWARGS = {"co_player": "random_tabular", "prev_action": True, "prev_reward": True}


def train(timesteps: int = 30_000, seed: int = 0, n_envs: int = 8) -> RecurrentPPO:
    """Train RecurrentPPO against random tabular co-players."""
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
    return model.learn(total_timesteps=timesteps)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timesteps", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    model = train(args.timesteps, args.seed)
    print(f"always cooperate vs random tabular: {mean_reward(None):+.3f} per round")
    print(f"RecurrentPPO ({args.timesteps} steps):  {mean_reward(model):+.3f} per round")


if __name__ == "__main__":
    main()
