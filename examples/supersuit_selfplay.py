"""Parameter-shared self-play on the iterated prisoner's dilemma with SB3 PPO, via SuperSuit.

The standard PettingZoo route: one PPO policy plays both seats. SuperSuit is semi-deprecated
upstream, so coop_envs does not depend on it; this example is kept working by a test.

With the paper's observation (the previous joint action only) and no diverse co-players, the
shared policy learns to defect: the baseline the paper's mixed pool is compared with.

Run:  python examples/supersuit_selfplay.py --timesteps 40000
"""

from __future__ import annotations

import argparse

import numpy as np
import supersuit as ss
from stable_baselines3 import PPO
from supersuit.vector.sb3_vector_wrapper import SB3VecEnvWrapper

from coop_envs import ipd_v0


class SeedableVecEnv(SB3VecEnvWrapper):
    """SuperSuit's SB3 wrapper forwards ``seed`` to ``ConcatVecEnv``, which has none.

    ``PPO(seed=...)`` calls ``env.seed(seed)``; keep the seed for the next ``reset`` instead.
    """

    def seed(self, seed: int | None = None) -> list[int | None]:
        self._seed_for_reset = seed
        return [seed] * self.num_envs

    def reset(self, seed=None, options=None):
        if seed is None:
            seed = getattr(self, "_seed_for_reset", None)
        self._seed_for_reset = None
        observations, self.reset_infos = self.venv.reset(seed=seed)
        return observations


def make_env(num_games: int, num_rounds: int):
    env = ipd_v0.parallel_env(num_rounds=num_rounds)
    env = ss.pettingzoo_env_to_vec_env_v1(env)
    env = ss.concat_vec_envs_v1(env, num_games, num_cpus=0, base_class="stable_baselines3")
    return SeedableVecEnv(env.venv)


def cooperation_probabilities(model: PPO) -> np.ndarray:
    """P(cooperate) of the shared policy after each observation START, CC, CD, DC, DD."""
    obs, _ = model.policy.obs_to_tensor(np.eye(5, dtype=np.float32))
    probs = model.policy.get_distribution(obs).distribution.probs
    return probs[:, 0].detach().numpy()


def cooperation_rate(model: PPO, num_rounds: int, episodes: int = 10) -> float:
    """Self-play cooperation of the shared policy (deterministic actions)."""
    coop = []
    for seed in range(episodes):
        env = ipd_v0.parallel_env(num_rounds=num_rounds)
        obs, _ = env.reset(seed=seed)
        while env.agents:
            actions = {a: int(model.predict(obs[a], deterministic=True)[0]) for a in env.agents}
            coop.extend(a == 0 for a in actions.values())
            obs, *_ = env.step(actions)
    return float(np.mean(coop))


def train(timesteps: int = 40_000, num_games: int = 8, num_rounds: int = 20, seed: int = 0) -> PPO:
    env = make_env(num_games, num_rounds)
    model = PPO(
        "MlpPolicy",
        env,
        n_steps=128,
        batch_size=256,
        learning_rate=3e-3,
        seed=seed,
        verbose=0,
        device="cpu",
    )
    return model.learn(total_timesteps=timesteps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timesteps", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    model = train(args.timesteps, seed=args.seed)
    probs = ", ".join(f"{p:.2f}" for p in cooperation_probabilities(model))
    print(f"after {args.timesteps} steps: P(C | START, CC, CD, DC, DD) = {probs}")
    print(f"self-play cooperation (greedy): {cooperation_rate(model, 20):.2f}")


if __name__ == "__main__":
    main()
