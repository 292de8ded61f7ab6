"""Iterated matching pennies (zero-sum control), PettingZoo module style.

Usage: ``from coop_envs import matching_pennies_v0; matching_pennies_v0.parallel_env()``.

The primary name is the registry id:
``pettingzoo.make("parallel", "coop_envs/matching_pennies-v0")``.
"""

from coop_envs.pettingzoo_env import module_api

parallel_env, raw_env, env = module_api("matching_pennies", "matching_pennies_v0")

__all__ = ["env", "parallel_env", "raw_env"]
