"""What adapting to the co-player is worth in the Coin Game's co-player pools (exact, with JSON).

For each pool of random reactive co-players the trainers use or evaluate on, the mean reward per
round of the best response to each co-player knowing it, of the best type-blind policy, and of
the two scripted bots (:func:`co_players.coin_game_values.reactive_pool_values`). The page's
table reads the committed JSON (``docs/results/coin_game/pool_values.json``)::

    python -m baselines.pool_values --write      # about a minute per pool on one core
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
from coop_envs.core.coin_game import DEFAULT_COIN_GAME_ROUNDS

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "docs" / "results" / "coin_game" / "pool_values.json"
POOLS: dict[str, tuple[str, float]] = {
    "train": ("train", 1.0),
    "held_out": ("held_out", 1.0),
    "train_near_deterministic": ("train", 0.1),
    "held_out_near_deterministic": ("held_out", 0.1),
}
"""Pool name -> (split, concentration of the Beta draw): the stage-1 presets' training pool, the
evaluation's held-out pool, and the same two as ``pool.tabular_concentration = 0.1`` draws them."""
COLUMNS = ("best_response", "type_blind", "greedy", "own_coin", "inference_worth")


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
    parser.add_argument("--samples", type=int, default=256, help="co-players drawn per pool")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true", help=f"write {EVIDENCE.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.samples < 1:
        parser.error(f"--samples must be at least 1; got {args.samples}")
    data = measure(args.samples, args.seed, progress=True)
    for name, pool in data["pools"].items():
        print(f"{name:<28} " + " ".join(f"{key}={pool[key]:.3f}" for key in COLUMNS))
    if args.write:
        EVIDENCE.parent.mkdir(parents=True, exist_ok=True)
        EVIDENCE.write_text(json.dumps(data, indent=1) + "\n")
        print("wrote", EVIDENCE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
