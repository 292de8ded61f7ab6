"""Pluggable co-players: memory-one strategies as data, and the registry of named co-players."""

from co_players.memory_one import MemoryOne, RandomMemoryOne
from co_players.registry import CO_PLAYERS, make_co_player, resolve_co_player

__all__ = ["CO_PLAYERS", "MemoryOne", "RandomMemoryOne", "make_co_player", "resolve_co_player"]
