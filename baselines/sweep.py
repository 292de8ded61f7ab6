"""``python -m baselines.sweep CONFIG.toml``: search trainer flags x seeds with Ray Tune.

A sweep config (TOML) names a base preset, the seeds, the flags every trial shares, and the
levers to vary::

    name = "stage1_levers"
    preset = "stage1"
    seeds = [0, 1]
    mode = "grid"              # every combination; or "random" with `samples` draws
    minutes = 10               # training-time budget of each trial
    criterion = "in_context_best_responder"
    [fixed]
    "policy.hidden" = 32
    batch_size = 256
    [levers]
    "algo.lr" = [1e-3, 5e-3]                                  # grid values
    "algo.entropy_coef" = {low = 1e-3, high = 3e-2, log = true}  # random mode only

Flags are the dotted setting names of :class:`~baselines.config.TrainConfig`, as in experiment
manifests (:func:`baselines.configs.with_overrides`; ``--help`` of ``baselines.train`` lists them,
with ``-`` instead of ``_``). Every trial's configuration is
built and validated before anything runs. Trials run with Ray Tune (optional extra ``sweep``),
locally with one trial per core by default, or on a cluster with ``--address``. Each trial
trains in ``<out>/trials/<trial>`` (resumable), and reports the time to criterion (update,
environment steps, seconds) on held-out evaluations. A crashed trial is recorded as failed with
its error and the sweep goes on. After Ctrl-C, run the same command again to resume. Results:
``<out>/results.csv``, ``results.json`` and ``criterion.png`` (time to criterion per lever).

``python -m baselines.sweep seeds --experiment EXPERIMENT/VARIANT [--seeds S ...]`` (or
``--preset NAME --seeds 0 1 2``) runs one recipe over several seeds, one Ray task per seed
(locally, or on a cluster with ``--address``; ``--sequential`` without Ray, with the same
results), each in ``runs/<name>_seed<S>`` (resumed if it exists), then writes the seed table the
reproduction page shows for it (``runs/<name>_seeds.md`` and ``.json``). For an experiment
variant it also collects each run's evidence into ``docs/results`` and, with ``--write``,
regenerates the page's tables from it (:mod:`baselines.report`).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import difflib
import itertools
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import tomllib

from baselines.checkpoints import write_json
from baselines.config import TrainConfig, preset
from baselines.configs import field_names, with_overrides
from baselines.criteria import CRITERIA

MODES = ("grid", "random")


class SweepConfigError(ValueError):
    """A sweep config is malformed; the message says what and where."""


@dataclasses.dataclass(frozen=True)
class Sweep:
    """A parsed, validated sweep."""

    name: str
    preset: str
    seeds: tuple[int, ...]
    mode: str
    samples: int
    minutes: float
    criterion: str
    fixed: dict[str, Any]
    levers: dict[str, Any]

    def trials(self) -> list[dict[str, Any]]:
        """The flag sets of every trial (levers x seeds), in a fixed order."""
        rng = np.random.default_rng(12345)
        if self.mode == "grid":
            names = list(self.levers)
            combos = [
                dict(zip(names, values, strict=True))
                for values in itertools.product(*(self.levers[n] for n in names))
            ]
        else:
            combos = []
            for _ in range(self.samples):
                combo = {}
                for name, space in self.levers.items():
                    if isinstance(space, list):
                        combo[name] = space[int(rng.integers(len(space)))]
                    else:
                        low, high = float(space["low"]), float(space["high"])
                        if space.get("log"):
                            value = math.exp(rng.uniform(math.log(low), math.log(high)))
                        else:
                            value = rng.uniform(low, high)
                        combo[name] = round(value, 8)
                combos.append(combo)
        return [{**self.fixed, **combo, "seed": seed} for combo in combos for seed in self.seeds]

    def config(self, flags: dict[str, Any], out: Path) -> TrainConfig:
        """The trial's training configuration."""
        base = preset(self.preset)
        flags = {
            **flags,
            "out": str(out),
            "time_limit": self.minutes,
            "progress": False,
            "threads": 1,
        }
        return with_overrides(base, flags)


SWEEP_FLAGS = frozenset(field_names(TrainConfig)) - {
    "out",
    "seed",
    "preset",
    "experiment",
    "time_limit",
    "progress",
    "resume",
}
"""The settings a sweep may fix or vary (the sweep itself sets the rest)."""


def _check_names(names: list[str]) -> None:
    for name in names:
        if name not in SWEEP_FLAGS:
            close = difflib.get_close_matches(name, sorted(SWEEP_FLAGS), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise SweepConfigError(f"unknown flag {name!r}{hint}")


def _check_lever(name: str, space: Any, mode: str) -> None:
    if isinstance(space, list):
        if not space:
            raise SweepConfigError(f"lever {name!r} has an empty list of values")
    elif isinstance(space, dict) and mode == "random":
        if not {"low", "high"} <= set(space) or not space["low"] < space["high"]:
            raise SweepConfigError(f"lever {name!r} needs low < high; got {space!r}")
        if space.get("log") and space["low"] <= 0:
            raise SweepConfigError(f"lever {name!r}: a log range needs low > 0")
    else:
        raise SweepConfigError(
            f"lever {name!r} must be a list of values"
            + (" or {low, high, log}" if mode == "random" else " in grid mode")
            + f"; got {space!r}"
        )


SWEEP_KEYS = (
    "name",
    "preset",
    "seeds",
    "mode",
    "samples",
    "minutes",
    "criterion",
    "fixed",
    "levers",
)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise SweepConfigError(f"sweep config {str(path)!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SweepConfigError(f"{str(path)!r} is not valid TOML: {exc}") from exc
    unknown = set(data) - set(SWEEP_KEYS)
    if unknown:
        raise SweepConfigError(
            f"unknown keys {sorted(unknown)} in {str(path)!r}; allowed: {sorted(SWEEP_KEYS)}"
        )
    return data


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep config; every trial's configuration is built once.

    Raises:
        SweepConfigError: For unknown flags, empty grids, bad values or a bad layout.
    """
    path = Path(path)
    data = _read(path)
    mode = data.get("mode", "grid")
    if mode not in MODES:
        raise SweepConfigError(f"mode must be one of {MODES}; got {mode!r}")
    criterion = data.get("criterion", "in_context_best_responder")
    if criterion not in CRITERIA:
        raise SweepConfigError(f"unknown criterion {criterion!r}; known: {', '.join(CRITERIA)}")
    seeds = data.get("seeds", [0])
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) for s in seeds):
        raise SweepConfigError(f"seeds must be a non-empty list of ints; got {seeds!r}")
    minutes = data.get("minutes", 10)
    if not isinstance(minutes, (int, float)) or minutes <= 0:
        raise SweepConfigError(f"minutes must be a positive number; got {minutes!r}")
    levers = data.get("levers", {})
    if not isinstance(levers, dict) or not levers:
        raise SweepConfigError("the sweep varies nothing: give at least one lever in [levers]")
    fixed = data.get("fixed", {})
    _check_names([*fixed, *levers])
    for name, space in levers.items():
        _check_lever(name, space, mode)
    samples = data.get("samples", 8)
    if mode == "random" and (not isinstance(samples, int) or samples < 1):
        raise SweepConfigError(f"samples must be a positive int; got {samples!r}")
    name = data.get("name", path.stem)
    try:
        sweep = Sweep(
            name,
            data.get("preset", "stage1"),
            tuple(seeds),
            mode,
            samples,
            float(minutes),
            criterion,
            fixed,
            levers,
        )
        for i, flags in enumerate(sweep.trials()):
            sweep.config(flags, Path("check") / str(i))
    except (TypeError, ValueError) as exc:
        raise SweepConfigError(f"a trial of {str(path)!r} is invalid: {exc}") from exc
    return sweep


def run_trial(flags: dict[str, Any], sweep: Sweep, directory: Path) -> dict[str, Any]:
    """Train one trial (resuming its run directory if it exists); return its results."""
    from baselines.trainer import Trainer

    out = directory / trial_name(flags)
    config = sweep.config(flags, out)
    if (out / "checkpoint.pt").exists():
        config = with_overrides(config, {"resume": True})
    summary = Trainer(config).run()
    ttc = summary["time_to_criterion"].get(f"l0/{sweep.criterion}")
    last = summary.get("last", {})
    return {
        "status": summary["status"],
        "update": summary["update"],
        "env_steps": summary["env_steps"],
        "seconds": summary["seconds"],
        "reached": ttc is not None,
        "criterion_update": ttc["update"] if ttc else None,
        "criterion_steps": ttc["env_steps"] if ttc else None,
        "criterion_seconds": ttc["seconds"] if ttc else None,
        **{k: v for k, v in last.items() if "/eval/" in k and k.startswith("l0/")},
    }


def trial_name(flags: dict[str, Any]) -> str:
    """A readable, unique directory name for a trial's flags."""
    parts = []
    for name, value in sorted(flags.items()):
        if name == "seed":
            continue
        parts.append(f"{name.split('.')[-1]}={value}")
    return ("_".join(parts) + f"_seed={flags['seed']}").replace("/", "-")[:200]


def _tune_function(sweep: Sweep, directory: Path):
    def trainable(config: dict[str, Any]) -> None:
        from ray import tune

        tune.report(run_trial(config["flags"], sweep, directory))

    return trainable


def run_sweep(
    sweep: Sweep, directory: Path, address: str | None = None, cpus: int | None = None
) -> list[dict[str, Any]]:
    """Run (or resume) every trial with Ray Tune; write the results; return them."""
    try:
        import ray
        from ray import tune
    except ImportError as exc:
        raise ImportError(
            "sweeps need the optional 'sweep' extra: pip install -c constraints.txt "
            "'coop-envs[sweep]'"
        ) from exc
    directory = directory.resolve()
    (directory / "trials").mkdir(parents=True, exist_ok=True)
    write_json(directory / "sweep.json", dataclasses.asdict(sweep), indent=2)
    if address:
        ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
    else:
        ray.init(
            num_cpus=cpus or os.cpu_count() or 1,
            include_dashboard=False,
            ignore_reinit_error=True,
            log_to_driver=False,
        )
    try:
        trainable = tune.with_resources(_tune_function(sweep, directory / "trials"), {"cpu": 1})
        experiment = directory / "tune"
        if tune.Tuner.can_restore(str(experiment)):
            tuner = tune.Tuner.restore(str(experiment), trainable, resume_unfinished=True)
        else:
            tuner = tune.Tuner(
                trainable,
                param_space={"flags": tune.grid_search(sweep.trials())},
                run_config=tune.RunConfig(
                    name="tune",
                    storage_path=str(directory),
                    verbose=1,
                    failure_config=tune.FailureConfig(max_failures=0),
                ),
            )
        grid = tuner.fit()
    finally:
        ray.shutdown()
    rows = []
    for result in grid:
        flags = (result.config or {}).get("flags", {})
        row = {"trial": trial_name(flags), **{f"flag:{k}": v for k, v in flags.items()}}
        if result.error is not None:
            row.update({"status": "failed", "error": str(result.error).splitlines()[-1][:500]})
        else:
            row.update(result.metrics or {})
            for key in (
                "timestamp",
                "time_this_iter_s",
                "time_total_s",
                "pid",
                "hostname",
                "node_ip",
                "time_since_restore",
                "iterations_since_restore",
                "training_iteration",
                "done",
                "trial_id",
                "date",
                "config",
                "checkpoint_dir_name",
                "should_checkpoint",
            ):
                row.pop(key, None)
        rows.append(row)
    write_results(rows, sweep, directory)
    return rows


def write_results(rows: list[dict[str, Any]], sweep: Sweep, directory: Path) -> None:
    """``results.csv``, ``results.json`` and ``criterion.png`` in the sweep directory."""
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    with (directory / "results.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)
    write_json(directory / "results.json", rows, indent=2, default=str)
    plot_results(rows, sweep, directory / "criterion.png")


def plot_results(rows: list[dict[str, Any]], sweep: Sweep, path: Path) -> None:
    """Seconds to criterion against each lever (trials that never reached it at the top)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levers = list(sweep.levers)
    fig, axes = plt.subplots(1, len(levers), figsize=(4.5 * len(levers), 3.6), squeeze=False)
    ceiling = sweep.minutes * 60
    for ax, lever in zip(axes[0], levers, strict=True):
        for row in rows:
            value = row.get(f"flag:{lever}")
            if value is None:
                continue
            reached = row.get("reached") is True
            seconds = row.get("criterion_seconds") if reached else ceiling
            marker = "o" if reached else ("x" if row.get("status") != "failed" else "s")
            ax.scatter([value], [seconds], marker=marker, color="C0" if reached else "C3")
        ax.axhline(ceiling, color="grey", lw=0.8, ls="--")
        ax.set_xlabel(lever)
        if isinstance(sweep.levers[lever], dict) and sweep.levers[lever].get("log"):
            ax.set_xscale("log")
        ax.set_ylabel(f"seconds to {sweep.criterion}")
        ax.grid(alpha=0.3)
    fig.suptitle(f"{sweep.name}: o reached, x not within {sweep.minutes:g} min, square failed")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, validate the sweep, run it (``seeds ...``: the seeds mode)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["seeds"]:
        return seeds_main(argv[1:])
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="python -m baselines.sweep seeds --help: one recipe over several seeds",
    )
    parser.add_argument("config", type=Path, help="sweep config (TOML)")
    parser.add_argument("--out", type=Path, default=None, help="default: sweeps/<name>")
    parser.add_argument("--address", default=None, help="Ray cluster address (default: local)")
    parser.add_argument("--cpus", type=int, default=None, help="local CPUs (one trial each)")
    args = parser.parse_args(argv)
    try:
        sweep = load_sweep(args.config)
    except SweepConfigError as exc:
        print(f"error: {exc}")
        return 2
    directory = args.out or Path("sweeps") / sweep.name
    trials = sweep.trials()
    print(f"sweep {sweep.name!r}: {len(trials)} trials of {sweep.minutes:g} min -> {directory}")
    rows = run_sweep(sweep, directory, args.address, args.cpus)
    reached = sum(1 for r in rows if r.get("reached") is True)
    failed = sum(1 for r in rows if r.get("status") == "failed")
    print(
        f"{reached}/{len(rows)} trials reached {sweep.criterion}; {failed} failed; "
        f"results in {directory / 'results.csv'}"
    )
    return 0


# ---------------------------------------------------------------------------------- seeds mode
def seed_variant(experiment: str | None, preset_name: str | None, seeds: list[int] | None):
    """The experiment variant to run over seeds (a preset becomes variant ``preset/<name>``).

    Raises:
        ValueError: Unless exactly one of ``experiment`` and ``preset_name`` is given, or for an
            unknown variant or preset, or bad seeds.
    """
    from baselines.experiments import Variant, preset_config, variant
    from coop_envs.core.validation import check_int

    if (experiment is None) == (preset_name is None):
        raise ValueError("seeds mode needs --experiment EXPERIMENT/VARIANT or --preset NAME")
    if experiment is not None:
        chosen = variant(experiment)
    else:
        preset_config(preset_name)  # unknown presets fail here, listing the known ones
        chosen = Variant("preset", preset_name, preset_name, (0, 1, 2), False, "seeds mode")
    if seeds is not None:
        if not seeds:
            raise ValueError("--seeds needs at least one seed")
        chosen = dataclasses.replace(
            chosen, seeds=tuple(check_int(s, "seed", 0, 2**32 - 1) for s in seeds)
        )
    return chosen


def seed_config(chosen: Any, seed: int, runs: Path) -> Any:
    """The run configuration of one seed, in ``runs/<name>_seed<S>`` (resumed if it exists)."""
    from baselines.run import run_directory

    out = run_directory(chosen.run_name, seed, runs)
    flags: dict[str, Any] = {"out": str(out), "progress": False, "threads": 1}
    if (out / "checkpoint.pt").exists() and not (out / "summary.json").exists():
        flags["resume"] = True
    base = chosen.config(seed) if chosen.experiment != "preset" else None
    if base is None:
        from baselines.experiments import preset_config

        base = with_overrides(preset_config(chosen.preset), {"seed": seed})
    return with_overrides(base, flags)


def run_seed(config: Any) -> dict[str, Any]:
    """Train one seed's run (a finished run is not run again); its summary."""
    from baselines.train import make_algorithm

    done = Path(config.run.out) / "summary.json"
    if done.exists():
        return json.loads(done.read_text())
    return make_algorithm(config).run()


def run_seeds(
    configs: list[Any], address: str | None = None, cpus: int | None = None, sequential=False
) -> list[dict[str, Any]]:
    """Every seed's run: in this process one after another, or as Ray tasks (one CPU each)."""
    if sequential:
        return [run_seed(config) for config in configs]
    try:
        import ray
    except ImportError as exc:
        raise ImportError(
            "seeds on Ray need the optional 'sweep' extra: pip install -c constraints.txt "
            "'coop-envs[sweep]' (or pass --sequential)"
        ) from exc
    started = not ray.is_initialized()
    if started and address:
        ray.init(address=address, log_to_driver=False)
    elif started:
        ray.init(num_cpus=cpus or os.cpu_count() or 1, include_dashboard=False, log_to_driver=False)
    try:
        task = ray.remote(num_cpus=1, max_retries=0)(run_seed)
        refs = [task.remote(config) for config in configs]
        from tqdm.auto import tqdm

        with tqdm(total=len(refs), desc="seeds", unit="run") as bar:
            pending = list(refs)
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                bar.update(len(done))
        return ray.get(refs)
    finally:
        if started:
            ray.shutdown()


def seed_runs(chosen: Any, runs: Path) -> list[Any]:
    """The finished runs of ``chosen`` under ``runs`` as :class:`baselines.report.Run` s."""
    from baselines.report import Run
    from baselines.run import run_directory

    found = []
    for seed in chosen.seeds:
        directory = run_directory(chosen.run_name, seed, runs)
        lines = [line for line in (directory / "evals.jsonl").read_text().splitlines() if line]
        summary = json.loads((directory / "summary.json").read_text())
        found.append(Run(chosen, seed, directory, summary, json.loads(lines[-1])))
    return found


def seed_table(chosen: Any, found: list[Any]) -> str:
    """The reproduction page's table for these runs (stage-1, pool or PPI layout)."""
    from baselines.experiments import PPI_PRESET_NAMES
    from baselines.report import pool_table, ppi_table, stage1_table

    runs = {chosen.ref: found}
    if chosen.preset in PPI_PRESET_NAMES:
        return ppi_table(runs, chosen.ref)
    opponents = {k for run in found for r in run.final["results"].values() for k in r}
    if any(k.startswith(("learner_", "frozen_")) for k in opponents):
        return pool_table(
            runs, chosen.ref, criterion=chosen.overrides.get("pool.tabular_fraction") != 0
        )
    return stage1_table(runs, chosen.ref)


def seeds_main(argv: list[str]) -> int:
    """``seeds``: one recipe over several seeds (Ray tasks), then its seed table."""
    from baselines.report import RESULTS, collect, write_tables

    parser = argparse.ArgumentParser(
        prog="python -m baselines.sweep seeds",
        description="Run one experiment variant or preset over several seeds; write its table.",
    )
    parser.add_argument("--experiment", default=None, help="EXPERIMENT/VARIANT (a manifest's)")
    parser.add_argument("--preset", default=None, help="a preset instead (runs preset_<name>)")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="default: its seeds")
    parser.add_argument("--address", default=None, help="Ray cluster address (default: local)")
    parser.add_argument("--cpus", type=int, default=None, help="local CPUs (one run each)")
    parser.add_argument("--sequential", action="store_true", help="one after another, no Ray")
    parser.add_argument("--runs", type=Path, default=Path("runs"), help="where runs go")
    parser.add_argument("--results", type=Path, default=RESULTS, help="evidence root")
    parser.add_argument("--write", action="store_true", help="regenerate docs/reproduction.md")
    args = parser.parse_args(argv)
    try:
        chosen = seed_variant(args.experiment, args.preset, args.seeds)
        configs = [seed_config(chosen, seed, args.runs) for seed in chosen.seeds]
    except (TypeError, ValueError) as exc:
        print(f"error: {exc}")
        return 2
    print(f"{chosen.ref}: seeds {list(chosen.seeds)} -> {args.runs}/{chosen.run_name}_seed<S>")
    run_seeds(configs, args.address, args.cpus, args.sequential)
    found = seed_runs(chosen, args.runs)
    if chosen.experiment != "preset":
        for run in found:
            print("collected", collect(run.directory, chosen.ref, results=args.results))
    table = seed_table(chosen, found)
    out = args.runs / f"{chosen.run_name}_seeds"
    out.with_suffix(".md").write_text(table + "\n")
    rows = [{"seed": r.seed, "summary": r.summary, "final": r.final} for r in found]
    write_json(out.with_suffix(".json"), {"variant": chosen.ref, "runs": rows}, indent=None)
    print(table)
    print(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.json')}")
    if args.write and chosen.experiment != "preset":
        print("rewrote tables:", ", ".join(write_tables(results=args.results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
