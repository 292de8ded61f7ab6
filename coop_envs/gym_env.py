"""Gymnasium single-agent front end: you are player 0, a co-player is player 1."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from coop_envs.core import (
    COOPERATE,
    DEFAULT_NUM_ROUNDS,
    DEFECT,
    MatrixGame,
    ObservationConfig,
    check_actions,
    render_history,
    render_history_rgb,
)
from coop_envs.single_agent import VersusCoPlayer

RENDER_MODES = ("ansi", "human", "rgb_array")


def check_render_mode(render_mode: str | None, accepted: tuple[str, ...] = RENDER_MODES) -> None:
    """Raise ``ValueError`` unless ``render_mode`` is ``None`` or one of ``accepted``."""
    if render_mode is not None and render_mode not in accepted:
        raise ValueError(
            f"render_mode must be None or one of {', '.join(map(repr, accepted))}; "
            f"got {render_mode!r}"
        )


def check_action(action: Any) -> int:
    """Validate one action of a single-agent env and return it as an int.

    Args:
        action: ``0`` (COOPERATE) or ``1`` (DEFECT) as a Python or NumPy integer, or an integer
            array holding one element.

    Returns:
        The action as an ``int``.

    Raises:
        TypeError: If the action is not an integer (floats, NaN, bools, ...).
        ValueError: If it is not 0 or 1.
    """
    if isinstance(action, np.ndarray) and action.size == 1:
        return int(check_actions(action.reshape(1), (1,), name="action")[0])
    if isinstance(action, (bool, np.bool_)) or not isinstance(action, (int, np.integer)):
        raise TypeError(
            f"action must be an int, {COOPERATE} (COOPERATE) or {DEFECT} (DEFECT); "
            f"got {action!r} ({type(action).__name__})"
        )
    if action not in (COOPERATE, DEFECT):
        raise ValueError(
            f"action must be {COOPERATE} (COOPERATE) or {DEFECT} (DEFECT); got {action!r}"
        )
    return int(action)


class IteratedGameEnv(gym.Env[np.ndarray, np.int64]):
    r"""An iterated 2x2 game against a co-player drawn afresh every episode.

    ## Description
    You play ``num_rounds`` rounds of a matrix game (by default the prisoner's dilemma with the
    payoffs of Weis et al. 2026) against a co-player: a fixed strategy such as tit-for-tat, or a
    distribution such as the paper's random memory-one "tabular" agents, from which a new member
    is drawn at every ``reset``. Its identity is hidden unless ``co_player_id=True``.

    ## Actions
    ``Discrete(2)``: 0 = ``COOPERATE``, 1 = ``DEFECT``.

    ## Observations
    ``Box(float32)``, by default the one-hot of the previous joint action from your side:

    =====  =======  ==================================
    index  name     meaning
    =====  =======  ==================================
    0      START    no round played yet
    1      CC       you cooperated, they cooperated
    2      CD       you cooperated, they defected
    3      DC       you defected, they cooperated
    4      DD       you defected, they defected
    =====  =======  ==================================

    Optional blocks (see :mod:`coop_envs.core.observations`): your previous action, your previous
    reward, the round index, and the co-player's log-policy prepended (the ID ablation).

    ## Rewards
    Your payoff each round. Prisoner's dilemma (yours, theirs): CC (1, 1), CD (-1, 2),
    DC (2, -1), DD (0, 0).

    ## Episode end
    ``terminated`` is True after ``num_rounds`` rounds: the horizon is part of the game, so
    ``truncated`` is always False. Stepping again before ``reset`` raises ``ValueError``.

    ## Arguments
    - ``game``: a name (``prisoners_dilemma``, ``stag_hunt``, ``chicken``, ``matching_pennies``),
      a :class:`~coop_envs.core.MatrixGame`, or a ``(2, 2, 2)`` payoff table.
    - ``co_player``: a registry id (``"tit_for_tat"``, ``"random_tabular"``, ...), a memory-one
      5-vector ``[P(C|start), P(C|CC), P(C|CD), P(C|DC), P(C|DD)]``, or a co-player object
      (``reset(game, batch_size, rng)``, ``act(obs, rng)``).
    - ``num_rounds``: rounds per episode (100).
    - ``prev_action``, ``prev_reward``, ``round_index``, ``co_player_id``: extra blocks.
    - ``render_mode``: ``None``, ``"ansi"`` (the history as text), ``"human"`` (prints it) or
      ``"rgb_array"`` (the history as an image: SB3's ``make_vec_env`` asks for it).

    ## Vectorised use
    ``gym.make_vec(id, num_envs=N)`` returns :class:`~coop_envs.vector_env.IteratedGameVectorEnv`,
    which steps N games as arrays in one core (no N env objects).

    ## Version history
    - v0: initial version.

    Example:
        >>> import gymnasium as gym, coop_envs
        >>> env = gym.make("coop_envs/IteratedPrisonersDilemma-v0", co_player="tit_for_tat")
        >>> obs, info = env.reset(seed=0)
        >>> obs.tolist()
        [1.0, 0.0, 0.0, 0.0, 0.0]
        >>> obs, reward, terminated, truncated, info = env.step(coop_envs.DEFECT)
        >>> reward, info["co_player_action"]
        (2.0, 0)
    """

    metadata = {"render_modes": list(RENDER_MODES), "render_fps": 4}

    def __init__(
        self,
        game: str | MatrixGame = "prisoners_dilemma",
        co_player: Any = "random_tabular",
        num_rounds: int = DEFAULT_NUM_ROUNDS,
        prev_action: bool = False,
        prev_reward: bool = False,
        round_index: bool = False,
        co_player_id: bool = False,
        render_mode: str | None = None,
    ) -> None:
        check_render_mode(render_mode)
        config = ObservationConfig(
            prev_action=prev_action,
            prev_reward=prev_reward,
            round_index=round_index,
            co_player_id=co_player_id,
        )
        self.versus = VersusCoPlayer(game, co_player, 1, num_rounds, config)
        self.game, self.core, self.co_player = (
            self.versus.game,
            self.versus.core,
            self.versus.co_player,
        )
        self.observation_space = spaces.Box(*self.versus.observation_bounds(), dtype=np.float32)
        self.action_space = spaces.Discrete(2)
        self.render_mode = render_mode
        self._needs_reset = True

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start a new episode; a new co-player is drawn with the env's generator."""
        super().reset(seed=seed)
        self._needs_reset = False
        return self.versus.reset(self.np_random)[0], {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Play one round: your ``action`` against the co-player's."""
        if self._needs_reset:
            raise ValueError(
                "step() called before reset() or after the episode ended; call reset()"
            )
        obs, rewards, done = self.versus.step(check_action(action), self.np_random)
        self._needs_reset = done
        if self.render_mode == "human":
            self.render()
        info = {
            "co_player_action": int(self.core.history[0, self.core.t - 1, 1]),
            "co_player_reward": float(rewards[0, 1]),
        }
        return obs[0], float(rewards[0, 0]), done, False, info

    def render(self) -> str | np.ndarray | None:
        """Render the history: text, printed, or an image (by ``render_mode``).

        ``"ansi"`` returns text, ``"human"`` prints it, ``"rgb_array"`` returns an image (green =
        cooperate, red = defect; your row on top).
        """
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi'")
            return None
        if self.render_mode == "rgb_array":
            return render_history_rgb(self.core.history[0])
        text = render_history(
            self.core.history[0],
            self.core.t,
            self.core.returns[0],
            self.game.name,
            names=("you", "co-player"),
        )
        if self.render_mode == "human":
            print(text)
            return None
        return text
