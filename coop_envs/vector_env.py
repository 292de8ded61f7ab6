"""Gymnasium native vector front ends: N games in one core, as arrays.

:class:`BatchedGameVectorEnv` is the thin adapter over any game of the core contract with
B = ``num_envs``; :class:`IteratedGameVectorEnv` and :class:`PublicGoodsVectorEnv` build their
core from the same arguments as their single env (plus ``num_envs``) and pass it in. A new game
plugs in the same way.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from coop_envs.core import (
    DEFAULT_NUM_ROUNDS,
    BatchedGame,
    IteratedGame,
    MatrixGame,
    ObservationConfig,
    check_discrete_actions,
)
from coop_envs.core.public_goods import (
    DEFAULT_MULTIPLIER,
    DEFAULT_NUM_PLAYERS,
    PublicGoodsGame,
)
from coop_envs.core.public_goods import DEFAULT_NUM_ROUNDS as PUBLIC_GOODS_ROUNDS
from coop_envs.core.validation import check_batch
from coop_envs.gym_env import check_render_mode, seat_names
from coop_envs.single_agent import VersusCoPlayer


class BatchedGameVectorEnv(VectorEnv):
    """Any game of the core contract as a Gymnasium vector env: ``core.batch_size`` games.

    You are player 0 of every game; co-players fill the other seats (as in
    :class:`~coop_envs.gym_env.BatchedGameEnv`). All games start and end together, so autoreset
    is all-or-nothing: with ``AutoresetMode.NEXT_STEP`` the ``step`` after the last round resets
    every game (drawing new co-players), ignores its actions and returns the first observations
    with zero rewards.

    Args:
        core: A game of the contract; ``num_envs = core.batch_size``.
        co_player: Who fills the other seats.
        render_mode: ``None``, ``"ansi"`` or ``"rgb_array"``.
        co_player_id: The matrix games' co-player-ID ablation.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(
        self,
        core: BatchedGame,
        co_player: Any,
        render_mode: str | None = None,
        co_player_id: bool = False,
    ) -> None:
        check_render_mode(render_mode, ("ansi", "rgb_array"))
        self.num_envs = core.batch_size
        self.versus = VersusCoPlayer(core, co_player, co_player_id)
        self.core, self.game, self.co_player = core, self.versus.game, self.versus.co_player
        low, high = self.versus.observation_bounds()
        self.single_observation_space = spaces.Box(low, high, dtype=np.float32)
        self.single_action_space = spaces.Discrete(core.spec.num_actions)
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
        mine = check_discrete_actions(actions, (self.num_envs,), self.core.spec.action_meanings)
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
        """Every game as text (``"ansi"``) or as images (``"rgb_array"``)."""
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi'")
            return None
        if self.render_mode == "rgb_array":
            return tuple(self.core.render_rgb(i) for i in range(self.num_envs))
        names = seat_names(self.core.spec.num_players)
        return tuple(self.core.render_text(i, names) for i in range(self.num_envs))


class IteratedGameVectorEnv(BatchedGameVectorEnv):
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
        num_envs, _ = check_batch(num_envs, num_rounds, "num_envs")
        config = ObservationConfig(
            prev_action=prev_action,
            prev_reward=prev_reward,
            round_index=round_index,
            co_player_id=co_player_id,
        )
        core = IteratedGame(game, num_envs, num_rounds, config)
        super().__init__(core, co_player, render_mode, co_player_id)


class PublicGoodsVectorEnv(BatchedGameVectorEnv):
    """B public goods games against co-players, as arrays: the twin of ``PublicGoodsEnv``.

    Same arguments as :class:`~coop_envs.gym_env.PublicGoodsEnv` plus ``num_envs``; same
    observations and rewards row by row, autoreset as :class:`BatchedGameVectorEnv`.

    Example:
        >>> import gymnasium as gym, numpy as np, coop_envs
        >>> envs = gym.make_vec("coop_envs/PublicGoods-v0", num_envs=2, num_players=3,
        ...                     multiplier=1.5, co_player="always_contribute")
        >>> obs, info = envs.reset(seed=0)
        >>> obs, rewards, terminated, truncated, info = envs.step(np.array([0, 1]))
        >>> rewards.tolist()
        [1.5, 2.0]
    """

    def __init__(
        self,
        num_envs: int = 1,
        num_players: int = DEFAULT_NUM_PLAYERS,
        multiplier: float = DEFAULT_MULTIPLIER,
        co_player: Any = "random_reactive",
        num_rounds: int = PUBLIC_GOODS_ROUNDS,
        punishment: bool = False,
        punishment_cost: float | None = None,
        punishment_fine: float | None = None,
        observation: str = "summary",
        render_mode: str | None = None,
    ) -> None:
        check_render_mode(render_mode, ("ansi", "rgb_array"))
        num_envs, _ = check_batch(num_envs, num_rounds, "num_envs")
        core = PublicGoodsGame(
            num_players,
            multiplier,
            num_envs,
            num_rounds,
            punishment,
            punishment_cost,
            punishment_fine,
            observation,
        )
        super().__init__(core, co_player, render_mode)
