"""Baselines: recurrent in-context agents (GRU, small transformer) and their batched trainer.

- ``python -m baselines.train --preset NAME --seed S --out DIR`` trains (A2C, the paper's, or PPO)
  one or several learners against random tabular co-players, frozen agents and each other;
- ``python -m baselines.evaluate CHECKPOINT`` scores a trained policy (reward, cooperation,
  in-context regret against the exact best response);
- :func:`load_agent` turns a checkpoint into an agent (batched ``reset`` / ``act``) that can be a
  co-player, a leaderboard submission or an evaluation subject.

Importing this package imports torch; ``coop_envs`` and ``co_players`` never do.
"""

from baselines.agents import load_agent
from baselines.checkpoints import CheckpointError, load_policy, save_policy
from baselines.config import PRESETS, AlgoConfig, PoolConfig, TrainConfig, preset
from baselines.players import PolicyAgent
from baselines.policies import PolicyConfig, make_policy
from baselines.run import EvalConfig, RunConfig

__all__ = [
    "PRESETS",
    "AlgoConfig",
    "CheckpointError",
    "EvalConfig",
    "PolicyAgent",
    "PolicyConfig",
    "PoolConfig",
    "RunConfig",
    "TrainConfig",
    "load_agent",
    "load_policy",
    "make_policy",
    "preset",
    "save_policy",
]
