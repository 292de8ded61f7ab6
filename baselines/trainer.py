"""The batched decentralised trainer: N recurrent learners, A2C or PPO, one core per update.

Each update plays, in one :class:`~coop_envs.core.IteratedGame` batch and one loop over rounds,
every learner's episodes: against the tabular co-players, against frozen agents, and against the
other learners (one game, one learner in each seat: it trains both). Each learner then takes one
gradient step (A2C, the paper's loss) or several (PPO) on its own episodes, with its own
optimizer: learning is decentralised.

Everything is seeded from ``config.seed`` (one NumPy generator drives the co-players and the
action sampling), checkpoints hold the generator state, and a resumed run continues exactly as an
uninterrupted one would.
"""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from baselines.checkpoints import CheckpointError, atomic_save, load_policy, save_policy
from baselines.config import TrainConfig, config_from_dict, config_to_dict
from baselines.evaluation import (
    REFERENCE_CO_PLAYERS,
    co_player_ids,
    evaluate,
)
from baselines.play import CoPlayerSlots, PolicySlots, play, reset_co_players
from baselines.policies import ActorCritic, make_policy
from baselines.runfiles import (
    RESUMABLE_FIELDS,
    check_resumable,
    log_step,
    prepare_directory,
    read_state,
    sigint_requests_stop,
    write_summary,
)
from baselines.runfiles import RunDirectoryError as RunDirectoryError  # re-exported
from co_players import Mixture, RandomMemoryOne, make_co_player
from coop_envs.core import CO_PLAYER_ID_DIM, COOPERATE, CoPlayer, get_game

STATE_FORMAT = "coop-envs-training-state"
KINDS = ("tabular", "frozen", "learner")


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


@dataclass
class Layout:
    """Where every learner, frozen agent and tabular co-player sits in an update's games."""

    num_games: int
    learner_games: list[np.ndarray]
    learner_seats: list[np.ndarray]
    learner_kinds: list[np.ndarray]  # per slot: index into KINDS
    frozen_games: list[np.ndarray]
    tabular_games: np.ndarray


def make_layout(config: TrainConfig, num_frozen: int) -> Layout:
    """Assign games and seats: tabular games, then frozen games, then learner-vs-learner games."""
    n = config.pool.learners
    n_tab, n_frozen, n_ll = config.tabular_episodes, config.frozen_episodes, config.learner_episodes
    games: list[list[np.ndarray]] = [[] for _ in range(n)]
    seats: list[list[np.ndarray]] = [[] for _ in range(n)]
    kinds: list[list[np.ndarray]] = [[] for _ in range(n)]
    cursor = 0

    def block(size: int) -> np.ndarray:
        nonlocal cursor
        out = np.arange(cursor, cursor + size)
        cursor += size
        return out

    tabular = []
    for i in range(n):
        g = block(n_tab)
        tabular.append(g)
        games[i].append(g)
        seats[i].append(np.zeros(n_tab, dtype=np.int64))
        kinds[i].append(np.full(n_tab, 0))
    frozen: list[list[np.ndarray]] = [[] for _ in range(num_frozen)]
    for i in range(n):
        g = block(n_frozen)
        games[i].append(g)
        seats[i].append(np.zeros(n_frozen, dtype=np.int64))
        kinds[i].append(np.full(n_frozen, 1))
        for k, part in enumerate(np.array_split(g, max(num_frozen, 1))):
            if num_frozen:
                frozen[k].append(part)
    if n > 1:
        per_pair = n_ll // (n - 1)
        for i in range(n):
            for j in range(i + 1, n):
                g = block(per_pair)
                for who, seat in ((i, 0), (j, 1)):
                    games[who].append(g)
                    seats[who].append(np.full(per_pair, seat, dtype=np.int64))
                    kinds[who].append(np.full(per_pair, 2))
    return Layout(
        num_games=cursor,
        learner_games=[np.concatenate(g) for g in games],
        learner_seats=[np.concatenate(s) for s in seats],
        learner_kinds=[np.concatenate(k) for k in kinds],
        frozen_games=[np.concatenate(f) if f else np.zeros(0, dtype=np.int64) for f in frozen],
        tabular_games=np.concatenate(tabular) if tabular else np.zeros(0, dtype=np.int64),
    )


class Trainer:
    """Train ``config.pool.learners`` agents as ``config`` says; see the module docstring.

    Args:
        config: The run's configuration.
        co_player: Plays the "tabular" share of the episodes instead of ``config.pool.tabular``
            (any co-player object; e.g. a frozen submission, to train an exploiter of it).

    Raises:
        CheckpointError: If a frozen or initial checkpoint is unreadable or of another game.
        ValueError: If ``co_player`` is given but no episodes go to the tabular share.
    """

    def __init__(self, config: TrainConfig, co_player: CoPlayer | None = None) -> None:
        self.config = config
        self.dir = config.run_dir
        torch.set_num_threads(config.threads)
        torch.manual_seed(config.seed)
        self.rng = np.random.default_rng(config.seed)
        self.game = get_game(config.game)
        pool = config.pool
        self.learners = [self._make_learner(i) for i in range(pool.learners)]
        self.optimizers = [
            torch.optim.Adam(p.parameters(), lr=config.algo.lr, eps=config.algo.adam_eps)
            for p in self.learners
        ]
        self.frozen = [self._load(path, "frozen agent") for path in pool.frozen]
        for policy in self.frozen:
            policy.requires_grad_(False)
        if co_player is not None and not config.tabular_episodes:
            raise ValueError("co_player= needs pool.tabular_fraction > 0 (its share of episodes)")
        self.tabular = co_player or (
            make_co_player(pool.tabular) if config.tabular_episodes else None
        )
        # the tabular distribution whose concentration follows the schedule
        self._concentrated = self.tabular if isinstance(self.tabular, RandomMemoryOne) else None
        if self._concentrated is not None and pool.tabular_uniform_fraction > 0:
            uniform = RandomMemoryOne(self._concentrated.split)
            fraction = pool.tabular_uniform_fraction
            self.tabular = Mixture(
                [(1 - fraction, self._concentrated), (fraction, uniform)], name="tabular_mixture"
            )
        self.layout = make_layout(config, len(self.frozen))
        self.update = 0
        self.env_steps = 0
        self.seconds = 0.0
        self.status = "running"
        self._stop_requested = False
        self._train_sums: dict[str, float] = defaultdict(float)
        self._train_count = 0

    # ----------------------------------------------------------------------------- setup
    def _load(self, path: str, what: str) -> ActorCritic:
        policy = load_policy(path)
        if not np.array_equal(policy.game.payoffs, self.game.payoffs):
            raise CheckpointError(
                f"{what} {path!r} was trained on {policy.game.name!r}, not {self.game.name!r}"
            )
        return policy

    def _make_learner(self, i: int) -> ActorCritic:
        if self.config.pool.init:
            policy = self._load(self.config.pool.init[i], "initial checkpoint")
            if policy.config.co_player_id != self.config.policy.co_player_id:
                raise CheckpointError(
                    f"initial checkpoint {self.config.pool.init[i]!r} has co_player_id="
                    f"{policy.config.co_player_id}; this run needs "
                    f"{self.config.policy.co_player_id}"
                )
            policy.train()
            return policy
        return make_policy(self.config.policy, self.game)

    # --------------------------------------------------------------------------- rollout
    def rollout(self) -> list[PolicySlots]:
        """Play one update's games; returns each learner's recorded slots."""
        layout, config = self.layout, self.config
        if self._concentrated is not None:
            pool = config.pool
            self._concentrated.concentration = self._schedule(
                pool.tabular_concentration, pool.tabular_concentration_final, geometric=True
            )
        co_players = []
        if self.tabular is not None:
            co_players.append(CoPlayerSlots(self.tabular, layout.tabular_games))
        reset_co_players(self.game, co_players, self.rng)
        tab_ids = None
        if config.pool.co_player_id and self.tabular is not None:
            tab_ids = co_player_ids(self.tabular, len(layout.tabular_games))
        slots = []
        n_tab = config.tabular_episodes
        for i, policy in enumerate(self.learners):
            ids = None
            if config.pool.co_player_id:
                ids = torch.zeros(config.batch_size, CO_PLAYER_ID_DIM)
                if tab_ids is not None:
                    ids[:n_tab] = tab_ids[i * n_tab : (i + 1) * n_tab]
            slots.append(
                PolicySlots(policy, layout.learner_games[i], layout.learner_seats[i], ids, True)
            )
        others = [
            PolicySlots(
                policy,
                games,
                np.ones(len(games), dtype=np.int64),
                torch.zeros(len(games), CO_PLAYER_ID_DIM) if policy.config.co_player_id else None,
            )
            for policy, games in zip(self.frozen, layout.frozen_games, strict=True)
            if len(games)
        ]
        play(self.game, layout.num_games, config.num_rounds, slots + others, co_players, self.rng)
        return slots

    # ---------------------------------------------------------------------------- losses
    def _schedule(self, start: float, final: float | None, geometric: bool = False) -> float:
        """The value at this update of a schedule from ``start`` to ``final``.

        Linear, or geometric for quantities that span orders of magnitude.
        """
        if final is None:
            return start
        progress = min(1.0, self.update / max(1, self.config.updates - 1))
        if geometric:
            return start * (final / start) ** progress
        return start + (final - start) * progress

    def _forward(self, policy: ActorCritic, index: torch.Tensor, ids: torch.Tensor | None):
        context = torch.autocast("cpu", dtype=torch.bfloat16) if self.config.bf16 else nullcontext()
        with context:
            logits, values = policy(index, ids)
        return logits.float(), values.float()

    def _learn(self, i: int, slots: PolicySlots) -> dict[str, float]:
        algo = self.config.algo
        policy, optimizer = self.learners[i], self.optimizers[i]
        lr = self._schedule(algo.lr, algo.lr_final)
        for group in optimizer.param_groups:
            group["lr"] = lr
        entropy_coef = self._schedule(algo.entropy_coef, algo.entropy_coef_final)
        rewards = slots.rewards * algo.reward_scale
        actions = slots.actions.unsqueeze(-1)
        if algo.algo == "a2c":
            logits, values = self._forward(policy, slots.index, slots.ids)
            advantages, returns = gae(rewards, values.detach(), algo.gamma, algo.gae_lambda)
            stats = self._step(i, logits, values, actions, advantages, returns, None, entropy_coef)
            return stats
        with torch.no_grad():
            old_logits, old_values = self._forward(policy, slots.index, slots.ids)
            old_logp = torch.log_softmax(old_logits, -1).gather(-1, actions).squeeze(-1)
        advantages, returns = gae(rewards, old_values, algo.gamma, algo.gae_lambda)
        batch = slots.index.shape[1]
        size = batch // algo.ppo_minibatches
        stats: dict[str, float] = defaultdict(float)
        steps = 0
        for _ in range(algo.ppo_epochs):
            order = torch.from_numpy(self.rng.permutation(batch))
            for start in range(0, batch, size):
                mb = order[start : start + size]
                ids = None if slots.ids is None else slots.ids[mb]
                logits, values = self._forward(policy, slots.index[:, mb], ids)
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

    # ---------------------------------------------------------------------------- update
    def train_update(self) -> dict[str, float]:
        """One update: rollout, then a learning step per learner. Returns its metrics."""
        slots = self.rollout()
        metrics: dict[str, float] = {}
        for i, s in enumerate(slots):
            kinds = self.layout.learner_kinds[i]
            reward = s.rewards.numpy().mean(axis=0)  # per episode, per round
            coop = (s.actions.numpy() == COOPERATE).mean(axis=0)
            for k, kind in enumerate(KINDS):
                mask = kinds == k
                if mask.any():
                    metrics[f"l{i}/train/{kind}/reward"] = float(reward[mask].mean())
                    metrics[f"l{i}/train/{kind}/cooperation"] = float(coop[mask].mean())
            for key, value in self._learn(i, s).items():
                metrics[f"l{i}/train/{key}"] = value
        self.update += 1
        self.env_steps += self.config.env_steps_per_update
        return metrics

    def evaluate(self) -> dict[str, Any]:
        """Evaluate every learner on the reference co-players and against the other agents."""
        config = self.config
        results = {}
        for i, policy in enumerate(self.learners):
            others = {f"learner_{j}": p for j, p in enumerate(self.learners) if j != i}
            others.update({f"frozen_{k}": p for k, p in enumerate(self.frozen)})
            policy.eval()
            results[f"l{i}"] = evaluate(
                policy,
                self.game,
                config.eval.episodes,
                config.num_rounds,
                seed=config.eval.seed,
                co_players=REFERENCE_CO_PLAYERS,
                others=others,
            )
            policy.train()
        return results

    # ------------------------------------------------------------------------ run files
    @property
    def checkpoint_path(self) -> Path:
        """The training-state file."""
        return self.dir / "checkpoint.pt"

    def save(self) -> None:
        """Write the training state and each learner's policy file (atomically)."""
        state = {
            "format": STATE_FORMAT,
            "config": config_to_dict(self.config),
            "update": self.update,
            "env_steps": self.env_steps,
            "seconds": self.seconds,
            "rng": self.rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(),
            "learners": [p.state_dict() for p in self.learners],
            "optimizers": [o.state_dict() for o in self.optimizers],
        }
        atomic_save(state, self.checkpoint_path)
        for i, policy in enumerate(self.learners):
            meta = {
                "name": f"{self.config.preset}_seed{self.config.seed}_l{i}",
                "preset": self.config.preset,
                "seed": self.config.seed,
                "update": self.update,
                "env_steps": self.env_steps,
            }
            save_policy(self.dir / f"agent_{i}.pt", policy, meta)

    def load(self) -> None:
        """Restore the training state from ``checkpoint.pt`` in the run directory."""
        state = read_state(self.checkpoint_path, STATE_FORMAT, "training state")
        check_resumable(
            self.dir,
            config_to_dict(self.config),
            config_to_dict(config_from_dict(state["config"])),
            ("updates", *RESUMABLE_FIELDS),
        )
        for policy, weights in zip(self.learners, state["learners"], strict=True):
            policy.load_state_dict(weights)
        for optimizer, saved_state in zip(self.optimizers, state["optimizers"], strict=True):
            optimizer.load_state_dict(saved_state)
        self.rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        self.update = state["update"]
        self.env_steps = state["env_steps"]
        self.seconds = state["seconds"]

    def _load_for_resume(self) -> int:
        self.load()
        return self.update

    def _prepare_directory(self) -> None:
        prepare_directory(
            self.dir, config_to_dict(self.config), self.config.resume, self._load_for_resume
        )

    # ------------------------------------------------------------------------------ loop
    def _log(self, train: dict[str, float], evaluation: dict[str, Any]) -> dict[str, float]:
        head = {
            "update": self.update,
            "env_steps": self.env_steps,
            "seconds": round(self.seconds, 2),
        }
        return log_step(self.dir, head, train, evaluation, self.config.pool.learners)

    def _request_stop(self, signum: int, frame: Any) -> None:
        if self._stop_requested:
            raise KeyboardInterrupt
        self._stop_requested = True

    def run(self) -> dict[str, Any]:
        """Train until ``updates`` (or the time limit, or Ctrl-C); returns the final summary.

        Ctrl-C finishes the current update, checkpoints and returns (a second Ctrl-C aborts at
        once, leaving the last checkpoint).
        """
        from baselines.plotting import plot_run  # matplotlib only when a run is made

        self._prepare_directory()
        config = self.config
        bar = _progress(config, self.update)
        last_row: dict[str, float] = {}
        with sigint_requests_stop(self._request_stop):
            try:
                while self.update < config.updates:
                    start = time.perf_counter()
                    metrics = self.train_update()
                    self.seconds += time.perf_counter() - start
                    for key, value in metrics.items():
                        self._train_sums[key] += value
                    self._train_count += 1
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix_str(_postfix(metrics, config, self))
                    out_of_time = (
                        config.time_limit is not None and self.seconds >= 60 * config.time_limit
                    )
                    done = self.update >= config.updates
                    if (
                        self.update % config.eval.every == 0
                        or done
                        or out_of_time
                        or self._stop_requested
                    ):
                        train = {k: v / self._train_count for k, v in self._train_sums.items()}
                        self._train_sums.clear()
                        self._train_count = 0
                        last_row = self._log(train, self.evaluate())
                        self.save()
                    if out_of_time and not done:  # a run that is done has finished
                        self.status = "time_limit"
                        break
                    if self._stop_requested and not done:
                        self.status = "interrupted"
                        break
                else:
                    self.status = "finished"
            finally:
                if bar is not None:
                    bar.close()
        plot_run(self.dir)
        return write_summary(
            self.dir,
            status=self.status,
            preset=config.preset,
            seed=config.seed,
            update=self.update,
            env_steps=self.env_steps,
            seconds=self.seconds,
            learners=config.pool.learners,
            last=last_row,
        )


def _progress(config: TrainConfig, initial: int):
    if not config.progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(
        total=config.updates, initial=initial, desc=config.preset, unit="update", dynamic_ncols=True
    )


def _postfix(metrics: dict[str, float], config: TrainConfig, trainer: Trainer) -> str:
    parts = []
    for kind in KINDS:
        key = f"l0/train/{kind}/reward"
        if key in metrics:
            coop = metrics[f"l0/train/{kind}/cooperation"]
            parts.append(f"{kind} r={metrics[key]:.2f} c={coop:.2f}")
    rate = trainer.env_steps / max(trainer.seconds, 1e-9)
    parts.append(f"{rate / 1e3:.0f}k steps/s")
    return " | ".join(parts)


def load_training_policies(directory: Path) -> list[ActorCritic]:
    """The learners' policies of a run directory (from its ``agent_<i>.pt`` files)."""
    paths = sorted(Path(directory).glob("agent_*.pt"))
    if not paths:
        raise CheckpointError(f"{str(directory)!r} holds no agent_<i>.pt policy files")
    return [load_policy(p) for p in paths]
