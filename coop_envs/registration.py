"""Registration of the Gymnasium ids and the PettingZoo registry ids (run on ``import coop_envs``).

Gymnasium ids (each also with a ``vector_entry_point`` for ``gym.make_vec``):

==========================================  ==================
id                                          game
==========================================  ==================
``coop_envs/IteratedPrisonersDilemma-v0``   prisoner's dilemma
``coop_envs/IteratedStagHunt-v0``           stag hunt
``coop_envs/IteratedChicken-v0``            chicken
``coop_envs/IteratedMatchingPennies-v0``    matching pennies
``coop_envs/IteratedMatrixGame-v0``         any, via ``game=``
==========================================  ==================

Each is also registered without the namespace (``IteratedPrisonersDilemma-v0``), because
Gymnasium resolves ``gym.make("coop_envs:IteratedPrisonersDilemma-v0")`` by importing
``coop_envs`` and then looking up the part after the colon: that form works without importing
the package first (Gymnasium 1.x has no plugin entry points).

PettingZoo registry ids (``pettingzoo.make("parallel" | "aec", id)``): ``coop_envs/ipd-v0``,
``coop_envs/stag_hunt-v0``, ``coop_envs/chicken-v0``, ``coop_envs/matching_pennies-v0`` and
``coop_envs/iterated_matrix_game-v0`` (any game via ``game=``).

Games beyond the 2x2 matrix games register through :data:`GAME_IDS` (one row per game: the
Gymnasium name, the PettingZoo name, and the entry points of its env, vector env, parallel and
AEC classes): ``coop_envs/PublicGoods-v0`` and ``coop_envs/public_goods-v0`` (N-player public
goods, ``num_players=`` etc. as keyword arguments), ``coop_envs/CoinGame-v0`` and
``coop_envs/coin_game-v0`` (the Coin Game). A new game adds one row.

An id of the matrix games fixes its game:
``gym.make("coop_envs/IteratedPrisonersDilemma-v0", game="stag_hunt")`` raises ``ValueError``
(as does ``ipd_v0.parallel_env(game=...)``); only the generic ids take ``game=``.
"""

from __future__ import annotations

import importlib
from functools import partial
from typing import Any

import gymnasium as gym
import pettingzoo

from coop_envs.core.validation import check_fixed

GYM_GAMES: dict[str, str | None] = {
    "IteratedPrisonersDilemma": "prisoners_dilemma",
    "IteratedStagHunt": "stag_hunt",
    "IteratedChicken": "chicken",
    "IteratedMatchingPennies": "matching_pennies",
    "IteratedMatrixGame": None,
}
PETTINGZOO_GAMES: dict[str, str | None] = {
    "ipd": "prisoners_dilemma",
    "stag_hunt": "stag_hunt",
    "chicken": "chicken",
    "matching_pennies": "matching_pennies",
    "iterated_matrix_game": None,
}
GAME_IDS: dict[str, tuple[str, str, str, str, str]] = {
    # Gymnasium name: (PettingZoo name, env, vector env, parallel env, AEC env entry points)
    "PublicGoods": (
        "public_goods",
        "coop_envs.gym_env:PublicGoodsEnv",
        "coop_envs.vector_env:PublicGoodsVectorEnv",
        "coop_envs.pettingzoo_env:PublicGoodsParallelEnv",
        "coop_envs.pettingzoo_env:PublicGoodsAECEnv",
    ),
    "CoinGame": (
        "coin_game",
        "coop_envs.coin_game_env:CoinGameEnv",
        "coop_envs.coin_game_env:CoinGameVectorEnv",
        "coop_envs.coin_game_env:CoinGameParallelEnv",
        "coop_envs.coin_game_env:CoinGameAECEnv",
    ),
}
"""Games with their own classes (not a ``MatrixGame``), by Gymnasium name."""
GYM_IDS: tuple[str, ...] = tuple(f"coop_envs/{name}-v0" for name in GYM_GAMES)
"""Gymnasium ids of the 2x2 matrix games (they share arguments: ``prev_action=``, ...)."""
PETTINGZOO_IDS: tuple[str, ...] = tuple(f"coop_envs/{name}-v0" for name in PETTINGZOO_GAMES)
"""PettingZoo registry ids of the 2x2 matrix games."""
GAME_GYM_IDS: tuple[str, ...] = tuple(f"coop_envs/{name}-v0" for name in GAME_IDS)
"""Gymnasium ids of the games of :data:`GAME_IDS`."""
GAME_PETTINGZOO_IDS: tuple[str, ...] = tuple(f"coop_envs/{row[0]}-v0" for row in GAME_IDS.values())
"""PettingZoo registry ids of the games of :data:`GAME_IDS`."""
ALL_GYM_IDS: tuple[str, ...] = GYM_IDS + GAME_GYM_IDS
ALL_PETTINGZOO_IDS: tuple[str, ...] = PETTINGZOO_IDS + GAME_PETTINGZOO_IDS


def make_aec_env(**kwargs: object) -> pettingzoo.AECEnv:
    """AEC entry point of the PettingZoo registry: the AEC env with order enforcement."""
    from pettingzoo.utils import wrappers

    from coop_envs.pettingzoo_env import IteratedGameAECEnv

    return wrappers.OrderEnforcingWrapper(IteratedGameAECEnv(**kwargs))


def make_wrapped_aec(entry_point: str, /, **kwargs: Any) -> pettingzoo.AECEnv:
    """AEC entry point of a game of :data:`GAME_IDS`: its AEC env with order enforcement."""
    from pettingzoo.utils import wrappers

    module, attr = entry_point.split(":")
    return wrappers.OrderEnforcingWrapper(getattr(importlib.import_module(module), attr)(**kwargs))


def make_fixed(entry_point: str, env_id: str, fixed_game: str | None, /, **kwargs: Any) -> Any:
    """Build ``entry_point(**kwargs)`` for ``env_id``, which fixes the game (None: any game).

    Args:
        entry_point: ``"module:attr"`` of the class or function to call.
        env_id: The id, for the message.
        fixed_game: The game the id fixes, or None for a generic id.
        **kwargs: The env's arguments.

    Raises:
        ValueError: If ``kwargs`` sets ``game`` for an id that fixes it.
    """
    if fixed_game is not None:
        check_fixed(kwargs, {"game": fixed_game}, env_id)
        kwargs["game"] = fixed_game
    module, attr = entry_point.split(":")
    return getattr(importlib.import_module(module), attr)(**kwargs)


def register_envs() -> None:
    """Register every id once; calling it again is harmless."""
    for name, game in GYM_GAMES.items():
        for env_id in (f"coop_envs/{name}-v0", f"{name}-v0"):
            if env_id not in gym.registry:
                gym.register(
                    id=env_id,
                    entry_point=partial(
                        make_fixed, "coop_envs.gym_env:IteratedGameEnv", env_id, game
                    ),
                    vector_entry_point=partial(
                        make_fixed, "coop_envs.vector_env:IteratedGameVectorEnv", env_id, game
                    ),
                )
    for name, game in PETTINGZOO_GAMES.items():
        env_id = f"coop_envs/{name}-v0"
        kwargs = {"name": f"{name}_v0"}
        if env_id not in pettingzoo.parallel_registry:
            pettingzoo.register(
                "parallel",
                env_id,
                entry_point=partial(
                    make_fixed, "coop_envs.pettingzoo_env:IteratedGameParallelEnv", env_id, game
                ),
                kwargs=kwargs,
            )
        if env_id not in pettingzoo.aec_registry:
            pettingzoo.register(
                "aec",
                env_id,
                entry_point=partial(
                    make_fixed, "coop_envs.registration:make_aec_env", env_id, game
                ),
                kwargs=kwargs,
            )
    for name, (pz_name, env, vector, parallel, aec) in GAME_IDS.items():
        for env_id in (f"coop_envs/{name}-v0", f"{name}-v0"):
            if env_id not in gym.registry:
                gym.register(
                    id=env_id,
                    entry_point=partial(make_fixed, env, env_id, None),
                    vector_entry_point=partial(make_fixed, vector, env_id, None),
                )
        env_id = f"coop_envs/{pz_name}-v0"
        kwargs = {"name": f"{pz_name}_v0"}
        if env_id not in pettingzoo.parallel_registry:
            pettingzoo.register(
                "parallel",
                env_id,
                entry_point=partial(make_fixed, parallel, env_id, None),
                kwargs=kwargs,
            )
        if env_id not in pettingzoo.aec_registry:
            pettingzoo.register(
                "aec", env_id, entry_point=partial(make_wrapped_aec, aec), kwargs=kwargs
            )
