r"""The general batched core contract: B games of N players in lockstep, discrete actions.

Every game of the suite (the 2x2 matrix games of :class:`~coop_envs.core.IteratedGame`, the
N-player public goods game, the Coin Game) implements :class:`BatchedGame`, and every front end
(PettingZoo parallel and AEC, the single-agent Gymnasium env, the vector env) is a thin adapter
over it (see :mod:`coop_envs.gym_env`, :mod:`coop_envs.pettingzoo_env`,
:mod:`coop_envs.vector_env`).

Shapes and dtypes (B games, N players, observation shape ``S = spec.observation_shape``):

=======================  ==========================  =========================================
what                     shape, dtype                meaning
=======================  ==========================  =========================================
``step(actions)``        ``(B, N)`` int              column ``p``: player ``p``'s action in
                                                     ``0 .. spec.num_actions - 1``
``step`` -> rewards      ``(B, N) float32``          this round's reward of each player
``step`` -> done         ``bool``                    all B games end together after T rounds
``observation(p)``       ``(B, *S) float32``         what player ``p`` sees now, own seat first
``returns``              ``(B, N) float64``          sum of rewards so far
``cooperation_rate()``   ``(B, N) float64``          the game's cooperation measure so far
=======================  ==========================  =========================================

Co-players of a game of this contract follow :class:`GameCoPlayer`: ``reset(spec, batch_size,
rng)`` then ``act(obs, rng) -> (B,)`` with ``obs`` the ``(B, *S) float32`` observation from their
own seat. (The matrix games keep their older, equivalent protocol,
:class:`~coop_envs.core.CoPlayer`, on observation codes; see :func:`co_player_view`.)

Optional hooks let a game tell the adapters more; adapters use them when present:

- ``co_player_view(seat) -> (view, obs_fn)``: what a co-player in ``seat`` is reset with and a
  function returning its ``(B, ...)`` observations now (default: ``(spec, lambda:
  observation(seat))``, see :func:`co_player_view`);
- ``observation_bounds() -> (low, high)``: elementwise float32 bounds of one observation
  (default: :attr:`GameSpec.observation_bounds`, the same bound for every entry);
- ``render_text(row, names) -> str`` and ``render_rgb(row) -> (H, W, 3) uint8``: one game's
  state as text or as an image (``render_mode`` ``"ansi"``/``"human"`` and ``"rgb_array"``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from coop_envs.core.validation import check_int


@dataclass(frozen=True)
class GameSpec:
    """What the front ends and co-players need to know about a game, fixed at construction.

    Args:
        name: The game's name, e.g. ``"prisoners_dilemma"``, ``"public_goods"``, ``"coin_game"``.
        num_players: N.
        num_actions: Discrete actions per player, ``0 .. num_actions - 1``.
        observation_shape: One player's observation, e.g. ``(5,)`` or ``(4, 3, 3)``.
        observation_low: Lower bound of every observation entry.
        observation_high: Upper bound of every observation entry.
        num_rounds: T; every game of the batch ends together after T rounds.
        action_meanings: One name per action (``len == num_actions``).
        reward_range: ``(low, high)`` of one player's reward in one round.

    Raises:
        TypeError: If a field has the wrong type.
        ValueError: If a field is out of range or the fields disagree (the message names it).

    Example:
        >>> GameSpec("coin_flip", 2, 2, (1,), 0.0, 1.0, 10, ("heads", "tails"), (-1.0, 1.0))
        ... # doctest: +ELLIPSIS
        GameSpec(name='coin_flip', num_players=2, ...)
    """

    name: str
    num_players: int
    num_actions: int
    observation_shape: tuple[int, ...]
    observation_low: float
    observation_high: float
    num_rounds: int
    action_meanings: tuple[str, ...]
    reward_range: tuple[float, float]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty str; got {self.name!r}")
        check_int(self.num_players, "num_players", 1)
        check_int(self.num_actions, "num_actions", 1)
        check_int(self.num_rounds, "num_rounds", 1)
        shape = tuple(self.observation_shape)
        for n in shape:
            check_int(n, f"observation_shape entries (got {shape})", 1)
        object.__setattr__(self, "observation_shape", tuple(int(n) for n in shape))
        if not self.observation_low <= self.observation_high:
            raise ValueError(
                f"observation_low must be <= observation_high; got {self.observation_low!r} > "
                f"{self.observation_high!r}"
            )
        meanings = tuple(self.action_meanings)
        if len(meanings) != self.num_actions:
            raise ValueError(
                f"action_meanings must name each of the {self.num_actions} actions; got "
                f"{len(meanings)}: {meanings}"
            )
        object.__setattr__(self, "action_meanings", meanings)
        low, high = self.reward_range
        if not low <= high:
            raise ValueError(f"reward_range must be (low, high) with low <= high; got {low, high}")
        object.__setattr__(self, "reward_range", (float(low), float(high)))

    @property
    def observation_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """``(low, high)`` float32 arrays of ``observation_shape`` (for a ``Box`` space)."""
        low = np.full(self.observation_shape, self.observation_low, dtype=np.float32)
        high = np.full(self.observation_shape, self.observation_high, dtype=np.float32)
        return low, high


@runtime_checkable
class BatchedGame(Protocol):
    """B games of N players played in lockstep: the contract every front end adapts.

    Attributes:
        spec: The game's :class:`GameSpec`.
        batch_size: B, the number of games played at once.
        t: Rounds played so far (the same in every game).
    """

    spec: GameSpec
    batch_size: int
    t: int

    def reset(self, rng: np.random.Generator | None = None) -> None:
        """Start all B games afresh; games with chance draw from ``rng``, others ignore it."""
        ...

    def step(self, actions: Any, validate: bool = True) -> tuple[np.ndarray, bool]:
        """Play one round: ``(B, N)`` integer actions -> ``((B, N) float32 rewards, done)``."""
        ...

    def observation(self, player: int) -> np.ndarray:
        """``(B, *spec.observation_shape) float32``: what ``player`` sees now, own seat first."""
        ...

    @property
    def done(self) -> bool:
        """Whether all ``spec.num_rounds`` rounds have been played."""
        ...

    @property
    def returns(self) -> np.ndarray:
        """``(B, N) float64`` sum of each player's rewards so far."""
        ...

    def cooperation_rate(self) -> np.ndarray:
        """``(B, N) float64`` the game's cooperation measure so far (each game documents it)."""
        ...


@runtime_checkable
class GameCoPlayer(Protocol):
    """A batch of B co-players of a :class:`BatchedGame`, one per game row, own seat only.

    ``reset`` starts a new episode (a co-player that is a distribution draws a fresh member per
    row there); ``act`` is called once per round. State is kept in per-row arrays, never in
    per-game Python objects. Implementations declare ``protocol = "co_player"``.
    """

    def reset(self, spec: GameSpec, batch_size: int, rng: np.random.Generator) -> None:
        """Start a new episode of ``batch_size`` games of the game ``spec`` describes."""
        ...

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``(B,)`` integer actions for ``(B, *spec.observation_shape) float32`` observations."""
        ...


def check_player(player: Any, num_players: int) -> int:
    """Return ``player`` as an int if it is a seat index in ``0 .. num_players - 1``.

    Raises:
        TypeError: If it is not an integer.
        ValueError: If it is out of range.
    """
    check_int(player, f"player (a seat in 0..{num_players - 1})", 0)
    if player >= num_players:
        raise ValueError(f"player must be a seat in 0..{num_players - 1}; got {player!r}")
    return int(player)


def describe_actions(meanings: tuple[str, ...]) -> str:
    """The accepted actions as text, e.g. ``"0 (COOPERATE) or 1 (DEFECT)"``."""
    named = [f"{i} ({m})" for i, m in enumerate(meanings)]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"


def check_discrete_actions(
    actions: Any, shape: tuple[int, ...], meanings: tuple[str, ...], name: str = "actions"
) -> np.ndarray:
    """Validate a batch of discrete actions once, vectorised, and return it as an int array.

    Args:
        actions: Array-like of actions.
        shape: The shape required.
        meanings: One name per action; the actions are ``0 .. len(meanings) - 1``.
        name: What to call the input in messages.

    Returns:
        The actions as an integer ndarray of ``shape`` (not copied when already one).

    Raises:
        TypeError: If the values are not integers (floats, NaN, bools, objects).
        ValueError: If the shape differs or a value is out of range; the message names the first
            offending index.
    """
    array = np.asarray(actions)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {array.shape}")
    accepted = describe_actions(meanings)
    if array.dtype.kind not in "iu":
        nan = " containing NaN" if array.dtype.kind == "f" and np.isnan(array).any() else ""
        raise TypeError(f"{name} must be integers, {accepted}; got dtype {array.dtype}{nan}")
    if array.size and (
        array.max() >= len(meanings) or (array.dtype.kind == "i" and array.min() < 0)
    ):
        bad = np.argwhere((array < 0) | (array >= len(meanings)))[0]
        index = tuple(int(i) for i in bad)
        raise ValueError(
            f"{name} must be {accepted}; got {array[index]} at index "
            f"{index if len(index) > 1 else index[0]}"
        )
    return array


def check_joint_actions(
    actions: Any, batch_size: int, spec: GameSpec, name: str = "actions"
) -> np.ndarray:
    """Validate a ``(B, N)`` batch of actions once, vectorised, and return it as an int array.

    Args:
        actions: Array-like, column ``p`` for player ``p``.
        batch_size: B.
        spec: The game (N and the action names).
        name: What to call the input in messages.

    Returns:
        The actions as an integer ndarray (not copied when already one).

    Raises:
        TypeError: If the values are not integers.
        ValueError: If the shape is not ``(B, N)`` or an action is out of range; the message names
            the first offending ``(game, player)`` index.

    Example:
        >>> spec = GameSpec("g", 3, 2, (1,), 0.0, 1.0, 5, ("A", "B"), (0.0, 1.0))
        >>> check_joint_actions([[0, 1, 2]], 1, spec)
        Traceback (most recent call last):
        ...
        ValueError: actions must be 0 (A) or 1 (B); got 2 at index (0, 2)
    """
    shape = (batch_size, spec.num_players)
    return check_discrete_actions(actions, shape, spec.action_meanings, name)


def co_player_view(game: BatchedGame, seat: int) -> tuple[Any, Callable[[], np.ndarray]]:
    """What a co-player in ``seat`` is reset with, and a function giving its observations now.

    A game may define ``co_player_view(seat)`` itself (the matrix games give their co-players the
    game from that seat and the observation codes); by default it is ``game.spec`` and
    ``game.observation(seat)``.
    """
    own = getattr(game, "co_player_view", None)
    if own is not None:
        return own(seat)
    return game.spec, lambda: game.observation(seat)
