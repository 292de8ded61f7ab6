"""Experiments as data: a TOML manifest per experiment names its variants, seeds and purpose.

A *preset* (:mod:`baselines.config`, :mod:`baselines.ppi.config`) is a recipe; an *experiment*
(``experiments/<name>.toml``) says what was run with it and why. Each variant is a preset, dotted
overrides (optionally per seed), the seeds, a purpose, and whether it is *canonical* (a result the
docs stand on) or an exploration::

    purpose = "Stage 1: can an in-context best responder be trained on a CPU budget?"
    schema = 2                     # optional: the config schema it is written for (default:
                                   # the current one; an older one keeps its unset settings'
                                   # meaning, e.g. on-policy training before schema 3)

    [variants.fast]
    preset = "stage1_fast"
    seeds = [0, 1, 2, 3, 4]
    canonical = true
    purpose = "The CPU recipe (its deviations: baselines/config.py)."

    [variants.fast.overrides]      # optional: dotted settings on top of the preset
    "eval.episodes" = 2048

    [variants.fast.seed.4]         # optional: settings of one seed only
    "pool.init_seeds" = [4, 0]

A run of variant ``fast`` of experiment ``stage1`` is named ``stage1_fast`` (its directory:
``runs/stage1_fast_seed<S>``; ``pool.init_from = "stage1_fast"`` finds it), records
``experiment = "stage1/fast"`` in its config, and its evidence lives in
``docs/results/stage1/fast/seed<S>/`` (:mod:`baselines.report`).

``python -m baselines.experiments`` lists every experiment; ``show NAME`` its variants and the
command of every run; ``python -m baselines.train --experiment NAME/VARIANT --seed S`` runs one.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from baselines.config import PRESET_NAMES, TrainConfig, preset
from baselines.configs import ConfigError, with_overrides, with_schema
from baselines.general.config import GAME_PRESET_NAMES, GameTrainConfig, game_preset
from baselines.learning_aware.config import LA_PRESET_NAMES, LearningAwareConfig, la_preset
from baselines.ppi.config import PPI_PRESET_NAMES, PPIConfig, ppi_preset
from baselines.ppi.game_config import PPI_GAME_PRESET_NAMES, PPIGameConfig, ppi_game_preset
from baselines.run import ROOT, SCHEMA

EXPERIMENTS = ROOT / "experiments"
"""Where the manifests are (``<name>.toml``)."""
RESULTS = ROOT / "docs" / "results"
"""Where the evidence is (``<experiment>/<variant>/seed<N>/``)."""

_EXPERIMENT_KEYS = {"purpose", "variants", "schema"}
_VARIANT_KEYS = {
    "preset",
    "seeds",
    "canonical",
    "purpose",
    "overrides",
    "seed",
    "note",
    "retired",
    "summary",
}
SUMMARY_KEYS = {"order", "title", "paper", "verdict", "kind"}
"""A variant's row on the reproduction page's summary (``[variants.NAME.summary]``): its place,
title, what the paper reports, the verdict (words only: every number of the row is generated
from the evidence), and ``kind``, the shape of the generated result (see
:data:`baselines.report.SUMMARIES`)."""


AnyConfig = TrainConfig | PPIConfig | LearningAwareConfig | GameTrainConfig | PPIGameConfig
"""A run configuration of any algorithm."""


def preset_config(name: str) -> AnyConfig:
    """The preset ``name``, of whichever algorithm it belongs to.

    Raises:
        ConfigError: For an unknown name (listing every preset).
    """
    if name in PRESET_NAMES:
        return preset(name)
    if name in PPI_PRESET_NAMES:
        return ppi_preset(name)
    if name in LA_PRESET_NAMES:
        return la_preset(name)
    if name in GAME_PRESET_NAMES:
        return game_preset(name)
    if name in PPI_GAME_PRESET_NAMES:
        return ppi_game_preset(name)
    known = (
        *PRESET_NAMES,
        *PPI_PRESET_NAMES,
        *LA_PRESET_NAMES,
        *GAME_PRESET_NAMES,
        *PPI_GAME_PRESET_NAMES,
    )
    raise ConfigError(f"unknown preset {name!r}; known: {', '.join(known)}")


@dataclass(frozen=True)
class Variant:
    """One variant of an experiment (see the module docstring)."""

    experiment: str
    name: str
    preset: str
    seeds: tuple[int, ...]
    canonical: bool
    purpose: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    per_seed: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    note: str = ""
    """What else a reader must know (e.g. that a run's settings alone do not reproduce it)."""
    retired: Mapping[str, Any] = field(default_factory=dict)
    """Settings the variant's runs used that this version no longer has (its evidence records
    the commit that can run it); such a variant cannot be run by this version."""
    summary: Mapping[str, Any] = field(default_factory=dict)
    """Its row on the reproduction page's summary, if any (:data:`SUMMARY_KEYS`)."""
    schema: int = SCHEMA
    """The config schema its manifest is written for (``schema = N`` at the top; default the
    current one): settings it leaves unset mean what they meant then
    (:func:`baselines.configs.with_schema`)."""

    @property
    def ref(self) -> str:
        """``<experiment>/<variant>``."""
        return f"{self.experiment}/{self.name}"

    @property
    def run_name(self) -> str:
        """``<experiment>_<variant>``: its runs' name (``runs/<run_name>_seed<S>``)."""
        return f"{self.experiment}_{self.name}"

    def settings(self, seed: int) -> dict[str, Any]:
        """The dotted settings of seed ``seed`` on top of the preset (with seed and name)."""
        return {
            **self.overrides,
            **self.per_seed.get(seed, {}),
            "seed": seed,
            "experiment": self.ref,
        }

    def config(self, seed: int) -> AnyConfig:
        """The run configuration of seed ``seed``.

        Raises:
            ConfigError: For a variant with retired settings (naming them).
        """
        if self.retired:
            raise ConfigError(
                f"{self.ref} used settings this version no longer has ({dict(self.retired)}); "
                "run it with the commit its evidence records (config.json, code.commit)"
            )
        return with_schema(
            with_overrides(preset_config(self.preset), self.settings(seed)), self.schema
        )

    def command(self, seed: int) -> str:
        """The command line that runs seed ``seed``."""
        return f"python -m baselines.train --experiment {self.ref} --seed {seed}"

    def evidence(self, seed: int, results: Path = RESULTS) -> Path:
        """Where seed ``seed``'s evidence lives."""
        return results / self.experiment / self.name / f"seed{seed}"


@dataclass(frozen=True)
class Experiment:
    """An experiment manifest."""

    name: str
    purpose: str
    variants: dict[str, Variant]
    path: Path


def _seeds(value: Any, where: str) -> tuple[int, ...]:
    ok = (
        isinstance(value, list)
        and value
        and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in value)
    )
    if not ok:
        raise ConfigError(f"{where}: seeds must be a non-empty list of ints >= 0; got {value!r}")
    return tuple(value)


def _summary(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict) or (data and set(data) != SUMMARY_KEYS):
        raise ConfigError(f"{where}: summary needs exactly {sorted(SUMMARY_KEYS)}; got {data!r}")
    return {k: v if k == "order" else " ".join(str(v).split()) for k, v in data.items()}


def _variant(experiment: str, name: str, data: Any, where: str, schema: int = SCHEMA) -> Variant:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: [variants.{name}] must be a table; got {data!r}")
    unknown = set(data) - _VARIANT_KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown keys {sorted(unknown)} in variant {name!r}; allowed: "
            f"{sorted(_VARIANT_KEYS)}"
        )
    for key in ("preset", "seeds", "canonical", "purpose"):
        if key not in data:
            raise ConfigError(f"{where}: variant {name!r} needs {key!r}")
    if not isinstance(data["canonical"], bool):
        raise ConfigError(f"{where}: variant {name!r}: canonical must be true or false")
    per_seed = {}
    for seed, settings in data.get("seed", {}).items():
        if not seed.isdigit() or not isinstance(settings, dict):
            raise ConfigError(f"{where}: [variants.{name}.seed.{seed}] must be a seed's table")
        per_seed[int(seed)] = settings
    variant = Variant(
        experiment=experiment,
        name=name,
        preset=str(data["preset"]),
        seeds=_seeds(data["seeds"], f"{where}: variant {name!r}"),
        canonical=data["canonical"],
        purpose=" ".join(str(data["purpose"]).split()),
        overrides=dict(data.get("overrides", {})),
        per_seed=per_seed,
        note=" ".join(str(data.get("note", "")).split()),
        retired=dict(data.get("retired", {})),
        summary=_summary(data.get("summary", {}), f"{where}: variant {name!r}"),
        schema=schema,
    )
    stray = set(per_seed) - set(variant.seeds)
    if stray:
        raise ConfigError(
            f"{where}: variant {name!r} has settings for seeds {sorted(stray)} "
            f"it does not run ({list(variant.seeds)})"
        )
    for seed in () if variant.retired else variant.seeds:  # every run's config is built here
        try:
            variant.config(seed)
        except (ConfigError, ValueError, TypeError) as exc:
            raise ConfigError(f"{where}: variant {name!r}, seed {seed}: {exc}") from exc
    return variant


def load_experiment(name: str | Path, directory: Path = EXPERIMENTS) -> Experiment:
    """Read and check one manifest, by name (``stage1``) or path.

    Raises:
        ConfigError: For a missing file, bad TOML, unknown keys, an unknown preset or setting,
            or a setting that no run's configuration accepts.
    """
    path = Path(name) if str(name).endswith(".toml") else directory / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.toml")))
        raise ConfigError(f"no experiment manifest {str(path)!r}; known experiments: {known}")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{str(path)!r} is not valid TOML: {exc}") from exc
    unknown = set(data) - _EXPERIMENT_KEYS
    if unknown:
        raise ConfigError(
            f"{str(path)!r}: unknown keys {sorted(unknown)}; allowed: {sorted(_EXPERIMENT_KEYS)}"
        )
    variants = data.get("variants")
    if not isinstance(variants, dict) or not variants:
        raise ConfigError(f"{str(path)!r}: an experiment needs at least one [variants.NAME]")
    schema = data.get("schema", SCHEMA)
    if not isinstance(schema, int) or isinstance(schema, bool) or not 1 <= schema <= SCHEMA:
        raise ConfigError(
            f"{str(path)!r}: schema must be a config schema from 1 to {SCHEMA} (the one its "
            f"variants are written for); got {schema!r}"
        )
    name = path.stem
    return Experiment(
        name=name,
        purpose=" ".join(str(data.get("purpose", "")).split()),
        variants={v: _variant(name, v, d, str(path), schema) for v, d in variants.items()},
        path=path,
    )


def experiments(directory: Path = EXPERIMENTS) -> dict[str, Experiment]:
    """Every manifest, by name."""
    return {p.stem: load_experiment(p) for p in sorted(directory.glob("*.toml"))}


def variant(ref: str, directory: Path = EXPERIMENTS) -> Variant:
    """The variant ``<experiment>/<variant>``.

    Raises:
        ConfigError: For a malformed reference, or an unknown experiment or variant.
    """
    experiment, _, name = ref.partition("/")
    if not experiment or not name or "/" in name:
        raise ConfigError(f"an experiment variant is '<experiment>/<variant>'; got {ref!r}")
    found = load_experiment(experiment, directory)
    if name not in found.variants:
        raise ConfigError(
            f"experiment {experiment!r} has no variant {name!r}; its variants: "
            f"{', '.join(found.variants)}"
        )
    return found.variants[name]


def main(argv: list[str] | None = None) -> int:
    """``list`` the experiments, or ``show`` one (its variants and run commands)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("list", help="every experiment and its variants (the default)")
    p = commands.add_parser("show", help="an experiment's variants, purposes and run commands")
    p.add_argument("name", help="experiment name (experiments/<name>.toml) or NAME/VARIANT")
    args = parser.parse_args(argv)
    try:
        if args.command == "show":
            name, _, only = args.name.partition("/")
            found = load_experiment(name)
            print(f"{found.name}: {found.purpose}\n")
            for v in found.variants.values():
                if only and v.name != only:
                    continue
                tag = "canonical" if v.canonical else "exploration"
                print(f"[{v.ref}] preset {v.preset}, seeds {list(v.seeds)} ({tag})\n  {v.purpose}")
                for text in (v.note, f"retired settings: {dict(v.retired)}" if v.retired else ""):
                    if text:
                        print(f"  note: {text}")
                for seed in () if v.retired else v.seeds:
                    print(f"  {v.command(seed)}")
                print()
            return 0
        for found in experiments().values():
            print(f"{found.name}: {found.purpose}")
            for v in found.variants.values():
                tag = "canonical" if v.canonical else "exploration"
                print(f"  {v.ref:34s} {v.preset:22s} seeds {list(v.seeds)} ({tag})")
    except ConfigError as exc:
        print(f"error: {exc}")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
