"""PettingZoo front ends: a native ``ParallelEnv`` (moves are simultaneous) and an AEC env on it.

:class:`BatchedGameParallelEnv` and :class:`BatchedGameAECEnv` are thin adapters over any game of
the core contract (:class:`~coop_envs.core.contract.BatchedGame`, B = 1, agents ``player_0`` ..
``player_{N-1}``). A new game plugs in with a subclass of :class:`BatchedGameParallelEnv` whose
``__init__`` builds the core and calls ``super().__init__(core, max_cycles, render_mode, name)``,
an AEC subclass of :class:`BatchedGameAECEnv` that passes that parallel env in, and
:func:`game_module_api` for its ``<name>_v0`` module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv, ParallelEnv
from pettingzoo.utils import AgentSelector, wrappers

from coop_envs.core import (
    DEFAULT_NUM_ROUNDS,
    BatchedGame,
    IteratedGame,
    MatrixGame,
    ObservationConfig,
    check_fixed,
    get_game,
)
from coop_envs.core.public_goods import (
    DEFAULT_MULTIPLIER,
    DEFAULT_NUM_PLAYERS,
    PublicGoodsGame,
)
from coop_envs.core.public_goods import DEFAULT_NUM_ROUNDS as PUBLIC_GOODS_ROUNDS
from coop_envs.gym_env import RENDER_MODES, check_action, check_render_mode

AGENTS = ("player_0", "player_1")


def agent_names(num_players: int) -> tuple[str, ...]:
    """PettingZoo agent names of the seats: ``player_0`` .. ``player_{N-1}``."""
    return tuple(f"player_{p}" for p in range(num_players))


class BatchedGameParallelEnv(ParallelEnv):
    """Any game of the core contract as a PettingZoo ``ParallelEnv``: N learners, one game.

    Args:
        core: A game of the contract with ``batch_size == 1``; reset with a generator seeded by
            ``reset(seed=...)`` (games without chance ignore it).
        max_cycles: PettingZoo's truncation limit in rounds (``None``: the game's end only).
        render_mode: ``None``, ``"ansi"``, ``"human"`` or ``"rgb_array"`` (the core's render
            hooks).
        name: ``metadata["name"]``.

    Raises:
        ValueError: For a bad ``max_cycles`` or ``render_mode``.
    """

    metadata = {
        "name": "batched_game_v0",
        "render_modes": list(RENDER_MODES),
        "is_parallelizable": True,
        "render_fps": 4,
    }

    def __init__(
        self,
        core: BatchedGame,
        max_cycles: int | None = None,
        render_mode: str | None = None,
        name: str | None = None,
    ) -> None:
        check_render_mode(render_mode)
        if max_cycles is not None and (
            isinstance(max_cycles, bool)
            or not isinstance(max_cycles, (int, np.integer))
            or max_cycles < 1
        ):
            raise ValueError(f"max_cycles must be None or a positive int; got {max_cycles!r}")
        self.core = core
        self.game_spec = core.spec
        self.max_cycles = max_cycles
        self.render_mode = render_mode
        if name is not None:
            self.metadata = {**type(self).metadata, "name": name}
        self.possible_agents = list(agent_names(core.spec.num_players))
        self.agents: list[str] = []
        own = getattr(core, "observation_bounds", None)
        low, high = own() if own is not None else core.spec.observation_bounds
        # One space object per agent, returned as is: PettingZoo's API test checks identity.
        self._observation_spaces = {
            a: spaces.Box(low, high, dtype=np.float32) for a in self.possible_agents
        }
        self._action_spaces = {
            a: spaces.Discrete(core.spec.num_actions) for a in self.possible_agents
        }
        self._rng = np.random.default_rng()

    def observation_space(self, agent: str) -> spaces.Space:
        """The observation space of ``agent`` (the same object on every call)."""
        return self._observation_spaces[self._check_agent(agent)]

    def action_space(self, agent: str) -> spaces.Space:
        """The action space of ``agent`` (the same object on every call)."""
        return self._action_spaces[self._check_agent(agent)]

    def _check_agent(self, agent: str) -> str:
        if agent not in self._action_spaces:
            raise ValueError(f"unknown agent {agent!r}; agents: {', '.join(self.possible_agents)}")
        return agent

    def _observations(self) -> dict[str, np.ndarray]:
        return {a: self.core.observation(p)[0] for p, a in enumerate(self.possible_agents)}

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
        """Start a new game; ``seed`` seeds the game's chance (if it has any)."""
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.agents = list(self.possible_agents)
        self.core.reset(self._rng)
        return self._observations(), {a: {} for a in self.agents}

    def step(self, actions: dict[str, Any]) -> tuple[dict, dict, dict, dict, dict]:
        """Play one round with every agent's action, ``{"player_0": a0, "player_1": a1, ...}``."""
        if not self.agents:
            raise ValueError("step() called after the game ended (or before reset()); call reset()")
        if not isinstance(actions, dict):
            raise TypeError(
                f"actions must be a dict {{agent: action}} for {self.agents}; "
                f"got {type(actions).__name__}"
            )
        missing = [a for a in self.agents if a not in actions]
        unknown = [a for a in actions if a not in self.agents]
        if missing or unknown:
            raise ValueError(
                f"actions must hold exactly the agents {self.agents}; "
                f"missing {missing}, unknown {unknown}"
            )
        joint = np.array([[check_action(actions[a], self.game_spec) for a in self.possible_agents]])
        rewards, terminated = self.core.step(joint, validate=False)
        truncated = (
            not terminated and self.max_cycles is not None and self.core.t >= self.max_cycles
        )
        agents = self.agents
        if terminated or truncated:
            self.agents = []
        if self.render_mode == "human":
            self.render()
        return (
            self._observations(),
            {a: float(rewards[0, p]) for p, a in enumerate(agents)},
            dict.fromkeys(agents, terminated),
            dict.fromkeys(agents, truncated),
            {a: {} for a in agents},
        )

    def render(self) -> str | np.ndarray | None:
        """The game as text (``"ansi"``), printed (``"human"``) or drawn (``"rgb_array"``)."""
        if self.render_mode is None:
            return None
        if self.render_mode == "rgb_array":
            return self.core.render_rgb(0)
        text = self.core.render_text(0, tuple(self.possible_agents))
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def close(self) -> None:
        """Nothing to release."""


class IteratedGameParallelEnv(BatchedGameParallelEnv):
    r"""Two learners play an iterated 2x2 game, both moving at once each round.

    ## Description
    ``num_rounds`` rounds (100 by default) of a matrix game between ``player_0`` and ``player_1``;
    the default game is the prisoner's dilemma with the payoffs of Weis et al. (2026).

    ## Actions
    ``Discrete(2)`` per agent: 0 = ``COOPERATE``, 1 = ``DEFECT``. Both agents must act every round.

    ## Observations
    ``Box(float32)`` per agent: the one-hot of the previous joint action from that agent's side
    (START, CC, CD, DC, DD; own move first), plus the optional blocks ``prev_action``,
    ``prev_reward`` and ``round_index`` (see :mod:`coop_envs.core.observations`).

    ## Rewards
    Each agent's payoff for the round; prisoner's dilemma (``player_0``, ``player_1``):
    CC (1, 1), CD (-1, 2), DC (2, -1), DD (0, 0).

    ## Episode end
    All agents are terminated after ``num_rounds`` rounds; if ``max_cycles`` is set and smaller,
    they are truncated after ``max_cycles`` rounds instead. Stepping after the end raises
    ``ValueError``.

    ## Arguments
    ``game`` (name, :class:`~coop_envs.core.MatrixGame` or payoff table), ``num_rounds``,
    ``max_cycles`` (PettingZoo's truncation limit, ``None`` = none), ``prev_action``,
    ``prev_reward``, ``round_index``, ``render_mode`` (``"ansi"`` returns the history as text,
    ``"human"`` prints it, ``"rgb_array"`` draws it), ``name`` (the ``metadata["name"]``).

    ## Version history
    - v0: initial version.

    Example:
        >>> from coop_envs import ipd_v0
        >>> env = ipd_v0.parallel_env(num_rounds=2)
        >>> obs, infos = env.reset(seed=0)
        >>> obs, rewards, terms, truncs, infos = env.step({"player_0": 0, "player_1": 1})
        >>> rewards
        {'player_0': -1.0, 'player_1': 2.0}
    """

    metadata = {
        "name": "iterated_matrix_game_v0",
        "render_modes": list(RENDER_MODES),
        "is_parallelizable": True,
        "render_fps": 4,
    }

    def __init__(
        self,
        game: str | MatrixGame = "prisoners_dilemma",
        num_rounds: int = DEFAULT_NUM_ROUNDS,
        max_cycles: int | None = None,
        prev_action: bool = False,
        prev_reward: bool = False,
        round_index: bool = False,
        render_mode: str | None = None,
        name: str | None = None,
    ) -> None:
        check_render_mode(render_mode)
        self.game = get_game(game)
        config = ObservationConfig(
            prev_action=prev_action, prev_reward=prev_reward, round_index=round_index
        )
        core = IteratedGame(self.game, 1, num_rounds, config)
        super().__init__(core, max_cycles, render_mode, name)


class BatchedGameAECEnv(AECEnv):
    """The AEC (turn-based) view of a :class:`BatchedGameParallelEnv`.

    ``player_0``, ``player_1``, ... submit their moves in turn; the round is played when all
    have, so no one sees another's move of the same round.

    Args:
        parallel: The parallel env it steps.
    """

    metadata = BatchedGameParallelEnv.metadata

    def __init__(self, parallel: BatchedGameParallelEnv) -> None:
        super().__init__()
        self._parallel = parallel
        self.metadata = self._parallel.metadata
        self.possible_agents = list(self._parallel.possible_agents)
        self.agents: list[str] = []
        self.render_mode = self._parallel.render_mode
        self._pending: dict[str, int] = {}
        self._obs: dict[str, np.ndarray] = {}

    @property
    def core(self) -> BatchedGame:
        """The engine behind the env."""
        return self._parallel.core

    @property
    def max_cycles(self) -> int | None:
        """PettingZoo's truncation limit (``None``: the game's own end only)."""
        return self._parallel.max_cycles

    @max_cycles.setter
    def max_cycles(self, value: int | None) -> None:
        self._parallel.max_cycles = value

    def observation_space(self, agent: str) -> spaces.Space:
        """The observation space of ``agent`` (the same object on every call)."""
        return self._parallel.observation_space(agent)

    def action_space(self, agent: str) -> spaces.Space:
        """The action space of ``agent`` (the same object on every call)."""
        return self._parallel.action_space(agent)

    def observe(self, agent: str) -> np.ndarray:
        """The current observation of ``agent``."""
        return self._obs[agent]

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """Start a new game."""
        self._obs, infos = self._parallel.reset(seed=seed, options=options)
        self.agents = list(self.possible_agents)
        self.rewards = dict.fromkeys(self.agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(self.agents, 0.0)
        self.terminations = dict.fromkeys(self.agents, False)
        self.truncations = dict.fromkeys(self.agents, False)
        self.infos = infos
        self._pending = {}
        self._agent_selector = AgentSelector(self.agents)
        self.agent_selection = self._agent_selector.next()

    def step(self, action: Any) -> None:
        """Submit the move of ``agent_selection``; the round is played after the last agent's."""
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        self._pending[agent] = check_action(action, self._parallel.game_spec)
        self._cumulative_rewards[agent] = 0.0
        if self._agent_selector.is_last():
            self._obs, self.rewards, self.terminations, self.truncations, self.infos = (
                self._parallel.step(self._pending)
            )
            self._pending = {}
        else:
            self._clear_rewards()
        self.agent_selection = self._agent_selector.next()
        self._accumulate_rewards()

    def render(self) -> str | None:
        """Render as the parallel env does."""
        return self._parallel.render()

    def close(self) -> None:
        """Nothing to release."""
        self._parallel.close()


class IteratedGameAECEnv(BatchedGameAECEnv):
    """The AEC (turn-based) view of :class:`IteratedGameParallelEnv` (same arguments)."""

    metadata = IteratedGameParallelEnv.metadata

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(IteratedGameParallelEnv(**kwargs))


class PublicGoodsParallelEnv(BatchedGameParallelEnv):
    """N learners play the iterated public goods game (``public_goods_v0``), moving at once.

    The game, its actions, observations (each agent's from its own seat) and rewards are those of
    :class:`~coop_envs.gym_env.PublicGoodsEnv` (its docstring is the documentation page); here
    every seat is a PettingZoo agent, ``player_0`` .. ``player_{N-1}``, and ``max_cycles`` may
    truncate the episode early.

    Example:
        >>> import pettingzoo, coop_envs
        >>> env = pettingzoo.make("parallel", "coop_envs/public_goods-v0", num_players=3,
        ...                       multiplier=1.5)
        >>> obs, infos = env.reset(seed=0)
        >>> obs, rewards, terms, truncs, infos = env.step(
        ...     {"player_0": 0, "player_1": 0, "player_2": 1})
        >>> rewards
        {'player_0': 1.0, 'player_1': 1.0, 'player_2': 2.0}
    """

    metadata = {**BatchedGameParallelEnv.metadata, "name": "public_goods_v0"}

    def __init__(
        self,
        num_players: int = DEFAULT_NUM_PLAYERS,
        multiplier: float = DEFAULT_MULTIPLIER,
        num_rounds: int = PUBLIC_GOODS_ROUNDS,
        punishment: bool = False,
        punishment_cost: float | None = None,
        punishment_fine: float | None = None,
        observation: str = "summary",
        max_cycles: int | None = None,
        render_mode: str | None = None,
        name: str | None = None,
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
        super().__init__(core, max_cycles, render_mode, name)


class PublicGoodsAECEnv(BatchedGameAECEnv):
    """The AEC (turn-based) view of :class:`PublicGoodsParallelEnv` (same arguments)."""

    metadata = PublicGoodsParallelEnv.metadata

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(PublicGoodsParallelEnv(**kwargs))


def module_api(
    game: str, name: str
) -> tuple[Callable[..., ParallelEnv], Callable[..., AECEnv], Callable[..., AECEnv]]:
    """The ``parallel_env``, ``raw_env`` and ``env`` functions of a PettingZoo-style module.

    Args:
        game: The game the module fixes.
        name: The module's name, e.g. ``ipd_v0`` (becomes ``metadata["name"]``).

    Returns:
        ``(parallel_env, raw_env, env)``; ``env`` adds PettingZoo's order-enforcing wrapper.
    """

    def parallel_env(**kwargs: Any) -> IteratedGameParallelEnv:
        check_fixed(kwargs, {"game": game, "name": name}, name)
        return IteratedGameParallelEnv(game=game, name=name, **kwargs)

    def raw_env(**kwargs: Any) -> IteratedGameAECEnv:
        check_fixed(kwargs, {"game": game, "name": name}, name)
        return IteratedGameAECEnv(game=game, name=name, **kwargs)

    def env(**kwargs: Any) -> AECEnv:
        return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))

    parallel_env.__doc__ = f"The {game} parallel env ({name}); see IteratedGameParallelEnv."
    raw_env.__doc__ = f"The {game} AEC env ({name}), unwrapped; see IteratedGameAECEnv."
    env.__doc__ = f"The {game} AEC env ({name}) with PettingZoo's order enforcement."
    return parallel_env, raw_env, env


def game_module_api(
    parallel_class: type[BatchedGameParallelEnv], aec_class: type[BatchedGameAECEnv], name: str
) -> tuple[Callable[..., ParallelEnv], Callable[..., AECEnv], Callable[..., AECEnv]]:
    """The ``parallel_env``, ``raw_env`` and ``env`` functions of a game's PettingZoo module.

    Args:
        parallel_class: The game's parallel env class (keyword arguments pass through).
        aec_class: Its AEC class.
        name: The module's name, e.g. ``public_goods_v0`` (becomes ``metadata["name"]``).

    Returns:
        ``(parallel_env, raw_env, env)``; ``env`` adds PettingZoo's order-enforcing wrapper.
    """

    def parallel_env(**kwargs: Any) -> BatchedGameParallelEnv:
        check_fixed(kwargs, {"name": name}, name)
        return parallel_class(name=name, **kwargs)

    def raw_env(**kwargs: Any) -> BatchedGameAECEnv:
        check_fixed(kwargs, {"name": name}, name)
        return aec_class(name=name, **kwargs)

    def env(**kwargs: Any) -> AECEnv:
        return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))

    parallel_env.__doc__ = f"The parallel env of {name}; see {parallel_class.__name__}."
    raw_env.__doc__ = f"The AEC env of {name}, unwrapped; see {aec_class.__name__}."
    env.__doc__ = f"The AEC env of {name} with PettingZoo's order enforcement."
    return parallel_env, raw_env, env
