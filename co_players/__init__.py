"""Pluggable co-players for coop_envs: strategies as data, learners, samplers and pools.

Every co-player implements :class:`coop_envs.core.CoPlayer`: ``reset(game, batch_size, rng)``
at each episode and ``act(obs, rng)`` each round, for a batch of B games at once (co-players of
the games beyond 2x2, e.g. :mod:`co_players.public_goods`, the same with the game's spec and
observations: :class:`coop_envs.core.GameCoPlayer`; registered in
:data:`co_players.registry.GAME_REGISTRIES`). Named ones are
in :data:`REGISTRY` (``python -m co_players`` prints the table); exact payoffs and best
responses for memory-one play are in :mod:`co_players.analysis`.
"""

from co_players.adapters import AgentCoPlayer, CoPlayerAgent, as_co_player, check_agent
from co_players.finite_state import (
    FiniteStateMachine,
    RandomFiniteState,
    Schedule,
    cooperate_then_defect,
    corrigible,
    grim_trigger,
    tit_for_two_tats,
    two_tits_for_tat,
)
from co_players.learners import PolicyGradientLearner, QLearner
from co_players.memory_one import (
    GenerousTitForTat,
    MemoryOne,
    RandomMemoryOne,
    tabular_split,
    tremble,
)
from co_players.pools import LearnerSlot, Mixture, mixed_pool, tabular_mixture
from co_players.public_goods import (
    ConditionalCooperator,
    ObservationAgentCoPlayer,
    RandomReactive,
    ReactivePolicy,
    ReactiveQLearner,
)
from co_players.registry import (
    CO_PLAYERS,
    GAME_REGISTRIES,
    REGISTRY,
    CoPlayerSpec,
    game_names,
    make_co_player,
    names,
    pool,
    resolve_co_player,
)
from co_players.zero_determinant import ZeroDeterminant, zd_check, zd_phi_max, zd_vector

__all__ = [
    "CO_PLAYERS",
    "GAME_REGISTRIES",
    "REGISTRY",
    "AgentCoPlayer",
    "CoPlayerAgent",
    "CoPlayerSpec",
    "ConditionalCooperator",
    "FiniteStateMachine",
    "GenerousTitForTat",
    "LearnerSlot",
    "MemoryOne",
    "Mixture",
    "ObservationAgentCoPlayer",
    "PolicyGradientLearner",
    "QLearner",
    "RandomFiniteState",
    "RandomMemoryOne",
    "RandomReactive",
    "ReactivePolicy",
    "ReactiveQLearner",
    "Schedule",
    "ZeroDeterminant",
    "as_co_player",
    "check_agent",
    "cooperate_then_defect",
    "corrigible",
    "game_names",
    "grim_trigger",
    "make_co_player",
    "mixed_pool",
    "names",
    "pool",
    "resolve_co_player",
    "tabular_mixture",
    "tabular_split",
    "tit_for_two_tats",
    "tremble",
    "two_tits_for_tat",
    "zd_check",
    "zd_phi_max",
    "zd_vector",
]
