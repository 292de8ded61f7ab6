"""The recurrent in-context trainer on the games beyond 2x2 (N-player public goods, Coin Game).

- :mod:`.config`: :class:`GameTrainConfig` and the presets ``<experiment>_<game>_fast``
  (``stage1``, ``mixed_pool``, ``no_tabular``, ``id_ablation`` for ``public_goods`` and
  ``coin_game``);
- :mod:`.policy`: the GRU agent whose input and output sizes come from the game's spec, and its
  agent files (``kind: "game_policy"``, read by :func:`baselines.load_agent`);
- :mod:`.trainer`: :class:`GameTrainer`, A2C/PPO under the one run loop.

``python -m baselines.train --preset stage1_public_goods_fast --seed 0`` trains one.
"""

from baselines.general.config import (
    GAME_PRESET_NAMES,
    GameConfig,
    GamePoolConfig,
    GameTrainConfig,
    game_deviations,
    game_preset,
)

__all__ = [
    "GAME_PRESET_NAMES",
    "GameConfig",
    "GamePoolConfig",
    "GameTrainConfig",
    "game_deviations",
    "game_preset",
]
