"""``python -m baselines.train --preset NAME --seed S``: train in-context agents (or baselines).

Every field of the preset's configuration is a flag (``--help`` lists them all): A2C/PPO
presets take :class:`baselines.config.TrainConfig`, ``ppi_*`` presets run Predictive Policy
Improvement (:class:`baselines.ppi.PPIConfig`), and the learning-aware presets (``naive_exact``,
``lola_exact``, ``lola_naive_exact``, ``naive_dice``, ``lola_dice``, ``mfos``, ``mfos_cpu``) run
:mod:`baselines.learning_aware`, whose agent files are memory-one vectors ``agent_<i>.json``, and
the presets of the games beyond 2x2 (``<experiment>_public_goods_fast``,
``<experiment>_coin_game_fast``) run :mod:`baselines.general`; PPI on public goods
(``ppi_stage1_public_goods_cpu``, ``ppi_mixed_pool_public_goods_cpu``) runs
:class:`baselines.ppi.game_config.PPIGameConfig`.
``--preset`` picks the defaults and the other flags override them; ``--experiment NAME/VARIANT``
runs a variant of an experiment manifest (``experiments/NAME.toml``: a preset, its overrides and
seeds; ``python -m baselines.experiments`` lists them) and names the run after it; ``--deviations``
prints what the preset changes from the paper's recipe and exits. The run directory gets
``config.json`` (with the schema version and git commit), ``log.csv``, ``evals.jsonl``,
``checkpoint.pt`` (resumable with ``--resume``), ``agent_<i>.pt`` (one agent file per learner),
``training.png``, ``in_episode.png`` and ``summary.json``. Bad input (a setting, a file, a run
directory) is reported in one line; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import tyro

from baselines.cli import run_cli
from baselines.config import PRESET_NAMES, TrainConfig, deviations
from baselines.configs import ConfigError
from baselines.experiments import preset_config, variant
from baselines.general.config import GAME_PRESET_NAMES, GameTrainConfig, game_deviations
from baselines.learning_aware.config import LA_OWN, LA_PRESET_NAMES, la_deviations
from baselines.ppi.config import PPI_PRESET_NAMES, PPIConfig, ppi_deviations
from baselines.ppi.game_config import (
    PPI_GAME_PRESET_NAMES,
    PPIGameConfig,
    ppi_game_deviations,
)
from baselines.run import Algorithm


def parse(argv: Sequence[str] | None = None) -> TrainConfig | PPIConfig | PPIGameConfig:
    """Build the configuration from the command line (preset or experiment, then flags).

    Raises:
        SystemExit: For an unknown preset or experiment, or bad flags (with the message).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--preset", default=None)
    pre.add_argument("--experiment", default=None)
    pre.add_argument("--seed", type=int, default=0)
    pre.add_argument("--deviations", action="store_true")
    known, _ = pre.parse_known_args(argv)
    argv = [a for a in argv if a != "--deviations"]
    names = [
        *PRESET_NAMES,
        *PPI_PRESET_NAMES,
        *LA_PRESET_NAMES,
        *GAME_PRESET_NAMES,
        *PPI_GAME_PRESET_NAMES,
    ]
    try:
        if known.experiment is not None:
            chosen = variant(known.experiment)
            if known.preset not in (None, chosen.preset):
                raise ConfigError(
                    f"--experiment {chosen.ref} runs preset {chosen.preset!r}; got --preset "
                    f"{known.preset!r}"
                )
            name = chosen.preset
            default = chosen.config(known.seed)
        else:
            name = known.preset or "stage1"
            default = preset_config(name)
    except ConfigError as exc:
        raise SystemExit(f"error: {exc}") from None
    if known.deviations:
        base, changes = (
            ppi_deviations
            if name in PPI_PRESET_NAMES
            else la_deviations
            if name in LA_PRESET_NAMES
            else game_deviations
            if name in GAME_PRESET_NAMES
            else ppi_game_deviations
            if name in PPI_GAME_PRESET_NAMES
            else deviations
        )(name)
        lines = [f"{name}: the paper's {base} with"] + [
            f"  {k} = {v!r}" for k, v in changes.items()
        ]
        if name in LA_OWN:
            raise SystemExit(
                f"{name}: our own recipe (no paper setting to deviate from; "
                "docs/learning_aware.md lists what differs from the paper)"
            )
        raise SystemExit("\n".join(lines if changes else [f"{name}: the paper's recipe"]))
    description = (
        (__doc__ or "").split("\n\n")[0].replace("``", "")
        + "\n\n--experiment NAME/VARIANT runs a variant of experiments/NAME.toml; --deviations "
        + "prints what the preset changes from the paper.\n\nRecommended on a CPU (measured "
        + "recipes, docs/reproduction.md): "
        + ", ".join(
            n
            for n in names
            if n.endswith("_fast") or (n.endswith("_cpu") and n in PPI_PRESET_NAMES)
        )
        + f".\n\nAll presets: {', '.join(names)}."
    )
    cls = type(default)  # TrainConfig, PPIConfig or a learning-aware config
    return tyro.cli(cls, default=default, args=argv, description=description)


def make_algorithm(config: TrainConfig | PPIConfig | PPIGameConfig) -> Algorithm:
    """The trainer of ``config``'s algorithm."""
    if isinstance(config, PPIConfig):
        from baselines.ppi.trainer import PPITrainer

        return PPITrainer(config)
    if isinstance(config, PPIGameConfig):
        from baselines.ppi.game_trainer import PPIGameTrainer

        return PPIGameTrainer(config)
    if isinstance(config, GameTrainConfig):
        from baselines.general.trainer import GameTrainer

        return GameTrainer(config)
    if not isinstance(config, TrainConfig):  # a learning-aware preset (baselines.learning_aware)
        from baselines.learning_aware.trainer import make_learning_aware

        return make_learning_aware(config)
    from baselines.trainer import Trainer

    return Trainer(config)


def main(config: TrainConfig | PPIConfig | PPIGameConfig) -> int:
    """Run the training; print the summary. Returns the exit status."""
    trainer = make_algorithm(config)
    summary = trainer.run()
    print(json.dumps({k: v for k, v in summary.items() if k != "last"}, indent=2))
    print(f"run directory: {trainer.dir}")
    if summary["status"] == "interrupted":
        print(f"interrupted: resume with --out {trainer.dir} --resume")
    return 0


def cli(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point (``coop-train``): bad input is one line, unless ``--debug``."""
    return run_cli(lambda args: main(parse(args)), argv)


if __name__ == "__main__":
    raise SystemExit(cli())
