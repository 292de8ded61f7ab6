"""Transformer acting and learning cost against the GRU's, per update of the stage-1 CPU recipe.

One update of ``stage1_fast`` plays B = 256 episodes of T = 100 rounds round by round (the
policy's ``stepper``: no gradients) and then replays them once for the loss (forward and
backward). This benchmark times both halves for the GRU-32 and the transformer of width 32 (two
blocks, two heads), and, as the named peer of the transformer's acting, the key/value cache it
used before (``ConcatCacheStepper`` below: the cache grown by concatenation every round and the
fused attention kernel), all in the same run, alternating so that every row sees the same load;
each row is the best of ``--repeats``. One torch thread (the trainer's ``--threads 1``).

Prints a table and writes ``benchmarks/results/transformer_acting.json`` (git commit, schema).

Run:  python benchmarks/transformer_acting.py [--repeats N] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from baselines.policies import PolicyConfig, TransformerActorCritic, make_policy
from baselines.run import SCHEMA, code_version
from coop_envs.core import PRISONERS_DILEMMA

BATCH, ROUNDS, WIDTH = 256, 100, 32


class ConcatCacheStepper:
    """The transformer's acting before: the cache extended by ``torch.cat`` each round."""

    def __init__(self, policy: TransformerActorCritic, batch_size: int) -> None:
        self.policy = policy
        with torch.no_grad():
            self.table = policy.project(policy.input_table())
        self.caches: list[list[torch.Tensor]] = [[] for _ in policy.blocks]
        self.t = 0

    @torch.no_grad()
    def logits(self, index: torch.Tensor) -> torch.Tensor:
        p = self.policy
        x = (self.table[index] + p.position.weight[self.t]).unsqueeze(1)
        for block, cache in zip(p.blocks, self.caches, strict=True):
            q, k, v = block._split(x)
            if cache:
                k = torch.cat([cache[0], k], dim=2)
                v = torch.cat([cache[1], v], dim=2)
            cache[:] = [k, v]
            att = nn.functional.scaled_dot_product_attention(q, k, v)
            x = x + block.out(att.transpose(1, 2).reshape(x.shape))
            x = x + block.mlp(block.norm2(x))
        self.t += 1
        return p.heads(p.norm(x[:, 0]))[0]


def acting(make_stepper: Callable[[], object], index: torch.Tensor) -> Callable[[], None]:
    """One update's acting: a fresh stepper, one call per round."""

    def run() -> None:
        stepper = make_stepper()
        for t in range(index.shape[0]):
            stepper.logits(index[t])

    return run


def learning(policy: nn.Module, index: torch.Tensor) -> Callable[[], None]:
    """One update's replay for the loss: forward over the whole episodes and backward."""

    def run() -> None:
        logits, values = policy(index)
        (logits.logsumexp(-1).sum() + values.sum()).backward()
        policy.zero_grad(set_to_none=True)

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timings per row (best kept)")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "transformer_acting.json"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be a positive integer; got {args.repeats}")
    torch.set_num_threads(1)
    torch.manual_seed(0)
    index = torch.randint(0, 10, (ROUNDS, BATCH))
    gru = make_policy(PolicyConfig(hidden=WIDTH), PRISONERS_DILEMMA)
    transformer = make_policy(PolicyConfig(arch="transformer", hidden=WIDTH), PRISONERS_DILEMMA)
    # The peer must act exactly as the policy does, or its time says nothing.
    old, new = ConcatCacheStepper(transformer, BATCH), transformer.stepper(BATCH)
    for t in range(ROUNDS):
        torch.testing.assert_close(old.logits(index[t]), new.logits(index[t]))
    rows = {
        "GRU-32 acting": acting(lambda: gru.stepper(BATCH), index),
        "transformer-32 acting (preallocated cache)": acting(
            lambda: transformer.stepper(BATCH), index
        ),
        "transformer-32 acting (peer: concatenated cache)": acting(
            lambda: ConcatCacheStepper(transformer, BATCH), index
        ),
        "GRU-32 learning pass": learning(gru, index),
        "transformer-32 learning pass": learning(transformer, index),
    }
    best = dict.fromkeys(rows, float("inf"))
    for _ in range(args.repeats):
        for name, run in rows.items():  # alternating: every row sees the same load
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    ratios = {
        "acting_peer_over_preallocated": best["transformer-32 acting (peer: concatenated cache)"]
        / best["transformer-32 acting (preallocated cache)"],
        "transformer_update_over_gru_update": (
            best["transformer-32 acting (preallocated cache)"]
            + best["transformer-32 learning pass"]
        )
        / (best["GRU-32 acting"] + best["GRU-32 learning pass"]),
    }
    width = max(map(len, best))
    print(f"{'per update (B=256, T=100, 1 thread)':<{width}}  {'seconds':>8}")
    for name, seconds in best.items():
        print(f"{name:<{width}}  {seconds:>8.3f}")
    print(
        f"\nacting: the preallocated cache is {ratios['acting_peer_over_preallocated']:.2f}x "
        "faster than the concatenated one; a transformer update (acting + learning) costs "
        f"{ratios['transformer_update_over_gru_update']:.2f}x a GRU update"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "transformer_acting",
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "code": code_version(),
                "schema": SCHEMA,
                "machine": {
                    "python": platform.python_version(),
                    "torch": torch.__version__,
                    "cpu_count": os.cpu_count(),
                    "load_average_1_5_15": list(os.getloadavg()),
                },
                "shape": {"batch": BATCH, "rounds": ROUNDS, "width": WIDTH, "threads": 1},
                "seconds_per_update": best,
                "ratios": ratios,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
