"""Finite-state strategies, batched: B machines stepped with one indexed read per round.

A machine has ``S`` states, a start state, a transition table ``next_state[state, observation]``
over the 5 observation codes (START, CC, CD, DC, DD; own move first) and a cooperation
probability per state. Each round it first moves on the observation, then cooperates with the
probability of the state it is in (a Moore machine): the first round reads START.

==========================  ==========================================================  ======
strategy                    behaviour                                                   states
==========================  ==========================================================  ======
grim_trigger                cooperate until the other defects once, then defect forever  2
grim_trigger_2              the same, after the other's second defection                3
tit_for_two_tats            defect only after two defections in a row                   3
two_tits_for_tat            defect twice after each defection                           3
corrigible                  defect until punished (the other defects), then TFT         3
==========================  ==========================================================  ======
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from co_players.memory_one import (
    ALWAYS_COOPERATE,
    ALWAYS_DEFECT,
    SUSPICIOUS_TIT_FOR_TAT,
    TIT_FOR_TAT,
    MemoryOne,
    check_split,
)
from coop_envs.core import (
    CC,
    CD,
    CO_PLAYER_PROTOCOL,
    DC,
    DD,
    NUM_OBSERVATIONS,
    OBSERVATION_NAMES,
    PRISONERS_DILEMMA,
    START,
    MatrixGame,
)
from coop_envs.core.validation import MAX_NUM_ROUNDS, check_float, check_int, check_name

MAX_STRIKES = 10_000
"""Most strikes of :func:`grim_trigger` (one state each; 100 times the paper's horizon)."""
OTHER_DEFECTED = (CD, DD)
OTHER_COOPERATED = (START, CC, DC)


class FiniteStateMachine:
    """A batch of finite-state strategies sharing one specification.

    Args:
        next_state: ``(S, 5)`` integer table, or a mapping ``{(state, observation): next}`` that
            must cover every state x observation (observations as codes or names ``"CD"``).
        cooperate: ``(S,)`` probability of cooperating in each state.
        start_state: The state before the first observation.
        name: Display name.

    Raises:
        ValueError: For missing transitions (listed), states out of range, or probabilities
            outside [0, 1].

    Example:
        >>> import numpy as np
        >>> from coop_envs.core import PRISONERS_DILEMMA
        >>> grim = grim_trigger()
        >>> rng = np.random.default_rng(0)
        >>> grim.reset(PRISONERS_DILEMMA, 1, rng)
        >>> [int(grim.act(np.array([code]), rng)[0]) for code in (0, 1, 2, 1)]
        [0, 0, 1, 1]
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(
        self,
        next_state: Any,
        cooperate: Sequence[float],
        start_state: int = 0,
        name: str = "finite_state_machine",
    ) -> None:
        self.cooperate = np.array(cooperate, dtype=np.float64)
        if self.cooperate.ndim != 1 or len(self.cooperate) == 0:
            raise ValueError(
                f"cooperate must be a non-empty 1-D sequence of probabilities; got shape "
                f"{self.cooperate.shape}"
            )
        num_states = len(self.cooperate)
        bad = ~((self.cooperate >= 0) & (self.cooperate <= 1))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"cooperate[{i}] must be in [0, 1]; got {self.cooperate[i]}")
        self.next_state = self._table(next_state, num_states)
        if not 0 <= check_int(start_state, "start_state") < num_states:
            raise ValueError(f"start_state must be in [0, {num_states}); got {start_state!r}")
        self.start_state = int(start_state)
        self.name = check_name(name)
        self.num_states = num_states
        self._deterministic = bool(np.isin(self.cooperate, (0.0, 1.0)).all())
        self._actions = (self.cooperate == 0.0).astype(np.int64)
        self.state = np.zeros(0, dtype=np.int64)

    @staticmethod
    def _table(spec: Any, num_states: int) -> np.ndarray:
        if isinstance(spec, Mapping):
            table = np.full((num_states, NUM_OBSERVATIONS), -1, dtype=np.int64)
            for (state, obs), target in spec.items():
                if isinstance(obs, str):
                    code = OBSERVATION_NAMES.index(obs) if obs in OBSERVATION_NAMES else -1
                else:
                    code = obs
                if not (0 <= state < num_states and 0 <= code < NUM_OBSERVATIONS):
                    raise ValueError(
                        f"transition key ({state!r}, {obs!r}) is out of range: states 0.."
                        f"{num_states - 1}, observations {', '.join(OBSERVATION_NAMES)}"
                    )
                table[state, code] = target
            missing = [
                f"({s}, {OBSERVATION_NAMES[o]})"
                for s, o in zip(*np.nonzero(table == -1), strict=True)
            ]
            if missing:
                raise ValueError(
                    f"missing transitions for {len(missing)} (state, observation) pairs: "
                    f"{', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}; a machine "
                    f"needs one for each of its {num_states} states x 5 observations"
                )
        else:
            table = np.array(spec)
            if table.shape != (num_states, NUM_OBSERVATIONS) or table.dtype.kind not in "iu":
                raise ValueError(
                    f"next_state must be an integer table of shape (states, 5) = "
                    f"({num_states}, 5); got shape {table.shape}, dtype {table.dtype}"
                )
            table = table.astype(np.int64)
        if ((table < 0) | (table >= num_states)).any():
            s, o = (int(i) for i in np.argwhere((table < 0) | (table >= num_states))[0])
            raise ValueError(
                f"next_state[{s}, {OBSERVATION_NAMES[o]}] = {table[s, o]} is not a state "
                f"(0..{num_states - 1})"
            )
        table.setflags(write=False)
        return table

    def __repr__(self) -> str:
        return f"FiniteStateMachine(name={self.name!r}, states={self.num_states})"

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Put all B machines in the start state."""
        self.state = np.full(batch_size, self.start_state, dtype=np.int64)

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Move every machine on its observation and return ``(B,)`` actions."""
        self.state = self.next_state[self.state, obs]
        if self._deterministic:
            return self._actions[self.state]
        return (rng.random(len(obs)) >= self.cooperate[self.state]).astype(np.int64)


def _on_other(num_states: int, if_defected: Sequence[int], if_cooperated: Sequence[int]) -> dict:
    """Transitions that depend only on the other's last move (START counts as cooperation)."""
    spec = {}
    for s in range(num_states):
        for obs in OTHER_DEFECTED:
            spec[(s, obs)] = if_defected[s]
        for obs in OTHER_COOPERATED:
            spec[(s, obs)] = if_cooperated[s]
    return spec


def grim_trigger(strikes: int = 1) -> FiniteStateMachine:
    """Cooperate until the other has defected ``strikes`` times, then defect forever.

    Grim trigger (Friedman 1971; Axelrod's "Grudger") for one strike.
    """
    check_int(strikes, "strikes", 1, MAX_STRIKES)
    states = strikes + 1
    spec = _on_other(
        states, [min(s + 1, strikes) for s in range(states)], [s for s in range(states)]
    )
    spec.update({(strikes, obs): strikes for obs in range(NUM_OBSERVATIONS)})
    name = "grim_trigger" if strikes == 1 else f"grim_trigger_{strikes}"
    return FiniteStateMachine(spec, [1.0] * strikes + [0.0], name=name)


def tit_for_two_tats() -> FiniteStateMachine:
    """Defect only when the other defected in each of the last two rounds (Axelrod 1980)."""
    spec = _on_other(3, if_defected=[1, 2, 2], if_cooperated=[0, 0, 0])
    return FiniteStateMachine(spec, [1.0, 1.0, 0.0], name="tit_for_two_tats")


def two_tits_for_tat() -> FiniteStateMachine:
    """Defect in the two rounds after each defection of the other (Axelrod 1980)."""
    spec = _on_other(3, if_defected=[1, 1, 1], if_cooperated=[0, 2, 0])
    return FiniteStateMachine(spec, [1.0, 0.0, 0.0], name="two_tits_for_tat")


def corrigible() -> FiniteStateMachine:
    """Defect until the other defects back (is punished), then play tit-for-tat."""
    spec = _on_other(3, if_defected=[2, 2, 2], if_cooperated=[0, 1, 1])
    return FiniteStateMachine(spec, [0.0, 1.0, 0.0], name="corrigible")


class Schedule:
    """Play a fixed sequence of moves by round, ignoring the other (e.g. cooperate, then defect).

    Args:
        moves: ``(T,)`` actions, one per round; rounds past its end repeat the last move.
        name: Display name.
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(self, moves: Sequence[int], name: str = "schedule") -> None:
        self.moves = np.asarray(moves)
        if (
            self.moves.ndim != 1
            or len(self.moves) == 0
            or self.moves.dtype.kind not in "iu"
            or not np.isin(self.moves, (0, 1)).all()
        ):
            raise ValueError(f"moves must be a non-empty sequence of 0 and 1; got {moves!r}")
        self.name = check_name(name)
        self.t = 0

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Back to round 0."""
        self.t = 0

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The scheduled move of this round, for every game."""
        move = self.moves[min(self.t, len(self.moves) - 1)]
        self.t += 1
        return np.full(len(obs), move, dtype=np.int64)


def cooperate_then_defect(flip_round: int = 50) -> Schedule:
    """Cooperate for ``flip_round`` rounds, then defect for the rest of the game."""
    check_int(flip_round, "flip_round", 0, MAX_NUM_ROUNDS)
    return Schedule([0] * flip_round + [1], name=f"cooperate_then_defect_{flip_round}")


MAX_RANDOM_STATES = 4
"""Most states of a :class:`RandomFiniteState` machine (its behaviour signature has
``2 ** (2 * states) - 1`` entries: 255 at 4)."""

_SPLIT_SEED = 20261206
"""Seed of the fixed linear form over GF(2) that halves behaviour signatures into train and
held-out (:meth:`RandomFiniteState.split_of`)."""


def named_reciprocators(length: int) -> dict[str, np.ndarray]:
    """Behaviour signatures of the registry's deterministic reactive strategies.

    always-cooperate, always-defect, (suspicious) tit-for-tat, grim trigger (1 and 2 strikes),
    tit-for-two-tats, two-tits-for-tat and corrigible, each as :func:`reactive_signature` over
    the other's move sequences up to ``length``: the strategies a :class:`RandomFiniteState`
    train draw never plays like.
    """
    named: dict[str, Any] = {
        "always_cooperate": MemoryOne(ALWAYS_COOPERATE, "always_cooperate"),
        "always_defect": MemoryOne(ALWAYS_DEFECT, "always_defect"),
        "tit_for_tat": MemoryOne(TIT_FOR_TAT, "tit_for_tat"),
        "suspicious_tit_for_tat": MemoryOne(SUSPICIOUS_TIT_FOR_TAT, "suspicious_tit_for_tat"),
        "grim_trigger": grim_trigger(),
        "grim_trigger_2": grim_trigger(2),
        "tit_for_two_tats": tit_for_two_tats(),
        "two_tits_for_tat": two_tits_for_tat(),
        "corrigible": corrigible(),
    }
    return {name: reactive_signature(player, length) for name, player in named.items()}


def reactive_signature(co_player: Any, length: int) -> np.ndarray:
    """A deterministic co-player's moves against every sequence of the other's moves.

    Entry ``2 ** t - 1 + p`` is its move (0 cooperate, 1 defect) after the other played the
    ``t`` moves whose bits are ``p`` (first move the most significant bit), for ``t = 0 ..
    length``; its own moves are fed back as they are played. Two machines of at most ``S``
    states each that agree on every sequence up to ``2 S - 1`` moves agree on every sequence.

    Args:
        co_player: Any co-player of the matrix games (``reset``/``act``); a stochastic one gives
            one sample of its moves (seed 0).
        length: Longest sequence, 0..16.

    Returns:
        ``(2 ** (length + 1) - 1,)`` int8 moves.
    """
    check_int(length, "length", 0, 16)
    rows = 2**length
    rng = np.random.default_rng(0)
    co_player.reset(PRISONERS_DILEMMA, rows, rng)
    sequence = np.arange(rows)
    own = np.asarray(co_player.act(np.full(rows, START, dtype=np.int64), rng))
    moves = [own[:1]]
    for t in range(1, length + 1):
        other = (sequence >> (length - t)) & 1
        own = np.asarray(co_player.act(1 + 2 * own + other, rng))
        moves.append(own[:: 2 ** (length - t)])
    return np.concatenate(moves).astype(np.int8)


class RandomFiniteState:
    """Random reactive finite-state co-players: a fresh deterministic machine per game and episode.

    Each game draws a number of states k uniform in 1..``max_states``, a move per state
    (cooperate or defect, 1/2 each) and a next state for each state and each move of the other
    (uniform over the k states); it starts in state 0 and, from the second round on, moves on the
    other's last move before it plays its state's move (a Moore machine that reads only the
    other's moves, like grim trigger and tit-for-two-tats). With probability ``tremble_share``
    a game's machine also trembles: each move flipped with a probability drawn from
    U(0, ``tremble``) for that game.

    The family is the reciprocators that memory-one co-players cannot be (punishing or forgiving
    over several rounds). Splits are by behaviour: a machine's :meth:`signature` (its moves
    against every sequence of the other's moves up to ``2 max_states - 1``, which decides its
    behaviour) is ``"train"`` when a fixed random linear form over GF(2) of it is 0 and it plays
    like none of the registry's deterministic reactive strategies (:func:`named_reciprocators`:
    tit-for-tat, grim trigger, tit-for-two-tats, ...), else ``"held_out"``: a train draw never
    meets a named strategy of the panel or the registry. Draws outside the split are redrawn.

    Args:
        split: ``None`` (every machine), ``"train"`` or ``"held_out"``.
        max_states: Most states, 1..4.
        tremble: Largest flip probability of a trembling game, in [0, 0.5].
        tremble_share: Share of the games that tremble, in [0, 1].
        name: Display name.

    Raises:
        ValueError: For a split, state count or probability outside the accepted ranges.

    Example:
        >>> import numpy as np
        >>> from coop_envs.core import PRISONERS_DILEMMA
        >>> machines = RandomFiniteState("train", tremble_share=0.0)
        >>> rng = np.random.default_rng(0)
        >>> machines.reset(PRISONERS_DILEMMA, 4, rng)
        >>> machines.act(np.zeros(4, dtype=np.int64), rng).shape
        (4,)
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(
        self,
        split: str | None = None,
        max_states: int = 3,
        tremble: float = 0.1,
        tremble_share: float = 0.5,
        name: str = "random_finite_state",
    ) -> None:
        check_split(split)
        self.max_states = check_int(max_states, "max_states", 1, MAX_RANDOM_STATES)
        self.tremble = check_float(tremble, "tremble", 0.0, 0.5)
        self.tremble_share = check_float(tremble_share, "tremble_share", 0.0, 1.0)
        self.split = split
        self.name = check_name(name)
        self.length = 2 * self.max_states - 1
        width = 2 ** (self.length + 1) - 1
        self._form = np.random.default_rng(_SPLIT_SEED).integers(0, 2, size=width, dtype=np.int8)
        self._named = np.stack(list(named_reciprocators(self.length).values()))
        self.next_state = np.zeros((0, self.max_states, 2), dtype=np.int64)
        self.moves = np.zeros((0, self.max_states), dtype=np.int64)
        self.flip = np.zeros(0)
        self.state = np.zeros(0, dtype=np.int64)

    def __repr__(self) -> str:
        return (
            f"RandomFiniteState(split={self.split!r}, max_states={self.max_states}, "
            f"tremble={self.tremble}, tremble_share={self.tremble_share}, name={self.name!r})"
        )

    def _draw(self, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        states = rng.integers(1, self.max_states + 1, size=batch_size)
        shape = (batch_size, self.max_states, 2)
        next_state = (rng.random(shape) * states[:, None, None]).astype(np.int64)
        moves = rng.integers(0, 2, size=(batch_size, self.max_states))
        return next_state, moves

    def signature(self, next_state: np.ndarray, moves: np.ndarray) -> np.ndarray:
        """``(B, 2 ** (2 max_states) - 1)`` moves of B machines, as :func:`reactive_signature`."""
        rows = np.arange(len(moves))[:, None]
        state = np.zeros((len(moves), 1), dtype=np.int64)
        columns = [moves[:, :1]]
        for _ in range(self.length):
            # prefixes of one move more: p -> 2p (other cooperated), 2p + 1 (defected)
            state = np.stack(
                [next_state[rows, state, 0], next_state[rows, state, 1]], axis=2
            ).reshape(len(moves), -1)
            columns.append(moves[rows, state])
        return np.concatenate(columns, axis=1).astype(np.int8)

    def split_of(self, next_state: np.ndarray, moves: np.ndarray) -> np.ndarray:
        """``(B,)`` True where a machine is in the train half (see the class docstring)."""
        signature = self.signature(next_state, moves)
        even = (signature.astype(np.int64) @ self._form.astype(np.int64)) % 2 == 0
        named = (signature[:, None, :] == self._named[None]).all(axis=2).any(axis=1)
        return even & ~named

    def sample(self, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``(B, S, 2)`` next states and ``(B, S)`` moves from this distribution."""
        next_state, moves = self._draw(batch_size, rng)
        if self.split is None:
            return next_state, moves
        wanted = self.split == "train"
        wrong = np.flatnonzero(self.split_of(next_state, moves) != wanted)
        while len(wrong):
            # about one draw in nine is a train machine: redraw the missing ones in bulk
            more, more_moves = self._draw(max(64, 16 * len(wrong)), rng)
            good = np.flatnonzero(self.split_of(more, more_moves) == wanted)[: len(wrong)]
            next_state[wrong[: len(good)]], moves[wrong[: len(good)]] = more[good], more_moves[good]
            wrong = wrong[len(good) :]
        return next_state, moves

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Draw a machine (and its tremble) per game and put it in its start state."""
        self.next_state, self.moves = self.sample(batch_size, rng)
        trembles = rng.random(batch_size) < self.tremble_share
        self.flip = np.where(trembles, rng.random(batch_size) * self.tremble, 0.0)
        self.state = np.zeros(batch_size, dtype=np.int64)
        self._rows = np.arange(batch_size)

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Move every machine on the other's last move and return ``(B,)`` actions."""
        other = ((obs == CD) | (obs == DD)).astype(np.int64)
        moved = self.next_state[self._rows, self.state, other]
        self.state = np.where(obs == START, self.state, moved)
        actions = self.moves[self._rows, self.state]
        if self.tremble_share > 0:
            actions = actions ^ (rng.random(len(obs)) < self.flip)
        return actions.astype(np.int64)
