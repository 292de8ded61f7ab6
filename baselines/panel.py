"""The held-out named-strategy panel: an agent's regret against reciprocators it never trained on.

Each panel co-player is memory-one or finite-state, so its exact best response over the horizon
is known (:mod:`co_players.best_response`: dynamic programming over round x co-player state).
An agent (seat 0, through :class:`co_players.AgentCoPlayer`) plays ``episodes`` games against
each (seat 1) through :func:`coop_envs.core.play`; its regret per round is
``(best response total - agent's mean total) / T``. The panel: generous TFT forgiving with
probability 0.1, 0.3 and 0.5; TFT with 5% execution noise; grim trigger; tit-for-two-tats; WSLS;
the zero-determinant extortioners with chi = 2 and 3.

``python -m baselines.panel RUN_DIR|AGENT_FILE ... [--experiment EXP/VARIANT]`` prints the table
and writes JSON (``--out``); ``--evidence`` writes ``docs/results/crossplay/panel/<name>.json``,
which ``python -m baselines.report tables --write`` puts on the reproduction page.
"""

from __future__ import annotations

import argparse
import copy
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from baselines.checkpoints import write_json
from baselines.criteria import IN_CONTEXT_BEST_RESPONDER
from baselines.crossplay import CROSSPLAY, Entrant, entrants_from, experiment_runs, pair_seed
from baselines.run import SCHEMA, code_version
from co_players import AgentCoPlayer
from co_players.best_response import as_machine, best_response_to, probe_tradeoff
from co_players.finite_state import grim_trigger, tit_for_two_tats
from co_players.memory_one import (
    TIT_FOR_TAT,
    WIN_STAY_LOSE_SHIFT,
    GenerousTitForTat,
    MemoryOne,
    tremble,
)
from co_players.zero_determinant import ZeroDeterminant
from coop_envs.core import (
    DEFAULT_NUM_ROUNDS,
    MAX_BATCH_SIZE,
    MAX_NUM_ROUNDS,
    CoPlayer,
    MatrixGame,
    Seat,
    check_positive_int,
    get_game,
    play,
)

PANEL: dict[str, Callable[[], CoPlayer]] = {
    "gtft_0.1": lambda: GenerousTitForTat(0.1, name="gtft_0.1"),
    "gtft_0.3": lambda: GenerousTitForTat(0.3, name="gtft_0.3"),
    "gtft_0.5": lambda: GenerousTitForTat(0.5, name="gtft_0.5"),
    "tft_noise_0.05": lambda: MemoryOne(tremble(TIT_FOR_TAT, 0.05), name="tft_noise_0.05"),
    "grim_trigger": grim_trigger,
    "tit_for_two_tats": tit_for_two_tats,
    "wsls": lambda: MemoryOne(WIN_STAY_LOSE_SHIFT, name="wsls"),
    "zd_extort_2": lambda: ZeroDeterminant(2.0),
    "zd_extort_3": lambda: ZeroDeterminant(3.0),
}
"""The panel's co-players by column name (fresh objects)."""
PANEL_DIR = CROSSPLAY / "panel"
TARGET = 0.1
"""The issue's bar: regret per round under 0.1 against every panel co-player."""
ALLC_BAR = next(
    c.threshold for c in IN_CONTEXT_BEST_RESPONDER.checks if c.opponent == "always_cooperate"
)
"""The stage-1 criterion's reward per round against always-cooperate (an agent must probe)."""


def criterion_bounds(
    game: MatrixGame | str = "prisoners_dilemma", rounds: int = DEFAULT_NUM_ROUNDS
) -> dict[str, float | None]:
    """Per panel column, the least regret per round of any agent meeting the stage-1 criterion.

    An agent that earns :data:`ALLC_BAR` per round from always-cooperate must defect early
    against every co-player that cooperates until provoked, and a co-player that never forgives
    (grim trigger) punishes that probe for the rest of the episode: the bar of :data:`TARGET`
    cannot be met there by any agent that keeps the criterion
    (:func:`co_players.best_response.probe_tradeoff`, exact over all policies). ``None`` for
    the panel's random co-players (the bound is computed for deterministic ones).
    """
    game = get_game(game)
    bounds: dict[str, float | None] = {}
    for name, make in PANEL.items():
        co_player = make()
        cooperate = as_machine(co_player, game.swapped())[1]
        deterministic = bool(np.isin(cooperate, (0.0, 1.0)).all())
        bounds[name] = (
            probe_tradeoff(co_player, ALLC_BAR, game, rounds).regret if deterministic else None
        )
    return bounds


def measure(
    entrant: Entrant,
    co_player: CoPlayer,
    game: MatrixGame,
    episodes: int,
    rounds: int,
    seed: int,
) -> dict[str, float]:
    """One entrant against one panel co-player: its totals, the best response's, the regret."""
    best = best_response_to(co_player, game, rounds)
    games = np.arange(episodes)
    seats = [
        Seat(AgentCoPlayer(copy.deepcopy(entrant.agent), num_rounds=rounds), games, 0),
        Seat(co_player, games, 1),
    ]
    rng = np.random.default_rng(pair_seed(seed, entrant.name, co_player.name))
    with torch.no_grad():
        core = play(game, episodes, rounds, seats, rng)
    totals = core.rewards[:, :rounds, 0].sum(axis=1, dtype=np.float64)
    agent_total = float(totals.mean())
    return {
        "best_response_total": round(best.total, 4),
        "agent_total": round(agent_total, 4),
        "agent_total_sem": round(float(totals.std(ddof=1) / np.sqrt(episodes)), 4)
        if episodes > 1
        else 0.0,
        "regret": round((best.total - agent_total) / rounds, 4),
        "cooperation": round(float((core.history[:, :rounds, 0] == 0).mean()), 4),
    }


def run_panel(
    entrants: Sequence[Entrant],
    game: MatrixGame | str = "prisoners_dilemma",
    episodes: int = 2048,
    rounds: int = DEFAULT_NUM_ROUNDS,
    seed: int = 0,
    progress: bool = False,
) -> dict[str, Any]:
    """Every entrant against every panel co-player (JSON form, with the code and settings).

    Raises:
        ValueError: For no entrants or bad sizes.
    """
    game = get_game(game)
    episodes = check_positive_int(episodes, "episodes", MAX_BATCH_SIZE)
    rounds = check_positive_int(rounds, "rounds", MAX_NUM_ROUNDS)
    if not entrants:
        raise ValueError("the panel needs at least one entrant; got none")
    results = {}
    jobs = [(e, name) for e in entrants for name in PANEL]
    for entrant, name in tqdm(jobs, desc="panel", disable=not progress):
        cell = measure(entrant, PANEL[name](), game, episodes, rounds, seed)
        results.setdefault(entrant.name, {})[name] = cell
    return {
        "format": 1,
        "schema": SCHEMA,
        "code": code_version(),
        "settings": {"game": game.name, "episodes": episodes, "rounds": rounds, "seed": seed},
        "entrants": [
            {"name": e.name, "group": e.group, "recipe": e.recipe, "source": e.source}
            for e in entrants
        ],
        "results": results,
    }


def format_panel(data: dict[str, Any]) -> str:
    """Regret per round of every entrant (rows) against every panel co-player (columns)."""
    width = max(len(n) for n in data["results"])
    lines = [f"{'regret per round':<{width}} " + " ".join(f"{c:>8.8}" for c in PANEL)]
    for name, row in data["results"].items():
        lines.append(f"{name:<{width}} " + " ".join(f"{row[c]['regret']:8.3f}" for c in PANEL))
    best = next(iter(data["results"].values()))
    lines.append(
        f"{'best response / round':<{width}} "
        + " ".join(
            f"{best[c]['best_response_total'] / data['settings']['rounds']:8.3f}" for c in PANEL
        )
    )
    return "\n".join(lines)


def panel_table(directory: Path = PANEL_DIR) -> str:
    """The page's table: per recipe, the mean regret per round over its learners (worst)."""
    header = "| recipe | learners | " + " | ".join(f"`{c}`" for c in PANEL) + " | all < 0.1 |"
    rows = [header, "|---|---|" + "---|" * len(PANEL) + "---|"]
    best_row = None
    settings = None
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text())
        settings = data["settings"]
        by_recipe: dict[str, list[str]] = {}
        for e in data["entrants"]:
            by_recipe.setdefault(e["recipe"] or e["name"], []).append(e["name"])
        for recipe, names in by_recipe.items():
            regrets = np.array([[data["results"][n][c]["regret"] for c in PANEL] for n in names])
            cells = [
                f"{m:.2f} ({w:.2f})" for m, w in zip(regrets.mean(0), regrets.max(0), strict=True)
            ]
            passing = int((regrets < TARGET).all(axis=1).sum())
            rows.append(
                f"| `{recipe}` | {len(names)} | "
                + " | ".join(cells)
                + f" | {passing} of {len(names)} |"
            )
        first = next(iter(data["results"].values()))
        best_row = [first[c]["best_response_total"] / settings["rounds"] for c in PANEL]
    if best_row is None:
        return "(no panel evidence)"
    rows.append(
        "| exact best response, per round | | " + " | ".join(f"{v:.2f}" for v in best_row) + " | |"
    )
    bounds = criterion_bounds(settings["game"], settings["rounds"])
    rows.append(
        "| least regret meeting the stage-1 criterion | | "
        + " | ".join("—" if bounds[c] is None else f"{bounds[c]:.2f}" for c in PANEL)
        + " | |"
    )
    return "\n".join(rows) + (
        f"\n\nRegret per round (exact best response's total minus the agent's mean total, / "
        f"{settings['rounds']}): mean over the recipe's learners (worst learner), "
        f"{settings['episodes']} games per learner and co-player, seed {settings['seed']}. "
        f"Last row: the least regret of any agent that earns {ALLC_BAR:g} per round from "
        "always-cooperate, as the stage-1 criterion asks (exact over all policies, "
        "`co_players.best_response.probe_tradeoff`; — for the random co-players)."
    )


def main(argv: list[str] | None = None) -> int:
    """Measure the panel for the given agents; print the table and write JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m baselines.panel", description=__doc__.splitlines()[0]
    )
    parser.add_argument("entrants", nargs="*", help="run directories or agent files")
    parser.add_argument(
        "--experiment",
        action="append",
        default=[],
        metavar="EXP/VARIANT",
        help="every committed run of an experiment variant (repeatable)",
    )
    parser.add_argument("--episodes", type=int, default=2048, help="games per co-player")
    parser.add_argument("--rounds", type=int, default=DEFAULT_NUM_ROUNDS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (1: fastest on shared cores)"
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON file")
    parser.add_argument(
        "--evidence",
        default=None,
        metavar="NAME",
        help=f"write {PANEL_DIR.relative_to(CROSSPLAY.parents[2])}/NAME.json (the page's table)",
    )
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads must be at least 1; got {args.threads}")
    torch.set_num_threads(args.threads)
    specs: list[str | Path] = [*args.entrants]
    for ref in args.experiment:
        specs.extend(experiment_runs(ref))
    if not specs:
        parser.error("give run directories, agent files or --experiment")
    entrants = [e for spec in specs for e in entrants_from(spec)]
    data = run_panel(
        entrants, episodes=args.episodes, rounds=args.rounds, seed=args.seed, progress=True
    )
    print(format_panel(data))
    out = args.out or (PANEL_DIR / f"{args.evidence}.json" if args.evidence else None)
    if out:
        print("wrote", write_json(out, data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
