"""Action and observation constants shared by every part of coop-envs.

Actions are small integers so that a batch of moves is one integer array:

=========  =====
constant   value
=========  =====
COOPERATE  0
DEFECT     1
=========  =====

An observation is one of five codes, always from the observing player's own side (own move
first), as in Weis et al. (2026), §1:

=======  =====  ==========================================
code     value  meaning
=======  =====  ==========================================
START    0      no round played yet
CC       1      last round: I cooperated, they cooperated
CD       2      last round: I cooperated, they defected
DC       3      last round: I defected, they cooperated
DD       4      last round: I defected, they defected
=======  =====  ==========================================

so that ``code == 1 + 2 * own + other`` for a played round.
"""

from __future__ import annotations

import numpy as np

COOPERATE: int = 0
"""Action index of cooperation (in the stag hunt: hunt stag; in chicken: swerve)."""
DEFECT: int = 1
"""Action index of defection (in the stag hunt: hunt hare; in chicken: go straight)."""
ACTIONS: tuple[int, int] = (COOPERATE, DEFECT)
ACTION_NAMES: tuple[str, str] = ("C", "D")

START: int = 0
CC: int = 1
CD: int = 2
DC: int = 3
DD: int = 4
NUM_OBSERVATIONS: int = 5
"""Number of observation codes: START, CC, CD, DC, DD."""
OBSERVATION_NAMES: tuple[str, ...] = ("START", "CC", "CD", "DC", "DD")

NUM_PLAYERS: int = 2
CO_PLAYER_ID_DIM: int = 2 * NUM_OBSERVATIONS
r"""Length of the co-player-ID vector of the paper's ablation: :math:`\log \pi(a \mid o)` for the
5 observations x 2 actions (Weis et al. 2026, §4, "opponent ID")."""


def joint_code(own: np.ndarray | int, other: np.ndarray | int) -> np.ndarray | int:
    """Observation code of a played round seen by the player who played ``own``.

    Args:
        own: The observing player's action(s), ``COOPERATE`` or ``DEFECT``.
        other: The other player's action(s).

    Returns:
        ``1 + 2 * own + other``: one of ``CC, CD, DC, DD`` (same shape as the inputs).

    Example:
        >>> joint_code(DEFECT, COOPERATE) == DC
        True
    """
    return 1 + 2 * own + other
