"""Gymnasium native vector front end: N games in one core, as arrays."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from coop_envs.core import (
    DEFAULT_NUM_ROUNDS,
    MatrixGame,
    ObservationConfig,
    check_actions,
    render_history,
    render_history_rgb,
)
from coop_envs.core.validation import check_batch
from coop_envs.gym_env import check_render_mode
from coop_envs.single_agent import VersusCoPlayer


class IteratedGameVectorEnv(VectorEnv):
    """N iterated games against N co-players, stepped as arrays by one :class:`IteratedGame`.

    The batched twin of :class:`~coop_envs.gym_env.IteratedGameEnv` (same arguments plus
    ``num_envs``; same observations and rewards, row by row). All N games start and end together,
    so autoreset is all-or-nothing: with ``AutoresetMode.NEXT_STEP`` the ``step`` after the last
    round resets every game (drawing new co-players), ignores its actions and returns the first
    observations with zero rewards.

    Observations are ``(N, D) float32``, rewards ``(N,) float32``, terminations ``(N,) bool``.

    Example:
        >>> import gymnasium as gym, numpy as np, coop_envs
        >>> envs = gym.make_vec("coop_envs/IteratedPrisonersDilemma-v0", num_envs=3,
        ...                     co_player="always_defect")
        >>> obs, info = envs.reset(seed=0)
        >>> obs, rewards, terminated, truncated, info = envs.step(np.array([0, 1, 0]))
        >>> rewards.tolist()
        [-1.0, 0.0, -1.0]
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(
        self,
        num_envs: int = 1,
        game: str | MatrixGame = "prisoners_dilemma",
        co_player: Any = "random_tabular",
        num_rounds: int = DEFAULT_NUM_ROUNDS,
        prev_action: bool = False,
        prev_reward: bool = False,
        round_index: bool = False,
        co_player_id: bool = False,
        render_mode: str | None = None,
    ) -> None:
        check_render_mode(render_mode, ("ansi", "rgb_array"))
        self.num_envs, _ = check_batch(num_envs, num_rounds, "num_envs")
        config = ObservationConfig(
            prev_action=prev_action,
            prev_reward=prev_reward,
            round_index=round_index,
            co_player_id=co_player_id,
        )
        self.versus = VersusCoPlayer(game, co_player, self.num_envs, num_rounds, config)
        self.game, self.core, self.co_player = (
            self.versus.game,
            self.versus.core,
            self.versus.co_player,
        )
        low, high = self.versus.observation_bounds()
        self.single_observation_space = spaces.Box(low, high, dtype=np.float32)
        self.single_action_space = spaces.Discrete(2)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.render_mode = render_mode
        self._autoreset = False
        self._started = False

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Reset all games (new co-players drawn); ``seed`` must be an int or ``None``."""
        if seed is not None and (
            isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer))
        ):
            raise TypeError(
                f"seed must be an int or None (one generator drives all {self.num_envs} games); "
                f"got {seed!r} ({type(seed).__name__})"
            )
        super().reset(seed=seed)
        return self._reset_games(), {}

    def _reset_games(self) -> np.ndarray:
        self._autoreset = False
        self._started = True
        return self.versus.reset(self.np_random)

    def step(
        self, actions: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Play one round in every game (or autoreset them all after the last round)."""
        if not self._started:
            raise ValueError("step() called before reset(); call reset(seed=...) first")
        mine = check_actions(actions, (self.num_envs,))
        if self._autoreset:
            obs = self._reset_games()
            zeros = np.zeros(self.num_envs, dtype=bool)
            return obs, np.zeros(self.num_envs, dtype=np.float32), zeros, zeros.copy(), {}
        obs, rewards, done = self.versus.step(mine, self.np_random)
        self._autoreset = done
        terminated = np.full(self.num_envs, done)
        truncated = np.zeros(self.num_envs, dtype=bool)
        return obs, rewards[:, 0], terminated, truncated, {}

    def render(self) -> tuple[str, ...] | tuple[np.ndarray, ...] | None:
        """The history of every game as text (``"ansi"``) or as images (``"rgb_array"``)."""
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi'")
            return None
        if self.render_mode == "rgb_array":
            return tuple(render_history_rgb(h) for h in self.core.history)
        return tuple(
            render_history(
                self.core.history[i],
                self.core.t,
                self.core.returns[i],
                self.game.name,
                names=("you", "co-player"),
            )
            for i in range(self.num_envs)
        )
