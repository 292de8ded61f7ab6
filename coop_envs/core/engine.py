"""The batched stepper: B iterated games of T rounds, played in lockstep.

Every front end (PettingZoo, Gymnasium, the vector env) and every trainer is a thin adapter over
:class:`IteratedGame`; a single environment is the batch size 1. The engine has no randomness of
its own: players and co-players draw from generators their owners pass them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from coop_envs.core.constants import COOPERATE, DEFECT  # noqa: F401 (DEFECT: in the example)
from coop_envs.core.contract import GameSpec, check_discrete_actions
from coop_envs.core.games import PRISONERS_DILEMMA, MatrixGame, get_game
from coop_envs.core.observations import ObservationConfig, ObservationEncoder
from coop_envs.core.rendering import render_history, render_history_rgb
from coop_envs.core.validation import check_batch

DEFAULT_NUM_ROUNDS: int = 100
"""Rounds per episode in Weis et al. (2026), §1."""

# Player 1's own-view code for joint index j = 2 * a0 + a1: CC, CD, DC, DD -> CC, DC, CD, DD.
_SWAPPED_CODE = np.array([1, 3, 2, 4], dtype=np.int64)

MATRIX_ACTION_MEANINGS: tuple[str, str] = ("COOPERATE", "DEFECT")
"""``GameSpec.action_meanings`` of the matrix games (actions ``COOPERATE`` = 0, ``DEFECT`` = 1)."""


def check_actions(actions: Any, shape: tuple[int, ...], name: str = "actions") -> np.ndarray:
    """Validate a batch of actions once, vectorised, and return it as an integer array.

    Args:
        actions: Array-like of actions.
        shape: The shape required.
        name: What to call the input in messages.

    Returns:
        The actions as an integer ndarray of ``shape`` (not copied when already one).

    Raises:
        TypeError: If the values are not integers (floats, NaN, bools, objects).
        ValueError: If the shape differs or a value is not ``COOPERATE`` (0) or ``DEFECT`` (1);
            the message names the first offending index.
    """
    return check_discrete_actions(actions, shape, MATRIX_ACTION_MEANINGS, name)


class IteratedGame:
    r"""B games of ``num_rounds`` rounds of a 2x2 matrix game, stepped in lockstep.

    Implements the :class:`~coop_envs.core.contract.BatchedGame` contract with N = 2 players,
    2 actions (``COOPERATE``, ``DEFECT``) and observations of shape ``(D,)``, D the size of the
    observation config's feature vector; its co-players keep the matrix-game protocol
    (:class:`~coop_envs.core.CoPlayer`: the game from their seat and observation codes, see
    :meth:`co_player_view`).

    Args:
        game: A :class:`~coop_envs.core.games.MatrixGame`, a game name, or a payoff table.
        batch_size: B, the number of games played at once.
        num_rounds: T, rounds per game (default 100, the paper's).
        observation: Which feature blocks :meth:`observation` returns.

    Attributes:
        t: Rounds played so far (the same in every game).

    Example:
        >>> game = IteratedGame(batch_size=2, num_rounds=3)
        >>> game.reset()
        >>> rewards, done = game.step([[COOPERATE, DEFECT], [DEFECT, DEFECT]])
        >>> rewards.tolist(), done, game.codes.tolist()
        ([[-1.0, 2.0], [0.0, 0.0]], False, [[2, 3], [4, 4]])
    """

    def __init__(
        self,
        game: MatrixGame | str = PRISONERS_DILEMMA,
        batch_size: int = 1,
        num_rounds: int = DEFAULT_NUM_ROUNDS,
        observation: ObservationConfig | None = None,
    ) -> None:
        self.game = get_game(game)
        self.batch_size, self.num_rounds = check_batch(batch_size, num_rounds)
        if observation is None:
            observation = ObservationConfig()
        if not isinstance(observation, ObservationConfig):
            raise TypeError(
                f"observation must be an ObservationConfig; got {type(observation).__name__}"
            )
        self.encoder = ObservationEncoder(observation, self.game, self.num_rounds)
        low, high = observation.bounds(self.game)
        self._bounds = (low, high)
        self.spec = GameSpec(
            name=self.game.name,
            num_players=2,
            num_actions=2,
            observation_shape=(self.encoder.size,),
            observation_low=float(low.min()),
            observation_high=float(high.max()),
            num_rounds=self.num_rounds,
            action_meanings=MATRIX_ACTION_MEANINGS,
            reward_range=(self.game.min_payoff, self.game.max_payoff),
        )
        """The game's :class:`~coop_envs.core.contract.GameSpec` (N = 2, 2 actions)."""
        # Rewards and codes are looked up by the joint index j = 2 * a0 + a1 (0..3 = CC..DD):
        # player 0's code is j + 1, player 1's is _SWAPPED_CODE[j].
        self._rewards_by_joint = self.game.payoffs.reshape(4, 2).astype(np.float32)
        self._joint = np.zeros(self.batch_size, dtype=np.int64)
        # Round-major storage, so that writing round t touches one contiguous block; the public
        # attributes are batch-first views of it.
        self._history = np.full((self.num_rounds, self.batch_size, 2), -1, dtype=np.int8)
        self._codes = np.zeros((2, self.batch_size), dtype=np.int64)
        self.t = 0

    @property
    def history(self) -> np.ndarray:
        """``(B, T, 2) int8`` actions of both players per round; -1 = not played (a view)."""
        return self._history.transpose(1, 0, 2)

    @property
    def codes(self) -> np.ndarray:
        """``(B, 2) int64`` current observation code of each player, own view (a view)."""
        return self._codes.T

    def _joint_history(self) -> np.ndarray:
        """``(t, B) int64`` joint index ``2 * a0 + a1`` of every round played so far."""
        played = self._history[: self.t].astype(np.int64)
        return played[..., 0] * 2 + played[..., 1]

    @property
    def rewards(self) -> np.ndarray:
        """``(B, t, 2) float32`` each player's reward in every round played so far.

        The values :meth:`step` returned, looked up once from the history (every evaluation,
        dataset and trainer reads rewards here).
        """
        return np.take(self._rewards_by_joint, self._joint_history(), axis=0).transpose(1, 0, 2)

    @property
    def code_history(self) -> np.ndarray:
        """``(B, t, 2) int64`` the code each player observed before each round played so far.

        Round 0 is ``START``; round ``k`` is the joint action of round ``k - 1`` from that
        player's own side — what a player acting in round ``k`` was given.
        """
        out = np.zeros((self.t, self.batch_size, 2), dtype=np.int64)
        joint = self._joint_history()[:-1]
        out[1:, :, 0] = joint + 1
        out[1:, :, 1] = _SWAPPED_CODE[joint]
        return out.transpose(1, 0, 2)

    @property
    def returns(self) -> np.ndarray:
        """``(B, 2) float64`` sum of each player's rewards so far (computed from the history)."""
        return self.game.payoffs.reshape(4, 2)[self._joint_history()].sum(axis=0)

    @property
    def done(self) -> bool:
        """Whether all rounds have been played (all games end together)."""
        return self.t >= self.num_rounds

    def observation_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Elementwise ``(low, high)`` float32 bounds of one observation (a copy)."""
        return self._bounds[0].copy(), self._bounds[1].copy()

    def co_player_view(self, seat: int) -> tuple[MatrixGame, Callable[[], np.ndarray]]:
        """The game from ``seat`` (``game.swapped()`` for seat 1) and its ``(B,)`` codes now.

        What a matrix-game co-player (:class:`~coop_envs.core.CoPlayer`) is reset with and acts
        on; the adapters of :mod:`coop_envs.core.contract` use it.
        """
        seat = self._check_player(seat)
        view = self.game if seat == 0 else self.game.swapped()
        codes = self._codes[seat]
        return view, lambda: codes

    def render_text(self, row: int, names: tuple[str, ...]) -> str:
        """Game ``row``'s moves so far as text (the contract's render hook)."""
        return render_history(self.history[row], self.t, self.returns[row], self.game.name, names)

    def render_rgb(self, row: int) -> np.ndarray:
        """Game ``row``'s moves as an image (the contract's render hook)."""
        return render_history_rgb(self.history[row])

    def reset(self, rng: np.random.Generator | None = None) -> None:
        """Start all B games afresh (the matrix games have no chance: ``rng`` is ignored)."""
        self._history.fill(-1)
        self._codes.fill(0)
        self.t = 0

    def step(self, actions: Any, validate: bool = True) -> tuple[np.ndarray, bool]:
        """Play one round in every game.

        Args:
            actions: ``(B, 2)`` integer actions, column ``p`` for player ``p``.
            validate: Check the actions (shape, dtype, range). Trainers that produce actions
                themselves may pass ``False`` on the hot path.

        Returns:
            ``(rewards, done)``: ``(B, 2) float32`` rewards of this round, and whether the games
            have now ended.

        Raises:
            ValueError: If the games already ended, or the actions are out of range or of the
                wrong shape.
            TypeError: If the actions are not integers.
        """
        if self.t >= self.num_rounds:
            raise ValueError(
                f"step() called after all {self.num_rounds} rounds were played; call reset()"
            )
        if validate:
            actions = check_actions(actions, (self.batch_size, 2))
        else:
            actions = np.asarray(actions)
        joint = self._joint
        np.multiply(actions[:, 0], 2, out=joint)
        joint += actions[:, 1]
        rewards = np.take(self._rewards_by_joint, joint, axis=0)  # 30x faster than table[joint]
        self._history[self.t] = actions
        np.add(joint, 1, out=self._codes[0])
        self._codes[1] = _SWAPPED_CODE[joint]
        self.t += 1
        return rewards, self.t >= self.num_rounds

    def observe(self, player: int) -> np.ndarray:
        """Observation codes of one player.

        Args:
            player: 0 or 1.

        Returns:
            ``(B,) int64`` codes in ``0..4`` (START, CC, CD, DC, DD; that player's side), a copy.
        """
        return self._codes[self._check_player(player)].copy()

    def observation(self, player: int, co_player_id: np.ndarray | None = None) -> np.ndarray:
        """Feature vectors of one player, laid out as the observation config says.

        Args:
            player: 0 or 1.
            co_player_id: ``(B, 10)`` co-player log-policies for the ID ablation, or ``None``.

        Returns:
            ``(B, D) float32``.
        """
        player = self._check_player(player)
        return self.encoder.encode(player, self._codes[player], self.t, co_player_id)

    def cooperation_rate(self) -> np.ndarray:
        """Fraction of rounds played so far in which each player cooperated.

        Returns:
            ``(B, 2) float64``; NaN before the first round.
        """
        if self.t == 0:
            return np.full((self.batch_size, 2), np.nan)
        return (self._history[: self.t] == COOPERATE).mean(axis=0)

    @staticmethod
    def _check_player(player: int) -> int:
        if player not in (0, 1):
            raise ValueError(f"player must be 0 or 1; got {player!r}")
        return int(player)
