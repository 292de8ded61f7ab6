"""A2C/PPO for N recurrent learners: the layout of an update's games, the rollout, the loss.

Each update plays, in one batched play loop (:func:`coop_envs.core.play`), every learner's
episodes: against the tabular co-players, against frozen agents, and against the other learners
(one game, one learner in each seat: it trains both). Each learner then takes one gradient step
(A2C, the paper's loss) or several (PPO) on its own episodes, with its own optimizer: learning is
decentralised. The run around it (directory, resume, evaluation cadence, time limit, Ctrl-C) is
:mod:`baselines.run`'s.

Everything is seeded from the run's seed (one NumPy generator drives the co-players and the
action sampling); the state holds the generators, so a resumed run continues exactly as an
uninterrupted one would.

**Population** (``pool.pairing="random"``, issue 31): K learners (K even) meet in a fresh random
perfect matching each update, drawn from the run's generator before the games, each pair playing
all of its two learners' learner episodes (``"all"``, the default, gives every pair of learners
an equal share every update). With ``pool.snapshot_every`` a frozen copy of every learner joins a
snapshot pool every that many updates (from update 0), and ``pool.snapshot_fraction`` of each
learner's episodes go to one snapshot drawn from the pool each update; the snapshots are in the
training state (resume stays bit-exact) and their agent files in ``<run>/snapshots/``.

**Device** (``--device cuda``): the networks, the episodes' tensors and the loss live on the
device; the game stays NumPy on the CPU, a learner on a GPU acts through
:class:`DevicePolicyPlayer` (its inputs and state there, the draws on the CPU), and evaluations
play copies on the CPU. Unset, or ``cpu``, it is the CPU trainer, number for number.

**Overlap** (``algo.overlap``, by default wherever it applies): while update k learns on the main
thread, a second thread plays update k+1's games with a copy of the weights taken before update
k's step, so each
update learns from episodes played by the policy one step before it (a *one-step-stale* policy,
as in Sample Factory's double-buffered sampling with a policy lag of one). Chosen over V-trace
(IMPALA) because the lag is exactly one small A2C step (one Adam step of lr 5e-3 with the gradient
clipped to norm 1), so the behaviour and target policies barely differ and no importance
correction is needed: the stage-1 criterion is still met (docs/reproduction.md), the loss stays
the paper's, and the two halves share nothing but a weight copy, so the run is bit-deterministic
(the actor thread alone draws from the rollout generator; the learner's PPO shuffles draw from a
generator of their own). It uses ``run.threads`` cores, one of them the actor's (the learner's
torch threads: ``run.threads - 1``, at least 1): at GRU-32 x 256 episodes a second torch thread
makes the learning step no faster, so with the default 2 the second core is free for the actor.
Unset, it is on wherever it applies (the CPU, ``run.threads`` >= 2 so that the actor has a core,
without random pairing or snapshots: those draw the next update's layout with its games) and the
run records which (:meth:`TrainConfig.resolved`); a ``co_player=`` given to the trainer is then
called from the actor thread (one call at a time, never from two threads at once);
``false`` is the on-policy trainer of the runs before it became the default, number for number.
Those runs, and the experiments written for them, are configs of schema 2, whose unset
``algo.overlap`` means ``false`` (:attr:`TrainConfig.UNSET_MEANT`), so they keep building what
they ran. The episodes played for the next update are part of the training state, so resuming
stays bit-exact either way.
"""

from __future__ import annotations

import copy
import itertools
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from baselines.checkpoints import CheckpointError, check_agent_fits, load_policy, save_policy
from baselines.config import TrainConfig, migrate
from baselines.configs import from_dict, to_dict
from baselines.evaluation import evaluate
from baselines.players import PolicyPlayer, co_player_ids
from baselines.policies import ActorCritic, GRUStepper, make_policy
from baselines.run import Algorithm, Counters, Evaluation, legacy_state
from baselines.runfiles import RunDirectoryError as RunDirectoryError  # re-exported
from co_players import Mixture, RandomFiniteState, make_co_player, tabular_mixture
from co_players.memory_one import RandomMemoryOne
from coop_envs.core import (
    CO_PLAYER_ID_DIM,
    COOPERATE,
    NUM_OBSERVATIONS,
    CoPlayer,
    Seat,
    get_game,
    play,
)

KINDS = ("tabular", "frozen", "learner", "snapshot")


def gae(
    rewards: torch.Tensor, values: torch.Tensor, gamma: float, lam: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalised advantage estimates for whole episodes (the value after the last round is 0).

    Args:
        rewards: ``(T, B)`` rewards.
        values: ``(T, B)`` value estimates (no gradient).
        gamma: Discount.
        lam: GAE lambda.

    Returns:
        ``(advantages, returns)``, both ``(T, B)``; returns = advantages + values.
    """
    advantages = torch.empty_like(rewards)
    last = torch.zeros_like(rewards[0])
    next_value = torch.zeros_like(rewards[0])
    for t in range(rewards.shape[0] - 1, -1, -1):
        delta = rewards[t] + gamma * next_value - values[t]
        last = delta + gamma * lam * last
        advantages[t] = last
        next_value = values[t]
    return advantages, advantages + values


# ----------------------------------------------------------------------------------- layout
@dataclass
class Layout:
    """Where every learner, frozen agent and tabular co-player sits in an update's games."""

    num_games: int
    learner_games: list[np.ndarray]
    learner_seats: list[np.ndarray]
    learner_kinds: list[np.ndarray]  # per slot: index into KINDS
    frozen_games: list[np.ndarray]
    tabular_games: np.ndarray
    snapshot_games: list[np.ndarray] = field(default_factory=list)
    """Per learner: its games against a snapshot (it sits in seat 0)."""

    def seat_runs(self, learner: int) -> list[tuple[int, int, int]]:
        """``(start, end, seat)`` of each maximal run of a learner's slots in one seat."""
        seats = self.learner_seats[learner]
        cuts = [0, *(np.flatnonzero(np.diff(seats)) + 1).tolist(), len(seats)]
        return [(a, b, int(seats[a])) for a, b in itertools.pairwise(cuts) if b > a]


def make_layout(config: TrainConfig, num_frozen: int, pairs: np.ndarray | None = None) -> Layout:
    """Assign games and seats: tabular, frozen, snapshot, then learner-vs-learner games.

    Args:
        config: The run's configuration.
        num_frozen: Number of frozen agents (they split the frozen games evenly).
        pairs: ``(P, 2)`` learners that meet this update (seat 0, seat 1), each pair playing
            all of its learners' learner episodes (random pairing); default: every pair of
            learners, each with an equal share of them.
    """
    n = config.pool.learners
    n_tab, n_frozen, n_ll = config.tabular_episodes, config.frozen_episodes, config.learner_episodes
    n_snap = config.snapshot_episodes
    games: list[list[np.ndarray]] = [[] for _ in range(n)]
    seats: list[list[np.ndarray]] = [[] for _ in range(n)]
    kinds: list[list[np.ndarray]] = [[] for _ in range(n)]
    cursor = 0

    def block(size: int) -> np.ndarray:
        nonlocal cursor
        out = np.arange(cursor, cursor + size)
        cursor += size
        return out

    def own(i: int, g: np.ndarray, seat: int, kind: int) -> None:
        games[i].append(g)
        seats[i].append(np.full(len(g), seat, dtype=np.int64))
        kinds[i].append(np.full(len(g), kind))

    tabular = [block(n_tab) for _ in range(n)]
    for i in range(n):
        own(i, tabular[i], 0, 0)
    frozen: list[list[np.ndarray]] = [[] for _ in range(num_frozen)]
    for i in range(n):
        g = block(n_frozen)
        own(i, g, 0, 1)
        for k, part in enumerate(np.array_split(g, max(num_frozen, 1))):
            if num_frozen:
                frozen[k].append(part)
    snapshot = [block(n_snap) for _ in range(n)]
    for i in range(n):
        own(i, snapshot[i], 0, 3)
    if pairs is None and n > 1:
        pairs = np.array(list(itertools.combinations(range(n), 2)))
        n_ll //= n - 1
    for i, j in [] if pairs is None else pairs.tolist():
        g = block(n_ll)
        own(i, g, 0, 2)
        own(j, g, 1, 2)
    return Layout(
        num_games=cursor,
        learner_games=[np.concatenate(g) for g in games],
        learner_seats=[np.concatenate(s) for s in seats],
        learner_kinds=[np.concatenate(k) for k in kinds],
        frozen_games=[np.concatenate(f) if f else np.zeros(0, dtype=np.int64) for f in frozen],
        tabular_games=np.concatenate(tabular) if tabular else np.zeros(0, dtype=np.int64),
        snapshot_games=snapshot,
    )


def random_pairs(learners: int, rng: np.random.Generator) -> np.ndarray:
    """A uniformly random perfect matching of ``learners`` (even) learners, seats at random.

    Returns:
        ``(learners // 2, 2)`` int64: each row a pair, the learner in seat 0 first.
    """
    return rng.permutation(learners).reshape(-1, 2)


def resolve_device(name: str | None) -> torch.device:
    """The torch device ``name`` (``cpu``, ``cuda``, ``cuda:N``), checked to be present.

    Raises:
        ValueError: If it names a CUDA device this machine does not have (naming those it has).
    """
    device = torch.device(name or "cpu")
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if (device.index or 0) >= count:
            available = ", ".join(["cpu", *(f"cuda:{i}" for i in range(count))])
            raise ValueError(
                f"device {name!r} is not available: torch {torch.__version__} sees {count} CUDA "
                f"device(s); available: {available}"
            )
    return device


class DevicePolicyPlayer(PolicyPlayer):
    """A policy on a device other than the CPU, as a co-player of the play loop.

    Its inputs and recurrent state live on that device; the probabilities come back to draw the
    actions on the CPU with the loop's generator, as :class:`~baselines.players.PolicyPlayer`
    does.
    """

    def _ids(self) -> torch.Tensor | None:
        ids = super()._ids()
        return None if ids is None else ids.to(self.policy.features.device)

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``(B,)`` actions for this round's ``(B,)`` codes: one uniform draw per game."""
        device = self.policy.features.device
        if self._stepper is None:
            self._stepper = self.policy.stepper(self._batch_size, self._ids())
            if isinstance(self._stepper, GRUStepper):  # it starts its state on the CPU
                self._stepper.h = self._stepper.h.to(device)
        codes = np.asarray(obs, dtype=np.int64) + self.seat * NUM_OBSERVATIONS
        logits = self._stepper.logits(torch.from_numpy(codes).to(device))
        p_defect = torch.sigmoid(logits[:, 1] - logits[:, 0]).cpu().numpy()
        if self.greedy:
            return (p_defect > 0.5).astype(np.int64)
        return (rng.random(len(p_defect)) < p_defect).astype(np.int64)


@dataclass
class Trajectory:
    """A learner's episodes of one update, round-major: ``(T, B)`` each."""

    index: torch.Tensor
    """The policy's inputs: int64 ``seat * 5 + code`` (matrix games), or float32 ``(T, B, F)``
    features (the games of :mod:`baselines.general`)."""
    actions: torch.Tensor
    """int64 actions."""
    rewards: torch.Tensor
    """float32 rewards."""
    ids: torch.Tensor | None
    """``(B, 10)`` co-player IDs (ID ablation only)."""

    def state(self) -> dict[str, torch.Tensor | None]:
        """The tensors, for a checkpoint."""
        return {
            "index": self.index,
            "actions": self.actions,
            "rewards": self.rewards,
            "ids": self.ids,
        }


class PolicyGradient:
    """The A2C/PPO loss and learning step, shared by every actor-critic trainer.

    A subclass has ``config`` (with ``algo`` and ``updates``), ``counters``, ``learners`` (the
    networks, called as ``policy(inputs, ids) -> (logits, values)``), ``optimizers`` (one per
    learner) and ``learn_rng`` (PPO's minibatch shuffles); ``kinds`` names the co-players whose
    training reward and cooperation the progress bar shows.
    """

    kinds: tuple[str, ...] = KINDS

    def postfix(self, metrics: dict[str, float]) -> str:
        """Reward and cooperation per kind of co-player, and the speed."""
        parts = []
        for kind in self.kinds:
            key = f"l0/train/{kind}/reward"
            if key in metrics:
                coop = metrics[f"l0/train/{kind}/cooperation"]
                parts.append(f"{kind} r={metrics[key]:.2f} c={coop:.2f}")
        rate = self.counters.env_steps / max(self.counters.seconds, 1e-9)
        parts.append(f"{rate / 1e3:.0f}k steps/s")
        return " | ".join(parts)

    def _schedule(self, start: float, final: float | None) -> float:
        """The value at this update of a linear schedule from ``start`` to ``final``."""
        if final is None:
            return start
        progress = min(1.0, self.counters.step / max(1, self.config.updates - 1))
        return start + (final - start) * progress

    def _learn(self, i: int, trajectory: Trajectory) -> dict[str, float]:
        algo = self.config.algo
        policy = self.learners[i]
        entropy_coef = self._schedule(algo.entropy_coef, algo.entropy_coef_final)
        rewards = trajectory.rewards * algo.reward_scale
        actions = trajectory.actions.unsqueeze(-1)
        if algo.algo == "a2c":
            logits, values = policy(trajectory.index, trajectory.ids)
            advantages, returns = gae(rewards, values.detach(), algo.gamma, algo.gae_lambda)
            return self._step(i, logits, values, actions, advantages, returns, None, entropy_coef)
        with torch.no_grad():
            old_logits, old_values = policy(trajectory.index, trajectory.ids)
            old_logp = torch.log_softmax(old_logits, -1).gather(-1, actions).squeeze(-1)
        advantages, returns = gae(rewards, old_values, algo.gamma, algo.gae_lambda)
        batch = trajectory.index.shape[1]
        size = batch // algo.ppo_minibatches
        stats: dict[str, float] = defaultdict(float)
        steps = 0
        for _ in range(algo.ppo_epochs):
            order = torch.from_numpy(self.learn_rng.permutation(batch)).to(actions.device)
            for start in range(0, batch, size):
                mb = order[start : start + size]
                ids = None if trajectory.ids is None else trajectory.ids[mb]
                logits, values = policy(trajectory.index[:, mb], ids)
                step = self._step(
                    i,
                    logits,
                    values,
                    actions[:, mb],
                    advantages[:, mb],
                    returns[:, mb],
                    old_logp[:, mb],
                    entropy_coef,
                )
                for key, value in step.items():
                    stats[key] += value
                steps += 1
        return {k: v / steps for k, v in stats.items()}

    def _step(
        self,
        i: int,
        logits: torch.Tensor,
        values: torch.Tensor,
        actions: torch.Tensor,
        advantages: torch.Tensor,
        returns: torch.Tensor,
        old_logp: torch.Tensor | None,
        entropy_coef: float,
    ) -> dict[str, float]:
        algo = self.config.algo
        logp_all = torch.log_softmax(logits, -1)
        logp = logp_all.gather(-1, actions).squeeze(-1)
        entropy = -(logp_all.exp() * logp_all).sum(-1).mean()
        if algo.normalize_advantage:
            advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
        if old_logp is None:
            policy_loss = -(advantages * logp).mean()
        else:
            ratio = torch.exp(logp - old_logp)
            clipped = torch.clamp(ratio, 1 - algo.ppo_clip, 1 + algo.ppo_clip)
            policy_loss = -torch.min(ratio * advantages, clipped * advantages).mean()
        value_loss = (returns - values).pow(2).mean()
        loss = policy_loss + algo.value_coef * value_loss - entropy_coef * entropy
        optimizer = self.optimizers[i]
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(
            self.learners[i].parameters(), algo.max_grad_norm
        )
        optimizer.step()
        return {
            "policy_loss": policy_loss.item(),
            "value_loss": value_loss.item(),
            "entropy": entropy.item(),
            "grad_norm": grad_norm.item(),
        }


class Trainer(PolicyGradient, Algorithm):
    """Train ``config.pool.learners`` agents as ``config`` says; see the module docstring.

    Args:
        config: The run's configuration.
        co_player: Plays the "tabular" share of the episodes instead of ``config.pool.tabular``
            (any co-player object; e.g. a frozen submission, to train an exploiter of it).

    Raises:
        CheckpointError: If a frozen or initial agent file is unreadable or of another game.
        ValueError: If ``co_player`` is given but no episodes go to the tabular share, or
            ``config.device`` names a device this machine does not have.
    """

    name = "actor_critic"
    unit = "update"
    resumable = ("updates",)
    legacy_format = "coop-envs-training-state"

    def __init__(self, config: TrainConfig, co_player: CoPlayer | None = None) -> None:
        config = config.resolved()  # an unset algo.overlap becomes what this trainer does
        self.config = config
        self.counters = Counters()
        run = config.run
        self.device = resolve_device(config.device)
        # Overlapped, one of the run's cores is the actor thread's; the learner gets the rest.
        torch.set_num_threads(max(1, run.threads - 1) if config.algo.overlap else run.threads)
        torch.manual_seed(run.seed)
        self.rng = np.random.default_rng(run.seed)
        self.game = get_game(run.game)
        pool = config.pool
        self.init_files = pool.init_files(run.seed)
        self.frozen_paths = pool.frozen_files(run.seed)
        self.learners = [self._make_learner(i).to(self.device) for i in range(pool.learners)]
        self.optimizers = [
            torch.optim.Adam(p.parameters(), lr=config.algo.lr, eps=config.algo.adam_eps)
            for p in self.learners
        ]
        self.frozen = [
            self._load(path, "frozen agent").to(self.device) for path in self.frozen_paths
        ]
        for policy in self.frozen:
            policy.requires_grad_(False)
        if co_player is not None and not config.tabular_episodes:
            raise ValueError("co_player= needs pool.tabular_fraction > 0 (its share of episodes)")
        self.tabular = co_player
        if self.tabular is None and config.tabular_episodes:
            self.tabular = self._tabular()
        self.layout = make_layout(config, len(self.frozen))
        # Population only: frozen copies of the learners ((update, learner) each), and which
        # one each learner meets this update.
        self.snapshots: list[ActorCritic] = []
        self.snapshot_ids: list[tuple[int, int]] = []
        self._facing: list[int] = []
        self.overlap = config.overlapped
        # Overlap only: the actor's weight copies, the episodes the next update learns from, the
        # actor thread, and the learner's own generator (PPO shuffles) so the threads share none.
        self._actors: list[ActorCritic] = []
        self._pending: list[Trajectory] | None = None
        self._actor_thread: ThreadPoolExecutor | None = None
        self.learn_rng = np.random.default_rng([run.seed, 1]) if self.overlap else self.rng

    # ----------------------------------------------------------------------------- setup
    def _tabular(self) -> CoPlayer:
        pool = self.config.pool
        co_player = make_co_player(pool.tabular)
        shaped = pool.tabular_concentration != 1.0 or pool.tabular_uniform_fraction
        if not (shaped or pool.finite_state_fraction):
            return co_player
        if not isinstance(co_player, RandomMemoryOne):
            raise ValueError(f"pool.tabular {pool.tabular!r} is not a random tabular co-player")
        split = co_player.split
        if shaped:
            co_player = tabular_mixture(
                split, pool.tabular_concentration, pool.tabular_uniform_fraction
            )
        if not pool.finite_state_fraction:
            return co_player
        share = pool.finite_state_fraction
        return Mixture(
            [(1.0 - share, co_player), (share, RandomFiniteState(split))],
            name="tabular_and_finite_state",
        )

    def _load(self, path: str, what: str) -> ActorCritic:
        policy = load_policy(path)
        if not np.array_equal(policy.game.payoffs, self.game.payoffs):
            raise CheckpointError(
                f"{what} {path!r} was trained on {policy.game.name!r}, not {self.game.name!r}"
            )
        return policy

    def _make_learner(self, i: int) -> ActorCritic:
        if not self.init_files:
            return make_policy(self.config.policy, self.game)
        path = self.init_files[i]
        policy = self._load(path, "initial agent")
        check_agent_fits(
            f"initial agent {path!r}", asdict(policy.config), asdict(self.config.policy)
        )
        policy.train()
        return policy

    def sources(self) -> dict[str, str]:
        """The initial and frozen agent files."""
        out = {f"init_{i}": p for i, p in enumerate(self.init_files)}
        out.update({f"frozen_{k}": p for k, p in enumerate(self.frozen_paths)})
        return out

    @property
    def total_steps(self) -> int:
        """``config.updates``."""
        return self.config.updates

    @property
    def num_learners(self) -> int:
        """Learners trained."""
        return len(self.learners)

    # --------------------------------------------------------------------------- rollout
    def rollout(self, policies: list[ActorCritic] | None = None) -> list[Trajectory]:
        """Play one update's games; each learner's trajectory.

        Args:
            policies: The learners' acting weights (default: the learners themselves; the
                overlapped trainer passes its copies).
        """
        layout, config = self.layout, self.config
        policies = self.learners if policies is None else policies
        id_cache: dict[int, torch.Tensor] = {}

        def learner_ids(i: int) -> torch.Tensor:
            """Learner i's IDs: its tabular co-players', zeros elsewhere (read once reset)."""
            if i not in id_cache:
                ids = torch.zeros(config.batch_size, CO_PLAYER_ID_DIM)
                n_tab = config.tabular_episodes
                if self.tabular is not None:
                    tab = co_player_ids(self.tabular, len(layout.tabular_games))
                    ids[:n_tab] = tab[i * n_tab : (i + 1) * n_tab]
                id_cache[i] = ids
            return id_cache[i]

        with_ids = config.policy.co_player_id
        seats = []
        for i, policy in enumerate(policies):
            games = layout.learner_games[i]
            for start, end, seat in layout.seat_runs(i):
                ids = (lambda i=i, a=start, b=end: learner_ids(i)[a:b]) if with_ids else None
                player = self._player(policy, ids, name=f"learner_{i}")
                seats.append(Seat(player, games[start:end], seat))
        for policy, games in zip(self.frozen, layout.frozen_games, strict=True):
            if len(games):
                seats.append(Seat(self._player(policy, name="frozen"), games, 1))
        for i, k in enumerate(self._facing):
            player = self._player(self.snapshots[k], name="snapshot")
            seats.append(Seat(player, layout.snapshot_games[i], 1))
        if self.tabular is not None:
            seats.append(Seat(self.tabular, layout.tabular_games, 1))
        core = play(self.game, layout.num_games, config.run.num_rounds, seats, self.rng, False)
        codes, history, rewards = core.code_history, core.history, core.rewards
        out = []
        for i in range(len(self.learners)):
            games, seat = layout.learner_games[i], layout.learner_seats[i]
            index = codes[games, :, seat] + (seat * NUM_OBSERVATIONS)[:, None]
            out.append(
                Trajectory(
                    index=self._tensor(index.T),
                    actions=self._tensor(history[games, :, seat].T.astype(np.int64)),
                    rewards=self._tensor(rewards[games, :, seat].T),
                    ids=learner_ids(i).to(self.device) if with_ids else None,
                )
            )
        return out

    def _tensor(self, array: np.ndarray) -> torch.Tensor:
        """A rollout array as a tensor on the run's device."""
        return torch.from_numpy(np.ascontiguousarray(array)).to(self.device)

    def _player(self, policy: ActorCritic, ids: Any = None, name: str = "policy") -> PolicyPlayer:
        """``policy`` as a co-player of the play loop, acting on the run's device."""
        cls = PolicyPlayer if self.device.type == "cpu" else DevicePolicyPlayer
        return cls(policy, ids, name=name)

    # ------------------------------------------------------------------------ population
    @property
    def population(self) -> bool:
        """Whether the layout is drawn each update (random pairing or snapshots)."""
        pool = self.config.pool
        return pool.random_pairing or pool.snapshot_every is not None

    def _draw_population(self) -> None:
        """Snapshot the learners when due; draw this update's pairs and snapshot opponents."""
        pool = self.config.pool
        if pool.snapshot_every is not None and self.counters.step % pool.snapshot_every == 0:
            for i, policy in enumerate(self.learners):
                self.snapshots.append(copy.deepcopy(policy).requires_grad_(False))
                self.snapshot_ids.append((self.counters.step, i))
        pairs = random_pairs(pool.learners, self.rng) if pool.random_pairing else None
        self.layout = make_layout(self.config, len(self.frozen), pairs)
        if self.snapshots:
            draws = self.rng.integers(len(self.snapshots), size=pool.learners)
            self._facing = draws.tolist()

    # ------------------------------------------------------------------- the protocol
    def step(self) -> dict[str, float]:
        """One update: rollout, then a learning step per learner. Returns its metrics.

        With ``algo.overlap`` the rollout is the next update's, played on a second thread with
        the weights before this step while this step learns from the previous rollout.
        """
        if not self.overlap:
            if self.population:
                self._draw_population()
            return self._learn_all(self.rollout())
        if self._pending is None:  # the first update (of a run or a resumed on-policy state)
            self._pending = self.rollout()
        if not self._actors:
            self._actors = [copy.deepcopy(p).requires_grad_(False) for p in self.learners]
            self._actor_thread = ThreadPoolExecutor(1, thread_name_prefix="actor")
        for actor, learner in zip(self._actors, self.learners, strict=True):
            actor.load_state_dict(learner.state_dict())
        assert self._actor_thread is not None
        future = self._actor_thread.submit(self.rollout, self._actors)
        try:
            metrics = self._learn_all(self._pending)
        finally:
            self._pending = future.result()
        return metrics

    def _learn_all(self, trajectories: list[Trajectory]) -> dict[str, float]:
        """Each learner's training metrics and learning step on its trajectory."""
        metrics: dict[str, float] = {}
        for i, trajectory in enumerate(trajectories):
            kinds = self.layout.learner_kinds[i]
            reward = trajectory.rewards.cpu().numpy().mean(axis=0)  # per episode, per round
            coop = (trajectory.actions.cpu().numpy() == COOPERATE).mean(axis=0)
            for k, kind in enumerate(KINDS):
                mask = kinds == k
                if mask.any():
                    metrics[f"l{i}/train/{kind}/reward"] = float(reward[mask].mean())
                    metrics[f"l{i}/train/{kind}/cooperation"] = float(coop[mask].mean())
            for key, value in self._learn(i, trajectory).items():
                metrics[f"l{i}/train/{key}"] = value
        self.counters.env_steps += self.config.env_steps_per_update
        return metrics

    def evaluate(self) -> Evaluation:
        """Every learner vs the evaluation co-players, the other learners and frozen agents."""
        run = self.config.run
        learners, frozen = self.learners, self.frozen
        if self.device.type != "cpu":  # evaluations play on the CPU, with copies
            learners = [copy.deepcopy(p).cpu() for p in learners]
            frozen = [copy.deepcopy(p).cpu() for p in frozen]
        results = {}
        for i, policy in enumerate(learners):
            others = {f"learner_{j}": p for j, p in enumerate(learners) if j != i}
            others.update({f"frozen_{k}": p for k, p in enumerate(frozen)})
            if not run.eval.co_players and not others:
                continue  # nothing to evaluate against (e.g. an exploiter scored elsewhere)
            policy.eval()
            results[f"l{i}"] = evaluate(
                policy,
                self.game,
                run.eval.episodes,
                run.num_rounds,
                seed=run.eval.seed,
                co_players=run.eval.co_players,
                others=others,
            )
            policy.train()
        return Evaluation(results)

    def state_dict(self) -> dict[str, Any]:
        """Weights, optimiser states and the generators (and, overlapped, the next episodes)."""
        state = {
            "rng": self.rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(),
            "learners": [p.state_dict() for p in self.learners],
            "optimizers": [o.state_dict() for o in self.optimizers],
        }
        if self.overlap:
            state["learn_rng"] = self.learn_rng.bit_generator.state
            state["pending"] = None if self._pending is None else [t.state() for t in self._pending]
        if self.config.pool.snapshot_every is not None:
            state["snapshots"] = [p.state_dict() for p in self.snapshots]
            state["snapshot_ids"] = [list(ids) for ids in self.snapshot_ids]
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        for policy, weights in zip(self.learners, state["learners"], strict=True):
            policy.load_state_dict(weights)
        for optimizer, saved in zip(self.optimizers, state["optimizers"], strict=True):
            optimizer.load_state_dict(saved)
        self.rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        if self.overlap and "learn_rng" in state:
            self.learn_rng.bit_generator.state = state["learn_rng"]
            pending = state["pending"]
            self._pending = None if pending is None else [Trajectory(**t) for t in pending]
        if "snapshots" in state:
            self.snapshot_ids = [(int(u), int(i)) for u, i in state["snapshot_ids"]]
            self.snapshots = []
            for (_, i), weights in zip(self.snapshot_ids, state["snapshots"], strict=True):
                snapshot = copy.deepcopy(self.learners[i]).requires_grad_(False)
                snapshot.load_state_dict(weights)
                self.snapshots.append(snapshot)

    def save_files(self, directory: Path) -> None:
        """Each learner's agent file ``agent_<i>.pt`` (and new snapshots' in ``snapshots/``)."""
        run = self.config.run
        name = f"{run.name(self.config.preset)}_seed{run.seed}"
        for i, policy in enumerate(self.learners):
            meta = {
                "name": f"{name}_l{i}",
                "preset": self.config.preset,
                "seed": run.seed,
                "update": self.counters.step,
                "env_steps": self.counters.env_steps,
            }
            save_policy(directory / f"agent_{i}.pt", policy, meta)
        for (update, i), policy in zip(self.snapshot_ids, self.snapshots, strict=True):
            path = directory / "snapshots" / f"u{update}_l{i}.pt"
            if not path.exists():
                path.parent.mkdir(exist_ok=True)
                meta = {"name": f"{name}_u{update}_l{i}", "preset": self.config.preset}
                save_policy(path, policy, {**meta, "seed": run.seed, "update": update})

    @staticmethod
    def from_legacy_state(state: dict[str, Any]) -> dict[str, Any]:
        """A schema-1 ``checkpoint.pt`` in the current layout (for ``--resume``)."""
        config, retired = migrate(state["config"])
        config = to_dict(from_dict(TrainConfig, config)) if not retired else config
        keys = ("rng", "torch_rng", "learners", "optimizers")
        keys += tuple(k for k in ("learn_rng", "pending") if k in state)  # an overlapped state
        return legacy_state(state, Trainer.name, config, retired, "update", {}, keys)
