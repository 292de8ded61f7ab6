"""The learning-aware algorithms under the one run loop (:class:`baselines.run.Algorithm`).

Each run directory holds what every run's does (``config.json``, ``log.csv``, ``evals.jsonl``,
``checkpoint.pt``, ``summary.json``, the plots) and one agent file per learner,
``agent_<i>.json``: the learner's memory-one vector, ``{"vector": [P(C|start), P(C|CC),
P(C|CD), P(C|DC), P(C|DD)]}``, which the leaderboard accepts as a ``memory_one`` submission.

Evaluations play each learner's memory-one policy (seat 0) against the evaluation co-players and
the other learner through the play loop (:func:`baselines.evaluation.evaluate_players`), and log
exact metrics beside: ``l<i>/exact/value`` (the discounted value per round against the other
learner, or M-FOS's mean over a meta-episode against naive learners) and the five probabilities
``l<i>/exact/p_<obs>``.
"""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

from baselines.checkpoints import (
    policy_from_payload,
    read_checkpoint,
    save_policy,
    write_json,
)
from baselines.evaluation import evaluate, evaluate_players
from baselines.learning_aware.coala import (
    CoalaSettings,
    MetaBatch,
    coala_learn,
    coala_update,
    meta_metrics,
    play_meta,
)
from baselines.learning_aware.config import CoalaConfig, DiceConfig, ExactConfig, MFOSConfig
from baselines.learning_aware.dice import DiceSettings, dice_gradient
from baselines.learning_aware.exact import per_round, rule_gradients, value_function
from baselines.learning_aware.mfos import MetaPolicy, PPOSettings, meta_rollout, ppo_update
from baselines.policies import PolicyConfig, make_policy
from baselines.run import Algorithm, Counters, Evaluation
from co_players import make_co_player
from co_players.memory_one import MemoryOne
from coop_envs.core import get_game

OBSERVATIONS = ("start", "cc", "cd", "dc", "dd")
"""Names of the five memory-one entries in log columns."""


def write_vector(path: Path, vector: np.ndarray, meta: dict[str, Any]) -> None:
    """Write a memory-one agent file (``{"vector": [...], ...meta}``) atomically."""
    write_json(path, {"vector": [float(v) for v in vector], **meta}, indent=2)


class _MemoryOneLearners(Algorithm):
    """Shared by runs whose learners are memory-one policies (their logits ``self.thetas``)."""

    unit: ClassVar[str] = "update"
    thetas: list[torch.Tensor]

    def _init_thetas(self, std: float, learners: int) -> None:
        torch.set_num_threads(self.config.run.threads)
        self.generator = torch.Generator().manual_seed(self.config.run.seed)
        self.thetas = [
            std * torch.randn(5, generator=self.generator, dtype=torch.float64)
            for _ in range(learners)
        ]
        self.game = get_game(self.config.run.game)

    @property
    def num_learners(self) -> int:
        """One per policy."""
        return len(self.thetas)

    def vectors(self) -> list[np.ndarray]:
        """Each learner's memory-one vector, P(C | start, CC, CD, DC, DD)."""
        return [torch.sigmoid(t).numpy() for t in self.thetas]

    def exact_metrics(self) -> dict[str, float]:
        """Exact values per round against each other, and the probabilities."""
        out: dict[str, float] = {}
        if len(self.thetas) == 2:
            discount = self.config.discount
            horizon = getattr(self.config, "horizon", None)
            fn = value_function(self.game, discount, horizon)
            with torch.no_grad():
                v = fn(self.thetas[0], self.thetas[1])
            for i in range(2):
                out[f"l{i}/exact/value"] = float(v[i]) * per_round(discount, horizon)
        for i, vector in enumerate(self.vectors()):
            out.update(
                {f"l{i}/exact/p_{o}": float(p) for o, p in zip(OBSERVATIONS, vector, strict=True)}
            )
        return out

    def evaluate(self) -> Evaluation:
        """Every learner's memory-one policy vs the evaluation co-players and the other learner."""
        run = self.config.run
        players = [MemoryOne(v, name=f"learner_{i}") for i, v in enumerate(self.vectors())]
        results = {}
        for i, player in enumerate(players):
            opponents = {name: make_co_player(name) for name in run.eval.co_players}
            opponents.update({p.name: p for j, p in enumerate(players) if j != i})
            results[f"l{i}"] = evaluate_players(
                player, opponents, self.game, run.eval.episodes, run.num_rounds, run.eval.seed
            )
        return Evaluation(results, self.exact_metrics())

    def save_files(self, directory: Path) -> None:
        """``agent_<i>.json``: each learner's memory-one vector (a leaderboard submission)."""
        run = self.config.run
        for i, vector in enumerate(self.vectors()):
            meta = {
                "name": f"{run.name(self.config.preset)}_seed{run.seed}_l{i}",
                "algorithm": self.name,
                "preset": self.config.preset,
                "seed": run.seed,
                "step": self.counters.step,
            }
            write_vector(directory / f"agent_{i}.json", vector, meta)

    def postfix(self, metrics: dict[str, float]) -> str:
        """Both learners' P(C | CC)."""
        p = self.vectors()
        return " ".join(f"p{i}(C|CC)={v[1]:.2f}" for i, v in enumerate(p))


class ExactLearners(_MemoryOneLearners):
    """Two memory-one learners with exact gradients (naive, LOLA or look-ahead)."""

    name: ClassVar[str] = "exact"
    resumable: ClassVar[tuple[str, ...]] = ("steps",)

    def __init__(self, config: ExactConfig) -> None:
        self.config = config
        self.counters = Counters()
        self._init_thetas(config.init_std, 2)
        self.fn = value_function(self.game, config.discount, config.horizon)

    @property
    def total_steps(self) -> int:
        """``steps``."""
        return self.config.steps

    def step(self) -> dict[str, float]:
        """One simultaneous update of both learners."""
        c = self.config
        g0, g1 = rule_gradients(c.rules, self.thetas[0], self.thetas[1], self.fn, c.eta)
        self.thetas = [self.thetas[0] + c.lr * g0, self.thetas[1] + c.lr * g1]
        return {f"l{i}/train/grad_norm": float(g.norm()) for i, g in enumerate((g0, g1))}

    def state_dict(self) -> dict[str, Any]:
        """Both learners' logits and the generator."""
        return {"thetas": [t.clone() for t in self.thetas], "generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self.thetas = [t.clone() for t in state["thetas"]]
        self.generator.set_state(state["generator"])


class DiceLearners(_MemoryOneLearners):
    """Two memory-one learners on sampled episodes (LOLA-DiCE or naive DiCE)."""

    name: ClassVar[str] = "dice"
    resumable: ClassVar[tuple[str, ...]] = ("updates",)

    def __init__(self, config: DiceConfig) -> None:
        self.config = config
        self.counters = Counters()
        self._init_thetas(config.init_std, 2)
        self.rng = np.random.default_rng(config.run.seed)
        self.settings = DiceSettings(
            self.game,
            config.rollout_rounds,
            config.batch,
            config.discount,
            config.inner_lr,
            config.baseline,
        )

    @property
    def total_steps(self) -> int:
        """``updates``."""
        return self.config.updates

    def step(self) -> dict[str, float]:
        """One simultaneous update: each learner's gradient on its own fresh samples."""
        c = self.config
        grads = [
            dice_gradient(i, (self.thetas[0], self.thetas[1]), self.settings, self.rng, r == "lola")
            for i, r in enumerate(c.rules)
        ]
        self.thetas = [t + c.lr * g for t, g in zip(self.thetas, grads, strict=True)]
        # per learner: a look-ahead samples twice, a naive learner once
        samples = sum(2 if r == "lola" else 1 for r in c.rules)
        self.counters.env_steps += samples * c.batch * c.rollout_rounds
        return {f"l{i}/train/grad_norm": float(g.norm()) for i, g in enumerate(grads)}

    def state_dict(self) -> dict[str, Any]:
        """Both learners' logits and the generators."""
        return {
            "thetas": [t.clone() for t in self.thetas],
            "generator": self.generator.get_state(),
            "rng": self.rng.bit_generator.state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self.thetas = [t.clone() for t in state["thetas"]]
        self.generator.set_state(state["generator"])
        self.rng.bit_generator.state = state["rng"]


class MFOSTrainer(_MemoryOneLearners):
    """M-FOS: a PPO meta-agent against naive learners; its learner file is its latest policy.

    The one learner (``l0``) is the meta-agent. Its agent file is the memory-one policy it plays
    at the end of the first greedy evaluation meta-episode (a snapshot: the meta-agent itself
    changes policy every inner game).
    """

    name: ClassVar[str] = "mfos"
    resumable: ClassVar[tuple[str, ...]] = ("meta_episodes",)

    def __init__(self, config: MFOSConfig) -> None:
        self.config = config
        self.counters = Counters()
        self._init_thetas(1.0, 1)
        torch.manual_seed(config.run.seed)
        self.policy = MetaPolicy(config.hidden)
        self.optimizer = torch.optim.Adam(self.policy.parameters(), lr=config.lr)
        self.fn = value_function(self.game, config.discount, None)
        self.ppo = PPOSettings(config.lr, config.gamma, config.epochs, config.clip, config.entropy)
        self.meta_metrics: dict[str, float] = {}

    @property
    def total_steps(self) -> int:
        """``meta_episodes``."""
        return self.config.meta_episodes

    def _rollout(self, batch: int, generator: torch.Generator, greedy: bool):
        c = self.config
        return meta_rollout(
            self.policy,
            self.fn,
            per_round(c.discount, None),
            batch,
            c.meta_steps,
            c.learner_lr,
            generator,
            greedy,
        )

    def step(self) -> dict[str, float]:
        """One batch of meta-episodes and a PPO update."""
        rollout = self._rollout(self.config.batch, self.generator, False)
        losses = ppo_update(self.policy, self.optimizer, rollout, self.ppo)
        self.counters.env_steps += self.config.batch * self.config.meta_steps
        return {
            "l0/train/reward": float(rollout.rewards.mean()),
            "l0/train/opponent_reward": float(rollout.opponent_rewards.mean()),
            **{f"l0/train/{k}": v for k, v in losses.items()},
        }

    def evaluate(self) -> Evaluation:
        """Greedy meta-episodes against fresh naive learners, then the snapshot's matches."""
        run = self.config.run
        generator = torch.Generator().manual_seed(run.eval.seed)
        with torch.no_grad():
            rollout = self._rollout(run.eval.episodes, generator, True)
        self.thetas = [rollout.final_policy[0].clone()]
        metrics = {
            "l0/mfos/reward": float(rollout.rewards.mean()),
            "l0/mfos/opponent_reward": float(rollout.opponent_rewards.mean()),
            "l0/mfos/reward_last": float(rollout.rewards[-1].mean()),
            "l0/mfos/opponent_reward_last": float(rollout.opponent_rewards[-1].mean()),
        }
        evaluation = super().evaluate()
        evaluation.metrics.update(metrics)
        return evaluation

    def postfix(self, metrics: dict[str, float]) -> str:
        """The meta-agent's and the naive learners' mean reward per round."""
        return f"r={metrics['l0/train/reward']:.2f} nl={metrics['l0/train/opponent_reward']:.2f}"

    def state_dict(self) -> dict[str, Any]:
        """The meta-agent, its optimiser, its snapshot and the generator."""
        return {
            "policy": self.policy.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "thetas": [t.clone() for t in self.thetas],
            "generator": self.generator.get_state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self.policy.load_state_dict(state["policy"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.thetas = [t.clone() for t in state["thetas"]]
        self.generator.set_state(state["generator"])


class CoalaTrainer(Algorithm):
    """COALA-PG: one GRU agent (``l0``) trained over meta-trajectories (:mod:`.coala`).

    Its file is ``agent_0.pt``, an ordinary policy checkpoint (``baselines.evaluate``, cross-play
    and the leaderboard load it; they play it in single episodes, i.e. as it opens a
    meta-trajectory against a co-player it has not met). Evaluations log, besides the matches
    against the evaluation co-players and a copy of itself (one episode each, as every trainer),
    ``l0/coala/*``: its mean reward per round over meta-trajectories against fresh naive learners
    (first and last inner episode) and theirs, and against copies of itself.

    With ``overlap`` a second thread plays update k+1's meta-trajectories with a copy of the
    weights from before update k's step while update k learns (the in-context trainer's
    one-step-stale overlap, :mod:`baselines.trainer`): the actor thread alone draws from the
    generator, so a run stays bit-deterministic, and the played batch is part of the training
    state, so resuming stays bit-exact.
    """

    name: ClassVar[str] = "coala"
    unit: ClassVar[str] = "update"
    resumable: ClassVar[tuple[str, ...]] = ("updates",)

    def __init__(self, config: CoalaConfig) -> None:
        self.config = config
        self.counters = Counters()
        threads = config.run.threads
        # overlapped, one of the run's cores is the actor thread's; the learner gets the rest
        torch.set_num_threads(max(1, threads - 1) if config.overlap is True else threads)
        torch.manual_seed(config.run.seed)
        self.game = get_game(config.run.game)
        self.policy = make_policy(PolicyConfig(hidden=config.hidden, embed=config.embed), self.game)
        self._pending: MetaBatch | None = None
        self._actor: torch.nn.Module | None = None
        self._actor_thread: ThreadPoolExecutor | None = None
        init = config.init_file()
        if init is not None:
            start = policy_from_payload(read_checkpoint(init), f"checkpoint {str(init)!r}")
            if start.config != self.policy.config or start.game.name != self.game.name:
                raise ValueError(
                    f"init_from {config.init_from!r}: {init} is a {start.config.arch} of "
                    f"{start.config.hidden} units, embed {start.config.embed}, on "
                    f"{start.game.name}; coala needs a gru of hidden={config.hidden}, "
                    f"embed={config.embed} on {self.game.name}"
                )
            self.policy.load_state_dict(start.state_dict())
        self.optimizer = torch.optim.Adam(self.policy.parameters(), lr=config.lr, eps=1e-5)
        self.rng = np.random.default_rng(config.run.seed)
        self.settings = CoalaSettings(
            self.game,
            co_players=config.co_players,
            streams=config.streams,
            self_play=config.self_play,
            inner_episodes=config.inner_episodes,
            rounds=config.run.num_rounds,
            co_player_lr=config.co_player_lr,
            co_player_init_std=config.co_player_init_std,
            entropy=config.entropy,
            discount=config.discount,
            coupling=config.coupling is not False,
            learner_critic=config.learner_critic is True,
        )

    @property
    def total_steps(self) -> int:
        """``updates``."""
        return self.config.updates

    @property
    def num_learners(self) -> int:
        """One agent."""
        return 1

    def step(self) -> dict[str, float]:
        """One batch of meta-trajectories and a policy-gradient step."""
        c, s = self.config, self.settings
        if c.overlap is not True:
            metrics = coala_update(self.policy, self.optimizer, s, self.rng, c.clip)
        else:
            if self._pending is None:  # the first update of a run
                self._pending = play_meta(self.policy, s, self.rng)
            if self._actor is None:
                self._actor = copy.deepcopy(self.policy).requires_grad_(False)
                self._actor_thread = ThreadPoolExecutor(1, thread_name_prefix="coala-actor")
            self._actor.load_state_dict(self.policy.state_dict())
            assert self._actor_thread is not None
            future = self._actor_thread.submit(play_meta, self._actor, s, self.rng)
            try:
                metrics = coala_learn(self.policy, self.optimizer, self._pending, s, c.clip)
            finally:
                self._pending = future.result()
        rows = s.co_players * s.streams + 2 * s.self_play
        self.counters.env_steps += rows * s.inner_episodes * s.rounds
        return {f"l0/train/{k}": v for k, v in metrics.items()}

    def evaluate(self) -> Evaluation:
        """Meta-trajectories against fresh naive learners and copies, then single episodes."""
        c, run = self.config, self.config.run
        rng = np.random.default_rng(run.eval.seed)
        batch = play_meta(self.policy, self.settings, rng, c.eval_co_players, c.eval_co_players)
        meta = meta_metrics(batch, self.settings, c.eval_co_players)
        results = evaluate(
            self.policy,
            self.game,
            run.eval.episodes,
            run.num_rounds,
            run.eval.seed,
            run.eval.co_players,
            others={"copy": self.policy},
        )
        return Evaluation({"l0": results}, {f"l0/coala/{k}": v for k, v in meta.items()})

    def save_files(self, directory: Path) -> None:
        """``agent_0.pt``: the agent (a policy checkpoint)."""
        run = self.config.run
        meta = {
            "name": f"{run.name(self.config.preset)}_seed{run.seed}_l0",
            "algorithm": self.name,
            "preset": self.config.preset,
            "seed": run.seed,
            "step": self.counters.step,
        }
        save_policy(directory / "agent_0.pt", self.policy, meta)

    def postfix(self, metrics: dict[str, float]) -> str:
        """Reward against naive learners (last inner episode) and against copies."""
        return (
            f"naive={metrics.get('l0/train/naive_reward_last', float('nan')):.2f} "
            f"self={metrics.get('l0/train/self_reward', float('nan')):.2f}"
        )

    def state_dict(self) -> dict[str, Any]:
        """The agent, its optimiser and the generator (overlapped: and the next batch)."""
        state = {
            "policy": self.policy.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "rng": self.rng.bit_generator.state,
        }
        if self.config.overlap is True and self._pending is not None:
            state["pending"] = self._pending.state()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self.policy.load_state_dict(state["policy"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.rng.bit_generator.state = state["rng"]
        pending = state.get("pending") if self.config.overlap is True else None
        self._pending = None if pending is None else MetaBatch(**pending)


def make_learning_aware(
    config: ExactConfig | DiceConfig | MFOSConfig | CoalaConfig,
) -> Algorithm:
    """The algorithm of a learning-aware config."""
    if isinstance(config, ExactConfig):
        return ExactLearners(config)
    if isinstance(config, DiceConfig):
        return DiceLearners(config)
    if isinstance(config, MFOSConfig):
        return MFOSTrainer(config)
    if isinstance(config, CoalaConfig):
        return CoalaTrainer(config)
    raise TypeError(f"not a learning-aware config: {type(config).__name__}")
