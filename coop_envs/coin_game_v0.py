"""The Coin Game, PettingZoo module style.

Usage: ``from coop_envs import coin_game_v0; coin_game_v0.parallel_env()``.

The registry id ``pettingzoo.make("parallel", "coop_envs/coin_game-v0")`` is the primary name.
"""

from coop_envs.coin_game_env import CoinGameAECEnv, CoinGameParallelEnv
from coop_envs.pettingzoo_env import game_module_api

parallel_env, raw_env, env = game_module_api(CoinGameParallelEnv, CoinGameAECEnv, "coin_game_v0")

__all__ = ["env", "parallel_env", "raw_env"]
