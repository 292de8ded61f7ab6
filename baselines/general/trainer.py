"""A2C/PPO for recurrent in-context learners on any game of the batched core contract.

The matrix games' trainer (:mod:`baselines.trainer`) for N-player games: the loss and learning
step are the same code (:class:`~baselines.trainer.PolicyGradient`), the games are played by the
one play loop (:func:`coop_envs.core.play_batched`), and the run around them (directory, resume,
evaluation cadence, time limit, Ctrl-C) is :mod:`baselines.run`'s.

Who sits where in an update's games (:func:`make_game_layout`), per learner ``i``:

- ``tabular`` games: the learner in seat 0, the game's random co-players (``pool.tabular``, a
  fresh draw per game and seat) in seats 1..N-1;
- ``learner`` games, per pair of learners ``(i, j)``: ``i`` in the even seats, ``j`` in the odd
  seats (in a two-player game one each; with N = 4 two copies of each), every seat a separate
  episode each learns from.

Evaluations play each learner in seat 0 against the game's evaluation co-players in every other
seat, and against each other learner (alternating seats as in training), with per-round rewards
and the game's cooperation measure (public goods: contributing; Coin Game: a picked-up coin of
one's own colour, among the coins picked up).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from baselines.checkpoints import CheckpointError, check_agent_fits, read_checkpoint
from baselines.evaluation import MatchResult
from baselines.general.config import GameConfig, GameTrainConfig
from baselines.general.policy import (
    KIND,
    GamePolicy,
    GamePolicyPlayer,
    game_policy_from_payload,
    save_game_policy,
)
from baselines.run import Algorithm, Counters, Evaluation
from baselines.trainer import PolicyGradient, Trajectory
from co_players.pools import Mixture
from co_players.public_goods import RandomConditionalCooperator
from co_players.registry import resolve_game_co_player
from coop_envs.core import GameSeat, play_batched
from coop_envs.core.contract import BatchedGame

KINDS = ("tabular", "learner")


# ----------------------------------------------------------------------------------- layout
@dataclass(frozen=True)
class SeatBlock:
    """A run of games where one learner (or the co-players, ``learner=None``) sits in a seat."""

    learner: int | None
    games: np.ndarray
    seat: int
    kind: int  # index into KINDS


def make_game_layout(config: GameTrainConfig, num_players: int) -> tuple[int, list[SeatBlock]]:
    """``(number of games, seat blocks)`` of one update (see the module docstring)."""
    n, n_tab = config.pool.learners, config.tabular_games
    blocks: list[SeatBlock] = []
    cursor = 0
    tabular = []
    for i in range(n):
        games = np.arange(cursor, cursor + n_tab)
        cursor += n_tab
        tabular.append(games)
        if n_tab:
            blocks.append(SeatBlock(i, games, 0, 0))
    if n_tab:
        every = np.concatenate(tabular)
        blocks += [SeatBlock(None, every, seat, 0) for seat in range(1, num_players)]
    if n > 1:
        per_pair = config.learner_games // (n - 1)
        for i in range(n):
            for j in range(i + 1, n):
                games = np.arange(cursor, cursor + per_pair)
                cursor += per_pair
                blocks += [
                    SeatBlock(i if seat % 2 == 0 else j, games, seat, 1)
                    for seat in range(num_players)
                ]
    return cursor, blocks


# ----------------------------------------------------------------------------- recording
class RoundRecorder:
    """``on_round`` of :func:`~coop_envs.core.play_batched`: per-round rewards and cooperation.

    Cooperation per (round, game, seat): public goods, 1 if the player contributed; Coin Game, 1
    if it picked up a coin of its own colour, 0 one of the other's, NaN if it picked up none.
    """

    def __init__(self, core: BatchedGame) -> None:
        self.core = core
        self.rewards: list[np.ndarray] = []
        self.cooperation: list[np.ndarray] = []
        self.coins = core.spec.name == "coin_game"
        self._own = self._other = None

    def __call__(self, joint: np.ndarray, rewards: np.ndarray) -> None:
        """Record one round's ``(B, N)`` rewards and cooperation."""
        self.rewards.append(np.array(rewards, dtype=np.float32))
        if not self.coins:
            self.cooperation.append(((joint & 1) == 0).astype(np.float32))
            return
        own, other = self.core.own_coins, self.core.other_coins
        if self._own is None:
            self._own, self._other = np.zeros_like(own), np.zeros_like(other)
        d_own, d_other = own - self._own, other - self._other
        picked = d_own + d_other
        with np.errstate(invalid="ignore", divide="ignore"):
            self.cooperation.append(np.where(picked > 0, d_own / picked, np.nan).astype(np.float32))
        self._own, self._other = own, other

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``(T, B, N)`` rewards and cooperation."""
        return np.stack(self.rewards), np.stack(self.cooperation)


def match_result(rewards: np.ndarray, cooperation: np.ndarray, games: np.ndarray) -> MatchResult:
    """What seat 0 of ``games`` did, from ``(T, B, N)`` per-round records."""
    mine, theirs = rewards[:, games, 0].astype(np.float64), rewards[:, games, 1:]
    coop, coop_others = cooperation[:, games, 0], cooperation[:, games, 1:]
    rounds = len(mine)
    with _quiet():
        curve = np.nanmean(coop, axis=1)
        return MatchResult(
            reward=float(mine.mean()),
            opponent_reward=float(theirs.astype(np.float64).mean()),
            cooperation=_nan_to_none(np.nanmean(coop)),
            cooperation_late=_nan_to_none(np.nanmean(coop[rounds // 2 :])),
            opponent_cooperation=_nan_to_none(np.nanmean(coop_others)),
            reward_curve=mine.mean(axis=1).round(4).tolist(),
            cooperation_curve=np.nan_to_num(curve, nan=0.0).round(4).tolist(),
            best_response=None,
            regret=None,
            episodes=len(games),
        )


def _nan_to_none(value: float) -> float:
    return 0.0 if np.isnan(value) else float(value)


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence NumPy's warnings of empty means (no coin picked up): they are NaN, on purpose."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


# ---------------------------------------------------------------------------------- trainer
class GameTrainer(PolicyGradient, Algorithm):
    """Train ``config.pool.learners`` agents on ``config.game``; see the module docstring."""

    name = "actor_critic_general"
    unit = "update"
    kinds = KINDS
    resumable = ("updates",)

    def __init__(self, config: GameTrainConfig) -> None:
        self.config = config
        self.counters = Counters()
        run = config.run
        torch.set_num_threads(run.threads)
        torch.manual_seed(run.seed)
        self.rng = np.random.default_rng(run.seed)
        self.learn_rng = self.rng
        self.spec = config.game.build(1, run.num_rounds).spec
        self.num_players = self.spec.num_players
        self.num_games, self.blocks = make_game_layout(config, self.num_players)
        self.co_players = {b.seat: self._tabular() for b in self.blocks if b.learner is None}
        self.id_size = self._id_size() if config.policy.co_player_id else 0
        game = {
            "name": config.game.name,
            "kwargs": config.game.kwargs,
            "num_rounds": run.num_rounds,
        }
        self.init_files = config.pool.init_files(run.seed)
        self.learners = [self._make_learner(i, game) for i in range(config.pool.learners)]
        self.optimizers = [
            torch.optim.Adam(p.parameters(), lr=config.algo.lr, eps=config.algo.adam_eps)
            for p in self.learners
        ]

    def _make_learner(self, i: int, game: dict[str, Any]) -> GamePolicy:
        """Learner ``i``: fresh weights, or its ``pool.init_from`` agent (checked to fit)."""
        if not self.init_files:
            return GamePolicy(self.config.policy, self.spec, self.id_size, game)
        path = self.init_files[i]
        source = f"initial agent {path!r}"
        payload = read_checkpoint(path)
        if payload.get("kind") != KIND:
            raise CheckpointError(
                f"{source} is a {payload.get('kind')!r} agent; a learner of "
                f"{self.config.game.name} starts from a {KIND!r} agent of the same game"
            )
        policy = game_policy_from_payload(payload, source)
        if policy.game != game:
            raise CheckpointError(
                f"{source} was trained on {policy.game!r}; this run plays {game!r}"
            )
        check_agent_fits(
            source,
            {**asdict(policy.config), "id_size": policy.id_size},
            {**asdict(self.config.policy), "id_size": self.id_size},
        )
        policy.train()
        return policy

    def sources(self) -> dict[str, str]:
        """The initial agent files (recorded in ``config.json``)."""
        return {f"init_{i}": p for i, p in enumerate(self.init_files)}

    def _tabular(self) -> Any:
        """A training co-player for one seat (``pool.tabular``, its concentration applied)."""
        pool = self.config.pool
        return training_co_player(
            self.config.game.name,
            self.config.tabular,
            pool.tabular_concentration,
            pool.conditional_fraction,
        )

    def _id_size(self) -> int:
        """Length of a learner's co-player ID vector: its co-players' parameters, all seats."""
        probe = self._tabular()
        if not callable(getattr(probe, "identity", None)):
            raise ValueError(
                f"policy.co_player_id needs co-players with parameters to show; "
                f"{self.config.tabular!r} has no identity()"
            )
        probe.reset(self.spec, 1, np.random.default_rng(0))
        return int(np.asarray(probe.identity()).shape[1]) * (self.num_players - 1)

    def criteria(self) -> list:
        """None apply: the matrix games' criteria do not transfer.

        The page reports these games' own measures instead: reward against the random
        co-players' mean, and within-episode adaptation.
        """
        return []

    @property
    def total_steps(self) -> int:
        """``config.updates``."""
        return self.config.updates

    @property
    def num_learners(self) -> int:
        """Learners trained."""
        return len(self.learners)

    # --------------------------------------------------------------------------- rollout
    def _tabular_ids(self, learner: int) -> torch.Tensor:
        n_tab = self.config.tabular_games
        rows = slice(learner * n_tab, (learner + 1) * n_tab)
        parts = [np.asarray(self.co_players[s].identity())[rows] for s in sorted(self.co_players)]
        return torch.from_numpy(np.concatenate(parts, axis=1).astype(np.float32))

    def rollout(self) -> tuple[list[Trajectory], list[tuple[np.ndarray, np.ndarray]]]:
        """Play one update's games.

        Returns:
            Each learner's trajectory, and per learner ``(kinds, cooperation)``: each episode's
            kind (index into :data:`KINDS`) and its ``(T, b)`` per-round cooperation.
        """
        core = self.config.game.build(self.num_games, self.config.run.num_rounds)
        seats, players = [], []
        for b in self.blocks:
            if b.learner is None:
                seats.append(GameSeat(self.co_players[b.seat], b.games, b.seat))
                continue
            ids = None
            if self.id_size and b.kind == 0:
                ids = lambda i=b.learner: self._tabular_ids(i)  # noqa: E731  (read once reset)
            player = GamePolicyPlayer(
                self.learners[b.learner], ids, record=True, name=f"learner_{b.learner}"
            )
            seats.append(GameSeat(player, b.games, b.seat))
            players.append((b, player))
        recorder = RoundRecorder(core)
        play_batched(core, seats, self.rng, validate=False, on_round=recorder)
        rewards, cooperation = recorder.arrays()
        out, kinds = [], []
        for i in range(len(self.learners)):
            mine = [(b, p) for b, p in players if b.learner == i]
            inputs = torch.cat([torch.stack(p.inputs) for _, p in mine], dim=1)
            actions = np.concatenate([np.stack(p.actions) for _, p in mine], axis=1)
            reward = np.concatenate([rewards[:, b.games, b.seat] for b, _ in mine], axis=1)
            ids = None
            if self.id_size:
                parts = [
                    self._tabular_ids(i) if b.kind == 0 else torch.zeros(len(b.games), self.id_size)
                    for b, _ in mine
                ]
                ids = torch.cat(parts)
            out.append(
                Trajectory(
                    index=inputs,
                    actions=torch.from_numpy(actions.astype(np.int64)),
                    rewards=torch.from_numpy(np.ascontiguousarray(reward)),
                    ids=ids,
                )
            )
            kind = np.concatenate([np.full(len(b.games), b.kind) for b, _ in mine])
            coop = np.concatenate([cooperation[:, b.games, b.seat] for b, _ in mine], axis=1)
            kinds.append((kind, coop))
        return out, kinds

    def step(self) -> dict[str, float]:
        """One update: rollout, then a learning step per learner. Returns its metrics."""
        trajectories, kinds = self.rollout()
        metrics: dict[str, float] = {}
        for i, (trajectory, (kind, coop)) in enumerate(zip(trajectories, kinds, strict=True)):
            reward = trajectory.rewards.numpy().mean(axis=0)
            for k, name in enumerate(KINDS):
                mask = kind == k
                if mask.any():
                    metrics[f"l{i}/train/{name}/reward"] = float(reward[mask].mean())
                    with _quiet():
                        share = np.nanmean(coop[:, mask])
                    metrics[f"l{i}/train/{name}/cooperation"] = _nan_to_none(share)
            for key, value in self._learn(i, trajectory).items():
                metrics[f"l{i}/train/{key}"] = value
            self.counters.env_steps += trajectory.actions.numel()
        return metrics

    # ------------------------------------------------------------------------ evaluation
    def evaluate_policy(self, i: int) -> dict[str, MatchResult]:
        """Learner ``i`` (seat 0) against each evaluation co-player and each other learner."""
        episodes = self.config.run.eval.episodes
        others = {
            j: policy_seat(other, episodes) for j, other in enumerate(self.learners) if j != i
        }
        return evaluate_in_run(
            self.config, policy_seat(self.learners[i], episodes, f"learner_{i}"), others
        )

    def evaluate(self) -> Evaluation:
        """Every learner vs the evaluation co-players and the other learners; the reference."""
        results = {}
        for i, policy in enumerate(self.learners):
            policy.eval()
            results[f"l{i}"] = self.evaluate_policy(i)
            policy.train()
        name = self.config.evaluation_co_players[0]
        metrics = {f"ref/{name}/reward": reference_reward(self.config, name)}
        return Evaluation(results, metrics)

    # ---------------------------------------------------------------------------- state
    def state_dict(self) -> dict[str, Any]:
        """Weights, optimiser states and the generators."""
        return {
            "rng": self.rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(),
            "learners": [p.state_dict() for p in self.learners],
            "optimizers": [o.state_dict() for o in self.optimizers],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        for policy, weights in zip(self.learners, state["learners"], strict=True):
            policy.load_state_dict(weights)
        for optimizer, saved in zip(self.optimizers, state["optimizers"], strict=True):
            optimizer.load_state_dict(saved)
        self.rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])

    def save_files(self, directory: Path) -> None:
        """Each learner's agent file ``agent_<i>.pt``."""
        run = self.config.run
        for i, policy in enumerate(self.learners):
            meta = {
                "name": f"{run.name(self.config.preset)}_seed{run.seed}_l{i}",
                "preset": self.config.preset,
                "seed": run.seed,
                "update": self.counters.step,
                "env_steps": self.counters.env_steps,
            }
            save_game_policy(directory / f"agent_{i}.pt", policy, meta)


SeatPlayer = Callable[[Mapping[int, Any]], Any]
"""Makes a fresh co-player-protocol object for one seat, given the co-players seated with it
(by seat; empty against other agents): how :func:`evaluate_game_players` seats an agent."""


def evaluate_game_players(
    subject: SeatPlayer,
    game: GameConfig,
    num_rounds: int,
    co_players: Sequence[str],
    others: Mapping[Any, SeatPlayer],
    episodes: int,
    seed: int,
) -> dict[str, MatchResult]:
    """An agent of a game beyond 2x2 (seat 0) against co-players and other agents.

    Against co-player ``co_players[k]`` (every other seat, one object per seat; seed ``seed +
    k``) and, as ``learner_<j>``, against ``others[j]`` (``subject`` in the even seats, the other
    in the odd ones; seed ``seed + 1000 + j``). The A2C/PPO and PPI trainers' evaluation and
    ``python -m baselines.evaluate``'s: any agent plays through its seat factory.
    """
    games = np.arange(episodes)
    num_players = game.build(1, num_rounds).spec.num_players
    results = {}

    def play(seats: list[GameSeat], seed: int) -> MatchResult:
        with torch.no_grad():
            rewards, cooperation = play_recorded(game, num_rounds, episodes, seats, seed)
        return match_result(rewards, cooperation, games)

    for k, co_player in enumerate(co_players):
        seated = {s: resolve_game_co_player(co_player, game.name) for s in range(1, num_players)}
        seats = [GameSeat(o, games, s) for s, o in seated.items()]
        seats.append(GameSeat(subject(seated), games, 0))
        results[co_player] = play(seats, seed + k)
    for j, other in others.items():
        seats = [
            GameSeat((subject if s % 2 == 0 else other)({}), games, s) for s in range(num_players)
        ]
        results[f"learner_{j}"] = play(seats, seed + 1000 + j)
    return results


def evaluate_in_run(
    config: Any, subject: SeatPlayer, others: Mapping[Any, SeatPlayer]
) -> dict[str, MatchResult]:
    """:func:`evaluate_game_players` with a run's settings.

    Its game, horizon, evaluation co-players, episodes and seed, read off ``config`` (a
    ``GameTrainConfig`` or a ``PPIGameConfig``).
    """
    run = config.run
    return evaluate_game_players(
        subject,
        config.game,
        run.num_rounds,
        config.evaluation_co_players,
        others,
        run.eval.episodes,
        run.eval.seed,
    )


def policy_seat(policy: GamePolicy, episodes: int, name: str = "policy") -> SeatPlayer:
    """The seat factory of a :class:`GamePolicy` (shown its co-players' IDs when it takes them)."""

    def seat(seated: Mapping[int, Any]) -> GamePolicyPlayer:
        ids = None
        if policy.id_size and seated:
            ids = lambda o=dict(seated): _identities(o, episodes, policy.id_size)  # noqa: E731
        return GamePolicyPlayer(policy, ids, name=name)

    return seat


def _identities(co_players: dict[int, Any], episodes: int, size: int) -> torch.Tensor:
    """The ID vector of evaluation co-players (zeros for those with no parameters to show)."""
    parts = []
    for s in sorted(co_players):
        identity = getattr(co_players[s], "identity", None)
        width = size // len(co_players)
        parts.append(np.asarray(identity()) if identity else np.zeros((episodes, width)))
    return torch.from_numpy(np.concatenate(parts, axis=1).astype(np.float32))


def play_recorded(
    game: GameConfig, num_rounds: int, episodes: int, seats: list[GameSeat], seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Play ``episodes`` fresh games with ``seats`` from a generator seeded ``seed``.

    Returns:
        ``(T, B, N)`` per-round rewards and cooperation (:class:`RoundRecorder`).
    """
    core = game.build(episodes, num_rounds)
    recorder = RoundRecorder(core)
    play_batched(core, seats, np.random.default_rng(seed), False, recorder)
    return recorder.arrays()


@cache
def _reference(game: GameConfig, num_rounds: int, name: str, episodes: int, seed: int) -> tuple:
    games = np.arange(episodes)
    seats = [
        GameSeat(resolve_game_co_player(name, game.name), games, s)
        for s in range(game.build(1, num_rounds).spec.num_players)
    ]
    rewards, _ = play_recorded(game, num_rounds, episodes, seats, seed)
    return tuple(rewards[:, :, 0].astype(np.float64).mean(axis=1).tolist())


def training_co_player(
    game: str,
    name: str,
    concentration: float | None = None,
    conditional_fraction: float | None = None,
) -> Any:
    """A training co-player for one seat (the A2C and PPI trainers of the games beyond 2x2).

    Co-player ``name`` of ``game``, its probabilities drawn from Beta(``concentration``, same)
    if given (the game's random reactive co-players), mixed per seat, game and episode with
    random-threshold conditional cooperators at ``conditional_fraction`` (public goods).
    """
    co_player = resolve_game_co_player(name, game)
    if concentration is not None:
        if not hasattr(co_player, "with_concentration"):
            raise ValueError(
                f"a concentration applies to the random reactive co-players; {game} co-player "
                f"{name!r} has none"
            )
        co_player = co_player.with_concentration(concentration)
    if not conditional_fraction:
        return co_player
    conditional = RandomConditionalCooperator()
    return Mixture(
        [(1.0 - conditional_fraction, co_player), (conditional_fraction, conditional)],
        name=f"{name}_and_conditional",
    )


def reference_curve(config: GameTrainConfig, name: str, episodes: int | None = None) -> list[float]:
    """Per-round mean reward of co-player ``name`` in seat 0, its own kind in every other seat.

    What the learner's seat earns when one of the co-players takes it (the evaluation's seed and,
    unless ``episodes`` is given, its number of episodes).
    """
    run = config.run
    episodes = run.eval.episodes if episodes is None else episodes
    return list(_reference(config.game, run.num_rounds, name, episodes, run.eval.seed))


def reference_reward(config: GameTrainConfig, name: str) -> float:
    """Mean of :func:`reference_curve`: the "random co-players' mean" a learner should beat."""
    curve = reference_curve(config, name)
    return sum(curve) / len(curve)
