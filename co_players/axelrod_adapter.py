"""Strategies of the Axelrod library as co-players (optional extra: ``coop-envs[axelrod]``).

``co_player="axelrod:Tit For Tat"`` (the strategy's display name, or its class name such as
``axelrod:TitForTat``) plays that strategy in every game of the batch: one Axelrod player per
game, fed the history of its game every round. Axelrod is imported only when such a co-player is
made (it takes ~15 s to import).

How the history is fed: each round the co-player's observation code gives the last joint action
(own move first); the adapter appends it to the player's history and the mirrored pair to a
stand-in opponent's history, exactly as ``axelrod.Match`` does, then asks
``player.strategy(opponent)``. The stand-in carries the history only, so strategies that read
the opponent's source or state (Axelrod's ``inspects_source``, ``manipulates_source``,
``manipulates_state`` classifiers) are refused. The match length is not told to the players (as
in a match of unknown length), and stochastic players are seeded from the environment's
generator.
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np

from coop_envs.core import CO_PLAYER_PROTOCOL, COOPERATE, DEFECT, MatrixGame

INSTALL_HINT = "pip install -c constraints.txt 'coop-envs[axelrod]'"
FORBIDDEN = ("inspects_source", "manipulates_source", "manipulates_state")


def import_axelrod() -> Any:
    """Import axelrod, or raise an ``ImportError`` that says how to install it."""
    try:
        import axelrod
    except ImportError as exc:
        raise ImportError(
            f"Axelrod co-players need the optional 'axelrod' extra: {INSTALL_HINT}"
        ) from exc
    return axelrod


def find_strategy(name: str) -> type:
    """The Axelrod strategy class with display name or class name ``name``.

    Raises:
        ValueError: If no strategy has that name (the message suggests close ones).
    """
    axl = import_axelrod()
    by_name = {s.name: s for s in axl.all_strategies}
    by_name.update({s.__name__: s for s in axl.all_strategies})
    if name in by_name:
        return by_name[name]
    close = difflib.get_close_matches(name, by_name, n=5)
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    raise ValueError(
        f"unknown Axelrod strategy {name!r}{hint} "
        f"(see axelrod.all_strategies: {len(axl.all_strategies)} strategies)"
    )


def axelrod_game(game: MatrixGame) -> Any:
    """The ``axelrod.Game`` with the same R, S, T, P."""
    axl = import_axelrod()
    if not game.is_symmetric:
        raise ValueError(
            f"Axelrod strategies need a symmetric game (R, S, T, P); {game.name!r} is not"
        )
    return axl.Game(r=game.R, s=game.S, t=game.T, p=game.P)


class AxelrodCoPlayer:
    """One Axelrod player per game, fed the history of its game.

    Args:
        strategy: Display name (``"Tit For Tat"``), class name (``"TitForTat"``), an Axelrod
            strategy class, or a configured player instance (cloned per game).
        name: Display name; default ``axelrod:<strategy name>``.

    Raises:
        ImportError: If axelrod is not installed (with the install command).
        ValueError: For an unknown name, or a strategy that inspects its opponent's code/state.
    """

    protocol = CO_PLAYER_PROTOCOL

    def __init__(self, strategy: Any, name: str | None = None) -> None:
        axl = import_axelrod()
        if isinstance(strategy, str):
            strategy = find_strategy(strategy)
        if isinstance(strategy, type) and issubclass(strategy, axl.Player):
            prototype = strategy()
        elif isinstance(strategy, axl.Player):
            prototype = strategy
        else:
            raise TypeError(
                f"strategy must be an Axelrod strategy name, class or player; got {strategy!r}"
            )
        for flag in FORBIDDEN:
            if prototype.classifier.get(flag):
                raise ValueError(
                    f"Axelrod strategy {prototype.name!r} is not supported: it has {flag}=True, "
                    "and a co-player sees only the history of play"
                )
        self.prototype = prototype
        self.name = name or f"axelrod:{prototype.name}"
        self.stochastic = bool(axl.Classifiers["stochastic"](prototype))
        self._c, self._d = axl.Action.C, axl.Action.D
        self._stand_in = axl.Player
        self.players: list[Any] = []

    def __repr__(self) -> str:
        return f"AxelrodCoPlayer({self.prototype.name!r})"

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        """Fresh players (and stand-in opponents) for ``batch_size`` games."""
        attributes = {"length": -1, "game": axelrod_game(game), "noise": 0}
        self.players = []
        self.opponents = []
        for _ in range(batch_size):
            player = self.prototype.clone()
            try:
                player.set_match_attributes(**attributes)
            except ValueError as exc:  # e.g. ZD strategies: probabilities outside [0, 1]
                raise ValueError(
                    f"Axelrod strategy {self.prototype.name!r} cannot be built for "
                    f"{game.name!r} on its payoff scale (R, S, T, P) = ({game.R:g}, {game.S:g}, "
                    f"{game.T:g}, {game.P:g}): {type(exc).__name__}({exc}) while it adapts to "
                    f"these payoffs (Axelrod's own scale is (3, 0, 5, 1))"
                ) from exc
            if self.stochastic:
                player.set_seed(int(rng.integers(2**31)))
            opponent = self._stand_in()
            opponent.set_match_attributes(**attributes)
            self.players.append(player)
            self.opponents.append(opponent)
        self._started = False

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Record the last round from ``obs`` in every game's history, then ask each player."""
        c, d = self._c, self._d
        if self._started:
            own = (obs - 1) // 2
            other = (obs - 1) % 2
            for i, (player, opponent) in enumerate(zip(self.players, self.opponents, strict=True)):
                mine, theirs = (
                    (c if own[i] == COOPERATE else d),
                    (c if other[i] == COOPERATE else d),
                )
                player.update_history(mine, theirs)
                opponent.update_history(theirs, mine)
        self._started = True
        moves = [p.strategy(o) for p, o in zip(self.players, self.opponents, strict=True)]
        return np.array([COOPERATE if m == c else DEFECT for m in moves], dtype=np.int64)
