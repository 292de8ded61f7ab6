"""Samplers and pools: weighted mixtures drawn per game and episode, and the paper's pools.

A :class:`Mixture` is itself a co-player: at every ``reset`` it draws, for each of the B games,
which component plays it (with the given weights), resets each component for its share of the
games, and routes each game's observations to its component. Everything is drawn from the
generator the environment passes, so one seed reproduces the whole pool.

The mixed pool of Weis et al. (2026), §2 is a mixture of random tabular co-players and a
:class:`LearnerSlot`: the slot stands for "the other learning agent", which the trainer fills
(the trainer reads :attr:`Mixture.assignment` to know which games are learner-vs-learner).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from co_players.adapters import as_co_player
from co_players.memory_one import RandomMemoryOne
from coop_envs.core import CO_PLAYER_ID_DIM, CO_PLAYER_PROTOCOL, CoPlayer, MatrixGame
from coop_envs.core.validation import check_float, check_name


class LearnerSlot:
    """Placeholder for a learning agent in a pool; a trainer binds a co-player to it.

    Unbound, it cannot act: in the paper's mixed pool, the trainer plays these games itself with
    the other learner (and trains both learners from them).
    """

    name = "learner"
    protocol = CO_PLAYER_PROTOCOL

    def __init__(self) -> None:
        self.bound: CoPlayer | None = None

    def __repr__(self) -> str:
        return f"LearnerSlot(bound={self.bound!r})"

    def bind(self, co_player: CoPlayer | None) -> None:
        """Let ``co_player`` play the slot's games (``None`` unbinds)."""
        self.bound = co_player

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Reset the bound co-player, if any."""
        if self.bound is not None:
            self.bound.reset(game, batch_size, rng)

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Act through the bound co-player; unbound, raise."""
        if self.bound is None:
            raise ValueError(
                "this pool has a learner slot that nothing is bound to: the trainer plays those "
                "games (read Mixture.assignment), or bind a co-player with LearnerSlot.bind()"
            )
        return self.bound.act(obs, rng)


class Mixture:
    """Draw one component per game and episode, with the given weights.

    Args:
        components: ``[(weight, co_player), ...]`` or ``{co_player: weight}`` of co-player
            objects (an agent that declares ``protocol = "agent"`` is wrapped). Weights are
            normalised. A mixture of names or 5-vectors, ``{"tit_for_tat": 0.5, ...}``, is what
            :func:`co_players.resolve_co_player` (and so ``co_player=``) builds.
        name: Display name.

    Raises:
        ValueError: For no components, negative or all-zero weights, or one object listed twice
            (components keep per-game state, so each needs its own object).
        TypeError: For a component that is not a co-player object (e.g. a name).

    Example:
        >>> import numpy as np
        >>> from co_players import make_co_player
        >>> from coop_envs.core import PRISONERS_DILEMMA
        >>> pool = Mixture({make_co_player("always_cooperate"): 0.5,
        ...                 make_co_player("always_defect"): 0.5})
        >>> rng = np.random.default_rng(0)
        >>> pool.reset(PRISONERS_DILEMMA, 6, rng)
        >>> pool.act(np.zeros(6, dtype=np.int64), rng).tolist() == pool.assignment.tolist()
        True
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(
        self, components: Sequence[tuple[float, Any]] | Mapping[Any, float], name: str = "mixture"
    ) -> None:
        self.components: list[CoPlayer] = []
        self.name = check_name(name)
        pairs = (
            [(w, spec) for spec, w in components.items()]
            if isinstance(components, Mapping)
            else list(components)
        )
        if not pairs:
            raise ValueError("a mixture needs at least one component; got none")
        weights = np.array(
            [check_float(w, f"weight of component {i}") for i, (w, _) in enumerate(pairs)]
        )
        if not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError(
                f"mixture weights must be non-negative, finite and not all zero; got "
                f"{weights.tolist()}"
            )
        for _, component in pairs:
            if isinstance(component, (str, list, tuple, np.ndarray, Mapping)):
                raise TypeError(
                    f"Mixture components are co-player objects; got {component!r}. Build a "
                    "mixture of names or vectors with co_players.resolve_co_player({spec: weight})"
                )
        self.components = [as_co_player(c, "a mixture component") for _, c in pairs]
        if len({id(c) for c in self.components}) != len(self.components):
            raise ValueError("each mixture component must be a distinct object")
        self.weights = weights / weights.sum()
        self.name = name
        self.assignment = np.zeros(0, dtype=np.int64)
        self._rows: list[np.ndarray] = []

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{getattr(c, 'name', type(c).__name__)}: {w:.3g}"
            for c, w in zip(self.components, self.weights, strict=True)
        )
        return f"Mixture({{{parts}}})"

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Draw each game's component, then reset every component for its games."""
        self.assignment = rng.choice(len(self.components), size=batch_size, p=self.weights)
        self._rows = [np.flatnonzero(self.assignment == k) for k in range(len(self.components))]
        for component, rows in zip(self.components, self._rows, strict=True):
            if len(rows):
                component.reset(game, len(rows), rng)

    def rows(self, component: int) -> np.ndarray:
        """Indices of the games played by component ``component`` this episode."""
        return self._rows[component]

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Route each game's observation to its component; ``(B,)`` actions."""
        actions = np.empty(len(obs), dtype=np.int64)
        for component, rows in zip(self.components, self._rows, strict=True):
            if len(rows):
                actions[rows] = component.act(obs[rows], rng)
        return actions

    def identity(self) -> np.ndarray:
        """``(B, 10)`` ID vectors, zeros for components without one (e.g. learners)."""
        ids = np.zeros((len(self.assignment), CO_PLAYER_ID_DIM), dtype=np.float32)
        for component, rows in zip(self.components, self._rows, strict=True):
            identity = getattr(component, "identity", None)
            if len(rows) and identity is not None:
                ids[rows] = identity()
        return ids


def tabular_mixture(
    split: str | None = "train", concentration: float = 1.0, uniform_fraction: float = 0.0
) -> CoPlayer:
    """Random tabular co-players from Beta(c, c), a share of the games from the paper's U(0, 1).

    With ``concentration`` 1 and ``uniform_fraction`` 0 it is the paper's random tabular
    distribution; the stage-1 CPU recipe takes c = 0.01 (near-deterministic strategies, so
    reciprocators are common) for half the games and U(0, 1) for the other half.

    Args:
        split: Which half of the tabular cube to draw from (see :class:`RandomMemoryOne`).
        concentration: c of the Beta(c, c) draws.
        uniform_fraction: Share of the games (drawn per game and episode) whose co-player is
            drawn from U(0, 1) whatever ``concentration``.

    Returns:
        A :class:`RandomMemoryOne`, or a :class:`Mixture` of two when ``uniform_fraction > 0``.

    Raises:
        ValueError: For a fraction outside [0, 1] or a non-positive concentration.
    """
    if not 0.0 <= check_float(uniform_fraction, "uniform_fraction") <= 1.0:
        raise ValueError(f"uniform_fraction must be in [0, 1]; got {uniform_fraction!r}")
    name = "random_tabular" if split is None else f"random_tabular_{split}"
    concentrated = RandomMemoryOne(split, concentration=concentration, name=name)
    if uniform_fraction == 0.0:
        return concentrated
    uniform = RandomMemoryOne(split, name=name)
    return Mixture(
        [(1.0 - uniform_fraction, concentrated), (uniform_fraction, uniform)],
        name="tabular_mixture",
    )


def mixed_pool(tabular_probability: float = 0.5, split: str | None = "train") -> Mixture:
    """The paper's mixed pool: random tabular co-players, else the other learner (a slot).

    Args:
        tabular_probability: Chance that a game is against a random tabular co-player (0.5 in
            Weis et al. 2026).
        split: Which half of the tabular cube to draw from (``"train"`` keeps the held-out half
            unseen; ``None`` is the whole cube, as in the paper).

    Returns:
        ``Mixture`` with component 0 the tabular sampler and component 1 a :class:`LearnerSlot`.
    """
    if not 0.0 <= check_float(tabular_probability, "tabular_probability") <= 1.0:
        raise ValueError(f"tabular_probability must be in [0, 1]; got {tabular_probability!r}")
    return Mixture(
        [
            (tabular_probability, RandomMemoryOne(split=split)),
            (1.0 - tabular_probability, LearnerSlot()),
        ],
        name="mixed_pool",
    )
