"""Iterated chicken (snowdrift), PettingZoo module style.

Usage: ``from coop_envs import chicken_v0; chicken_v0.parallel_env()``.

The registry id ``pettingzoo.make("parallel", "coop_envs/chicken-v0")`` is the primary name.
"""

from coop_envs.pettingzoo_env import module_api

parallel_env, raw_env, env = module_api("chicken", "chicken_v0")

__all__ = ["env", "parallel_env", "raw_env"]
