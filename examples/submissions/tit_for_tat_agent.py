"""A leaderboard submission as a Python file: ``make_agent()`` returns a batched agent.

Submit it with:  coop-leaderboard submit examples/submissions/tit_for_tat_agent.py --name my_tft

The agent protocol: ``reset(num_envs, seed)`` starts ``num_envs`` games (one row each, each
against its own, unnamed co-player); ``act(observations)`` gets a ``(num_envs, 8) float32`` array
and returns ``(num_envs,)`` integer actions, 0 = cooperate, 1 = defect. Observation columns:

    0-4  one-hot of the previous joint action, own move first: START, CC, CD, DC, DD
    5-6  one-hot of your own previous action (C, D); zeros in the first round
    7    your previous reward; 0 in the first round

This one is tit-for-tat: cooperate first, then copy the co-player's last move (it defected in
the previous round exactly when the observation is CD or DD).
"""

import numpy as np

CD, DD = 2, 4


class TitForTat:
    """Cooperate first, then copy the other's last move, in every game of the batch."""

    def reset(self, num_envs: int, seed: int | None = None) -> None:
        self.num_envs = num_envs

    def act(self, observations: np.ndarray) -> np.ndarray:
        other_defected = observations[:, CD] + observations[:, DD]
        return other_defected.astype(np.int64)


def make_agent() -> TitForTat:
    """The entry point the leaderboard calls."""
    return TitForTat()
