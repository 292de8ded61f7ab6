"""What adapting to the co-players is worth in the games' co-player pools (exact, with JSON).

For each pool the trainers of the games beyond 2x2 train or evaluate on, the mean reward per
round of the best response to each co-player (group) knowing it, of the best type-blind policy,
and of fixed policies for scale (:func:`co_players.coin_game_values.reactive_pool_values`,
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

from baselines.run import SCHEMA, code_version
from co_players.coin_game import RandomReactive
from co_players.coin_game_values import reactive_pool_values
from co_players.public_goods_values import pool_values
from coop_envs.core.coin_game import DEFAULT_COIN_GAME_ROUNDS

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "results"
EVIDENCE = RESULTS / "coin_game" / "pool_values.json"
PUBLIC_GOODS_EVIDENCE = RESULTS / "public_goods" / "pool_values.json"
POOLS: dict[str, tuple[str, float]] = {
    "train": ("train", 1.0),
    "held_out": ("held_out", 1.0),
    "train_near_deterministic": ("train", 0.1),
    "held_out_near_deterministic": ("held_out", 0.1),
}
"""Pool name -> (split, concentration of the Beta draw): the stage-1 presets' training pool, the
evaluation's held-out pool, and the same two as ``pool.tabular_concentration = 0.1`` draws them."""
COLUMNS = ("best_response", "type_blind", "greedy", "own_coin", "inference_worth")
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
"""Pool name -> :func:`~co_players.public_goods_values.pool_values` settings: the training pool
of each stage-1 variant of ``experiments/public_goods.toml`` (N = 4, 100 rounds), then the
evaluation's held-out random co-players at r = 1.6 and r = 3."""
PUBLIC_GOODS_COLUMNS = (
    "best_response",
    "type_blind",
    "never_contribute",
    "always_contribute",
    "inference_worth",
)


def measure(samples: int = 256, seed: int = 0, progress: bool = False) -> dict[str, Any]:
    """Every pool of :data:`POOLS`, in JSON form with the code and settings."""
    pools = {}
    for name, (split, concentration) in tqdm(POOLS.items(), desc="pools", disable=not progress):
        co_player = RandomReactive(split, concentration=concentration)
        pools[name] = {
            "split": split,
            "concentration": concentration,
            **reactive_pool_values(co_player, samples=samples, seed=seed),
        }
    return {
        "format": 1,
        "schema": SCHEMA,
        "code": code_version(),
        "settings": {
            "game": "coin_game",
            "grid_size": 3,
            "rounds": DEFAULT_COIN_GAME_ROUNDS,
            "samples": samples,
            "seed": seed,
        },
        "pools": pools,
    }


def measure_public_goods(samples: int = 4096, seed: int = 0) -> dict[str, Any]:
    """Every pool of :data:`PUBLIC_GOODS_POOLS`, in JSON form with the code and settings."""
    pools = {}
    for name, settings in PUBLIC_GOODS_POOLS.items():
        full = {"multiplier": 1.6, "concentration": 1.0, "conditional_fraction": 0.0, **settings}
        pools[name] = {**full, **pool_values(samples=samples, seed=seed, **full)}
    return {
        "format": 1,
        "schema": SCHEMA,
        "code": code_version(),
        "settings": {
            "game": "public_goods",
            "num_players": 4,
            "rounds": 100,
            "samples": samples,
            "seed": seed,
        },
        "pools": pools,
    }


def public_goods_pool_values_table(path: Path = PUBLIC_GOODS_EVIDENCE) -> str:
    """The page's public goods table, from the committed JSON."""
    if not path.exists():
        return "(no pool values)"
    data = json.loads(path.read_text())
    rows = [
        "| co-players | r | conditional cooperators | Beta(c, c) | best response knowing the "
        "group | best type-blind policy | never contribute | always contribute | adapting is "
        "worth at most |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, pool in data["pools"].items():
        c = pool["concentration"]
        rows.append(
            f"| `{name}` ({pool['split']}) | {pool['multiplier']:g} | "
            f"{pool['conditional_fraction']:.0%} | {'uniform' if c == 1.0 else f'c = {c:g}'} | "
            + " | ".join(f"{pool[key]:.3f}" for key in PUBLIC_GOODS_COLUMNS)
            + " |"
        )
    s = data["settings"]
    return "\n".join(rows) + (
        f"\n\nReward per round of the learner's seat, exact for each of {s['samples']} groups of "
        f"{s['num_players'] - 1} co-players drawn from the pool (seed {s['seed']}; "
        f"N = {s['num_players']}, {s['rounds']} rounds), then averaged; the best response sees "
        "every seat's last move; `co_players.public_goods_values`."
    )


def pool_values_table(path: Path = EVIDENCE) -> str:
    """The page's table, from the committed JSON."""
    if not path.exists():
        return "(no pool values)"
    data = json.loads(path.read_text())
    rows = [
        "| co-players | Beta(c, c) | best response knowing the co-player | best type-blind "
        "policy | greedy | own coin only | adapting is worth at most |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, pool in data["pools"].items():
        c = pool["concentration"]
        rows.append(
            f"| `{name}` | {'uniform' if c == 1.0 else f'c = {c:g}'} | "
            + " | ".join(f"{pool[key]:.3f}" for key in COLUMNS)
            + " |"
        )
    s = data["settings"]
    return "\n".join(rows) + (
        f"\n\nReward per round of the learner's seat, exact for each of {s['samples']} co-players "
        f"drawn from the pool (seed {s['seed']}; {s['grid_size']}x{s['grid_size']} grid, "
        f"{s['rounds']} rounds), then averaged; `co_players.coin_game_values`."
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
    if args.samples is not None and args.samples < 1:
        parser.error(f"--samples must be at least 1; got {args.samples}")
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
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data, indent=1) + "\n")
            print("wrote", path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
