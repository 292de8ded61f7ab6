r"""Batched play: every player sits in some (game, seat) slots of one core, stepped in lockstep.

This is the one play loop of the project: trainer rollouts, evaluations and leaderboard matches
differ only in who sits where. A player is anything with the co-player protocol
(:class:`~coop_envs.core.CoPlayer`: ``reset(game, batch_size, rng)``, ``act(obs, rng)``); an
agent (``reset(num_envs, seed)``, ``act(observations)``) takes part through
:class:`co_players.AgentCoPlayer`, and a policy network through its own co-player front.

The reset contract: at the start of the games every player is reset once, in the order given,
with the game seen from its seat (``game`` in seat 0, ``game.swapped()`` in seat 1), the number
of games it sits in, and the shared generator. Then, each round, every player acts in the order
given on its own-view observation codes, drawing from the same generator. So one seed fixes
every draw, and a player that needs another's state at its first move (the opponent-ID
ablation reads its co-player's log-policy) finds it reset.

:func:`play_batched` is the same loop for any game of the contract
(:class:`~coop_envs.core.contract.BatchedGame`, N seats): players sit in :class:`GameSeat`\ s,
are reset with :func:`~coop_envs.core.contract.co_player_view` of their seat (the game's spec, or
for the matrix games the game from that seat) and act on that seat's observations; :func:`play`
is :func:`play_batched` on an :class:`~coop_envs.core.IteratedGame`.

What happened is read off the returned core: :attr:`~coop_envs.core.IteratedGame.history`,
:attr:`~coop_envs.core.IteratedGame.rewards`, :attr:`~coop_envs.core.IteratedGame.code_history`,
or per seat with :func:`outcome`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from coop_envs.core.constants import COOPERATE
from coop_envs.core.contract import BatchedGame, check_discrete_actions, co_player_view
from coop_envs.core.engine import IteratedGame
from coop_envs.core.games import MatrixGame, get_game
from coop_envs.core.protocols import CoPlayer
from coop_envs.core.validation import check_int


@dataclass(frozen=True)
class GameSeat:
    """A player sitting in seat ``seat`` of the games ``games`` of an N-player game.

    Args:
        player: A co-player-protocol object; it plays all of ``games``, row ``k`` of its batch
            being game ``games[k]``.
        games: ``(n,)`` integer game indices, each at most once.
        seat: The seat, ``0 .. N - 1`` (checked against the game by :func:`check_seating`).

    Raises:
        TypeError: For a seat that is not an int.
        ValueError: For a negative seat, or ``games`` that are not a 1-D integer array.
    """

    player: CoPlayer
    games: np.ndarray
    seat: int = 1

    def __post_init__(self) -> None:
        check_int(self.seat, "seat", 0)
        games = np.asarray(self.games)
        if games.ndim != 1 or (games.size and games.dtype.kind not in "iu"):
            raise ValueError(
                f"games must be a 1-D array of game indices; got shape {games.shape}, "
                f"dtype {games.dtype}"
            )
        object.__setattr__(self, "games", games.astype(np.int64, copy=False))

    def __len__(self) -> int:
        return len(self.games)

    @property
    def name(self) -> str:
        """The player's display name (for messages)."""
        return str(getattr(self.player, "name", type(self.player).__name__))


@dataclass(frozen=True)
class Seat(GameSeat):
    """A player sitting in seat ``seat`` (0 or 1) of the games ``games`` of a 2x2 matrix game.

    Args:
        player: A co-player-protocol object; it plays all of ``games``, row ``k`` of its batch
            being game ``games[k]``.
        games: ``(n,)`` integer game indices, each at most once.
        seat: 0 or 1.

    Raises:
        ValueError: For another seat, or ``games`` that are not a 1-D integer array.
    """

    def __post_init__(self) -> None:
        if self.seat not in (0, 1) or isinstance(self.seat, bool):
            raise ValueError(f"seat must be 0 or 1; got {self.seat!r}")
        super().__post_init__()


def check_seating(seats: Sequence[GameSeat], num_games: int, num_players: int = 2) -> None:
    """Check that every (game, seat) of ``num_games`` games has exactly one player.

    Raises:
        ValueError: Naming the first game and seat with none or several players, or a seat
            outside ``0 .. num_players - 1``.
    """
    filled = np.zeros((num_games, num_players), dtype=np.int64)
    for s in seats:
        if s.seat >= num_players:
            raise ValueError(
                f"player {s.name!r} sits in seat {s.seat}; this game has seats 0..{num_players - 1}"
            )
        if len(s) and (s.games.min() < 0 or s.games.max() >= num_games):
            raise ValueError(
                f"player {s.name!r} sits in games outside 0..{num_games - 1}: "
                f"{s.games.min()}..{s.games.max()}"
            )
        np.add.at(filled, (s.games, s.seat), 1)
    if not (filled == 1).all():
        game, seat = (int(i) for i in np.argwhere(filled != 1)[0])
        raise ValueError(
            f"every (game, seat) needs exactly one player; game {game} seat {seat} has "
            f"{filled[game, seat]}"
        )


def play(
    game: MatrixGame | str,
    num_games: int,
    num_rounds: int,
    seats: Sequence[Seat],
    rng: np.random.Generator,
    validate: bool = True,
) -> IteratedGame:
    """Play ``num_games`` games of ``num_rounds`` rounds with every seat filled.

    Args:
        game: The game (from seat 0's side).
        num_games: Games played at once.
        num_rounds: Rounds per game.
        seats: Who sits where (see the module docstring for the reset and acting order).
        rng: The generator every player resets and acts with.
        validate: Check every player's actions (shape, dtype, range) each round; trainers whose
            players are their own code may pass ``False`` on the hot path.

    Returns:
        The core, holding the full history of every game.

    Raises:
        ValueError: If the seats do not cover every (game, seat) exactly once, or (with
            ``validate``) a player returns invalid actions; the message names the player.
    """
    return play_batched(IteratedGame(get_game(game), num_games, num_rounds), seats, rng, validate)


def play_batched(
    core: BatchedGame,
    seats: Sequence[GameSeat],
    rng: np.random.Generator,
    validate: bool = True,
    on_round: Callable[[np.ndarray, np.ndarray], None] | None = None,
) -> BatchedGame:
    """Play all ``core.spec.num_rounds`` rounds of every game of ``core`` with every seat filled.

    Args:
        core: Any game of the contract, with ``core.batch_size`` games (it is reset here, with
            ``rng``).
        seats: Who sits where: every (game, seat) of the ``B x N`` needs exactly one player.
            Players are reset, then act each round, in the order given, all drawing from ``rng``.
        rng: The generator the game and every player reset and act with.
        validate: Check every player's actions (shape, dtype, range) each round.
        on_round: Called after every round with that round's ``(B, N)`` joint actions and
            ``(B, N)`` rewards (arrays the loop reuses: copy what you keep); how a trainer
            records the rounds of a game that keeps no history.

    Returns:
        ``core``, holding the finished games.

    Raises:
        ValueError: If the seats do not cover every (game, seat) exactly once, or (with
            ``validate``) a player returns invalid actions; the message names the player.

    Example:
        >>> from coop_envs.core.public_goods import PublicGoodsGame
        >>> class Always:
        ...     def __init__(self, action): self.action = action
        ...     def reset(self, spec, batch_size, rng): self.n = batch_size
        ...     def act(self, obs, rng): return np.full(self.n, self.action)
        >>> core = PublicGoodsGame(num_players=3, batch_size=2, num_rounds=4)
        >>> games = np.arange(2)
        >>> seats = [GameSeat(Always(0), games, 0), GameSeat(Always(1), games, 1),
        ...          GameSeat(Always(1), games, 2)]
        >>> play_batched(core, seats, np.random.default_rng(0)).returns[0].round(3).tolist()
        [2.133, 6.133, 6.133]
    """
    spec = core.spec
    check_seating(seats, core.batch_size, spec.num_players)
    core.reset(rng)
    views = [co_player_view(core, seat) for seat in range(spec.num_players)]
    for s in seats:
        s.player.reset(views[s.seat][0], len(s), rng)
    joint = np.zeros((core.batch_size, spec.num_players), dtype=np.int64)
    for _ in range(spec.num_rounds):
        for s in seats:
            actions = s.player.act(views[s.seat][1]()[s.games], rng)
            if validate:
                actions = check_discrete_actions(
                    actions, (len(s),), spec.action_meanings, f"actions of {s.name!r}"
                )
            joint[s.games, s.seat] = actions
        rewards, _ = core.step(joint, validate=False)
        if on_round is not None:
            on_round(joint, rewards)
    return core


@dataclass(frozen=True)
class Outcome:
    """What happened in a set of finished games, seen from one seat: ``(E, T)`` per round."""

    rewards: np.ndarray
    """``(E, T) float32`` the subject's reward in each round."""
    opponent_rewards: np.ndarray
    """``(E, T) float32`` its opponent's reward in each round."""
    cooperated: np.ndarray
    """``(E, T) bool`` whether the subject cooperated in each round."""
    opponent_cooperated: np.ndarray
    """``(E, T) bool`` whether its opponent cooperated in each round."""

    @property
    def reward(self) -> np.ndarray:
        """``(E,)`` the subject's mean reward per round, per episode."""
        return self.rewards.mean(axis=1, dtype=np.float64)

    @property
    def opponent_reward(self) -> np.ndarray:
        """``(E,)`` the opponent's mean reward per round, per episode."""
        return self.opponent_rewards.mean(axis=1, dtype=np.float64)

    @property
    def cooperation(self) -> np.ndarray:
        """``(E,)`` the subject's cooperation rate, per episode."""
        return self.cooperated.mean(axis=1)

    @property
    def opponent_cooperation(self) -> np.ndarray:
        """``(E,)`` the opponent's cooperation rate, per episode."""
        return self.opponent_cooperated.mean(axis=1)

    @property
    def cooperation_curve(self) -> np.ndarray:
        """``(T,)`` the subject's cooperation rate in each round, over the episodes."""
        return self.cooperated.mean(axis=0)


def outcome(core: IteratedGame, games: np.ndarray, seat: int = 0) -> Outcome:
    """The rounds played so far in ``games``, seen from ``seat``.

    Example:
        >>> from coop_envs.core.games import PRISONERS_DILEMMA
        >>> class AllD:
        ...     def reset(self, game, batch_size, rng): self.n = batch_size
        ...     def act(self, obs, rng): return np.ones(self.n, dtype=np.int64)
        >>> class AllC(AllD):
        ...     def act(self, obs, rng): return np.zeros(self.n, dtype=np.int64)
        >>> games = np.arange(2)
        >>> core = play(PRISONERS_DILEMMA, 2, 3, [Seat(AllD(), games, 0), Seat(AllC(), games, 1)],
        ...             np.random.default_rng(0))
        >>> o = outcome(core, games, seat=1)
        >>> o.reward.tolist(), o.opponent_reward.tolist(), o.cooperation.tolist()
        ([-1.0, -1.0], [2.0, 2.0], [1.0, 1.0])
    """
    if seat not in (0, 1):
        raise ValueError(f"seat must be 0 or 1; got {seat!r}")
    games = np.asarray(games, dtype=np.int64)
    rewards = core.rewards[games]
    cooperated = core.history[games, : core.t] == COOPERATE
    return Outcome(
        rewards=rewards[..., seat],
        opponent_rewards=rewards[..., 1 - seat],
        cooperated=cooperated[..., seat],
        opponent_cooperated=cooperated[..., 1 - seat],
    )
