"""Co-players by name, and the resolver behind ``gym.make(..., co_player=...)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from co_players import memory_one as m1
from coop_envs.core import CoPlayer

CO_PLAYERS: dict[str, Callable[[], CoPlayer]] = {
    "always_cooperate": lambda: m1.MemoryOne(m1.ALWAYS_COOPERATE, name="always_cooperate"),
    "always_defect": lambda: m1.MemoryOne(m1.ALWAYS_DEFECT, name="always_defect"),
    "random": lambda: m1.MemoryOne(m1.RANDOM, name="random"),
    "tit_for_tat": lambda: m1.MemoryOne(m1.TIT_FOR_TAT, name="tit_for_tat"),
    "suspicious_tit_for_tat": lambda: m1.MemoryOne(
        m1.SUSPICIOUS_TIT_FOR_TAT, name="suspicious_tit_for_tat"
    ),
    "win_stay_lose_shift": lambda: m1.MemoryOne(m1.WIN_STAY_LOSE_SHIFT, name="win_stay_lose_shift"),
    "random_tabular": lambda: m1.RandomMemoryOne(),
}
"""Factories of the named co-players, by registry id."""


def make_co_player(name: str) -> CoPlayer:
    """A new co-player by registry id.

    Args:
        name: A key of :data:`CO_PLAYERS`.

    Returns:
        A fresh co-player object.

    Raises:
        ValueError: For an unknown id; the message lists the known ones.
    """
    try:
        factory = CO_PLAYERS[name]
    except KeyError:
        raise ValueError(
            f"unknown co-player {name!r}; known ids: {', '.join(sorted(CO_PLAYERS))}"
        ) from None
    return factory()


def resolve_co_player(spec: Any) -> CoPlayer:
    """Turn what a user passed as ``co_player=`` into a co-player object.

    Args:
        spec: A registry id (``"tit_for_tat"``), a memory-one 5-vector
            ``[P(C|start), P(C|CC), P(C|CD), P(C|DC), P(C|DD)]``, or an object with
            ``reset(game, batch_size, rng)`` and ``act(obs, rng)``.

    Returns:
        The co-player.

    Raises:
        ValueError: For an unknown id or an invalid vector.
        TypeError: For anything else.
    """
    if isinstance(spec, str):
        return make_co_player(spec)
    if isinstance(spec, CoPlayer):
        return spec
    if isinstance(spec, (list, tuple, np.ndarray)):
        return m1.MemoryOne(spec)
    raise TypeError(
        "co_player must be a registry id (e.g. 'tit_for_tat'), a memory-one 5-vector, or an "
        f"object with reset(game, batch_size, rng) and act(obs, rng); got {spec!r} "
        f"({type(spec).__name__})"
    )
