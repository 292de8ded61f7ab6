"""The NumPy core of coop-envs: games, the batched stepper, observations and protocols.

Imports only NumPy. Every front end and trainer is an adapter over :class:`IteratedGame`.
"""

from coop_envs.core.constants import (
    ACTION_NAMES,
    ACTIONS,
    CC,
    CD,
    CO_PLAYER_ID_DIM,
    COOPERATE,
    DC,
    DD,
    DEFECT,
    NUM_OBSERVATIONS,
    OBSERVATION_NAMES,
    START,
    joint_code,
)
from coop_envs.core.engine import (
    DEFAULT_NUM_ROUNDS,
    IteratedGame,
    check_actions,
    check_positive_int,
)
from coop_envs.core.games import (
    CHICKEN,
    DILEMMA_CONDITIONS,
    GAMES,
    MATCHING_PENNIES,
    PRISONERS_DILEMMA,
    STAG_HUNT,
    MatrixGame,
    chicken,
    classify_payoffs,
    get_game,
    matching_pennies,
    prisoners_dilemma,
    stag_hunt,
)
from coop_envs.core.observations import LOG_PROB_FLOOR, ObservationConfig, ObservationEncoder
from coop_envs.core.protocols import AGENT_OBSERVATION, Agent, CoPlayer
from coop_envs.core.rendering import render_history, render_history_rgb

__all__ = [
    "ACTIONS",
    "ACTION_NAMES",
    "AGENT_OBSERVATION",
    "CC",
    "CD",
    "CHICKEN",
    "COOPERATE",
    "CO_PLAYER_ID_DIM",
    "DC",
    "DD",
    "DEFAULT_NUM_ROUNDS",
    "DEFECT",
    "DILEMMA_CONDITIONS",
    "GAMES",
    "LOG_PROB_FLOOR",
    "MATCHING_PENNIES",
    "NUM_OBSERVATIONS",
    "OBSERVATION_NAMES",
    "PRISONERS_DILEMMA",
    "STAG_HUNT",
    "START",
    "Agent",
    "CoPlayer",
    "IteratedGame",
    "MatrixGame",
    "ObservationConfig",
    "ObservationEncoder",
    "check_actions",
    "check_positive_int",
    "chicken",
    "classify_payoffs",
    "get_game",
    "joint_code",
    "matching_pennies",
    "prisoners_dilemma",
    "render_history",
    "render_history_rgb",
    "stag_hunt",
]
