"""The Coin Game's front ends: the generic adapters over :class:`CoinGame`.

:class:`CoinGameEnv` (``gym.make("coop_envs/CoinGame-v0")``), :class:`CoinGameVectorEnv`
(``gym.make_vec("coop_envs/CoinGame-v0", num_envs=B)``), :class:`CoinGameParallelEnv` and
:class:`CoinGameAECEnv` (``pettingzoo.make("parallel" | "aec", "coop_envs/coin_game-v0")``,
``coin_game_v0``) only build the core from their arguments and hand it to the generic adapters
(:class:`~coop_envs.gym_env.BatchedGameEnv`, :class:`~coop_envs.vector_env.BatchedGameVectorEnv`,
:class:`~coop_envs.pettingzoo_env.BatchedGameParallelEnv`); no game logic lives here.
"""

from __future__ import annotations

from typing import Any

from coop_envs.core.coin_game import DEFAULT_COIN_GAME_ROUNDS, DEFAULT_GRID_SIZE, CoinGame
from coop_envs.core.validation import check_batch
from coop_envs.gym_env import BatchedGameEnv, check_render_mode
from coop_envs.pettingzoo_env import BatchedGameAECEnv, BatchedGameParallelEnv
from coop_envs.vector_env import BatchedGameVectorEnv

DEFAULT_CO_PLAYER = "coin_reactive"
"""Random reactive Coin Game policies, a fresh one per episode (the analogue of random tabular)."""


class CoinGameEnv(BatchedGameEnv):
    r"""The Coin Game against a co-player drawn every episode: you are red, it is blue.

    ## Description
    Two players move on a ``grid_size x grid_size`` torus (3 x 3) holding one red and one blue
    coin. Moving onto a coin picks it up (+1); picking up the other's colour costs the other 2.
    Greedy play by both pays 0 on average, collecting only one's own colour pays both: a
    sequential social dilemma (Lerer & Peysakhovich 2017; the game of pax and JaxMARL). The
    mechanics, the chance model and how they differ from JaxMARL's are on
    :class:`~coop_envs.core.coin_game.CoinGame`.

    ## Actions
    ``Discrete(5)``: 0 RIGHT, 1 LEFT, 2 UP, 3 DOWN, 4 STAY (JaxMARL's order; moves wrap around).

    ## Observations
    ``Box(0, 1, (4 * G * G,), float32)`` (36 numbers), or ``(4, G, G)`` with ``flatten=False``
    (the vector is this grid in C order), from your seat: channel 0 your position, 1 the
    co-player's, 2 your (red) coin, 3 its (blue) coin, one 1 per channel. With
    ``egocentric=True`` the grid is shifted so that you are at ``(G // 2, G // 2)``.

    ## Rewards
    Per round: +1 per coin you pick up (either colour), -2 when the co-player picks up your red
    coin; in ``[-2, 1]``. ``info`` has ``co_player_action`` and ``co_player_reward``.

    ## Episode end
    ``terminated`` after ``num_rounds`` rounds (16); ``truncated`` is always False.

    ## Arguments
    - ``co_player``: a Coin Game co-player id (``"coin_reactive"``, ``"coin_own_coin"``,
      ``"coin_greedy"``, ``"coin_reciprocator"``, ``"coin_bandit"``, ...; see
      :mod:`co_players.coin_game`) or an object with ``reset(spec, batch_size, rng)`` and
      ``act(obs, rng)``.
    - ``num_rounds``: rounds per episode (16).
    - ``grid_size``: G, 2 .. 16 (3).
    - ``egocentric``: re-centre the observation on you (False).
    - ``flatten``: observations as vectors (True) or ``(4, G, G)`` grids (False; SB3's checker
      then warns that the grid looks like an image that is not ``uint8``).
    - ``render_mode``: ``None``, ``"ansi"``, ``"human"`` or ``"rgb_array"`` (``(16 G, 16 G, 3)
      uint8``, row 0 at the bottom).

    ## Vectorised use
    ``gym.make_vec("coop_envs/CoinGame-v0", num_envs=B)`` is :class:`CoinGameVectorEnv`: B games
    in one :class:`~coop_envs.core.coin_game.CoinGame`. Two learners play through PettingZoo
    (``coin_game_v0``, ``pettingzoo.make("parallel", "coop_envs/coin_game-v0")``).

    ## Version history
    - v0: initial version.

    Example:
        >>> import gymnasium as gym, coop_envs
        >>> env = gym.make("coop_envs/CoinGame-v0", co_player="coin_own_coin")
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape, obs.reshape(4, 3, 3).sum(axis=(1, 2)).tolist()
        ((36,), [1.0, 1.0, 1.0, 1.0])
    """

    def __init__(
        self,
        co_player: Any = DEFAULT_CO_PLAYER,
        num_rounds: int = DEFAULT_COIN_GAME_ROUNDS,
        grid_size: int = DEFAULT_GRID_SIZE,
        egocentric: bool = False,
        flatten: bool = True,
        render_mode: str | None = None,
    ) -> None:
        check_render_mode(render_mode)
        core = CoinGame(1, num_rounds, grid_size, egocentric, flatten)
        super().__init__(core, co_player, render_mode)


class CoinGameVectorEnv(BatchedGameVectorEnv):
    """B Coin Games against co-players, as arrays: the twin of :class:`CoinGameEnv`.

    Same arguments as :class:`CoinGameEnv` plus ``num_envs``; same observations and rewards row
    by row; all games end together and autoreset on the next step (see
    :class:`~coop_envs.vector_env.BatchedGameVectorEnv`).
    """

    def __init__(
        self,
        num_envs: int = 1,
        co_player: Any = DEFAULT_CO_PLAYER,
        num_rounds: int = DEFAULT_COIN_GAME_ROUNDS,
        grid_size: int = DEFAULT_GRID_SIZE,
        egocentric: bool = False,
        flatten: bool = True,
        render_mode: str | None = None,
    ) -> None:
        check_render_mode(render_mode, ("ansi", "rgb_array"))
        num_envs, _ = check_batch(num_envs, num_rounds, "num_envs")
        core = CoinGame(num_envs, num_rounds, grid_size, egocentric, flatten)
        super().__init__(core, co_player, render_mode)


class CoinGameParallelEnv(BatchedGameParallelEnv):
    """Two learners play the Coin Game (``coin_game_v0``), moving at once.

    The game, actions, observations (each agent's from its own seat: ``player_0`` is red,
    ``player_1`` blue) and rewards are those of :class:`CoinGameEnv` (its docstring is the
    documentation page); ``reset(seed=...)`` seeds the coins' chance; ``max_cycles`` may truncate
    the episode early.

    Example:
        >>> import pettingzoo, coop_envs
        >>> env = pettingzoo.make("parallel", "coop_envs/coin_game-v0")
        >>> obs, infos = env.reset(seed=0)
        >>> obs["player_0"].shape, int(env.action_space("player_1").n)
        ((36,), 5)
    """

    metadata = {**BatchedGameParallelEnv.metadata, "name": "coin_game_v0"}

    def __init__(
        self,
        num_rounds: int = DEFAULT_COIN_GAME_ROUNDS,
        grid_size: int = DEFAULT_GRID_SIZE,
        egocentric: bool = False,
        flatten: bool = True,
        max_cycles: int | None = None,
        render_mode: str | None = None,
        name: str | None = None,
    ) -> None:
        check_render_mode(render_mode)
        core = CoinGame(1, num_rounds, grid_size, egocentric, flatten)
        super().__init__(core, max_cycles, render_mode, name)


class CoinGameAECEnv(BatchedGameAECEnv):
    """The AEC (turn-based) view of :class:`CoinGameParallelEnv` (same arguments)."""

    metadata = CoinGameParallelEnv.metadata

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(CoinGameParallelEnv(**kwargs))
