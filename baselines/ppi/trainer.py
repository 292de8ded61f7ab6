"""The PPI phase loop: pre-train, then play -> add the games to the dataset -> retrain, repeated.

Per learner there is one sequence model and one dataset of episodes from that learner's side.
Pre-training data are games between random tabular agents (both seats are episodes). Each phase
every learner plays ``games_per_phase`` games with its current PPI policy (prior improved by
planning): ``tabular_fraction`` of them against fresh random tabular co-players, the rest
against the other learner — one learner-vs-learner game is an episode for both. All games of a
phase chunk are one batched core; each learner plans for all its live games at once.

The run directory mirrors the A2C trainer's (``config.json``, ``log.csv`` with one row per
phase — the ``update`` column is the phase —, ``evals.jsonl``, ``agent_<i>.pt``,
``checkpoint.pt`` + ``data_<i>.npz`` for ``--resume``, ``training.png``, ``in_episode.png``,
``summary.json`` with the time to each criterion), so the plotting, the criteria, the report and
the leaderboard treat PPI runs like any other.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch

from baselines.checkpoints import CheckpointError, atomic_save
from baselines.config import config_to_dict
from baselines.evaluation import (
    REFERENCE_CO_PLAYERS,
    co_player_ids,
    evaluate_players,
)
from baselines.play import CoPlayerSlots, play, reset_co_players
from baselines.ppi.agent import PPIActor, PPICoPlayer, save_ppi
from baselines.ppi.config import (
    PPIConfig,
    PPIPoolConfig,
    ppi_config_from_dict,
    pretraining_key,
)
from baselines.ppi.model import Episodes, SequenceModel
from baselines.runfiles import (
    RESUMABLE_FIELDS,
    RunDirectoryError,
    changed_settings,
    check_resumable,
    log_step,
    prepare_directory,
    read_state,
    sigint_requests_stop,
    write_summary,
)
from co_players import RandomMemoryOne, make_co_player
from coop_envs.core import CO_PLAYER_ID_DIM, IteratedGame, MatrixGame, get_game

STATE_FORMAT = "coop-envs-ppi-state"
PRETRAINED_FORMAT = "coop-envs-ppi-pretrained"
PRETRAINED_FILE = "pretrained.pt"
"""The state right after pre-training, which ``--pretrained DIR`` starts other runs from."""


def episodes_from_core(
    core: IteratedGame, games: np.ndarray, seat: int, ids: np.ndarray | None = None
) -> Episodes:
    """The episodes of ``games`` from ``seat``'s side, read off a finished core."""
    history = core.history[games].astype(np.int64)  # (G, T, 2)
    own, other = history[..., seat], history[..., 1 - seat]
    payoffs = core.game.payoffs[..., seat]  # (a_0, a_1) -> this seat's reward
    rewards = payoffs[history[..., 0], history[..., 1]].astype(np.float32)
    if ids is None:
        ids = np.zeros((len(games), CO_PLAYER_ID_DIM), dtype=np.float32)
    return Episodes(own.astype(np.int8), other.astype(np.int8), rewards, ids.astype(np.float32))


class PhaseGames(NamedTuple):
    """A phase's new episodes per learner: its own, and spectated ones (``fit.spectate``)."""

    own: list[Episodes]
    spectated: list[Episodes | None]
    """Per learner: the other learner's tabular games from the tabular seat, or None."""


class MixedTabular(RandomMemoryOne):
    """Random tabular co-players: Beta(c, c) draws, a ``uniform_fraction`` of them U(0, 1)."""

    def __init__(self, split: str | None, concentration: float, uniform_fraction: float) -> None:
        super().__init__(split=split, concentration=concentration)
        self.uniform = RandomMemoryOne(split=split)
        self.uniform_fraction = uniform_fraction

    def sample(self, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """``(batch_size, 5)`` tables."""
        table = super().sample(batch_size, rng)
        uniform = rng.random(batch_size) < self.uniform_fraction
        if uniform.any():
            table[uniform] = self.uniform.sample(int(uniform.sum()), rng)
        return table


def tabular_sampler(pool: PPIPoolConfig) -> RandomMemoryOne:
    """The pool's tabular co-players (the paper's U(0, 1), train split, unless configured)."""
    if pool.tabular_concentration == 1.0 and pool.tabular_uniform_fraction == 0.0:
        return make_co_player(pool.tabular)
    return MixedTabular("train", pool.tabular_concentration, pool.tabular_uniform_fraction)


def tabular_games(
    game: MatrixGame,
    co_player: str | RandomMemoryOne,
    num_games: int,
    num_rounds: int,
    rng: np.random.Generator,
) -> tuple[Episodes, np.ndarray]:
    """``num_games`` games between independent random tabular agents.

    ``co_player`` is a registry id or a random memory-one sampler (copied for each seat).

    Returns:
        ``(episodes, entropy)``: both seats' episodes (``2 * num_games``) with the opponent's
        log-policy as ID, and ``(2 * num_games, T)`` the entropy (nats) of the opponent's true
        next move at each round — the floor of the model's observation loss, reached only by a
        predictor that knows the co-player's policy.
    """
    if isinstance(co_player, str):
        seat0, seat1 = make_co_player(co_player), make_co_player(co_player)
    else:
        seat0, seat1 = copy.deepcopy(co_player), copy.deepcopy(co_player)
    games = np.arange(num_games)
    slots = [CoPlayerSlots(seat0, games, seat=0), CoPlayerSlots(seat1, games, seat=1)]
    reset_co_players(game, slots, rng)
    ids = [co_player_ids(seat1, num_games).numpy(), co_player_ids(seat0, num_games).numpy()]
    tables = [np.asarray(seat0.table), np.asarray(seat1.table)]
    core = play(game, num_games, num_rounds, [], slots, rng)
    episodes = [episodes_from_core(core, games, s, ids[s]) for s in (0, 1)]
    entropy = []
    for s in (0, 1):
        ep = episodes[s]
        # the opponent's own-side observation before round t: START, then (its move, mine)
        codes = np.concatenate(
            [np.zeros((num_games, 1), np.int64), 1 + 2 * ep.other[:, :-1] + ep.own[:, :-1]], 1
        )
        p = np.take_along_axis(tables[1 - s], codes, axis=1).clip(1e-12, 1 - 1e-12)
        entropy.append(-(p * np.log(p) + (1 - p) * np.log(1 - p)))
    return Episodes.concatenate(episodes), np.concatenate(entropy)


def _digest(episodes: Episodes) -> str:
    """A fingerprint of a batch of episodes (every field's values and shape)."""
    h = hashlib.sha256()
    for name, values in episodes.to_dict().items():
        h.update(f"{name}{values.shape}{values.dtype}".encode())
        h.update(np.ascontiguousarray(values).tobytes())
    return h.hexdigest()


def laplace_loss(episodes: Episodes) -> np.ndarray:
    """``(N, T)`` log-loss of Laplace's rule of succession on the co-player's moves.

    Per observation, the rule is the posterior predictive under independent uniform priors on the
    five memory-one probabilities: the reference an in-context predictor of random tabular
    co-players should approach (the entropy floor needs the true policy).
    """
    own, other = episodes.own.astype(np.int64), episodes.other.astype(np.int64)
    n, rounds = own.shape
    codes = np.concatenate([np.zeros((n, 1), np.int64), 1 + 2 * other[:, :-1] + own[:, :-1]], 1)
    counts = np.ones((n, 5, 2))
    rows = np.arange(n)
    loss = np.empty((n, rounds))
    for t in range(rounds):
        c = counts[rows, codes[:, t]]
        loss[:, t] = -np.log(c[rows, other[:, t]] / c.sum(axis=1))
        counts[rows, codes[:, t], other[:, t]] += 1
    return loss


class PPITrainer:
    """Runs a :class:`~baselines.ppi.config.PPIConfig` (see the module docstring)."""

    def __init__(self, config: PPIConfig) -> None:
        self.config = config
        self.game = get_game(config.game)
        self.dir = config.run_dir
        torch.set_num_threads(config.threads)
        torch.manual_seed(config.seed)
        self.rng = np.random.default_rng(config.seed)
        self.tabular = tabular_sampler(config.pool) if config.tabular_games else None
        self.models = [self._new_model() for _ in range(config.pool.learners)]
        self.data: list[Episodes | None] = [None] * config.pool.learners
        self.pretrain_size = 0
        self.phase = 0
        self.env_steps = 0
        self.seconds = 0.0
        self.timing = {"play": 0.0, "fit": 0.0}
        self.status = "running"
        self._stop_requested = False

    def _new_model(self) -> SequenceModel:
        return SequenceModel(self.config.model)

    # ------------------------------------------------------------------------------ data
    def pretrain_data(self) -> None:
        """Draw each learner's pre-training games (random tabular vs random tabular)."""
        config = self.config
        for i in range(config.pool.learners):
            episodes, _ = tabular_games(
                self.game,
                tabular_sampler(config.pool),
                config.pretrain_games,
                config.num_rounds,
                self.rng,
            )
            self.data[i] = episodes
        self.pretrain_size = 2 * config.pretrain_games

    def actor(self, i: int) -> PPIActor:
        """Learner ``i``'s acting policy (its model, improved by planning)."""
        return PPIActor(self.models[i], self.config.planning, self.config.num_rounds)

    def play_phase(self) -> PhaseGames:
        """One phase of games: each learner's new episodes (and spectated ones, if enabled)."""
        config = self.config
        n = config.pool.learners
        tab, ll = config.tabular_games, config.learner_games
        # each chunk holds a proportional share of every learner's games
        total = n * tab + ll
        parts = max(1, -(-total // config.play_batch))
        own: list[list[Episodes]] = [[] for _ in range(n)]
        seen: list[list[Episodes]] = [[] for _ in range(n)]
        for part in range(parts):
            t_i = tab * (part + 1) // parts - tab * part // parts
            l_i = ll * (part + 1) // parts - ll * part // parts
            chunk = self._play_chunk(t_i, l_i)
            for i in range(n):
                own[i].append(chunk.own[i])
                if chunk.spectated[i] is not None:
                    seen[i].append(chunk.spectated[i])
        return PhaseGames(
            [Episodes.concatenate(o) for o in own],
            [Episodes.concatenate(s) if s else None for s in seen],
        )

    def _play_chunk(self, tab: int, ll: int) -> PhaseGames:
        config = self.config
        n = config.pool.learners
        slots, owners = [], []
        start = 0
        tabular_slots = []
        for i in range(n):
            if tab:
                games = np.arange(start, start + tab)
                start += tab
                co = copy.deepcopy(self.tabular)
                tabular_slots.append(CoPlayerSlots(co, games, seat=1))
                learner = PPICoPlayer(self.actor(i), name=f"learner_{i}", id_source=co)
                slots.append(CoPlayerSlots(learner, games, seat=0))
                owners.append((i, games, 0, learner, True))
        if ll:
            games = np.arange(start, start + ll)
            start += ll
            for i, seat in ((0, 0), (1, 1)):
                learner = PPICoPlayer(self.actor(i), name=f"learner_{i}")
                slots.append(CoPlayerSlots(learner, games, seat=seat))
                owners.append((i, games, seat, learner, False))
        every = tabular_slots + slots  # tabular co-players are reset first (their IDs)
        reset_co_players(self.game, every, self.rng)
        core = play(self.game, start, config.num_rounds, [], every, self.rng)
        out: list[list[Episodes]] = [[] for _ in range(n)]
        seen: list[Episodes | None] = [None] * n
        for i, games, seat, learner, against_tabular in owners:
            ids = learner.last_ids.numpy() if learner.last_ids is not None else None
            out[i].append(episodes_from_core(core, games, seat, ids))
            if config.fit.spectate and against_tabular:  # spectate implies two learners
                # learner i's tabular games from the tabular seat: data for the other learner,
                # whose co-player there is a learner (a zero ID, as in learner-vs-learner games)
                seen[1 - i] = episodes_from_core(core, games, 1)
        return PhaseGames([Episodes.concatenate(o) for o in out], seen)

    def add_games(self, new: PhaseGames) -> dict[str, float]:
        """Append each learner's new (and spectated) episodes to its dataset.

        Returns the mean reward and cooperation of each learner's own new episodes.
        """
        stats: dict[str, float] = {}
        for i, episodes in enumerate(new.own):
            spectated = new.spectated[i]
            extra = [] if spectated is None else [spectated]
            self.data[i] = Episodes.concatenate([self.data[i], episodes, *extra])
            stats[f"l{i}/train/reward"] = float(episodes.rewards.mean())
            stats[f"l{i}/train/cooperation"] = float((episodes.own == 0).mean())
            self.env_steps += episodes.own.size
        return stats

    # ---------------------------------------------------------------------------- training
    def fit(self, i: int, epochs: int) -> dict[str, float]:
        """Train learner ``i``'s model on its dataset; returns the mean losses of the last epoch."""
        config = self.config
        data = self.data[i]
        pretrain = np.arange(self.pretrain_size)
        recent = np.arange(self.pretrain_size, len(data))
        if config.fit.window is not None:
            recent = recent[-config.fit.window :]
        elif config.fit.subsample is not None and len(recent) > config.fit.subsample:
            recent = np.sort(self.rng.choice(recent, size=config.fit.subsample, replace=False))
        share = config.fit.pretrain_share
        if share is not None and len(recent):
            size = min(len(pretrain), round(len(recent) * share / (1 - share)))
            pretrain = np.sort(self.rng.choice(pretrain, size=size, replace=False))
        if len(pretrain) + len(recent) < len(data):
            data = data[np.r_[pretrain, recent]]
        if config.fit.from_scratch:
            self.models[i] = self._new_model()
        model = self.models[i]
        model.train()
        optimizer = torch.optim.AdamW(
            model.parameters(),
            lr=config.fit.lr,
            weight_decay=config.fit.weight_decay,
            betas=(config.fit.beta1, config.fit.beta2),
        )
        batch = config.fit.batch_size
        sums: dict[str, float] = {}
        for _ in range(epochs):
            order = self.rng.permutation(len(data))
            sums, steps = {}, 0
            for begin in range(0, len(order), batch):
                losses = model.losses(data[np.sort(order[begin : begin + batch])])
                optimizer.zero_grad(set_to_none=True)
                losses["loss"].backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.fit.max_grad_norm)
                optimizer.step()
                for key, value in losses.items():
                    sums[key] = sums.get(key, 0.0) + value.item()
                steps += 1
            sums = {k: v / steps for k, v in sums.items()}
        model.eval()
        return {f"l{i}/fit/{k}": v for k, v in sums.items()}

    # -------------------------------------------------------------------------- evaluation
    @functools.cached_property
    def _model_test_set(self) -> tuple[Episodes, float, float]:
        """Held-out tabular-vs-tabular games for the model's quality, drawn once.

        Returns the games, the mean entropy of the co-players' moves, and the mean loss of
        Laplace's rule on them (the same every evaluation: the eval seed fixes them).
        """
        config = self.config
        held_out, entropy = tabular_games(
            self.game,
            "random_tabular_held_out",
            config.eval.episodes,
            config.num_rounds,
            np.random.default_rng(config.eval.seed),
        )
        return held_out, float(entropy.mean()), float(laplace_loss(held_out).mean())

    def evaluate(self) -> tuple[dict[str, Any], dict[str, float]]:
        """Every learner vs the reference co-players and the other learner; model quality."""
        config = self.config
        results: dict[str, Any] = {}
        quality: dict[str, float] = {}
        held_out, entropy, laplace = self._model_test_set
        for i, model in enumerate(self.models):
            players = {name: make_co_player(name) for name in REFERENCE_CO_PLAYERS}
            players.update(
                {
                    f"learner_{j}": PPICoPlayer(self.actor(j))
                    for j in range(len(self.models))
                    if j != i
                }
            )
            results[f"l{i}"] = evaluate_players(
                PPICoPlayer(self.actor(i)),
                players,
                self.game,
                config.eval.episodes,
                config.num_rounds,
                config.eval.seed,
            )
            with torch.no_grad():
                losses = model.losses(held_out)
            quality[f"l{i}/model/observation_ce"] = float(losses["observation"])
            quality[f"l{i}/model/observation_entropy"] = entropy
            quality[f"l{i}/model/observation_laplace"] = laplace
            quality[f"l{i}/model/action_ce"] = float(losses["action"])
            quality[f"l{i}/model/reward_mse"] = float(losses["reward"])
        return results, quality

    # --------------------------------------------------------------------------- run files
    @property
    def checkpoint_path(self) -> Path:
        """The training-state file."""
        return self.dir / "checkpoint.pt"

    def save(self) -> None:
        """Write the training state, the datasets and each learner's agent file."""
        for i, data in enumerate(self.data):
            tmp = self.dir / f"data_{i}.tmp.npz"
            np.savez_compressed(tmp, **data.to_dict())
            tmp.replace(self.dir / f"data_{i}.npz")
        state = {
            "format": STATE_FORMAT,
            "config": config_to_dict(self.config),
            "phase": self.phase,
            "env_steps": self.env_steps,
            "sizes": [len(d) for d in self.data],
            **self._learning_state(),
        }
        atomic_save(state, self.checkpoint_path)
        for i, model in enumerate(self.models):
            meta = {
                "name": f"{self.config.preset}_seed{self.config.seed}_l{i}",
                "preset": self.config.preset,
                "seed": self.config.seed,
                "phase": self.phase,
            }
            save_ppi(
                self.dir / f"agent_{i}.pt",
                model,
                self.config.planning,
                self.game,
                self.config.num_rounds,
                meta,
            )

    def save_pretrained(self, train: dict[str, float]) -> None:
        """Write ``pretrained.pt``: the state right after pre-training.

        The pre-training games are not copied: they are the first ``pretrain_size`` episodes of
        ``data_<i>.npz`` (digests in the snapshot check that they still are).
        """
        state = {
            "format": PRETRAINED_FORMAT,
            "key": pretraining_key(self.config),
            "digests": [_digest(d[: self.pretrain_size]) for d in self.data],
            "train": train,
            **self._learning_state(),
        }
        atomic_save(state, self.dir / PRETRAINED_FILE)

    def read_pretrained(self, source: Path) -> dict[str, Any]:
        """Check and read another run's pre-training (``--pretrained``); nothing is changed yet.

        Raises:
            RunDirectoryError: If ``source`` holds no pre-training, or one made with other
                settings (each differing setting is named, with both values).
            CheckpointError: If its files are unreadable or do not match each other.
        """
        path = Path(source) / PRETRAINED_FILE
        if not path.exists():
            raise RunDirectoryError(
                f"--pretrained {str(source)!r}: no {PRETRAINED_FILE} there; a PPI run writes it "
                "once its pre-training is done (runs from before this option lack it)"
            )
        state = read_state(path, PRETRAINED_FORMAT, "PPI pre-training snapshot")
        mine, theirs = pretraining_key(self.config), state["key"]
        changed = changed_settings(mine, theirs)
        if changed:
            raise RunDirectoryError(
                f"--pretrained {str(source)!r} was pre-trained with other settings: "
                + ", ".join(f"{k}={theirs.get(k)!r} (this run: {mine.get(k)!r})" for k in changed)
            )
        size = state["pretrain_size"]
        data = []
        for i, digest in enumerate(state["digests"]):
            file = Path(source) / f"data_{i}.npz"
            try:
                with np.load(file) as f:
                    episodes = Episodes(**{k: f[k][:size] for k in Episodes._fields()})
            except (OSError, KeyError, ValueError) as exc:
                raise CheckpointError(f"cannot read {str(file)!r}: {exc}") from exc
            if len(episodes) != size or _digest(episodes) != digest:
                raise CheckpointError(
                    f"the first {size} episodes of {str(file)!r} are not the pre-training games "
                    f"that {str(path)!r} was saved with"
                )
            data.append(episodes)
        state["data"] = data
        return state

    def load_pretrained(self, state: dict[str, Any]) -> dict[str, float]:
        """Take over a state from :meth:`read_pretrained`; the pre-training losses."""
        self._restore_learning_state(state)
        self.data = list(state["data"])
        return dict(state["train"])

    def _learning_state(self) -> dict[str, Any]:
        """What both state files hold: weights, random state, clock, pre-training size."""
        return {
            "seconds": self.seconds,
            "timing": self.timing,
            "pretrain_size": self.pretrain_size,
            "rng": self.rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(),
            "models": [m.state_dict() for m in self.models],
        }

    def _restore_learning_state(self, state: dict[str, Any]) -> None:
        for model, weights in zip(self.models, state["models"], strict=True):
            model.load_state_dict(weights)
            model.eval()
        self.pretrain_size = state["pretrain_size"]
        self.rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        self.seconds = state["seconds"]
        self.timing = dict(state["timing"])

    def load(self) -> None:
        """Restore the state of the last completed phase."""
        state = read_state(self.checkpoint_path, STATE_FORMAT, "PPI training state")
        check_resumable(
            self.dir,
            config_to_dict(self.config),
            config_to_dict(ppi_config_from_dict(state["config"])),
            ("phases", "pretrained", *RESUMABLE_FIELDS),
        )
        for i, size in enumerate(state["sizes"]):
            with np.load(self.dir / f"data_{i}.npz") as f:
                data = Episodes(**{k: f[k] for k in Episodes._fields()})
            if len(data) != size:
                raise CheckpointError(
                    f"data_{i}.npz holds {len(data)} episodes; the checkpoint expects {size}"
                )
            self.data[i] = data
        self._restore_learning_state(state)
        self.phase = state["phase"]
        self.env_steps = state["env_steps"]

    def _load_for_resume(self) -> int:
        self.load()
        return self.phase

    def _log(self, train: dict[str, float], evaluation: dict[str, Any]) -> dict[str, float]:
        head = {
            "update": self.phase,
            "env_steps": self.env_steps,
            "seconds": round(self.seconds, 2),
            "play_seconds": round(self.timing["play"], 2),
            "fit_seconds": round(self.timing["fit"], 2),
        }
        return log_step(self.dir, head, train, evaluation, self.config.pool.learners)

    def _request_stop(self, signum: int, frame: Any) -> None:
        if self._stop_requested:
            raise KeyboardInterrupt
        self._stop_requested = True

    # --------------------------------------------------------------------------------- loop
    def _timed(self, what: str, fn, *args):
        start = time.perf_counter()
        out = fn(*args)
        elapsed = time.perf_counter() - start
        self.timing[what] += elapsed
        self.seconds += elapsed
        return out

    def run(self) -> dict[str, Any]:
        """Pre-train, then run the phases (or until the time limit or Ctrl-C); the summary."""
        from baselines.plotting import plot_run

        config = self.config
        pretrained = None
        if config.pretrained is not None and not config.resume:
            pretrained = self.read_pretrained(config.pretrained)  # before the directory exists
        prepare_directory(
            self.dir, config_to_dict(self.config), self.config.resume, self._load_for_resume
        )
        bar = None
        if config.progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=config.phases, initial=self.phase, desc=config.preset, unit="phase")
        last_row: dict[str, float] = {}
        with sigint_requests_stop(self._request_stop):
            try:
                if self.phase == 0 and self.data[0] is None:
                    if pretrained is not None:
                        train = self.load_pretrained(pretrained)
                    else:
                        self._timed("play", self.pretrain_data)
                        train = {}
                        for i in range(config.pool.learners):
                            if config.fit.pretrain_epochs:
                                train.update(
                                    self._timed("fit", self.fit, i, config.fit.pretrain_epochs)
                                )
                    results, quality = self.evaluate()
                    last_row = self._log({**train, **quality}, results)
                    self.save()
                    self.save_pretrained(train)
                while self.phase < config.phases:
                    train = self.add_games(self._timed("play", self.play_phase))
                    for i in range(config.pool.learners):
                        train.update(self._timed("fit", self.fit, i, config.fit.epochs))
                    self.phase += 1
                    if bar is not None:
                        bar.update(1)
                        reward, coop = train["l0/train/reward"], train["l0/train/cooperation"]
                        bar.set_postfix_str(f"r={reward:.2f} c={coop:.2f}")
                    out_of_time = (
                        config.time_limit is not None and self.seconds >= 60 * config.time_limit
                    )
                    done = self.phase >= config.phases
                    if self.phase % config.eval.every == 0 or done or out_of_time:
                        results, quality = self.evaluate()
                        last_row = self._log({**train, **quality}, results)
                    else:
                        last_row = self._log(train, {})
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
            update=self.phase,
            env_steps=self.env_steps,
            seconds=self.seconds,
            learners=config.pool.learners,
            last=last_row,
            play_seconds=self.timing["play"],
            fit_seconds=self.timing["fit"],
        )
