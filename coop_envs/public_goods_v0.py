"""Iterated N-player public goods game, PettingZoo module style.

Usage: ``from coop_envs import public_goods_v0; public_goods_v0.parallel_env(num_players=4)``.

The registry id ``pettingzoo.make("parallel", "coop_envs/public_goods-v0")`` is the primary name.
"""

from coop_envs.pettingzoo_env import PublicGoodsAECEnv, PublicGoodsParallelEnv, game_module_api

parallel_env, raw_env, env = game_module_api(
    PublicGoodsParallelEnv, PublicGoodsAECEnv, "public_goods_v0"
)

__all__ = ["env", "parallel_env", "raw_env"]
