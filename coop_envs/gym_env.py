"""Gymnasium single-agent front ends: you are player 0, co-players fill the other seats.

:class:`BatchedGameEnv` is the thin adapter over any game of the core contract
(:class:`~coop_envs.core.contract.BatchedGame`) with B = 1; :class:`IteratedGameEnv` (the 2x2
matrix games) and :class:`PublicGoodsEnv` build their core and pass it in. A new game plugs in the
same way: a subclass whose ``__init__`` builds the core from its arguments and calls
``BatchedGameEnv.__init__(self, core, co_player, render_mode)``; its class docstring is the
game's documentation page.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from coop_envs.core import (
    DEFAULT_NUM_ROUNDS,
    BatchedGame,
    GameSpec,
    IteratedGame,
    MatrixGame,
    ObservationConfig,
    check_discrete_actions,
)
from coop_envs.core.contract import describe_actions
from coop_envs.core.engine import MATRIX_ACTION_MEANINGS
from coop_envs.core.public_goods import (
    DEFAULT_MULTIPLIER,
    DEFAULT_NUM_PLAYERS,
    PublicGoodsGame,
)
from coop_envs.core.public_goods import DEFAULT_NUM_ROUNDS as PUBLIC_GOODS_ROUNDS
from coop_envs.single_agent import VersusCoPlayer

RENDER_MODES = ("ansi", "human", "rgb_array")


def check_render_mode(render_mode: str | None, accepted: tuple[str, ...] = RENDER_MODES) -> None:
    """Raise ``ValueError`` unless ``render_mode`` is ``None`` or one of ``accepted``."""
    if render_mode is not None and render_mode not in accepted:
        raise ValueError(
            f"render_mode must be None or one of {', '.join(map(repr, accepted))}; "
            f"got {render_mode!r}"
        )


def check_action(action: Any, spec: GameSpec | None = None) -> int:
    """Validate one action of a single-agent env (or of one PettingZoo agent) as an int.

    Args:
        action: A Python or NumPy integer, or an integer array holding one element.
        spec: The game (its actions); ``None``: the matrix games' ``COOPERATE`` (0) and
            ``DEFECT`` (1).

    Returns:
        The action as an ``int``.

    Raises:
        TypeError: If the action is not an integer (floats, NaN, bools, ...).
        ValueError: If it is not one of the game's actions.
    """
    meanings = MATRIX_ACTION_MEANINGS if spec is None else spec.action_meanings
    if isinstance(action, np.ndarray) and action.size == 1:
        return int(check_discrete_actions(action.reshape(1), (1,), meanings, "action")[0])
    accepted = describe_actions(meanings)
    if isinstance(action, (bool, np.bool_)) or not isinstance(action, (int, np.integer)):
        raise TypeError(
            f"action must be an int, {accepted}; got {action!r} ({type(action).__name__})"
        )
    if not 0 <= action < len(meanings):
        raise ValueError(f"action must be {accepted}; got {action!r}")
    return int(action)


def seat_names(num_players: int) -> tuple[str, ...]:
    """Display names of the seats from the learner's side: ``you``, ``co-player`` (1, 2, ...)."""
    if num_players == 2:
        return ("you", "co-player")
    return ("you", *(f"co-player {i}" for i in range(1, num_players)))


class BatchedGameEnv(gym.Env[np.ndarray, np.int64]):
    """Any game of the core contract against co-players, as a single-agent Gymnasium env (B = 1).

    You are player 0; the co-players fill seats 1 .. N - 1 (see
    :class:`~coop_envs.single_agent.VersusCoPlayer` for ``co_player=``). ``info`` holds the
    co-players' actions and rewards of the round: ``co_player_action`` and ``co_player_reward``
    for N = 2, ``co_player_actions`` and ``co_player_rewards`` (lists, seats 1 .. N - 1) above.

    Args:
        core: A game of the contract with ``batch_size == 1``.
        co_player: Who fills the other seats.
        render_mode: ``None``, ``"ansi"``, ``"human"`` or ``"rgb_array"`` (the last two need the
            core's ``render_text`` / ``render_rgb`` hooks).
        co_player_id: The matrix games' co-player-ID ablation.
    """

    metadata = {"render_modes": list(RENDER_MODES), "render_fps": 4}

    def __init__(
        self,
        core: BatchedGame,
        co_player: Any,
        render_mode: str | None = None,
        co_player_id: bool = False,
    ) -> None:
        check_render_mode(render_mode)
        self.versus = VersusCoPlayer(core, co_player, co_player_id)
        self.core, self.game, self.co_player = core, self.versus.game, self.versus.co_player
        self.spec_game = core.spec
        self.observation_space = spaces.Box(*self.versus.observation_bounds(), dtype=np.float32)
        self.action_space = spaces.Discrete(core.spec.num_actions)
        self.render_mode = render_mode
        self._needs_reset = True

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start a new episode; new co-players are drawn with the env's generator."""
        super().reset(seed=seed)
        self._needs_reset = False
        return self.versus.reset(self.np_random)[0], {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Play one round: your ``action`` against the co-players'."""
        if self._needs_reset:
            raise ValueError(
                "step() called before reset() or after the episode ended; call reset()"
            )
        obs, rewards, done = self.versus.step(check_action(action, self.spec_game), self.np_random)
        self._needs_reset = done
        if self.render_mode == "human":
            self.render()
        if self.spec_game.num_players == 2:
            info = {
                "co_player_action": int(self.versus.joint[0, 1]),
                "co_player_reward": float(rewards[0, 1]),
            }
        else:
            info = {
                "co_player_actions": self.versus.joint[0, 1:].tolist(),
                "co_player_rewards": rewards[0, 1:].tolist(),
            }
        return obs[0], float(rewards[0, 0]), done, False, info

    def render(self) -> str | np.ndarray | None:
        """Render the game: text (``"ansi"``), printed (``"human"``) or an image (``"rgb_array"``).

        The image has one row per player (green = cooperate, red = defect; your row on top).
        """
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi'")
            return None
        if self.render_mode == "rgb_array":
            return self.core.render_rgb(0)
        text = self.core.render_text(0, seat_names(self.spec_game.num_players))
        if self.render_mode == "human":
            print(text)
            return None
        return text


class IteratedGameEnv(BatchedGameEnv):
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
        core = IteratedGame(game, 1, num_rounds, config)
        super().__init__(core, co_player, render_mode, co_player_id)


class PublicGoodsEnv(BatchedGameEnv):
    r"""The iterated N-player public goods game against N - 1 co-players drawn every episode.

    ## Description
    You and ``num_players - 1`` co-players play ``num_rounds`` rounds (100) of the linear public
    goods game: each round everyone holds an endowment of 1 and contributes it to a common pot or
    keeps it; the pot is multiplied by ``multiplier`` r and shared equally. With 1 < r < N it is
    a social dilemma (Ledyard 1995): keeping dominates, yet all contributing beats none. The
    co-players (by default random reactive policies, redrawn every episode) are hidden.

    ## Actions
    ``Discrete(2)``: 0 = ``CONTRIBUTE``, 1 = ``KEEP``. With ``punishment=True``,
    ``Discrete(4)``: 2 = ``CONTRIBUTE_AND_PUNISH``, 3 = ``KEEP_AND_PUNISH`` (contribute or keep,
    and punish every other player who keeps *this* round: the punishment stage is played at once,
    as a commitment, so each round stays one batched step; ``action % 2`` is the contribution,
    ``action // 2`` the punishment bit).

    ## Observations
    ``Box(0, 1, float32)``, the last round from your seat. ``observation="summary"`` (default):

    =====  ======================  ============================================
    index  name                    meaning
    =====  ======================  ============================================
    0      start                   1 before the first round, else 0
    1      own_contributed         1 if you contributed last round
    2      others_contributed      share of the other N - 1 who contributed
    3      own_punished            1 if you punished last round (punishment)
    4      others_punished         share of the others who punished (punishment)
    =====  ======================  ============================================

    ``observation="full"``: ``[start, c_0, c_1, ..., c_{N-1}]`` (``1 + N`` entries, contributions
    rotated so that you are first and the others follow in seat order), plus the punishment
    vector rotated the same way with ``punishment=True`` (``1 + 2N``).

    ## Rewards
    With :math:`c_i \in \{0, 1\}` and :math:`k` contributors:
    :math:`u_i = (1 - c_i) + \frac{r}{N} k`. For N = 2, r = 1.5 (yours, theirs): both contribute
    (1.5, 1.5), you contribute alone (0.75, 1.75), you keep alone (1.75, 0.75), both keep (1, 1).
    With punishment a punisher pays ``punishment_cost`` per other player who keeps and each player
    who keeps pays ``punishment_fine`` per other punisher.

    ## Episode end
    ``terminated`` after ``num_rounds`` rounds; ``truncated`` is always False. Stepping again
    before ``reset`` raises ``ValueError``.

    ## Arguments
    - ``num_players``: N, 2..16 (4).
    - ``multiplier``: r, 1 < r < N (1.6: Fehr & Gächter's 2000 per-capita return 0.4 at N = 4).
    - ``co_player``: a public goods co-player id (``"random_reactive"``, ``"always_contribute"``,
      ``"conditional_cooperator"``, ...; ``python -m co_players`` lists them), a co-player object
      (``reset(spec, batch_size, rng)``, ``act(obs, rng)``), or a list of N - 1 of them, one per
      seat. One spec fills every other seat, each seat with its own draw.
    - ``num_rounds``: rounds per episode (100).
    - ``punishment``, ``punishment_cost`` (0.2), ``punishment_fine`` (0.6; 1:3 as in Fehr &
      Gächter 2002): the punishment stage.
    - ``observation``: ``"summary"`` or ``"full"``.
    - ``render_mode``: ``None``, ``"ansi"``, ``"human"`` or ``"rgb_array"``.

    ## Vectorised use
    ``gym.make_vec("coop_envs/PublicGoods-v0", num_envs=B)`` returns
    :class:`~coop_envs.vector_env.PublicGoodsVectorEnv`, B games as arrays in one core. The core
    itself is :class:`~coop_envs.core.public_goods.PublicGoodsGame` (``(B, N)`` actions per
    step); several learners play it through PettingZoo (``public_goods_v0``,
    ``pettingzoo.make("parallel", "coop_envs/public_goods-v0", num_players=4)``) or
    :func:`~coop_envs.core.play.play_batched`.

    ## Version history
    - v0: initial version.

    Example:
        >>> import gymnasium as gym, coop_envs
        >>> env = gym.make("coop_envs/PublicGoods-v0", co_player="always_contribute")
        >>> obs, info = env.reset(seed=0)
        >>> obs.tolist()
        [1.0, 0.0, 0.0]
        >>> obs, reward, terminated, truncated, info = env.step(1)
        >>> round(reward, 3), info["co_player_actions"], obs.tolist()
        (2.2, [0, 0, 0], [0.0, 0.0, 1.0])
    """

    def __init__(
        self,
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
        check_render_mode(render_mode)
        core = PublicGoodsGame(
            num_players,
            multiplier,
            1,
            num_rounds,
            punishment,
            punishment_cost,
            punishment_fine,
            observation,
        )
        super().__init__(core, co_player, render_mode)
