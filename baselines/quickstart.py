"""The main job in one command: train an in-context agent on a small budget, then evaluate it.

``python -m baselines.quickstart`` trains a stage-1 learner with the CPU recipe (preset
``stage1_fast``: GRU-32, A2C, 256 episodes per update against random tabular co-players, half of
them near-deterministic) for ``--minutes`` minutes on the CPU, evaluates the result against
always-cooperate, always-defect, tit-for-tat and held-out random tabular co-players (with the
exact best response and the in-context regret), and prints where the log, plots and policy file
are. With the default 3 minutes (the number of updates, hence the result, depends on the
machine's speed) the agent exploits always-cooperate, defects against always-defect and is
learning to cooperate with tit-for-tat once it has inferred it; longer runs (``--minutes 12``)
meet the stage-1 criterion, as the reproduction page's ``stage1/fast`` (on-policy) and
``stage1/fast_overlap`` (overlapped, the trainer's default since config schema 3) runs show.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from baselines.config import preset
from baselines.configs import with_overrides
from baselines.evaluate import EvaluateConfig
from baselines.evaluate import main as evaluate_main


def main(argv: list[str] | None = None) -> int:
    """Train, evaluate, print. Returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="training budget")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="run directory (default: runs/quickstart/<date-time>)",
    )
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if not args.minutes > 0:
        parser.error(f"--minutes must be positive; got {args.minutes}")
    out = args.out or Path("runs") / "quickstart" / time.strftime("%Y%m%d-%H%M%S")
    config = with_overrides(
        preset("stage1_fast"),
        {
            "seed": args.seed,
            "out": out,
            "time_limit": args.minutes,
            "eval.episodes": 512,
            "progress": not args.no_progress,
        },
    )
    from baselines.trainer import Trainer

    print(f"training a stage-1 in-context agent for {args.minutes:g} min -> {out}")
    summary = Trainer(config).run()
    print(
        f"trained {summary['update']} updates, {summary['env_steps']:,} environment steps "
        f"({summary['env_steps_per_second']:,} steps/s)\n"
    )
    evaluate_main(EvaluateConfig(checkpoints=(out / "agent_0.pt",), episodes=512, seed=args.seed))
    print(f"\nrun directory: {out} (log.csv, training.png, in_episode.png, agent_0.pt)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
