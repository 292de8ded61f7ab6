"""Iterated stag hunt, PettingZoo module style.

Usage: ``from coop_envs import stag_hunt_v0; stag_hunt_v0.parallel_env()``.

The registry id ``pettingzoo.make("parallel", "coop_envs/stag_hunt-v0")`` is the primary name.
"""

from coop_envs.pettingzoo_env import module_api

parallel_env, raw_env, env = module_api("stag_hunt", "stag_hunt_v0")

__all__ = ["env", "parallel_env", "raw_env"]
