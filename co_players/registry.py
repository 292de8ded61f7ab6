"""Co-players by name, the train/held-out split, and the resolver behind ``co_player=``.

Every named co-player has a family, a one-sentence summary and a *split*:

- ``"train"``: meant for training presets (the train half of the random tabular cube);
- ``"held_out"``: reserved for evaluation — no training preset may use it (the held-out half of
  the tabular cube, and named strategies kept unseen for the leaderboard's suite);
- ``None``: classic references, used by neither pool (training presets train against tabular
  co-players and learners only, as in the paper).

:func:`pool` builds the ``"train"`` or ``"held_out"`` pool; the two never share a member.
``python -m co_players`` prints the table of all co-players (``docs/co_players.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from co_players import finite_state as fsm
from co_players import learners
from co_players import memory_one as m1
from co_players import public_goods as pg
from co_players.adapters import as_co_player
from co_players.coin_game import COIN_GAME_CO_PLAYERS
from co_players.pools import Mixture, mixed_pool
from co_players.zero_determinant import ZeroDeterminant
from coop_envs.core import PRISONERS_DILEMMA, CoPlayer, declared_protocol

AXELROD_PREFIX = "axelrod:"


@dataclass(frozen=True)
class CoPlayerSpec:
    """A registry entry."""

    name: str
    """Registry id (snake_case)."""
    factory: Callable[[], CoPlayer]
    """Makes a fresh co-player object."""
    family: str
    """memory_one, zero_determinant, finite_state, schedule, learner, distribution or pool."""
    summary: str
    """One plain sentence of behaviour."""
    split: str | None = None
    """``"train"``, ``"held_out"`` or ``None`` (see the module docstring)."""


def _memory_one(vector: tuple[float, ...], name: str) -> Callable[[], CoPlayer]:
    return lambda: m1.MemoryOne(vector, name=name)


_SPECS = [
    CoPlayerSpec(
        "always_cooperate",
        _memory_one(m1.ALWAYS_COOPERATE, "always_cooperate"),
        "memory_one",
        "Always cooperates.",
    ),
    CoPlayerSpec(
        "always_defect",
        _memory_one(m1.ALWAYS_DEFECT, "always_defect"),
        "memory_one",
        "Always defects.",
    ),
    CoPlayerSpec(
        "random",
        _memory_one(m1.RANDOM, "random"),
        "memory_one",
        "Cooperates with probability 1/2 every round.",
    ),
    CoPlayerSpec(
        "tit_for_tat",
        _memory_one(m1.TIT_FOR_TAT, "tit_for_tat"),
        "memory_one",
        "Cooperates first, then copies the other's last move.",
    ),
    CoPlayerSpec(
        "suspicious_tit_for_tat",
        _memory_one(m1.SUSPICIOUS_TIT_FOR_TAT, "suspicious_tit_for_tat"),
        "memory_one",
        "Defects first, then copies the other's last move.",
    ),
    CoPlayerSpec(
        "win_stay_lose_shift",
        _memory_one(m1.WIN_STAY_LOSE_SHIFT, "win_stay_lose_shift"),
        "memory_one",
        "Repeats its move after R or T, switches after S or P (Pavlov).",
    ),
    CoPlayerSpec(
        "generous_tit_for_tat",
        lambda: m1.GenerousTitForTat(),
        "memory_one",
        "Tit-for-tat that forgives a defection with probability min(1 - (T-R)/(R-S), (R-P)/(T-P)).",
    ),
    CoPlayerSpec(
        "tit_for_tat_tremble",
        lambda: m1.MemoryOne(m1.tremble(m1.TIT_FOR_TAT, 0.05), "tit_for_tat_tremble"),
        "memory_one",
        "Tit-for-tat whose every move is flipped with probability 0.05.",
        split="held_out",
    ),
    CoPlayerSpec(
        "zd_extort_2",
        lambda: ZeroDeterminant(2.0),
        "zero_determinant",
        "Extortioner: enforces s_X - P = 2 (s_Y - P).",
    ),
    CoPlayerSpec(
        "zd_extort_3",
        lambda: ZeroDeterminant(3.0),
        "zero_determinant",
        "Extortioner: enforces s_X - P = 3 (s_Y - P).",
    ),
    CoPlayerSpec(
        "zd_extort_5",
        lambda: ZeroDeterminant(5.0),
        "zero_determinant",
        "Extortioner: enforces s_X - P = 5 (s_Y - P).",
    ),
    CoPlayerSpec(
        "zd_generous_2",
        lambda: ZeroDeterminant(2.0, kind="generous"),
        "zero_determinant",
        "Generous ZD: enforces s_X - R = 2 (s_Y - R).",
    ),
    CoPlayerSpec(
        "grim_trigger",
        fsm.grim_trigger,
        "finite_state",
        "Cooperates until the other defects once, then always defects.",
    ),
    CoPlayerSpec(
        "grim_trigger_2",
        lambda: fsm.grim_trigger(2),
        "finite_state",
        "Cooperates until the other's second defection, then always defects.",
        split="held_out",
    ),
    CoPlayerSpec(
        "tit_for_two_tats",
        fsm.tit_for_two_tats,
        "finite_state",
        "Defects only after two defections of the other in a row.",
        split="held_out",
    ),
    CoPlayerSpec(
        "two_tits_for_tat",
        fsm.two_tits_for_tat,
        "finite_state",
        "Defects in the two rounds after each defection of the other.",
    ),
    CoPlayerSpec(
        "corrigible",
        fsm.corrigible,
        "finite_state",
        "Defects until the other defects back, then plays tit-for-tat.",
        split="held_out",
    ),
    CoPlayerSpec(
        "cooperate_then_defect",
        lambda: fsm.cooperate_then_defect(50),
        "schedule",
        "Cooperates for 50 rounds, then always defects.",
        split="held_out",
    ),
    CoPlayerSpec(
        "q_learner",
        lambda: learners.QLearner(),
        "learner",
        "Learns by tabular Q-learning within the episode (epsilon-greedy).",
    ),
    CoPlayerSpec(
        "pg_learner",
        lambda: learners.PolicyGradientLearner(),
        "learner",
        "Learns a memory-one policy by REINFORCE every 5 rounds within the episode.",
    ),
    CoPlayerSpec(
        "random_tabular",
        lambda: m1.RandomMemoryOne(),
        "distribution",
        "A fresh memory-one strategy per game and episode, each "
        "probability U(0, 1) (the paper's tabular agents).",
    ),
    CoPlayerSpec(
        "random_tabular_train",
        lambda: m1.RandomMemoryOne("train"),
        "distribution",
        "Random tabular, drawn from the train half of the cube.",
        split="train",
    ),
    CoPlayerSpec(
        "random_tabular_held_out",
        lambda: m1.RandomMemoryOne("held_out"),
        "distribution",
        "Random tabular, drawn from the held-out half of the cube.",
        split="held_out",
    ),
    CoPlayerSpec(
        "random_finite_state",
        lambda: fsm.RandomFiniteState(),
        "distribution",
        "A fresh reactive finite-state machine (1-3 states, half of the games trembling) per "
        "game and episode.",
    ),
    CoPlayerSpec(
        "random_finite_state_train",
        lambda: fsm.RandomFiniteState("train", name="random_finite_state_train"),
        "distribution",
        "Random finite-state, train half by behaviour (never plays like a named strategy).",
        split="train",
    ),
    CoPlayerSpec(
        "random_finite_state_held_out",
        lambda: fsm.RandomFiniteState("held_out", name="random_finite_state_held_out"),
        "distribution",
        "Random finite-state, held-out half by behaviour (the named strategies included).",
        split="held_out",
    ),
    CoPlayerSpec(
        "mixed_pool",
        lambda: mixed_pool(0.5, split="train"),
        "pool",
        "The paper's mixed pool: random tabular (train half) with probability "
        "1/2, else a learner slot the trainer fills.",
        split="train",
    ),
    CoPlayerSpec(
        "held_out_pool",
        lambda: pool("held_out"),
        "pool",
        "Held-out tabular with probability 1/2, else one of the held-out named "
        "strategies, uniformly.",
        split="held_out",
    ),
]

REGISTRY: Mapping[str, CoPlayerSpec] = {spec.name: spec for spec in _SPECS}
"""Every named co-player, by registry id."""

CO_PLAYERS: Mapping[str, Callable[[], CoPlayer]] = {n: s.factory for n, s in REGISTRY.items()}
"""Factories of the named co-players, by registry id."""


_PUBLIC_GOODS_SPECS = [
    CoPlayerSpec(
        "always_contribute",
        lambda: pg.ReactivePolicy(pg.ALWAYS_CONTRIBUTE, "always_contribute"),
        "reactive",
        "Always contributes.",
    ),
    CoPlayerSpec(
        "never_contribute",
        lambda: pg.ReactivePolicy(pg.NEVER_CONTRIBUTE, "never_contribute"),
        "reactive",
        "Never contributes (free-rides).",
    ),
    CoPlayerSpec(
        "conditional_cooperator",
        lambda: pg.ConditionalCooperator(),
        "conditional",
        "Contributes first, then iff a majority of the others contributed last round.",
    ),
    CoPlayerSpec(
        "unconditional_reciprocator",
        lambda: pg.ConditionalCooperator(threshold=1, name="unconditional_reciprocator"),
        "conditional",
        "Contributes first, then iff at least one other contributed last round.",
        split="held_out",
    ),
    CoPlayerSpec(
        "strict_conditional_cooperator",
        lambda: pg.ConditionalCooperator(threshold="all", name="strict_conditional_cooperator"),
        "conditional",
        "Contributes first, then iff all others contributed last round.",
        split="held_out",
    ),
    CoPlayerSpec(
        "probabilistic_conditional_cooperator",
        lambda: pg.ConditionalCooperator(
            probabilistic=True, name="probabilistic_conditional_cooperator"
        ),
        "conditional",
        "Contributes first, then with probability the share of others who contributed.",
    ),
    CoPlayerSpec(
        "punishing_conditional_cooperator",
        lambda: pg.ConditionalCooperator(punish=True, name="punishing_conditional_cooperator"),
        "conditional",
        "A conditional cooperator that punishes keepers whenever it contributes (punishment).",
    ),
    CoPlayerSpec(
        "public_goods_q_learner",
        lambda: pg.ReactiveQLearner(),
        "learner",
        "Learns by tabular Q-learning on the reactive state within the episode (epsilon-greedy).",
    ),
    CoPlayerSpec(
        "random_conditional_cooperator",
        lambda: pg.RandomConditionalCooperator(),
        "distribution",
        "A conditional cooperator with a threshold drawn per game from 1..N-1 others.",
    ),
    CoPlayerSpec(
        "random_reactive",
        lambda: pg.RandomReactive(),
        "distribution",
        "A fresh reactive policy per game and episode, each of its 7 probabilities U(0, 1).",
    ),
    CoPlayerSpec(
        "random_reactive_train",
        lambda: pg.RandomReactive("train", "random_reactive_train"),
        "distribution",
        "Random reactive, drawn from the train half of the cube.",
        split="train",
    ),
    CoPlayerSpec(
        "random_reactive_held_out",
        lambda: pg.RandomReactive("held_out", "random_reactive_held_out"),
        "distribution",
        "Random reactive, drawn from the held-out half of the cube.",
        split="held_out",
    ),
    CoPlayerSpec(
        "random_reactive_conditional_held_out",
        lambda: Mixture(
            [
                (0.5, pg.RandomReactive("held_out", "random_reactive_held_out")),
                (0.5, pg.RandomConditionalCooperator()),
            ],
            name="random_reactive_conditional_held_out",
        ),
        "distribution",
        "Per seat, game and episode: held-out random reactive or a random-threshold conditional "
        "cooperator, half and half (the pool pool.conditional_fraction = 0.5 trains against).",
        split="held_out",
    ),
]

_COIN_GAME_SPECS = [
    CoPlayerSpec(name, factory, family, summary, split)
    for name, (factory, family, summary, split) in COIN_GAME_CO_PLAYERS.items()
]

GAME_REGISTRIES: dict[str, Mapping[str, CoPlayerSpec]] = {
    "public_goods": {spec.name: spec for spec in _PUBLIC_GOODS_SPECS},
    "coin_game": {spec.name: spec for spec in _COIN_GAME_SPECS},
}
"""Co-players of the games beyond 2x2, by game name (``GameSpec.name``), then registry id.

:data:`REGISTRY` holds the matrix games' co-players. A new game adds its row here; its ids are
then what ``co_player=`` accepts in its environments (:func:`resolve_co_player` with ``game=``).
"""


def game_names(game: str, split: str | None = None) -> list[str]:
    """Registry ids of a game's co-players (``"matrix"``: :data:`REGISTRY`), optionally one split.

    Raises:
        ValueError: For an unknown game or split (the message lists the known ones).
    """
    if game == "matrix":
        return names(split)
    registry = _game_registry(game)
    m1.check_split(split)
    return [n for n, s in registry.items() if split is None or s.split == split]


def _game_registry(game: str) -> Mapping[str, CoPlayerSpec]:
    try:
        return GAME_REGISTRIES[game]
    except (KeyError, TypeError):
        known = ", ".join(["matrix", *sorted(GAME_REGISTRIES)])
        raise ValueError(f"unknown game {game!r} for co-players; known: {known}") from None


def names(split: str | None = None, family: str | None = None) -> list[str]:
    """Registry ids, optionally only those of one split and/or family.

    Raises:
        ValueError: For a split or family no co-player has (the message lists the known ones).
    """
    for value, key in ((split, "split"), (family, "family")):
        known = sorted({getattr(s, key) for s in REGISTRY.values()} - {None})
        if value is not None and value not in known:
            raise ValueError(f"unknown {key} {value!r}; known: {', '.join(known)}")
    return [
        n
        for n, s in REGISTRY.items()
        if (split is None or s.split == split) and (family is None or s.family == family)
    ]


def make_co_player(name: str) -> CoPlayer:
    """A new co-player by registry id, or ``axelrod:<strategy>``.

    Args:
        name: A key of :data:`REGISTRY`, or ``"axelrod:"`` followed by an Axelrod strategy name.

    Returns:
        A fresh co-player object.

    Raises:
        ValueError: For an unknown id; the message lists the known ones.
        ImportError: For ``axelrod:`` ids when axelrod is not installed (with the install hint).
        TypeError: If ``name`` is not a str.
    """
    if not isinstance(name, str):
        raise TypeError(f"co-player id must be a str (a registry id); got {name!r}")
    if name.startswith(AXELROD_PREFIX):
        from co_players.axelrod_adapter import AxelrodCoPlayer

        return AxelrodCoPlayer(name[len(AXELROD_PREFIX) :])
    try:
        spec = REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown co-player {name!r}; known ids: {', '.join(sorted(REGISTRY))} "
            "(or 'axelrod:<strategy name>')"
        ) from None
    co_player = spec.factory()
    co_player.name = name  # the registry id, whatever default the class has
    return co_player


def pool(split: str) -> Mixture:
    """The train or held-out pool; they share no member (a test checks it).

    - ``"train"``: random tabular co-players from the train half of the cube (the paper trains
      against tabular co-players; learners are added by the trainer via :func:`mixed_pool`).
    - ``"held_out"``: held-out tabular with probability 1/2, else one of the named strategies of
      the held-out split, uniformly.

    Raises:
        ValueError: For another split.
    """
    if split == "train":
        return Mixture([(1.0, m1.RandomMemoryOne("train"))], name="train_pool")
    if split == "held_out":
        named = [n for n in names("held_out") if REGISTRY[n].family not in ("distribution", "pool")]
        components = [(0.5, m1.RandomMemoryOne("held_out"))]
        components += [(0.5 / len(named), make_co_player(n)) for n in named]
        return Mixture(components, name="held_out_pool")
    raise ValueError(f"split must be 'train' or 'held_out'; got {split!r}")


def resolve_game_co_player(spec: Any, game: str) -> Any:
    """Turn ``co_player=`` of a game of :data:`GAME_REGISTRIES` into a co-player object.

    Args:
        spec: One of the game's registry ids; for public goods a reactive 7-vector (or
            ``(B, 7)`` table); a mixture ``{spec: weight}``; a co-player object
            (``reset(spec, batch_size, rng)``, ``act(obs, rng)``); or an agent declaring
            ``protocol = "agent"`` (wrapped as
            :class:`co_players.public_goods.ObservationAgentCoPlayer`).
        game: The game's name.

    Raises:
        ValueError: For an unknown id (the message lists the game's ids) or game.
        TypeError: For anything else.
    """
    if isinstance(spec, str):
        registry = _game_registry(game)  # a game without co-players of its own takes objects
        if spec not in registry:
            hint = " (a matrix-game co-player)" if spec in REGISTRY else ""
            raise ValueError(
                f"unknown {game} co-player {spec!r}{hint}; known ids: {', '.join(sorted(registry))}"
            )
        co_player = registry[spec].factory()
        co_player.name = spec
        return co_player
    if isinstance(spec, Mapping):
        parts = [(weight, resolve_game_co_player(part, game)) for part, weight in spec.items()]
        return Mixture(parts)
    if game == "public_goods" and isinstance(spec, (list, tuple, np.ndarray)):
        return pg.ReactivePolicy(spec)
    if declared_protocol(spec) == "agent":
        return pg.ObservationAgentCoPlayer(spec)
    if callable(getattr(spec, "reset", None)) and callable(getattr(spec, "act", None)):
        return as_co_player(spec)
    ids = ", ".join(sorted(GAME_REGISTRIES.get(game, {}))) or "none"
    raise TypeError(
        f"co_player for {game} must be one of its registry ids ({ids}), "
        "a {co_player: weight} mixture, an object with reset(spec, batch_size, rng) and "
        "act(obs, rng), or an agent that declares protocol = 'agent'; "
        f"got {spec!r} ({type(spec).__name__})"
    )


def resolve_co_player(spec: Any, game: str | None = None) -> CoPlayer:
    """Turn what a user passed as ``co_player=`` into a co-player object.

    For a game of :data:`GAME_REGISTRIES` this is :func:`resolve_game_co_player`; the rest of
    this docstring is about the matrix games.

    Args:
        spec: A registry id (``"tit_for_tat"``) or ``"axelrod:<name>"``; a memory-one 5-vector
            ``[P(C|start), P(C|CC), P(C|CD), P(C|DC), P(C|DD)]`` (or a ``(B, 5)`` table, one row
            per game); a mixture ``{spec: weight, ...}`` (specs resolved recursively); a
            co-player object (``reset(game, batch_size, rng)``, ``act(obs, rng)``, e.g. a
            sampler); or an agent (``reset(num_envs, seed)``, ``act(observations)``) that
            declares ``protocol = "agent"``, wrapped as a co-player
            (:class:`co_players.AgentCoPlayer`).
        game: ``None`` for the matrix games, else the name of a game of
            :data:`GAME_REGISTRIES` (e.g. ``"public_goods"``).

    Returns:
        The co-player.

    Raises:
        ValueError: For an unknown id or an invalid vector.
        TypeError: For anything else, or an object whose methods fit neither protocol as
            declared (see :func:`co_players.adapters.as_co_player`).
    """
    if game is not None:
        return resolve_game_co_player(spec, game)
    if isinstance(spec, str):
        return make_co_player(spec)
    if isinstance(spec, Mapping):
        return Mixture([(weight, resolve_co_player(part)) for part, weight in spec.items()])
    if isinstance(spec, (list, tuple, np.ndarray)):
        return m1.MemoryOne(spec)
    declared = declared_protocol(spec)  # a bad declaration is refused here
    if declared or callable(getattr(spec, "reset", None)) or callable(getattr(spec, "act", None)):
        return as_co_player(spec)
    raise TypeError(
        "co_player must be a registry id (e.g. 'tit_for_tat'), a memory-one 5-vector, a "
        "{co_player: weight} mixture, an object with reset(game, batch_size, rng) and "
        "act(obs, rng), or an agent (reset(num_envs, seed), act(observations)) that declares "
        f"protocol = 'agent'; got {spec!r} ({type(spec).__name__})"
    )


def vector_of(name: str) -> str:
    """The memory-one vector of a named strategy in the paper's game, as text ("" if none)."""
    co_player = make_co_player(name)
    if isinstance(co_player, m1.MemoryOne) and not isinstance(co_player, m1.RandomMemoryOne):
        vector = co_player.vector_for(PRISONERS_DILEMMA)
        return "(" + ", ".join(f"{p:.3g}" for p in vector) + ")"
    return ""


def markdown_table() -> str:
    """The table of all registered co-players, as Markdown (``docs/co_players.md``)."""
    lines = [
        "| id | family | split | behaviour | vector in the paper's PD [start, CC, CD, DC, DD] |",
        "|---|---|---|---|---|",
    ]
    for name, spec in REGISTRY.items():
        split = spec.split or "—"
        lines.append(f"| `{name}` | {spec.family} | {split} | {spec.summary} | {vector_of(name)} |")
    return "\n".join(lines) + "\n"
