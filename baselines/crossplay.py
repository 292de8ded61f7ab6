"""Cross-play: how any set of agents fare against each other, copies of themselves included.

Every pair of entrants (and every entrant against a copy of itself) plays ``episodes`` games of
``rounds`` rounds through the one play loop (:func:`coop_envs.core.play`): the row entrant in
seat 0, the column entrant in seat 1, both as agents (``reset(num_envs, seed)`` /
``act(observations)``) seated through :class:`co_players.AgentCoPlayer`; a named co-player
enters as an agent through :class:`co_players.CoPlayerAgent`. Each pair's games have their own
generator, seeded by the base seed and the two names, so a pair's numbers do not depend on which
other entrants are in the matrix. The game must be symmetric: a pair is played once and read from
both seats. Agents of a game beyond 2x2 (public goods, the Coin Game: the game trainer's and
PPI's agent files, which declare their game) play that game instead, the row entrant in the even
seats and the column entrant in the odd ones (:func:`play_pair_game`); all entrants of a matrix
must then be agents of that one game with the same parameters.

The matrices (``(n, n)``, row entrant first):

- ``cooperation[i, j]``: the row entrant's cooperation rate against the column entrant;
- ``reward[i, j]``: the row entrant's mean reward per round against it;
- ``mutual[i, j]``: the pair's mean cooperation rate, ``(cooperation[i, j] + cooperation[j, i])
  / 2`` (symmetric); the diagonal is an entrant against a copy of itself;
- ``both[i, j]``: the share of rounds in which both cooperated (symmetric).

The summary of the learners (entrants from agent files) is read off ``mutual``: *partner* — the
two learners of one run (a mixed-pool run keeps them as ``agent_0.pt`` and ``agent_1.pt``);
*self* — a learner against a copy; *cross-seed* — learners of different runs of one recipe
(experiment variant); *cross-recipe* — learners of different recipes.

``python -m baselines.crossplay RUN_DIR|AGENT_FILE|CO_PLAYER_ID ... [--experiment EXP/VARIANT]``
prints the matrix and the summary and writes JSON (``--out``) and a heat map (``--figure``);
``--evidence`` writes both where the reproduction page reads them
(``docs/results/crossplay/<experiment>_<variant>.json``,
``docs/figures/crossplay_<experiment>_<variant>.png``; several variants: their stems joined by
``__``, and the summary's *cross-recipe* pairs their learners), and ``python -m
baselines.report tables --write`` puts the summaries on the page.
"""

from __future__ import annotations

import argparse
import copy
import json
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from baselines.agents import load_agent
from baselines.checkpoints import write_json
from baselines.experiments import RESULTS, variant
from baselines.general.trainer import RoundRecorder
from baselines.run import ROOT, SCHEMA, code_version
from co_players import AgentCoPlayer, CoPlayerAgent, make_co_player
from co_players.public_goods import ObservationAgentCoPlayer
from co_players.registry import AXELROD_PREFIX, REGISTRY
from coop_envs.core import (
    CONTRACT_GAMES,
    COOPERATE,
    DEFAULT_NUM_ROUNDS,
    MAX_BATCH_SIZE,
    MAX_NUM_ROUNDS,
    Agent,
    GameSeat,
    MatrixGame,
    Seat,
    check_positive_int,
    get_game,
    play,
    play_batched,
)

CROSSPLAY = RESULTS / "crossplay"
"""Where the evidence of the reproduction page's cross-play matrices lives."""
FIGURES = ROOT / "docs" / "figures"
THRESHOLD = 0.8
"""Mutual cooperation counted as cooperating (the issue's bar for cross-seed pairs)."""
FORMAT = 1
"""Version of the JSON layout (``format``); the run config schema is recorded beside it."""


@dataclass(frozen=True)
class Entrant:
    """One entrant of a cross-play matrix.

    Attributes:
        name: Its label (unique in a matrix).
        agent: A prototype in the agent protocol; each seat plays a deep copy of it.
        group: The run it comes from (its directory), ``None`` for a named co-player.
        recipe: Its experiment variant (or the run directory's parent), ``None`` for a named
            co-player.
        source: Where it was loaded from (agent file or registry id).
    """

    name: str
    agent: Agent
    group: str | None
    recipe: str | None
    source: str

    @property
    def learner(self) -> bool:
        """Whether it comes from an agent file (the summary reads learners only)."""
        return self.group is not None


def _is_co_player_id(spec: str) -> bool:
    return spec in REGISTRY or spec.startswith(AXELROD_PREFIX)


def _relative(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _agent_files(directory: Path) -> list[Path]:
    files = sorted(directory.glob("agent_*.pt"))
    if not files:
        raise ValueError(
            f"run directory {str(directory)!r} holds no agent files (agent_<i>.pt); give a "
            "finished run directory, its evidence directory, or an agent file"
        )
    return files


def _recipe_of(directory: Path) -> str:
    """``<experiment>/<variant>`` for an evidence directory, else the directory's parent."""
    directory = directory.resolve()
    if directory.is_relative_to(RESULTS.resolve()):
        parts = directory.relative_to(RESULTS.resolve()).parts
        if len(parts) == 3:
            return f"{parts[0]}/{parts[1]}"
    config = directory / "config.json"
    if config.exists():
        recorded = json.loads(config.read_text()).get("experiment")
        if recorded:
            return str(recorded)
    return _relative(directory.parent)


def _group_name(directory: Path, recipe: str) -> str:
    directory = directory.resolve()
    if recipe.count("/") == 1 and directory.name.startswith("seed"):
        return f"{recipe.replace('/', '_')}_{directory.name}"
    return directory.name


def entrants_from(spec: str | Path, game: MatrixGame | str = "prisoners_dilemma") -> list[Entrant]:
    """The entrants a command-line argument names.

    Args:
        spec: A run (or evidence) directory — every ``agent_<i>.pt`` in it, one entrant each —,
            an agent file, or a co-player registry id (``tit_for_tat``, ``axelrod:<name>``).
        game: The game, from the co-player's seat (for a named co-player).

    Raises:
        ValueError: For a path that does not exist and is no registry id (the message lists
            the ids), or a directory with no agent files.
        TypeError: If ``spec`` is neither a str nor a path.
        CheckpointError: For an unreadable agent file.
    """
    if not isinstance(spec, str | Path):
        raise TypeError(f"an entrant is a run directory, agent file or co-player id; got {spec!r}")
    if isinstance(spec, str) and _is_co_player_id(spec):
        agent = CoPlayerAgent(make_co_player(spec), game)
        return [Entrant(spec, agent, None, None, spec)]
    path = Path(spec)
    if path.is_dir():
        recipe = _recipe_of(path)
        group = _group_name(path, recipe)
        return [
            Entrant(f"{group}/{f.stem}", load_agent(f), group, recipe, _relative(f))
            for f in _agent_files(path)
        ]
    if path.is_file():
        recipe = _recipe_of(path.parent)
        group = _group_name(path.parent, recipe)
        return [Entrant(f"{group}/{path.stem}", load_agent(path), group, recipe, _relative(path))]
    known = ", ".join(sorted(REGISTRY))
    raise ValueError(
        f"{str(spec)!r} is no run directory, agent file or co-player id; co-player ids: {known} "
        f"(or {AXELROD_PREFIX}<strategy>)"
    )


def experiment_runs(ref: str, results: Path = RESULTS) -> list[Path]:
    """The evidence directories of experiment variant ``ref`` that hold agent files.

    Raises:
        ConfigError: For an unknown experiment or variant.
        ValueError: If none of its seeds has committed agent files.
    """
    v = variant(ref)
    found = [v.evidence(s, results) for s in v.seeds]
    found = [d for d in found if list(d.glob("agent_*.pt"))]
    if not found:
        raise ValueError(
            f"experiment variant {ref!r} has no committed agent files under "
            f"{_relative(results / v.experiment / v.name)} (only canonical variants keep them)"
        )
    return found


@dataclass(frozen=True)
class CrossPlay:
    """A cross-play matrix (see the module docstring for the matrices)."""

    names: list[str]
    groups: list[str | None]
    recipes: list[str | None]
    sources: list[str]
    cooperation: np.ndarray
    reward: np.ndarray
    both: np.ndarray
    settings: dict[str, Any]

    @property
    def mutual(self) -> np.ndarray:
        """``(n, n)`` the pair's mean cooperation rate (symmetric)."""
        return (self.cooperation + self.cooperation.T) / 2

    def summary(self, threshold: float = THRESHOLD) -> dict[str, Any]:
        """Partner, self, cross-seed and cross-recipe mutual cooperation of the learners."""
        return summarise(self.mutual, self.groups, self.recipes, threshold)

    def to_dict(self, threshold: float = THRESHOLD) -> dict[str, Any]:
        """JSON form: the entrants, the matrices, the summary, the settings and the code."""
        return {
            "format": FORMAT,
            "schema": SCHEMA,
            "code": code_version(),
            "settings": self.settings,
            "entrants": [
                {"name": n, "group": g, "recipe": r, "source": s}
                for n, g, r, s in zip(
                    self.names, self.groups, self.recipes, self.sources, strict=True
                )
            ],
            "cooperation": self.cooperation.round(4).tolist(),
            "reward": self.reward.round(4).tolist(),
            "mutual": self.mutual.round(4).tolist(),
            "both": self.both.round(4).tolist(),
            "summary": self.summary(threshold),
        }


def _stats(values: list[float], threshold: float) -> dict[str, Any] | None:
    if not values:
        return None
    array = np.asarray(values)
    return {
        "n": len(values),
        "mean": round(float(array.mean()), 4),
        "min": round(float(array.min()), 4),
        "max": round(float(array.max()), 4),
        "share_at_least": round(float((array >= threshold).mean()), 4),
        "values": array.round(4).tolist(),
    }


def summarise(
    mutual: np.ndarray,
    groups: Sequence[str | None],
    recipes: Sequence[str | None],
    threshold: float = THRESHOLD,
) -> dict[str, Any]:
    """Mutual cooperation of the learners by relation (partner, self, cross-seed, cross-recipe).

    Args:
        mutual: ``(n, n)`` symmetric mutual cooperation.
        groups: Each entrant's run (``None``: a named co-player, left out).
        recipes: Each entrant's recipe.
        threshold: The bar counted in ``share_at_least``.

    Returns:
        ``{relation: {n, mean, min, max, share_at_least, values} or None, "threshold": t}``;
        pairs are unordered.
    """
    relations: dict[str, list[float]] = {
        "partner": [],
        "self": [],
        "cross_seed": [],
        "cross_recipe": [],
    }
    n = len(groups)
    for i in range(n):
        for j in range(i, n):
            if groups[i] is None or groups[j] is None:
                continue
            if i == j:
                relation = "self"
            elif groups[i] == groups[j]:
                relation = "partner"
            elif recipes[i] == recipes[j]:
                relation = "cross_seed"
            else:
                relation = "cross_recipe"
            relations[relation].append(float(mutual[i, j]))
    out: dict[str, Any] = {k: _stats(v, threshold) for k, v in relations.items()}
    out["threshold"] = threshold
    return out


def pair_seed(seed: int, row: str, column: str) -> list[int]:
    """The entropy of a pair's generator: the base seed and the two names (order matters)."""
    return [seed, zlib.crc32(row.encode()), zlib.crc32(column.encode())]


def play_pair(
    row: Entrant,
    column: Entrant,
    game: MatrixGame,
    episodes: int,
    rounds: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Play ``row`` (seat 0) against ``column`` (seat 1).

    Returns:
        ``(cooperation (2,), reward (2,), both)``: each seat's cooperation rate and mean reward
        per round, and the share of rounds in which both cooperated.
    """
    games = np.arange(episodes)
    seats = [
        Seat(AgentCoPlayer(copy.deepcopy(row.agent), num_rounds=rounds, name=row.name), games, 0),
        Seat(
            AgentCoPlayer(copy.deepcopy(column.agent), num_rounds=rounds, name=column.name),
            games,
            1,
        ),
    ]
    rng = np.random.default_rng(pair_seed(seed, row.name, column.name))
    with torch.no_grad():
        core = play(game, episodes, rounds, seats, rng)
    cooperated = core.history[:, :rounds] == COOPERATE  # (E, T, 2)
    cooperation = cooperated.mean(axis=(0, 1))
    reward = core.rewards[:, :rounds].mean(axis=(0, 1), dtype=np.float64)
    return cooperation, reward, float(cooperated.all(axis=-1).mean())


def _game_of(entrant: Entrant) -> str | None:
    """The name of the game beyond 2x2 an entrant's agent was trained on (``None`` otherwise)."""
    game = getattr(entrant.agent, "game", None)
    return game if isinstance(game, str) else None


def play_pair_game(
    row: Entrant,
    column: Entrant,
    game: str,
    game_kwargs: dict[str, Any],
    episodes: int,
    rounds: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Play two agents of a game beyond 2x2: ``row`` in the even seats, ``column`` in the odd.

    With N = 4 public goods that is two copies of each, as the game trainer seats two learners;
    the Coin Game has two seats. Cooperation is the game trainer's
    (:class:`baselines.general.trainer.RoundRecorder`): public goods, contributing; the Coin
    Game, the share of picked-up coins of one's own colour.

    Returns:
        ``(cooperation (2,), reward (2,), both)``: each side's cooperation rate and mean reward
        per round and seat, and the share of rounds in which no seat defected (public goods:
        everyone contributed; the Coin Game: nobody took the other's coin).
    """
    core = CONTRACT_GAMES[game](batch_size=episodes, num_rounds=rounds, **game_kwargs)
    side = np.arange(core.spec.num_players) % 2
    games = np.arange(episodes)
    seats = [
        GameSeat(
            ObservationAgentCoPlayer(copy.deepcopy(e.agent), name=e.name),
            games,
            s,
        )
        for s, e in enumerate((row, column)[k] for k in side)
    ]
    recorder = RoundRecorder(core)
    with torch.no_grad():
        rng = np.random.default_rng(pair_seed(seed, row.name, column.name))
        play_batched(core, seats, rng, False, recorder)
        rewards, cooperated = recorder.arrays()  # (T, B, N)
        with warnings.catch_warnings():  # a side that picked up no coin has no rate (NaN)
            warnings.simplefilter("ignore", RuntimeWarning)
            cooperation = np.array([np.nanmean(cooperated[:, :, side == k]) for k in (0, 1)])
    reward = np.array([rewards[:, :, side == k].mean(dtype=np.float64) for k in (0, 1)])
    return cooperation, reward, float((~(cooperated == 0).any(axis=-1)).mean())


def _game_beyond(entrants: Sequence[Entrant], game: MatrixGame | str | None) -> tuple | None:
    """``(name, kwargs, horizon)`` of the entrants' game beyond 2x2; ``None``: a matrix game.

    Raises:
        ValueError: If agents of a game beyond 2x2 meet agents of another game, of the same game
            with other parameters, or named (matrix) co-players, or ``game`` names another game.
    """
    declared = {e.name: _game_of(e) for e in entrants}
    found = next((e for e in entrants if declared[e.name] in CONTRACT_GAMES), None)
    if found is None:
        return None
    first = found.agent
    name, kwargs = first.game, dict(first.game_kwargs)
    others = [
        f"{e.name} ({declared[e.name] or 'a matrix game'})"
        for e in entrants
        if declared[e.name] != name or dict(e.agent.game_kwargs) != kwargs
    ]
    if others:
        raise ValueError(
            f"cross-play plays one game: {found.name} is an agent of {name} {kwargs}, "
            f"but not these entrants: {', '.join(others)}"
        )
    if game is not None and (isinstance(game, MatrixGame) or game != name):
        raise ValueError(f"the entrants are agents of {name!r}; got game={game!r}")
    policy_game = getattr(getattr(first, "policy", None), "game", None)
    horizon = getattr(first, "num_rounds", None) or (policy_game or {}).get("num_rounds")
    return name, kwargs, horizon


def crossplay(
    entrants: Sequence[Entrant],
    game: MatrixGame | str | None = None,
    episodes: int = 512,
    rounds: int | None = None,
    seed: int = 0,
    progress: bool = False,
) -> CrossPlay:
    """Play every pair of ``entrants`` (each against a copy of itself too).

    Args:
        entrants: The entrants (unique names): agents of a matrix game, or all agents of one
            game beyond 2x2 with the same parameters (public goods, the Coin Game: played by
            :func:`play_pair_game`).
        game: A symmetric matrix game (default: the prisoner's dilemma), or for agents of a game
            beyond 2x2 its name or ``None``.
        episodes: Games per pair.
        rounds: Rounds per game (default: 100; for a game beyond 2x2 the horizon the agents
            were trained with, where they record it).
        seed: Base seed (each pair's generator: :func:`pair_seed`).
        progress: Show a progress bar.

    Returns:
        The :class:`CrossPlay`.

    Raises:
        ValueError: For no entrants, repeated names, entrants of different games, an asymmetric
            game, or bad sizes.
    """
    if not entrants:
        raise ValueError("cross-play needs at least one entrant; got none")
    names = [e.name for e in entrants]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"entrant names must be unique; repeated: {', '.join(repeated)}")
    beyond = _game_beyond(entrants, game)
    episodes = check_positive_int(episodes, "episodes", MAX_BATCH_SIZE)
    default_rounds = (beyond[2] if beyond else None) or DEFAULT_NUM_ROUNDS
    rounds = check_positive_int(
        default_rounds if rounds is None else rounds, "rounds", MAX_NUM_ROUNDS
    )
    if beyond is None:
        game = get_game("prisoners_dilemma" if game is None else game)
        if not np.array_equal(game.payoffs, game.swapped().payoffs):
            raise ValueError(
                f"cross-play reads a pair from both seats, so the game must be symmetric; "
                f"{game.name!r} is not"
            )

        def play_one(row: Entrant, column: Entrant) -> tuple[np.ndarray, np.ndarray, float]:
            return play_pair(row, column, game, episodes, rounds, seed)

        game_name = game.name
    else:
        game_name, kwargs, _ = beyond

        def play_one(row: Entrant, column: Entrant) -> tuple[np.ndarray, np.ndarray, float]:
            return play_pair_game(row, column, game_name, kwargs, episodes, rounds, seed)

    n = len(entrants)
    cooperation, reward, both = np.zeros((n, n)), np.zeros((n, n)), np.zeros((n, n))
    pairs = [(i, j) for i in range(n) for j in range(i, n)]
    for i, j in tqdm(pairs, desc="cross-play pairs", disable=not progress):
        coop, rew, cc = play_one(entrants[i], entrants[j])
        if i == j:  # a copy: the entrant's own rate is the mean over both seats
            cooperation[i, i], reward[i, i] = coop.mean(), rew.mean()
        else:
            cooperation[i, j], cooperation[j, i] = coop
            reward[i, j], reward[j, i] = rew
        both[i, j] = both[j, i] = cc
    settings = {"game": game_name, "episodes": episodes, "rounds": rounds, "seed": seed}
    if beyond is not None:
        settings["game_kwargs"] = beyond[1]
    return CrossPlay(
        names=names,
        groups=[e.group for e in entrants],
        recipes=[e.recipe for e in entrants],
        sources=[e.source for e in entrants],
        cooperation=cooperation,
        reward=reward,
        both=both,
        settings=settings,
    )


# ---------------------------------------------------------------------------- figure and text
def _short(name: str) -> str:
    """``...seed3/agent_1`` -> ``s3/a1`` (a tick label); other names unchanged."""
    run, _, agent = name.rpartition("/")
    if run and "_seed" in run and agent.startswith("agent_"):
        return f"s{run.rsplit('_seed', 1)[1]}/a{agent.removeprefix('agent_')}"
    return name


def plot_matrix(data: dict[str, Any], out: Path, title: str | None = None) -> Path:
    """Heat maps of mutual cooperation and of the row entrant's reward, from the JSON form."""
    from baselines.plotting import plt, save

    names = [e["name"] for e in data["entrants"]]
    short = [_short(n) for n in names]
    size = 2.2 + 0.42 * len(names)
    fig, axes = plt.subplots(1, 2, figsize=(2 * size + 1.5, size), constrained_layout=True)
    panels = (
        ("mutual", "mutual cooperation (pair's mean rate)", "viridis", (0, 1)),
        ("reward", "row entrant's reward per round", "magma", (-1, 2)),
    )
    for ax, (key, label, cmap, (lo, hi)) in zip(axes, panels, strict=True):
        matrix = np.asarray(data[key])
        image = ax.imshow(matrix, cmap=cmap, vmin=lo, vmax=hi)
        ax.set_xticks(range(len(names)), short, rotation=90, fontsize=7)
        ax.set_yticks(range(len(names)), short, fontsize=7)
        ax.set_title(label, fontsize=9)
        if len(names) <= 16:
            for (i, j), value in np.ndenumerate(matrix):
                bright = (value - lo) / (hi - lo) > 0.6
                ax.text(
                    j,
                    i,
                    f"{value:.2f}",
                    ha="center",
                    va="center",
                    fontsize=5.5,
                    color="black" if bright else "white",
                )
        fig.colorbar(image, ax=ax, shrink=0.8)
    fig.suptitle(title or "cross-play", fontsize=10)
    out.parent.mkdir(parents=True, exist_ok=True)
    return save(fig, out, dpi=90)


def format_matrix(result: CrossPlay) -> str:
    """The mutual-cooperation matrix and the summary as text."""
    width = max(len(n) for n in result.names)
    lines = ["mutual cooperation (rows x columns; diagonal: against a copy)"]
    for k, name in enumerate(result.names):
        row = " ".join(f"{v:4.2f}" for v in result.mutual[k])
        lines.append(f"  [{k:2d}] {name:<{width}} {row}")
    summary = result.summary()
    for relation in ("partner", "self", "cross_seed", "cross_recipe"):
        stats = summary[relation]
        if stats:
            lines.append(
                f"{relation:>12}: mean {stats['mean']:.2f} (min {stats['min']:.2f}, max "
                f"{stats['max']:.2f}) over {stats['n']} pairs; {stats['share_at_least']:.0%} "
                f">= {summary['threshold']}"
            )
    return "\n".join(lines)


def _span(stats: dict[str, Any] | None) -> str:
    if not stats:
        return "—"
    if stats["n"] == 1:
        return f"{stats['mean']:.2f}"
    return f"{stats['min']:.2f}–{stats['max']:.2f} (mean {stats['mean']:.2f})"


COOPERATING = {"public_goods": "contributing", "coin_game": "own-coin share"}
"""What the cooperation rate counts in a game beyond 2x2 (matrix games: cooperating)."""


def crossplay_table(directory: Path = CROSSPLAY) -> str:
    """The reproduction page's cross-play table: one row per evidence file of ``directory``."""
    rows = [
        "| recipe | rate of | learners | partner | self (copy) | cross-seed: mean | cross-seed "
        "pairs ≥ 0.8 | cross-recipe: mean (pairs ≥ 0.8) | games per pair | figure |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text())
        s = data["summary"]
        cross = s["cross_seed"]
        share = f"{round(cross['share_at_least'] * cross['n'])} of {cross['n']}" if cross else "—"
        recipes = sorted({e["recipe"] for e in data["entrants"] if e["recipe"]})
        learners = sum(1 for e in data["entrants"] if e["group"])
        mean = f"{cross['mean']:.2f}" if cross else "—"
        between = s.get("cross_recipe")  # files of one recipe have none
        across = (
            f"{between['mean']:.2f} ({round(between['share_at_least'] * between['n'])} of "
            f"{between['n']})"
            if between
            else "—"
        )
        measure = COOPERATING.get(data["settings"].get("game"), "cooperating")
        rows.append(
            f"| {', '.join(f'`{r}`' for r in recipes)} | {measure} | {learners} | "
            f"{_span(s['partner'])} | "
            f"{_span(s['self'])} | {mean} | {share} | {across} | {data['settings']['episodes']} | "
            f"[heat map](figures/crossplay_{path.stem}.png) |"
        )
    return "\n".join(rows) + (
        "\n\nMutual cooperation: the pair's mean rate of cooperating — in the matrix games "
        "cooperating, in public goods contributing, in the Coin Game the share of the coins a "
        "player picked up that were its own colour (*rate of*); *partner* and *self* give the "
        "range over the recipe's runs (mean); *cross-seed* pairs learners of different runs of "
        "one recipe, *cross-recipe* learners of different recipes (a file of several recipes). "
        "Rounds and seeds: each file's `settings`."
    )


def crossplay_figures(directory: Path = CROSSPLAY) -> dict[str, Any]:
    """``{figure name: maker(runs, out)}`` for each evidence file (for the report's figures)."""

    def maker(path: Path):
        return lambda runs, out: plot_matrix(
            json.loads(path.read_text()), out, f"cross-play: {path.stem}"
        )

    return {f"crossplay_{p.stem}.png": maker(p) for p in sorted(directory.glob("*.json"))}


# ------------------------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> int:
    """Play the cross-play matrix of the given entrants; print, and write JSON and a heat map."""
    parser = argparse.ArgumentParser(
        prog="python -m baselines.crossplay", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "entrants", nargs="*", help="run directories, agent files or co-player registry ids"
    )
    parser.add_argument(
        "--experiment",
        action="append",
        default=[],
        metavar="EXP/VARIANT",
        help="every committed run of an experiment variant (repeatable)",
    )
    parser.add_argument("--episodes", type=int, default=512, help="games per pair")
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="default: 100; a game beyond 2x2: the agents' horizon",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (1: fastest on shared cores)"
    )
    parser.add_argument(
        "--game",
        default=None,
        help="a matrix game (default: prisoners_dilemma); agents of a game "
        "beyond 2x2 play their own game",
    )
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--out", type=Path, default=None, help="JSON file")
    parser.add_argument("--figure", type=Path, default=None, help="heat map (PNG)")
    parser.add_argument(
        "--evidence",
        action="store_true",
        help="write docs/results/crossplay/<exp>_<variant>.json and its figure in docs/figures "
        "(several --experiment: their stems joined by '__')",
    )
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads must be at least 1; got {args.threads}")
    torch.set_num_threads(args.threads)
    specs: list[str | Path] = [*args.entrants]
    for ref in args.experiment:
        specs.extend(experiment_runs(ref))
    if not specs:
        parser.error("give run directories, agent files, co-player ids or --experiment")
    if args.evidence:
        if not args.experiment or args.entrants:
            parser.error("--evidence plays --experiment variants only (no other entrants)")
        stem = "__".join(ref.replace("/", "_") for ref in args.experiment)
        args.out = args.out or CROSSPLAY / f"{stem}.json"
        args.figure = args.figure or FIGURES / f"crossplay_{stem}.png"
    try:
        entrants = [
            e for spec in specs for e in entrants_from(spec, args.game or "prisoners_dilemma")
        ]
        result = crossplay(
            entrants, args.game, args.episodes, args.rounds, args.seed, progress=True
        )
    except (ValueError, TypeError) as exc:
        parser.error(str(exc))
    print(format_matrix(result))
    data = result.to_dict(args.threshold)
    if args.out:
        print("wrote", write_json(args.out, data))
    if args.figure:
        print(
            "wrote",
            plot_matrix(
                data, args.figure, f"cross-play: {args.figure.stem.removeprefix('crossplay_')}"
            ),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
