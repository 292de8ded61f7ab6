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

from coop_envs.core import (
    CC,
    CD,
    CO_PLAYER_PROTOCOL,
    DC,
    DD,
    NUM_OBSERVATIONS,
    OBSERVATION_NAMES,
    START,
    MatrixGame,
)
from coop_envs.core.validation import MAX_NUM_ROUNDS, check_int, check_name

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
