"""What knowing the co-players is worth in the games' co-player pools (exact per draw, with JSON).

For each pool the trainers of the games beyond 2x2 train or evaluate on, the mean reward per
round of the best response to each co-player (group) knowing it, of the best response to the
pool's mean co-player, and of fixed policies for scale, exact for every co-player drawn from the
pool and averaged over the draws with standard errors
(:func:`co_players.coin_game_values.reactive_pool_values`,
:func:`co_players.public_goods_values.pool_values`). The page's tables read the committed JSON
(``docs/results/<game>/pool_values.json``)::

    python -m baselines.pool_values --write      # Coin Game: about a minute per pool on one core
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from tqdm import tqdm

from baselines.checkpoints import write_json
from baselines.run import SCHEMA, code_version
from co_players.coin_game import RandomReactive
from co_players.coin_game_values import reactive_pool_values
from co_players.public_goods_values import pool_values
from coop_envs.core.coin_game import DEFAULT_COIN_GAME_ROUNDS, DEFAULT_GRID_SIZE

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "results"
EVIDENCE = RESULTS / "coin_game" / "pool_values.json"
PUBLIC_GOODS_EVIDENCE = RESULTS / "public_goods" / "pool_values.json"
POOLS: dict[str, tuple[str, float, str]] = {
    "train": ("train", 1.0, "last"),
    "held_out": ("held_out", 1.0, "last"),
    "train_near_deterministic": ("train", 0.1, "last"),
    "held_out_near_deterministic": ("held_out", 0.1, "last"),
    "train_grudge_near_deterministic": ("train", 0.1, "episode"),
    "held_out_grudge": ("held_out", 1.0, "episode"),
}
"""Coin Game pool name -> (split, concentration of the Beta draw, the co-players' memory): the
stage-1 presets' training pool, the evaluation's held-out pool, the same two as
``pool.tabular_concentration = 0.1`` draws them, and the grudge pools (``coin_reactive_grudge_*``:
the feature is "was my coin ever taken"): ``stage1_grudge``'s training pool and its extra
evaluation pool."""
MEMORY_LABELS = {"last": "the last round", "episode": "any round so far (grudge)"}
COLUMNS = ("best_response", "mean_response", "greedy", "own_coin", "knowing_worth")
PUBLIC_GOODS_POOLS: dict[str, dict[str, Any]] = {
    "stage1": {"split": "train"},
    "stage1_near_deterministic": {"split": "train", "concentration": 0.01},
    "stage1_conditional": {"split": "train", "conditional_fraction": 0.5},
    "stage1_conditional_only": {"split": "train", "conditional_fraction": 1.0},
    "stage1_conditional_r3": {"split": "train", "conditional_fraction": 1.0, "multiplier": 3.0},
    "stage1_conditional_r3_half": {
        "split": "train",
        "conditional_fraction": 0.5,
        "multiplier": 3.0,
    },
    "held_out": {"split": "held_out"},
    "held_out_r3": {"split": "held_out", "multiplier": 3.0},
}
"""Public goods pool name -> :func:`~co_players.public_goods_values.pool_values` settings: the
training pool of each stage-1 variant of ``experiments/public_goods.toml`` (N = 4, 100 rounds),
then the evaluation's held-out random co-players at r = 1.6 and r = 3."""
PUBLIC_GOODS_COLUMNS = (
    "best_response",
    "mean_response",
    "never_contribute",
    "always_contribute",
    "knowing_worth",
)
PUBLIC_GOODS_PLAYERS = 4
PUBLIC_GOODS_ROUNDS = 100
COIN_GAME_ROUNDS = DEFAULT_COIN_GAME_ROUNDS


def _record(settings: dict[str, Any], pools: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": 1,
        "schema": SCHEMA,
        "code": code_version(),
        "settings": settings,
        "pools": pools,
    }


def measure(samples: int = 256, seed: int = 0, progress: bool = False) -> dict[str, Any]:
    """Every Coin Game pool of :data:`POOLS`, in JSON form with the code and settings."""
    rounds, grid = COIN_GAME_ROUNDS, DEFAULT_GRID_SIZE
    pools = {}
    for name, (split, c, memory) in tqdm(POOLS.items(), desc="pools", disable=not progress):
        co_player = RandomReactive(split, concentration=c, memory=memory)
        values = reactive_pool_values(co_player, rounds, grid, samples=samples, seed=seed)
        pools[name] = {"split": split, "concentration": c, "memory": memory, **values}
    settings = {"game": "coin_game", "grid_size": grid, "rounds": rounds}
    return _record({**settings, "samples": samples, "seed": seed}, pools)


def measure_public_goods(samples: int = 4096, seed: int = 0) -> dict[str, Any]:
    """Every public goods pool of :data:`PUBLIC_GOODS_POOLS`, in JSON form."""
    n, rounds = PUBLIC_GOODS_PLAYERS, PUBLIC_GOODS_ROUNDS
    pools = {}
    for name, settings in PUBLIC_GOODS_POOLS.items():
        full = {"multiplier": 1.6, "concentration": 1.0, "conditional_fraction": 0.0, **settings}
        values = pool_values(n, rounds=rounds, samples=samples, seed=seed, **full)
        pools[name] = {**full, **values}
    settings = {"game": "public_goods", "num_players": n, "rounds": rounds}
    return _record({**settings, "samples": samples, "seed": seed}, pools)


def _cells(pool: dict[str, Any], columns: tuple[str, ...]) -> str:
    """The columns' means; the last (what knowing is worth) with its standard error."""
    cells = [f"{pool[key]:.3f}" for key in columns[:-1]]
    worth = columns[-1]
    cells.append(f"{pool[worth]:.3f} ± {pool[f'{worth}_se']:.3f}")
    return " | ".join(cells)


def _concentration(c: float) -> str:
    return "uniform" if c == 1.0 else f"c = {c:g}"


def _footnote(data: dict[str, Any], what: str, columns: tuple[str, ...], tail: str) -> str:
    """How the numbers were made, with the largest standard error of any mean in the table."""
    worst = max(pool[f"{key}_se"] for pool in data["pools"].values() for key in columns[:-1])
    return (
        f"\n\nReward per round of the learner's seat: exact against each of "
        f"{data['settings']['samples']} {what} drawn from the pool (seed "
        f"{data['settings']['seed']}), then averaged (standard errors of the means at most "
        f"{worst:.3f}; ± is the standard error of the difference); {tail}"
    )


def pool_values_table(path: Path = EVIDENCE) -> str:
    """The page's Coin Game table, from the committed JSON."""
    if not path.exists():
        return "(no pool values)"
    data = json.loads(path.read_text())
    rows = [
        "| co-players | Beta(c, c) | their feature: coin taken in | best response knowing the "
        "co-player | best response to the mean co-player | greedy | own coin only | knowing is "
        "worth at most |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, pool in data["pools"].items():
        memory = MEMORY_LABELS[pool.get("memory", "last")]  # recorded before the field: last
        rows.append(
            f"| `{name}` | {_concentration(pool['concentration'])} | {memory} | "
            f"{_cells(pool, COLUMNS)} |"
        )
    s = data["settings"]
    return "\n".join(rows) + _footnote(
        data,
        "co-players",
        COLUMNS,
        f"{s['grid_size']}x{s['grid_size']} grid, {s['rounds']} rounds; "
        "`co_players.coin_game_values`.",
    )


def public_goods_pool_values_table(path: Path = PUBLIC_GOODS_EVIDENCE) -> str:
    """The page's public goods table, from the committed JSON."""
    if not path.exists():
        return "(no pool values)"
    data = json.loads(path.read_text())
    rows = [
        "| co-players | r | conditional cooperators | Beta(c, c) | best response knowing the "
        "group | best response to the mean co-player | never contribute | always contribute | "
        "knowing is worth at most |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, pool in data["pools"].items():
        rows.append(
            f"| `{name}` ({pool['split']}) | {pool['multiplier']:g} | "
            f"{pool['conditional_fraction']:.0%} | {_concentration(pool['concentration'])} | "
            f"{_cells(pool, PUBLIC_GOODS_COLUMNS)} |"
        )
    s = data["settings"]
    what = f"groups of {s['num_players'] - 1} co-players"
    return "\n".join(rows) + _footnote(
        data,
        what,
        PUBLIC_GOODS_COLUMNS,
        f"N = {s['num_players']}, {s['rounds']} rounds; the best response sees every seat's "
        "last move; `co_players.public_goods_values`.",
    )


def main(argv: list[str] | None = None) -> int:
    """Compute the pools' values; print them and optionally write the evidence."""
    parser = argparse.ArgumentParser(
        prog="python -m baselines.pool_values", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--game", choices=("coin_game", "public_goods", "all"), default="all", help="which pools"
    )
    parser.add_argument(
        "--samples", type=int, default=None, help="co-players drawn per pool (256; groups: 4096)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true", help="write docs/results/<game>/...json")
    args = parser.parse_args(argv)
    if args.samples is not None and args.samples < 2:
        parser.error(f"--samples must be at least 2 (for a standard error); got {args.samples}")
    if args.seed < 0:
        parser.error(f"--seed must be non-negative; got {args.seed}")
    jobs = []
    if args.game in ("public_goods", "all"):
        data = measure_public_goods(args.samples or 4096, args.seed)
        jobs.append((data, PUBLIC_GOODS_COLUMNS, PUBLIC_GOODS_EVIDENCE))
    if args.game in ("coin_game", "all"):
        data = measure(args.samples or 256, args.seed, progress=True)
        jobs.append((data, COLUMNS, EVIDENCE))
    for data, columns, path in jobs:
        for name, pool in data["pools"].items():
            print(f"{name:<28} " + " ".join(f"{key}={pool[key]:.3f}" for key in columns))
        if args.write:
            print("wrote", write_json(path, data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
