"""PPI: pre-train, then phases of play -> add the games to the dataset -> retrain.

Per learner there is one sequence model and one dataset of episodes from that learner's side.
Pre-training data are games between random tabular agents (both seats are episodes). Each phase
every learner plays ``games_per_phase`` games with its current PPI policy (prior improved by
planning): ``tabular_fraction`` of them against fresh random tabular co-players, the rest
against the other learner — one learner-vs-learner game is an episode for both. All games of a
phase chunk are one play loop; each learner plans for all its live games at once.

A step of the run (:mod:`baselines.run`) is a phase: the ``update`` column of ``log.csv`` is
the phase, and every phase is logged and checkpointed (``checkpoint.pt`` + ``data_<i>.npz``);
``pretrained.pt`` holds the state right after pre-training, which ``--pretrained DIR`` starts
other runs from.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from baselines.checkpoints import CheckpointError, atomic_save
from baselines.configs import differences, from_dict, to_dict, unflatten
from baselines.evaluation import evaluate_players
from baselines.players import co_player_ids
from baselines.ppi.agent import PPIActor, PPICoPlayer, save_ppi
from baselines.ppi.config import PPIConfig, migrate_ppi, pretraining_key
from baselines.ppi.model import Episodes, SequenceModel
from baselines.run import Algorithm, Counters, Evaluation, legacy_state
from baselines.runfiles import RunDirectoryError
from co_players import make_co_player
from co_players.memory_one import RandomMemoryOne
from coop_envs.core import CO_PLAYER_ID_DIM, IteratedGame, MatrixGame, Seat, get_game, play

PRETRAINED_FORMAT = "coop-envs-ppi-pretrained"
PRETRAINED_FILE = "pretrained.pt"
"""The state right after pre-training, which ``--pretrained DIR`` starts other runs from."""


def episodes_from_core(
    core: IteratedGame, games: np.ndarray, seat: int, ids: np.ndarray | None = None
) -> Episodes:
    """The episodes of ``games`` from ``seat``'s side, read off a finished core."""
    history = core.history[games]  # (G, T, 2) int8
    own, other = history[..., seat], history[..., 1 - seat]
    rewards = np.ascontiguousarray(core.rewards[games, :, seat])
    if ids is None:
        ids = np.zeros((len(games), CO_PLAYER_ID_DIM), dtype=np.float32)
    return Episodes(own.astype(np.int8), other.astype(np.int8), rewards, ids.astype(np.float32))


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
    seats = [Seat(seat0, games, 0), Seat(seat1, games, 1)]
    core = play(game, num_games, num_rounds, seats, rng, validate=False)
    ids = [co_player_ids(seat1, num_games).numpy(), co_player_ids(seat0, num_games).numpy()]
    tables = [np.asarray(seat0.table), np.asarray(seat1.table)]
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


class PPITrainer(Algorithm):
    """Runs a :class:`~baselines.ppi.config.PPIConfig` (see the module docstring).

    Raises:
        RunDirectoryError: If ``pretrained`` names a run without a matching pre-training.
        CheckpointError: If that pre-training's files are unreadable or do not match.
    """

    name = "ppi"
    unit = "phase"
    checkpoint_every_step = True
    resumable = ("phases", "pretrained")
    legacy_format = "coop-envs-ppi-state"
    episodes_type: type = Episodes
    """The class of a learner's dataset (the games beyond 2x2: ``GameEpisodes``)."""

    def __init__(self, config: PPIConfig) -> None:
        self.config = config
        self.counters = Counters(clocks={"play": 0.0, "fit": 0.0})
        run = config.run
        self.game = get_game(run.game)
        torch.set_num_threads(run.threads)
        torch.manual_seed(run.seed)
        self.rng = np.random.default_rng(run.seed)
        self.tabular = make_co_player(config.pool.tabular) if config.tabular_games else None
        self.models = [self._new_model() for _ in range(config.pool.learners)]
        self.data: list[Episodes | None] = [None] * config.pool.learners
        self.pretrain_size = 0
        self._pretrained = None
        if config.pretrained is not None and not run.resume:
            self._pretrained = self.read_pretrained(config.pretrained)  # before any file is made

    def _new_model(self) -> SequenceModel:
        return SequenceModel(self.config.model)

    @property
    def total_steps(self) -> int:
        """``config.phases``."""
        return self.config.phases

    @property
    def num_learners(self) -> int:
        """Learners trained."""
        return len(self.models)

    def sources(self) -> dict[str, str]:
        """The pre-training taken over (``--pretrained``), if any."""
        if self.config.pretrained is None:
            return {}
        return {"pretrained": str(Path(self.config.pretrained) / PRETRAINED_FILE)}

    def _timed(self, clock: str, fn, *args):
        start = time.perf_counter()
        out = fn(*args)
        self.counters.clocks[clock] += time.perf_counter() - start
        return out

    # ------------------------------------------------------------------------------ data
    def pretrain_data(self) -> None:
        """Draw each learner's pre-training games (random tabular vs random tabular)."""
        config = self.config
        for i in range(config.pool.learners):
            episodes, _ = tabular_games(
                self.game,
                config.pool.tabular,
                config.pretrain_games,
                config.run.num_rounds,
                self.rng,
            )
            self.data[i] = episodes
        self.pretrain_size = 2 * config.pretrain_games

    def actor(self, i: int) -> PPIActor:
        """Learner ``i``'s acting policy (its model, improved by planning)."""
        return PPIActor(self.models[i], self.config.planning, self.config.run.num_rounds)

    def play_phase(self) -> list[Episodes]:
        """One phase of games: each learner's new episodes."""
        config = self.config
        n = config.pool.learners
        tab, ll = config.tabular_games, config.learner_games
        # each chunk holds a proportional share of every learner's games
        total = n * tab + ll
        parts = max(1, -(-total // config.play_batch))
        own: list[list[Episodes]] = [[] for _ in range(n)]
        for part in range(parts):
            t_i = tab * (part + 1) // parts - tab * part // parts
            l_i = ll * (part + 1) // parts - ll * part // parts
            for i, episodes in enumerate(self._play_chunk(t_i, l_i)):
                own[i].append(episodes)
        return [self.episodes_type.concatenate(o) for o in own]

    def _play_chunk(self, tab: int, ll: int) -> list[Episodes]:
        n = self.config.pool.learners
        tabular_seats, learner_seats, owners = [], [], []
        start = 0
        for i in range(n):
            if tab:
                games = np.arange(start, start + tab)
                start += tab
                co = copy.deepcopy(self.tabular)
                tabular_seats.append(Seat(co, games, 1))
                learner = PPICoPlayer(self.actor(i), name=f"learner_{i}", id_source=co)
                learner_seats.append(Seat(learner, games, 0))
                owners.append((i, games, 0, learner))
        if ll:
            games = np.arange(start, start + ll)
            start += ll
            for i, seat in ((0, 0), (1, 1)):
                learner = PPICoPlayer(self.actor(i), name=f"learner_{i}")
                learner_seats.append(Seat(learner, games, seat))
                owners.append((i, games, seat, learner))
        # tabular co-players first: a learner of the ID ablation reads their IDs at its reset
        seats = tabular_seats + learner_seats
        core = play(self.game, start, self.config.run.num_rounds, seats, self.rng, False)
        out: list[list[Episodes]] = [[] for _ in range(n)]
        for i, games, seat, learner in owners:
            ids = learner.last_ids.numpy() if learner.last_ids is not None else None
            out[i].append(episodes_from_core(core, games, seat, ids))
        return [Episodes.concatenate(o) for o in out]

    def add_games(self, new: list[Episodes]) -> dict[str, float]:
        """Append each learner's new episodes to its dataset.

        Returns the mean reward and cooperation of each learner's new episodes.
        """
        stats: dict[str, float] = {}
        for i, episodes in enumerate(new):
            self.data[i] = self.episodes_type.concatenate([self.data[i], episodes])
            stats[f"l{i}/train/reward"] = float(episodes.rewards.mean())
            stats[f"l{i}/train/cooperation"] = float(self.cooperated(episodes.own).mean())
            self.counters.env_steps += episodes.own.size
        return stats

    @staticmethod
    def cooperated(own: np.ndarray) -> np.ndarray:
        """Whether each own action cooperates (the matrix games: ``COOPERATE`` = 0)."""
        return own == 0

    # ---------------------------------------------------------------------------- training
    def fit(self, i: int, epochs: int) -> dict[str, float]:
        """Train learner ``i``'s model on its dataset; returns the mean losses of the last epoch."""
        config = self.config
        data = self.data[i]
        pretrain = np.arange(self.pretrain_size)
        recent = np.arange(self.pretrain_size, len(data))
        if config.fit.subsample is not None and len(recent) > config.fit.subsample:
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

    # ------------------------------------------------------------------- the protocol
    def begin(self) -> dict[str, float]:
        """Pre-train (or take over ``--pretrained``), write ``pretrained.pt``; the losses."""
        config = self.config
        if self._pretrained is not None:
            train = self.load_pretrained(self._pretrained)
        else:
            self._timed("play", self.pretrain_data)
            train = {}
            for i in range(config.pool.learners):
                if config.fit.pretrain_epochs:
                    train.update(self._timed("fit", self.fit, i, config.fit.pretrain_epochs))
        self.save_pretrained(train)
        return train

    def step(self) -> dict[str, float]:
        """One phase: play, add the games, refit every learner's model."""
        train = self.add_games(self._timed("play", self.play_phase))
        for i in range(self.config.pool.learners):
            train.update(self._timed("fit", self.fit, i, self.config.fit.epochs))
        return train

    @functools.cached_property
    def _model_test_set(self) -> tuple[Episodes, float, float]:
        """Held-out tabular-vs-tabular games for the model's quality, drawn once.

        Returns the games, the mean entropy of the co-players' moves, and the mean loss of
        Laplace's rule on them (the same every evaluation: the eval seed fixes them).
        """
        run = self.config.run
        held_out, entropy = tabular_games(
            self.game,
            "random_tabular_held_out",
            run.eval.episodes,
            run.num_rounds,
            np.random.default_rng(run.eval.seed),
        )
        return held_out, float(entropy.mean()), float(laplace_loss(held_out).mean())

    def evaluate(self) -> Evaluation:
        """Every learner vs the evaluation co-players and the other learner; model quality."""
        run = self.config.run
        results: dict[str, Any] = {}
        quality: dict[str, float] = {}
        held_out, entropy, laplace = self._model_test_set
        for i, model in enumerate(self.models):
            players = {name: make_co_player(name) for name in run.eval.co_players}
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
                run.eval.episodes,
                run.num_rounds,
                run.eval.seed,
            )
            with torch.no_grad():
                losses = model.losses(held_out)
            quality[f"l{i}/model/observation_ce"] = float(losses["observation"])
            quality[f"l{i}/model/observation_entropy"] = entropy
            quality[f"l{i}/model/observation_laplace"] = laplace
            quality[f"l{i}/model/action_ce"] = float(losses["action"])
            quality[f"l{i}/model/reward_mse"] = float(losses["reward"])
        return Evaluation(results, quality)

    def state_dict(self) -> dict[str, Any]:
        """Weights, random state and the dataset sizes (the data are ``data_<i>.npz``)."""
        return {
            "sizes": [len(d) for d in self.data],
            "pretrain_size": self.pretrain_size,
            "rng": self.rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(),
            "models": [m.state_dict() for m in self.models],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` (after :meth:`load_files`)."""
        for model, weights in zip(self.models, state["models"], strict=True):
            model.load_state_dict(weights)
            model.eval()
        self.pretrain_size = state["pretrain_size"]
        self.rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])

    def save_files(self, directory: Path) -> None:
        """Each learner's dataset ``data_<i>.npz`` and agent file ``agent_<i>.pt``."""
        run = self.config.run
        for i, data in enumerate(self.data):
            tmp = directory / f"data_{i}.tmp.npz"
            np.savez_compressed(tmp, **data.to_dict())
            tmp.replace(directory / f"data_{i}.npz")
        for i, model in enumerate(self.models):
            meta = {
                "name": f"{run.name(self.config.preset)}_seed{run.seed}_l{i}",
                "preset": self.config.preset,
                "seed": run.seed,
                "phase": self.counters.step,
            }
            self.save_agent(directory / f"agent_{i}.pt", model, meta)

    def save_agent(self, path: Path, model: SequenceModel, meta: dict[str, Any]) -> None:
        """Write one learner's agent file."""
        save_ppi(path, model, self.config.planning, self.game, self.config.run.num_rounds, meta)

    def load_files(self, directory: Path, state: dict[str, Any]) -> None:
        """Read the datasets, the checkpoint's episodes of each.

        Data only grow, so a file written after the checkpoint (a crash in between) still holds
        them first.
        """
        for i, size in enumerate(state["sizes"]):
            file = directory / f"data_{i}.npz"
            try:
                with np.load(file) as f:
                    data = self.episodes_type(
                        **{k: f[k][:size] for k in self.episodes_type._fields()}
                    )
            except (OSError, KeyError, ValueError) as exc:
                raise CheckpointError(f"cannot read {str(file)!r}: {exc}") from exc
            if len(data) != size:
                raise CheckpointError(
                    f"data_{i}.npz holds {len(data)} episodes; the checkpoint expects {size}"
                )
            self.data[i] = data

    def postfix(self, metrics: dict[str, float]) -> str:
        """The first learner's reward and cooperation this phase."""
        return f"r={metrics['l0/train/reward']:.2f} c={metrics['l0/train/cooperation']:.2f}"

    # ------------------------------------------------------------------------ pre-training
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
            "seconds": self.counters.seconds,
            "clocks": dict(self.counters.clocks),
            **self.state_dict(),
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
        state = read_pretrained_file(path)
        mine, theirs = pretraining_key(self.config), schema2_key(state["key"])
        changed = differences(mine, theirs)
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
                    episodes = self.episodes_type(
                        **{k: f[k][:size] for k in self.episodes_type._fields()}
                    )
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
        self.load_state_dict(state)
        self.data = list(state["data"])
        self.counters.seconds = state["seconds"]
        self.counters.clocks = dict(state.get("clocks") or state["timing"])
        return dict(state["train"])

    @staticmethod
    def from_legacy_state(state: dict[str, Any]) -> dict[str, Any]:
        """A schema-1 ``checkpoint.pt`` in the current layout (for ``--resume``)."""
        config, retired = migrate_ppi(state["config"])
        config = to_dict(from_dict(PPIConfig, config)) if not retired else config
        keys = ("sizes", "pretrain_size", "rng", "torch_rng", "models")
        return legacy_state(state, PPITrainer.name, config, retired, "phase", state["timing"], keys)


def read_pretrained_file(path: Path) -> dict[str, Any]:
    """Read a ``pretrained.pt`` (``weights_only=True``), with a clear error for another file."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointError(f"cannot read {str(path)!r} ({type(exc).__name__}: {exc})") from exc
    if not isinstance(state, dict) or state.get("format") != PRETRAINED_FORMAT:
        raise CheckpointError(f"{str(path)!r} is not a PPI pre-training snapshot")
    return state


def schema2_key(key: dict[str, Any]) -> dict[str, Any]:
    """A pre-training key as :func:`~baselines.ppi.config.pretraining_key` makes it now.

    Keys saved before schema 2 name the run settings without ``run.``; they are migrated, and
    a retired setting that was on is kept as ``retired:<name>`` (so it counts as a difference).
    """
    if any(k.startswith("run.") for k in key):
        return dict(key)
    data, retired = migrate_ppi(unflatten(key))
    out = pretraining_key(data)
    out.update({f"retired:{k}": v for k, v in retired.items()})
    return out
