"""``python -m baselines.train --preset NAME --seed S --out DIR``: train in-context agents.

Every field of :class:`baselines.config.TrainConfig` is a flag (``--help`` lists them all);
``--preset`` picks the defaults (the paper's experiments and their ``*_cpu`` budget variants) and
the other flags override them. ``ppi_*`` presets run Predictive Policy Improvement instead of
A2C/PPO (:mod:`baselines.ppi`; their flags are those of :class:`baselines.ppi.PPIConfig`).
The run directory gets ``config.json``, ``log.csv``, ``evals.jsonl``, ``checkpoint.pt``
(resumable with ``--resume``), ``agent_<i>.pt`` (one policy file per learner),
``training.png``, ``in_episode.png`` and ``summary.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import tyro

from baselines.config import PRESETS, TrainConfig, preset
from baselines.ppi.config import PPI_PRESETS, PPIConfig


def parse(argv: Sequence[str] | None = None) -> TrainConfig | PPIConfig:
    """Build the configuration from the command line (``--preset`` first, then overrides)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--preset", default="stage1")
    known, _ = pre.parse_known_args(argv)
    names = [*PRESETS, *PPI_PRESETS]
    if known.preset not in names:
        raise SystemExit(
            f"error: unknown preset {known.preset!r}; known presets: {', '.join(names)}"
        )
    description = (__doc__ or "").split("\n\n")[0] + f"\n\nPresets: {', '.join(names)}."
    if known.preset in PPI_PRESETS:
        return tyro.cli(
            PPIConfig, default=PPI_PRESETS[known.preset], args=argv, description=description
        )
    return tyro.cli(TrainConfig, default=preset(known.preset), args=argv, description=description)


def main(config: TrainConfig | PPIConfig) -> int:
    """Run the training; print the summary. Returns the exit status."""
    if isinstance(config, PPIConfig):
        from baselines.ppi.trainer import PPITrainer as Trainer
    else:
        from baselines.trainer import Trainer

    trainer = Trainer(config)
    summary = trainer.run()
    print(json.dumps({k: v for k, v in summary.items() if k != "last"}, indent=2))
    print(f"run directory: {trainer.dir}")
    if summary["status"] == "interrupted":
        print(f"interrupted: resume with --out {trainer.dir} --resume")
    return 0


def cli() -> int:
    """Console-script entry point (``coop-train``)."""
    return main(parse())


if __name__ == "__main__":
    raise SystemExit(cli())
