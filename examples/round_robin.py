"""A round-robin of classic strategies on the batched core: the project's demo.

Every pair of strategies plays ``--episodes`` games of 100 rounds at once (one batched
``IteratedGame`` per pair); the table shows player 0's mean reward per round and both players'
cooperation rates.

Run:  python examples/round_robin.py --episodes 2000 --seed 0
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from co_players import make_co_player
from coop_envs.core import GAMES, IteratedGame

STRATEGIES = [
    "always_cooperate",
    "always_defect",
    "tit_for_tat",
    "win_stay_lose_shift",
    "suspicious_tit_for_tat",
    "random",
    "random_tabular",
]


def play(game, first: str, second: str, episodes: int, rng: np.random.Generator):
    """Play ``episodes`` games of ``first`` (player 0) vs ``second`` in one batch."""
    core = IteratedGame(game, batch_size=episodes)
    core.reset()
    players = [make_co_player(first), make_co_player(second)]
    for p in players:
        p.reset(core.game, episodes, rng)
    joint = np.empty((episodes, 2), dtype=np.int64)
    while not core.done:
        joint[:, 0] = players[0].act(core.codes[:, 0], rng)
        joint[:, 1] = players[1].act(core.codes[:, 1], rng)
        core.step(joint, validate=False)
    return core.returns.mean(axis=0) / core.num_rounds, core.cooperation_rate().mean(axis=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default="prisoners_dilemma", choices=list(GAMES))
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.episodes < 1:
        parser.error(f"--episodes must be positive; got {args.episodes}")
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    width = max(map(len, STRATEGIES))
    print(
        f"{args.game}: reward per round of the row strategy against the column strategy "
        f"({args.episodes} games of 100 rounds per cell, seed {args.seed})"
    )
    print(" " * width + "".join(f"{s[:10]:>11}" for s in STRATEGIES) + "   mean")
    rounds = 0
    for first in STRATEGIES:
        row = []
        for second in STRATEGIES:
            reward, _ = play(args.game, first, second, args.episodes, rng)
            row.append(reward[0])
            rounds += args.episodes * 100
        print(f"{first:<{width}}" + "".join(f"{r:>11.3f}" for r in row) + f"{np.mean(row):>7.3f}")
    print()
    print("cooperation rates (row, column) in self-play and against tit_for_tat:")
    for first, second in itertools.product(STRATEGIES, ["self", "tit_for_tat"]):
        other = first if second == "self" else second
        _, coop = play(args.game, first, other, args.episodes, rng)
        print(f"  {first:<{width}} vs {second:<12} {coop[0]:.2f} / {coop[1]:.2f}")
    seconds = time.perf_counter() - start
    print(f"\nplayed {rounds:,} rounds of the round-robin in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
