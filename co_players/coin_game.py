r"""Co-players of the Coin Game, batched over B games, acting on their own view of the grid.

Every co-player here reads only its observation (see :class:`coop_envs.core.coin_game.CoinGame`:
channels own position, other's position, own coin, other's coin), keeps per-row state arrays, and
works with both the absolute and the egocentric observation: events of the last round (who
picked up which coin) are recovered by comparing two consecutive observations in one frame, the
frame shift being what the co-player's own last move does not explain (:class:`EventTracker`).

==================  =========================================================  ============
id                  behaviour                                                  split
==================  =========================================================  ============
coin_own_coin       heads for its own coin, never steps onto the other's       (reference)
coin_greedy         heads for the nearest coin of either colour                (reference)
coin_reciprocator   own coin only, greedy for 3 rounds after the other takes   train
                    its coin
coin_reciprocator_  the same, greedy for 6 rounds                              held_out
  long
coin_bandit         learns within the episode which of own coin / other coin   train
                    / random move pays, per "was my coin taken last round"
coin_reactive_*     a random reactive policy per game and episode (below)      train /
                                                                               held_out
coin_reactive_      the same, its feature "was my coin ever taken" (a grudge)  train /
  grudge_*                                                                     held_out
==================  =========================================================  ============

Moves toward a target are the first shortest move in the order RIGHT, LEFT, UP, DOWN; when the
only shortest move is blocked (the other's coin, for own-coin play), a one-step detour, else STAY
(:func:`step_toward`). The scripted bots are deterministic.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from co_players.memory_one import check_cells, check_split, tabular_split
from coop_envs.core import CO_PLAYER_PROTOCOL
from coop_envs.core.coin_game import (
    MOVES,
    NUM_CHANNELS,
    OTHER,
    OTHER_COIN,
    OWN,
    OWN_COIN,
    STAY,
    CoinGrid,
    coin_grid,
)
from coop_envs.core.contract import GameSpec
from coop_envs.core.validation import check_float, check_positive_int

TOWARD_OWN: int = 0
"""Behaviour: head for its own coin, avoiding the other's (cooperate)."""
TOWARD_OTHER: int = 1
"""Behaviour: head for the other's coin (defect)."""
RANDOM_MOVE: int = 2
"""Behaviour: a uniformly random action."""
BEHAVIOURS: tuple[str, ...] = ("toward_own", "toward_other", "random_move")
MEMORIES: tuple[str, ...] = ("last", "episode")
"""What a random reactive co-player's feature remembers: last round's taking, or any so far."""


def check_memory(memory: Any) -> str:
    """``memory`` if it is one of :data:`MEMORIES`.

    Raises:
        ValueError: Otherwise, naming the value and the accepted ones.
    """
    if memory not in MEMORIES:
        raise ValueError(f"memory must be one of {', '.join(MEMORIES)}; got {memory!r}")
    return memory


def check_coin_spec(spec: Any) -> CoinGrid:
    """The grid of a Coin Game spec; anything else is refused.

    Raises:
        TypeError: If ``spec`` is not a :class:`~coop_envs.core.contract.GameSpec`.
        ValueError: If it is not the Coin Game's.
    """
    if not isinstance(spec, GameSpec):
        raise TypeError(
            f"a Coin Game co-player is reset with the game's GameSpec; got {type(spec).__name__}"
        )
    if spec.name != "coin_game":
        raise ValueError(
            f"this co-player plays the Coin Game (spec 'coin_game'); got {spec.name!r}"
        )
    cells = int(np.prod(spec.observation_shape)) // NUM_CHANNELS
    return coin_grid(round(cells**0.5))


def decode(obs: np.ndarray, grid: CoinGrid) -> np.ndarray:
    """``(4, B) int64`` cells of own, other, own coin, other coin in the observation's frame.

    Raises:
        ValueError: If ``obs`` is neither ``(B, 4 * G * G)`` nor ``(B, 4, G, G)``.
    """
    obs = np.asarray(obs)
    size, flat = grid.size, NUM_CHANNELS * grid.num_cells
    if obs.shape[1:] not in ((flat,), (NUM_CHANNELS, size, size)):
        raise ValueError(
            f"obs must have shape (B, {flat}) or (B, 4, {size}, {size}); got {obs.shape}"
        )
    return obs.reshape(len(obs), NUM_CHANNELS, -1).argmax(axis=2).T


def step_toward(
    grid: CoinGrid, own: np.ndarray, target: np.ndarray, avoid: np.ndarray | None = None
) -> np.ndarray:
    """``(B,)`` the first action (RIGHT, LEFT, UP, DOWN, STAY) that gets closest to ``target``.

    STAY counts as one step longer than it is, so a bot whose shortest path is blocked takes a
    detour instead of waiting.

    Args:
        grid: The grid's tables.
        own: ``(B,)`` cells of the mover.
        target: ``(B,)`` cells to approach.
        avoid: ``(B,)`` cells never to step onto (STAY is then always allowed, since no coin
            lies under a player), or None.
    """
    candidates = grid.next_cell[own]  # (B, 5)
    cost = grid.distance[candidates, target[:, None]]
    cost[:, STAY] += 1  # waiting is no better than a one-step detour around a blocked path
    if avoid is not None:
        cost = cost + (candidates == avoid[:, None]) * (4 * grid.num_cells)
    return cost.argmin(axis=1)


class EventTracker:
    """What happened last round, read from two consecutive observations of one seat.

    Call :meth:`reset` at the start of an episode, then :meth:`update` once per round with the
    decoded cells before acting and :meth:`moved` with the actions taken.

    Attributes:
        taken: ``(B,) bool`` the other picked up my coin last round.
        reward: ``(B,) float64`` my reward last round (+1 per coin I picked, -2 if mine was
            taken), as the game paid it.
    """

    def __init__(self, grid: CoinGrid, batch_size: int) -> None:
        self.grid = grid
        self._prev: np.ndarray | None = None
        self._action = np.full(batch_size, STAY, dtype=np.int64)
        self.taken = np.zeros(batch_size, dtype=bool)
        self.reward = np.zeros(batch_size)

    def update(self, cells: np.ndarray) -> None:
        """Read the events of the round that led to ``cells`` (``(4, B)``, this round's view)."""
        if self._prev is None:
            self._prev = cells
            return
        size = self.grid.size
        expected = self.grid.next_cell[self._prev[OWN], self._action]
        shift_r = (cells[OWN] // size - expected // size) % size
        shift_c = (cells[OWN] % size - expected % size) % size
        old = ((self._prev // size + shift_r) % size) * size + (self._prev % size + shift_c) % size
        self.taken = cells[OTHER] == old[OWN_COIN]
        picked = (cells[OWN] == old[OWN_COIN]).astype(np.float64)
        picked += cells[OWN] == old[OTHER_COIN]
        self.reward = picked - 2.0 * self.taken
        self._prev = cells

    def moved(self, actions: np.ndarray) -> None:
        """Remember the actions just taken (to explain the next observation's frame)."""
        self._action = actions


class _CoinCoPlayer:
    """Shared reset/act plumbing: decode, track events, then :meth:`_act` on the cells."""

    protocol = CO_PLAYER_PROTOCOL
    name = "coin_co_player"

    def reset(self, spec: GameSpec, batch_size: int, rng: np.random.Generator) -> None:
        """Start a new episode of ``batch_size`` Coin Games described by ``spec``."""
        self.grid = check_coin_spec(spec)
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.tracker = EventTracker(self.grid, self.batch_size)
        self._reset_rows(rng)

    def _reset_rows(self, rng: np.random.Generator) -> None:
        """Per-episode state of subclasses."""

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``(B,) int64`` actions for ``(B, 4*G*G)`` or ``(B, 4, G, G)`` observations (own seat)."""
        cells = decode(obs, self.grid)
        if cells.shape[1] != self.batch_size:
            raise ValueError(
                f"obs must hold the {self.batch_size} games of this episode; got {cells.shape[1]}"
            )
        self.tracker.update(cells)
        actions = self._act(cells, rng)
        self.tracker.moved(actions)
        return actions

    def _act(self, cells: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def _own_coin(self, cells: np.ndarray) -> np.ndarray:
        return step_toward(self.grid, cells[OWN], cells[OWN_COIN], avoid=cells[OTHER_COIN])

    def _greedy(self, cells: np.ndarray) -> np.ndarray:
        distance = self.grid.distance[cells[OWN]]
        own = np.take_along_axis(distance, cells[OWN_COIN][:, None], 1)[:, 0]
        other = np.take_along_axis(distance, cells[OTHER_COIN][:, None], 1)[:, 0]
        target = np.where(other < own, cells[OTHER_COIN], cells[OWN_COIN])
        return step_toward(self.grid, cells[OWN], target)

    def _behave(
        self, cells: np.ndarray, behaviour: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Actions of each row's behaviour (TOWARD_OWN, TOWARD_OTHER or RANDOM_MOVE)."""
        own = self._own_coin(cells)
        other = step_toward(self.grid, cells[OWN], cells[OTHER_COIN])
        random = rng.integers(0, len(MOVES), self.batch_size)
        return np.choose(behaviour, (own, other, random))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class OwnCoin(_CoinCoPlayer):
    """Heads for its own coin by a shortest path and never steps onto the other's coin.

    The Coin Game's always-cooperate: it never costs the other anything.
    """

    name = "coin_own_coin"

    def _act(self, cells: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return self._own_coin(cells)


class Greedy(_CoinCoPlayer):
    """Heads for the nearest coin of either colour (its own on a tie).

    The Coin Game's always-defect (pax's greedy coin-game agents).
    """

    name = "coin_greedy"

    def _act(self, cells: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return self._greedy(cells)


class Reciprocator(_CoinCoPlayer):
    """Plays own-coin-only until the other takes its coin, then greedy for ``k`` rounds.

    Each new taking restarts the ``k`` rounds: tit-for-tat with a punishment of ``k`` rounds.

    Args:
        punishment: k, rounds of greedy play after each taking.
        name: Display name.
    """

    def __init__(self, punishment: int = 3, name: str = "coin_reciprocator") -> None:
        self.punishment = check_positive_int(punishment, "punishment", 1000)
        self.name = name

    def _reset_rows(self, rng: np.random.Generator) -> None:
        self.left = np.zeros(self.batch_size, dtype=np.int64)

    def _act(self, cells: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        self.left = np.where(self.tracker.taken, self.punishment, np.maximum(self.left - 1, 0))
        return np.where(self.left > 0, self._greedy(cells), self._own_coin(cells))


class RandomReactive(_CoinCoPlayer):
    """A fresh reactive policy per game and episode over three behaviours.

    Each round it picks toward-own-coin, toward-other's-coin or a random move with probabilities
    that depend on one feature: did the other take its coin last round. Per game and episode,
    for each of the two values of the feature, ``p_own`` and ``q`` are drawn U(0, 1):
    P(toward own) = ``p_own``, P(toward other) = ``(1 - p_own) q``, P(random) =
    ``(1 - p_own)(1 - q)`` — the analogue of the paper's random tabular co-players. With
    ``split``, the 4 numbers are confined to one half of a checkerboard of ``cells`` cells per
    axis (sum of cell indices even: ``"train"``, odd: ``"held_out"``), so the halves never share
    a policy; rows drawn in the wrong half are redrawn.

    With ``concentration`` c other than 1, the 4 numbers are drawn from Beta(c, c) instead of
    U(0, 1): below 1 the policies are near-deterministic (mostly one behaviour per feature value,
    so a co-player's type is worth inferring), as the matrix games' stage-1 CPU recipe draws its
    tabular co-players (:func:`co_players.tabular_mixture`). The split still holds exactly, and
    within a half the draw is Beta restricted to that half.

    With ``memory="episode"`` the feature is "did the other take my coin at any earlier round of
    this episode" instead of "last round": a co-player that turns to the other's coin once
    wronged keeps doing so (a grudge, the Coin Game's grim trigger), so taking its coin costs the
    rest of the episode, not one round.

    Args:
        split: None (all), ``"train"`` or ``"held_out"``.
        cells: Cells per axis of the checkerboard (even).
        name: Display name.
        concentration: c of the Beta(c, c) draw; 1 is uniform.
        memory: ``"last"`` (the feature is last round's event) or ``"episode"`` (any earlier
            round's).

    Raises:
        ValueError: For an unknown split or memory, odd ``cells`` or a concentration that is not
            a positive number.
    """

    def __init__(
        self,
        split: str | None = None,
        cells: int = 4,
        name: str | None = None,
        concentration: float = 1.0,
        memory: str = "last",
    ) -> None:
        check_split(split)
        check_cells(cells)
        if not check_float(concentration, "concentration") > 0:
            raise ValueError(f"concentration must be a positive number; got {concentration!r}")
        self.split, self.cells = split, cells
        self.concentration = float(concentration)
        self.memory = check_memory(memory)
        self.name = name or ("coin_reactive" if split is None else f"coin_reactive_{split}")

    def __repr__(self) -> str:
        extra = "" if self.concentration == 1.0 else f", concentration={self.concentration}"
        extra += "" if self.memory == "last" else f", memory={self.memory!r}"
        return (
            f"RandomReactive(split={self.split!r}, cells={self.cells}, name={self.name!r}{extra})"
        )

    def with_concentration(self, concentration: float) -> RandomReactive:
        """The same split, cells, name and memory, drawn from Beta(``concentration``, same)."""
        return RandomReactive(
            self.split, self.cells, self.name, concentration=concentration, memory=self.memory
        )

    def _draw(self, rows: int, rng: np.random.Generator) -> np.ndarray:
        """``(rows, 4)`` numbers from U(0, 1) or Beta(c, c)."""
        c = self.concentration
        return rng.random((rows, 4)) if c == 1.0 else rng.beta(c, c, size=(rows, 4))

    def sample(self, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """``(batch_size, 2, 2)`` ``[feature, (p_own, q)]`` drawn from this distribution."""
        table = self._draw(batch_size, rng)
        if self.split is not None:
            wanted = 0 if self.split == "train" else 1
            wrong = np.flatnonzero(tabular_split(table, self.cells) != wanted)
            while wrong.size:  # each redraw lands in the right half with probability ~1/2
                table[wrong] = self._draw(wrong.size, rng)
                wrong = wrong[tabular_split(table[wrong], self.cells) != wanted]
        return table.reshape(batch_size, 2, 2)

    def _reset_rows(self, rng: np.random.Generator) -> None:
        self.parameters = self.sample(self.batch_size, rng)
        self.wronged = np.zeros(self.batch_size, dtype=bool)

    def identity(self) -> np.ndarray:
        """``(B, 4) float32`` each game's ``[p_own, q]`` per feature value (ID ablation)."""
        return self.parameters.reshape(self.batch_size, 4).astype(np.float32)

    def _act(self, cells: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.memory == "episode":
            self.wronged |= self.tracker.taken
        else:
            self.wronged = self.tracker.taken
        p_own, q = self.parameters[np.arange(self.batch_size), self.wronged.astype(int)].T
        u = rng.random(self.batch_size)
        behaviour = np.where(
            u < p_own, TOWARD_OWN, np.where(u < p_own + (1 - p_own) * q, TOWARD_OTHER, RANDOM_MOVE)
        )
        return self._behave(cells, behaviour, rng)


class Bandit(_CoinCoPlayer):
    """Learns within the episode which behaviour pays, per "was my coin taken last round".

    Q-values of the three behaviours (toward own / toward other / random move) for each value of
    the feature start at 0 each episode; each round it plays the best (ties at random) or, with
    probability ``epsilon``, a random behaviour, and moves the chosen value toward the reward it
    reads from the next observation at rate ``learning_rate``.

    Args:
        epsilon: Exploration probability.
        learning_rate: Step size of the value update.
        name: Display name.
    """

    def __init__(
        self, epsilon: float = 0.1, learning_rate: float = 0.3, name: str = "coin_bandit"
    ) -> None:
        self.epsilon = check_float(epsilon, "epsilon", 0.0, 1.0)
        self.learning_rate = check_float(learning_rate, "learning_rate", 0.0, 1.0)
        self.name = name

    def _reset_rows(self, rng: np.random.Generator) -> None:
        self.values = np.zeros((self.batch_size, 2, 3))
        self._last: tuple[np.ndarray, np.ndarray] | None = None

    def _act(self, cells: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        rows = np.arange(self.batch_size)
        if self._last is not None:
            state, behaviour = self._last
            value = self.values[rows, state, behaviour]
            value += self.learning_rate * (self.tracker.reward - value)
            self.values[rows, state, behaviour] = value
        state = self.tracker.taken.astype(np.int64)
        values = self.values[rows, state] + rng.random((self.batch_size, 3)) * 1e-9
        behaviour = np.where(
            rng.random(self.batch_size) < self.epsilon,
            rng.integers(0, 3, self.batch_size),
            values.argmax(axis=1),
        )
        self._last = (state, behaviour)
        return self._behave(cells, behaviour, rng)


COIN_GAME_CO_PLAYERS: dict[str, tuple[Any, str, str, str | None]] = {
    "coin_own_coin": (
        OwnCoin,
        "scripted",
        "Heads for its own coin and never steps onto the other's (always cooperate).",
        None,
    ),
    "coin_greedy": (
        Greedy,
        "scripted",
        "Heads for the nearest coin of either colour (always defect).",
        None,
    ),
    "coin_reciprocator": (
        lambda: Reciprocator(3, "coin_reciprocator"),
        "scripted",
        "Own coin only until the other takes its coin, then greedy for 3 rounds.",
        "train",
    ),
    "coin_reciprocator_long": (
        lambda: Reciprocator(6, "coin_reciprocator_long"),
        "scripted",
        "Own coin only until the other takes its coin, then greedy for 6 rounds.",
        "held_out",
    ),
    "coin_bandit": (
        Bandit,
        "learner",
        "Learns within the episode which of own coin / other's coin / random move pays.",
        "train",
    ),
    "coin_reactive": (
        RandomReactive,
        "distribution",
        "A fresh random reactive policy per game and episode (whole parameter cube).",
        None,
    ),
    "coin_reactive_train": (
        lambda: RandomReactive("train"),
        "distribution",
        "Random reactive policies from the train half of the parameter cube.",
        "train",
    ),
    "coin_reactive_held_out": (
        lambda: RandomReactive("held_out"),
        "distribution",
        "Random reactive policies from the held-out half of the parameter cube.",
        "held_out",
    ),
    "coin_reactive_near_deterministic_held_out": (
        lambda: RandomReactive(
            "held_out", name="coin_reactive_near_deterministic_held_out", concentration=0.1
        ),
        "distribution",
        "Random reactive policies (held-out half), near-deterministic: Beta(0.1, 0.1) draws.",
        "held_out",
    ),
    "coin_reactive_grudge_train": (
        lambda: RandomReactive("train", name="coin_reactive_grudge_train", memory="episode"),
        "distribution",
        "Random reactive policies (train half) whose feature is 'was my coin ever taken'.",
        "train",
    ),
    "coin_reactive_grudge_held_out": (
        lambda: RandomReactive("held_out", name="coin_reactive_grudge_held_out", memory="episode"),
        "distribution",
        "Random reactive policies (held-out half) whose feature is 'was my coin ever taken'.",
        "held_out",
    ),
}
"""Registry id -> (factory, family, one-sentence summary, split) of every Coin Game co-player."""


def make_coin_game_co_player(name: str) -> _CoinCoPlayer:
    """A new Coin Game co-player by registry id.

    Raises:
        TypeError: If ``name`` is not a str.
        ValueError: For an unknown id; the message lists the known ones.
    """
    if not isinstance(name, str):
        raise TypeError(f"co-player id must be a str; got {name!r} ({type(name).__name__})")
    try:
        factory = COIN_GAME_CO_PLAYERS[name][0]
    except KeyError:
        raise ValueError(
            f"unknown Coin Game co-player {name!r}; known ids: {', '.join(COIN_GAME_CO_PLAYERS)}"
        ) from None
    return factory()
