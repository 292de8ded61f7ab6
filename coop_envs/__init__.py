"""coop-envs: iterated social dilemmas as Gymnasium and PettingZoo environments.

``import coop_envs`` registers the Gymnasium ids (``coop_envs/IteratedPrisonersDilemma-v0``, ...,
``coop_envs/PublicGoods-v0``, ``coop_envs/CoinGame-v0``; all in :data:`ALL_GYM_IDS`) and the
PettingZoo registry ids (``coop_envs/ipd-v0``, ..., ``coop_envs/public_goods-v0``,
``coop_envs/coin_game-v0``; :data:`ALL_PETTINGZOO_IDS`). The PettingZoo modules ``ipd_v0``,
``stag_hunt_v0``, ``chicken_v0``, ``matching_pennies_v0``, ``public_goods_v0`` and
``coin_game_v0`` are importable from here.
"""

from coop_envs.core import (
    CC,
    CD,
    CHICKEN,
    COOPERATE,
    DC,
    DD,
    DEFECT,
    GAMES,
    MATCHING_PENNIES,
    PRISONERS_DILEMMA,
    STAG_HUNT,
    START,
    IteratedGame,
    MatrixGame,
    ObservationConfig,
    get_game,
)
from coop_envs.registration import (
    ALL_GYM_IDS,
    ALL_PETTINGZOO_IDS,
    GYM_IDS,
    PETTINGZOO_IDS,
    register_envs,
)

__version__ = "0.1.0"

register_envs()

__all__ = [
    "ALL_GYM_IDS",
    "ALL_PETTINGZOO_IDS",
    "CC",
    "CD",
    "CHICKEN",
    "COOPERATE",
    "DC",
    "DD",
    "DEFECT",
    "GAMES",
    "GYM_IDS",
    "MATCHING_PENNIES",
    "PETTINGZOO_IDS",
    "PRISONERS_DILEMMA",
    "STAG_HUNT",
    "START",
    "IteratedGame",
    "MatrixGame",
    "ObservationConfig",
    "__version__",
    "get_game",
]
