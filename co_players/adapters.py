"""The two protocol adapters, and the checks that an object meets the protocol it is given as.

The agent protocol (:class:`coop_envs.core.Agent`) is what learners, trained baselines and
leaderboard submissions implement: ``reset(num_envs, seed)`` and ``act(observations)`` on
``(B, D) float32`` features. The co-player protocol (:class:`coop_envs.core.CoPlayer`) is what
the environments and the play loop (:func:`coop_envs.core.play`) drive: ``reset(game,
batch_size, rng)`` and ``act(obs, rng)`` on observation codes.

- :class:`AgentCoPlayer` puts an agent where a co-player is expected (an opponent in
  ``gym.make(..., co_player=...)``, a seat in the play loop);
- :class:`CoPlayerAgent` puts a co-player where an agent is expected (a memory-one vector or an
  Axelrod strategy submitted to the leaderboard).

An object says which protocol it meets with a class attribute ``protocol = "agent"`` or
``protocol = "co_player"`` (:func:`coop_envs.core.declared_protocol`); :func:`as_co_player` and
:func:`check_agent` read it, and check the methods of an object that declares nothing against
the protocol its place expects, so a mismatch is an error where the object enters.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from coop_envs.core import (
    AGENT_OBSERVATION,
    AGENT_PROTOCOL,
    CO_PLAYER_PROTOCOL,
    MAX_BATCH_SIZE,
    NUM_OBSERVATIONS,
    Agent,
    CoPlayer,
    MatrixGame,
    ObservationConfig,
    ObservationEncoder,
    check_actions,
    check_positive_int,
    codes_from_one_hot,
    declared_protocol,
    get_game,
)

_AGENT_CALLS = {"reset": (1, 0), "act": (np.zeros((1, 1)),)}
_CO_PLAYER_CALLS = {"reset": (None, 1, None), "act": (np.zeros(1), None)}
_HOW = {
    AGENT_PROTOCOL: "reset(num_envs, seed) and act(observations)",
    CO_PLAYER_PROTOCOL: "reset(game, batch_size, rng) and act(obs, rng)",
}


def _unfit_methods(obj: Any, calls: dict[str, tuple]) -> list[str]:
    """The methods of ``obj`` that are missing or cannot take the protocol's arguments."""
    unfit = []
    for name, args in calls.items():
        method = getattr(obj, name, None)
        if not callable(method):
            unfit.append(name)
            continue
        try:
            inspect.signature(method).bind(*args)
        except TypeError:
            unfit.append(name)
        except ValueError:  # no signature to inspect (a builtin): trust it
            pass
    return unfit


def _check(obj: Any, protocol: str, what: str) -> None:
    declared = declared_protocol(obj)
    if declared is not None and declared != protocol:
        fix = (
            "wrap it: AgentCoPlayer(agent)"
            if declared == AGENT_PROTOCOL
            else "wrap it: CoPlayerAgent(co_player, game)"
        )
        raise TypeError(
            f"{what} must meet the {protocol} protocol ({_HOW[protocol]}); "
            f"{type(obj).__name__} declares protocol={declared!r}: {fix}"
        )
    if declared is None:
        unfit = _unfit_methods(
            obj, _AGENT_CALLS if protocol == AGENT_PROTOCOL else _CO_PLAYER_CALLS
        )
        if unfit:
            other = CO_PLAYER_PROTOCOL if protocol == AGENT_PROTOCOL else AGENT_PROTOCOL
            raise TypeError(
                f"{what} must meet the {protocol} protocol ({_HOW[protocol]}); "
                f"{type(obj).__name__} has no fitting {' or '.join(unfit)}. An object meeting the "
                f"{other} protocol declares it with a class attribute protocol = {other!r} "
                "and is then adapted"
            )


def check_agent(obj: Any, what: str = "agent") -> Agent:
    """Return ``obj`` if it meets the agent protocol, else raise.

    Raises:
        TypeError: If it declares the co-player protocol, or declares nothing and lacks
            ``reset(num_envs, seed)`` / ``act(observations)``.
    """
    _check(obj, AGENT_PROTOCOL, what)
    return obj


def as_co_player(obj: Any, what: str = "co_player") -> CoPlayer:
    """``obj`` as a co-player: itself, or an :class:`AgentCoPlayer` if it declares it is an agent.

    Raises:
        TypeError: If it declares nothing and lacks ``reset(game, batch_size, rng)`` /
            ``act(obs, rng)`` (the message says how an agent declares itself).
    """
    if declared_protocol(obj) == AGENT_PROTOCOL:
        return AgentCoPlayer(obj)
    _check(obj, CO_PLAYER_PROTOCOL, what)
    return obj


class AgentCoPlayer:
    """An :class:`~coop_envs.core.Agent` as a co-player.

    It draws the agent's seed from the generator it is reset with, encodes its own observation
    codes as the agent's features, and checks the actions the agent returns.

    Args:
        agent: The policy.
        observation: Feature layout it expects; default: ``agent.observation_config`` if it has
            one, else the paper's learner input :data:`coop_envs.core.AGENT_OBSERVATION`.
        num_rounds: Horizon used for the round-index block (if the layout has one); co-players
            are not told the horizon, so pass the environment's here.
        name: Display name.

    Raises:
        TypeError: If ``agent`` does not meet the agent protocol.
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(
        self,
        agent: Agent,
        observation: ObservationConfig | None = None,
        num_rounds: int = 100,
        name: str | None = None,
    ) -> None:
        self.agent = check_agent(agent)
        self.observation = observation or getattr(agent, "observation_config", AGENT_OBSERVATION)
        self.num_rounds = num_rounds
        self.name = name or getattr(agent, "name", type(agent).__name__)

    def __repr__(self) -> str:
        return f"AgentCoPlayer({self.name!r})"

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Reset the agent for ``batch_size`` games, seeded from ``rng``."""
        self._encoder = ObservationEncoder(self.observation, game, self.num_rounds)
        self._t = 0
        self._batch_size = batch_size
        self.agent.reset(batch_size, int(rng.integers(2**31)))

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Encode the codes as the agent's features and return its checked actions."""
        features = self._encoder.encode(0, obs, self._t)
        self._t += 1
        actions = self.agent.act(features)
        return check_actions(actions, (self._batch_size,), f"actions of agent {self.name!r}")


class CoPlayerAgent:
    """A co-player object as an :class:`~coop_envs.core.Agent` (it reads the one-hot block).

    Args:
        co_player: The co-player; it is reset with ``game`` and a generator seeded by
            ``reset(num_envs, seed)``.
        game: The game it plays, from its own seat.
    """

    protocol = AGENT_PROTOCOL
    observation_config = AGENT_OBSERVATION

    def __init__(self, co_player: CoPlayer, game: MatrixGame | str = "prisoners_dilemma") -> None:
        self.co_player = as_co_player(co_player)
        self.game = get_game(game)
        self.name = getattr(co_player, "name", type(co_player).__name__)

    def reset(self, num_envs: int, seed: int | None = None) -> None:
        """Start ``num_envs`` games."""
        self.num_envs = check_positive_int(num_envs, "num_envs", MAX_BATCH_SIZE)
        self._rng = np.random.default_rng(seed)
        self.co_player.reset(self.game, self.num_envs, self._rng)

    def act(self, observations: np.ndarray) -> np.ndarray:
        """Read the observation codes from the one-hot block and let the co-player act."""
        observations = np.asarray(observations)
        if observations.shape != (getattr(self, "num_envs", -1), AGENT_OBSERVATION.size):
            raise ValueError(
                f"observations must have shape (num_envs, {AGENT_OBSERVATION.size}) after "
                f"reset(num_envs, seed); got {observations.shape}"
            )
        codes = codes_from_one_hot(observations[:, :NUM_OBSERVATIONS])
        return np.asarray(self.co_player.act(codes, self._rng), dtype=np.int64)


class GameCoPlayerAgent:
    """A co-player of a game of the general contract as an agent.

    The reverse of :class:`co_players.public_goods.ObservationAgentCoPlayer`: it acts on the
    game's observations from its own seat, as the agent protocol of the games beyond 2x2 gives
    them, and declares the game it plays (``game``, ``game_kwargs``), as the game trainers'
    agent files do. The scripted reference entries of the game leaderboard suites are these.

    Args:
        co_player: A co-player of the game (``reset(spec, batch_size, rng)``,
            ``act(obs, rng)``); it is reset with a generator seeded by ``reset(num_envs, seed)``.
        spec: The game's :class:`~coop_envs.core.contract.GameSpec`.
        game_kwargs: The game's arguments, declared as they are.
    """

    protocol = AGENT_PROTOCOL

    def __init__(self, co_player: Any, spec: Any, game_kwargs: dict[str, Any] | None = None):
        if declared_protocol(co_player) == AGENT_PROTOCOL:
            raise TypeError(f"co_player must be a co-player, not an agent; got {co_player!r}")
        self.co_player = co_player
        self.spec = spec
        self.game = spec.name
        self.game_kwargs = dict(game_kwargs or {})
        self.name = getattr(co_player, "name", type(co_player).__name__)

    def reset(self, num_envs: int, seed: int | None = None) -> None:
        """Start ``num_envs`` games."""
        self.num_envs = check_positive_int(num_envs, "num_envs", MAX_BATCH_SIZE)
        self._rng = np.random.default_rng(seed)
        self.co_player.reset(self.spec, self.num_envs, self._rng)

    def act(self, observations: np.ndarray) -> np.ndarray:
        """The co-player's ``(num_envs,)`` actions for ``(num_envs, *observation_shape)``."""
        observations = np.asarray(observations, dtype=np.float32)
        shape = (getattr(self, "num_envs", -1), *self.spec.observation_shape)
        if observations.shape != shape:
            raise ValueError(
                f"observations must have shape {shape} after reset(num_envs, seed); got "
                f"{observations.shape}"
            )
        return np.asarray(self.co_player.act(observations, self._rng), dtype=np.int64)
