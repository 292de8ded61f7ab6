"""Evidence for the reproduction page: collect finished runs, regenerate the results tables.

``python -m baselines.report collect RUN_DIR [RUN_DIR ...]`` copies what backs a run's numbers
into ``docs/results/<run>/`` (config, log, summary, the final evaluation with its
within-episode curves, the small policy files and the plots). ``python -m baselines.report
tables [--write]`` rebuilds the tables of ``docs/reproduction.md`` from ``docs/results`` alone:
with ``--write`` it replaces the text between the ``<!-- results:NAME -->`` and
``<!-- /results:NAME -->`` markers. ``python -m baselines.report plots`` draws every seed of a
recipe in one figure (``docs/results/<recipe>_seeds.png``, ``mixed_pool_seeds.png``).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
from pathlib import Path
from typing import Any

from baselines.criteria import IN_CONTEXT_BEST_RESPONDER, MIXED_POOL_COOPERATION, Criterion

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "results"
PAGE = ROOT / "docs" / "reproduction.md"
FILES = ("config.json", "log.csv", "summary.json", "training.png", "in_episode.png")


def collect(run: Path, name: str | None = None, results: Path = RESULTS) -> Path:
    """Copy a finished run's evidence into ``results/<name>``; returns that directory."""
    run = Path(run)
    if not (run / "summary.json").exists():
        raise FileNotFoundError(f"{str(run)!r} has no summary.json: is it a finished run?")
    target = results / (name or run.name)
    target.mkdir(parents=True, exist_ok=True)
    for file in FILES:
        if (run / file).exists():
            shutil.copy(run / file, target / file)
    for policy in sorted(run.glob("agent_*.pt")):
        shutil.copy(policy, target / policy.name)
    lines = [line for line in (run / "evals.jsonl").read_text().splitlines() if line]
    (target / "final_eval.json").write_text(lines[-1] + "\n")
    return target


def load(results: Path = RESULTS) -> dict[str, dict[str, Any]]:
    """Every collected run: its config, summary and final evaluation."""
    runs = {}
    for directory in sorted(p for p in results.glob("*") if (p / "summary.json").exists()):
        runs[directory.name] = {
            "config": json.loads((directory / "config.json").read_text()),
            "summary": json.loads((directory / "summary.json").read_text()),
            "final": json.loads((directory / "final_eval.json").read_text()),
        }
    return runs


def _fmt(value: Any, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _matching(runs: dict[str, dict[str, Any]], prefixes: tuple[str, ...]) -> dict[str, Any]:
    """The runs named ``<prefix>seed<N>`` for one of ``prefixes``, in seed order."""
    pattern = re.compile(rf"^(?:{'|'.join(re.escape(p) for p in prefixes)})seed(\d+)$")
    found = {name: run for name, run in runs.items() if pattern.match(name)}
    return dict(
        sorted(
            found.items(),
            key=lambda kv: (kv[0].rsplit("_seed", 1)[0], int(pattern.match(kv[0])[1])),
        )
    )


def _tally(
    outcomes: list[tuple[bool, dict[str, float] | None]], criterion: Criterion, unit: str = "runs"
) -> str:
    """One sentence: how many of ``outcomes`` (final holds, time to criterion) pass."""
    if not outcomes:
        return ""
    final = sum(held for held, _ in outcomes)
    reached = [ttc["seconds"] / 60 for _, ttc in outcomes if ttc]
    text = (
        f"\n\n`{criterion.name}` holds at the final evaluation for **{final} of "
        f"{len(outcomes)} {unit}**; it held at some evaluation for {len(reached)} of "
        f"{len(outcomes)}"
    )
    if reached:
        reached.sort()
        text += f" (first after {reached[0]:.1f}–{reached[-1]:.1f} min of training)"
    return text + "."


def stage1_table(runs: dict[str, dict[str, Any]], *prefixes: str) -> str:
    """One row per run named ``<prefix>seed<N>``: the probes of its first learner."""
    lines = [
        "| run | updates | env steps | minutes | vs always-C | vs always-D | TFT coop 51-100 | "
        "vs random tabular | regret | criterion at |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    outcomes = []
    for name, run in _matching(runs, prefixes).items():
        summary, results = run["summary"], run["final"]["results"]["l0"]
        ttc = summary["time_to_criterion"].get("l0/in_context_best_responder")
        outcomes.append((IN_CONTEXT_BEST_RESPONDER.evaluate(results)[0], ttc))
        at = f"{ttc['seconds'] / 60:.1f} min" if ttc else "not reached"
        tab = results["random_tabular_held_out"]
        lines.append(
            f"| {name} | {summary['update']} | {summary['env_steps']:.2e} | "
            f"{summary['seconds'] / 60:.1f} | {_fmt(results['always_cooperate']['reward'])} | "
            f"{_fmt(results['always_defect']['reward'])} | "
            f"{_fmt(results['tit_for_tat']['cooperation_late'])} | {_fmt(tab['reward'], 3)} | "
            f"{_fmt(tab['regret'], 3)} | {at} |"
        )
    return "\n".join(lines) + _tally(outcomes, IN_CONTEXT_BEST_RESPONDER, "seeds")


def pool_table(runs: dict[str, dict[str, Any]], *prefixes: str, criterion: bool = True) -> str:
    """Learner-vs-learner and vs-tabular outcomes of multi-learner runs, one row per learner.

    With ``criterion`` (runs with tabular co-players), the mixed-pool criterion's time and tally.
    """
    lines = [
        "| run | updates | env steps | minutes | learner vs learner: reward / coop | "
        "vs random tabular: reward / coop | vs TFT coop 51-100 | criterion at |",
        "|---|---|---|---|---|---|---|---|",
    ]
    outcomes, runs_holding, runs_seen = [], 0, 0
    for name, run in _matching(runs, prefixes).items():
        summary = run["summary"]
        before = len(outcomes)
        for learner, results in run["final"]["results"].items():
            others = [k for k in results if k.startswith(("learner_", "frozen_"))]
            if not others:
                continue
            other = results[others[0]]
            tab = results["random_tabular_held_out"]
            ttc = summary["time_to_criterion"].get(f"{learner}/mixed_pool_cooperation")
            outcomes.append((MIXED_POOL_COOPERATION.evaluate(results)[0], ttc))
            at = f"{ttc['seconds'] / 60:.1f} min" if ttc else "not reached"
            if not criterion:
                at = "n/a"
            lines.append(
                f"| {name} ({learner}) | {summary['update']} | {summary['env_steps']:.2e} | "
                f"{summary['seconds'] / 60:.1f} | {_fmt(other['reward'])} / "
                f"{_fmt(other['cooperation'])} | {_fmt(tab['reward'])} / "
                f"{_fmt(tab['cooperation'])} | {_fmt(results['tit_for_tat']['cooperation_late'])}"
                f" | {at} |"
            )
        if len(outcomes) > before:
            runs_seen += 1
            runs_holding += all(held for held, _ in outcomes[before:])
    tally = ""
    if criterion and outcomes:
        tally = _tally(outcomes, MIXED_POOL_COOPERATION, "learners")
        tally += (
            f" Both learners of a run hold it at the end in **{runs_holding} of {runs_seen} runs**."
        )

    return "\n".join(lines) + tally


def exploiter_table(runs: dict[str, dict[str, Any]], *prefixes: str) -> str:
    """Stage 2: what a learner trained against a frozen agent earns, and leaves the agent."""
    lines = [
        "| run | updates | minutes | exploiter's reward | frozen agent's reward | "
        "exploiter's cooperation | frozen agent's cooperation | exploiter vs random tabular |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, run in _matching(runs, prefixes).items():
        summary, results = run["summary"], run["final"]["results"]["l0"]
        frozen = results["frozen_0"]
        lines.append(
            f"| {name} | {summary['update']} | {summary['seconds'] / 60:.1f} | "
            f"{_fmt(frozen['reward'])} | {_fmt(frozen['opponent_reward'])} | "
            f"{_fmt(frozen['cooperation'])} | {_fmt(frozen['opponent_cooperation'])} | "
            f"{_fmt(results['random_tabular_held_out']['reward'])} |"
        )
    return "\n".join(lines)


def ppi_table(runs: dict[str, dict[str, Any]], results: Path, *prefixes: str) -> str:
    """PPI runs, one row per learner: the world model's quality and the agent's probes."""
    from baselines.plotting import read_log

    lines = [
        "| run | phases | env steps | minutes | co-player-move loss (Laplace / entropy) | "
        "vs random tabular | vs always-C | vs always-D | TFT coop 51-100 | "
        "learner vs learner: reward / coop |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, run in _matching(runs, prefixes).items():
        summary = run["summary"]
        rows = [r for r in read_log(results / name) if "l0/model/observation_ce" in r]
        for learner, probes in run["final"]["results"].items():
            model = {k.rsplit("/", 1)[1]: v for k, v in rows[-1].items() if k.startswith(learner)}
            others = [k for k in probes if k.startswith("learner_")]
            pool = "—"
            if others:
                other = probes[others[0]]
                pool = f"{_fmt(other['reward'])} / {_fmt(other['cooperation'])}"
            lines.append(
                f"| {name} ({learner}) | {summary['update']} | {summary['env_steps']:.2e} | "
                f"{summary['seconds'] / 60:.1f} | {_fmt(model.get('observation_ce'), 3)} "
                f"({_fmt(model.get('observation_laplace'), 3)} / "
                f"{_fmt(model.get('observation_entropy'), 3)}) | "
                f"{_fmt(probes['random_tabular_held_out']['reward'])} | "
                f"{_fmt(probes['always_cooperate']['reward'])} | "
                f"{_fmt(probes['always_defect']['reward'])} | "
                f"{_fmt(probes['tit_for_tat']['cooperation_late'])} | {pool} |"
            )
    return "\n".join(lines)


POOL_PREFIXES = ("mixed_pool_fast_", "no_tabular_fast_", "id_ablation_fast_")
"""The mixed-pool recipe and its two ablations, in the order they are plotted."""
PPI_POOL_PREFIXES = ("ppi_mixed_pool_cpu_", "ppi_no_tabular_cpu_", "ppi_id_ablation_cpu_")
"""PPI's mixed pool and its two ablations (CPU budget)."""
PPI_SHARE05_PREFIXES = tuple(p.replace("_cpu_", "_share05_") for p in PPI_POOL_PREFIXES)
"""The same, with refits that replay as many pre-training games (``fit.pretrain_share=0.5``)."""
PPI_WINDOW_PREFIXES = tuple(p.replace("_cpu_", "_w2500_") for p in PPI_POOL_PREFIXES)
"""The same, each refit on the 2,500 most recent phase games only (``fit.window=2500``)."""
PPI_SUBSAMPLE_PREFIXES = tuple(p.replace("_cpu_", "_s2500_") for p in PPI_POOL_PREFIXES)
"""The same, each refit on 2,500 phase games drawn from all phases (``fit.subsample=2500``)."""

TABLES = {
    "stage1_paper": lambda runs, _: stage1_table(runs, "stage1_cpu_"),
    "stage1_fast": lambda runs, _: stage1_table(runs, "stage1_fast_"),
    "stage1_fast_id": lambda runs, _: stage1_table(runs, "stage1_fast_id_"),
    "stage2_fast": lambda runs, _: exploiter_table(runs, "stage2_fast_"),
    "stage3_fast": lambda runs, _: pool_table(runs, "stage3_fast_", criterion=False),
    "mixed_pool_paper": lambda runs, _: pool_table(runs, "mixed_pool_cpu_"),
    "mixed_pool_fast": lambda runs, _: pool_table(runs, "mixed_pool_fast_"),
    "ablations_fast": lambda runs, _: pool_table(runs, "no_tabular_fast_", "id_ablation_fast_"),
    "levers": lambda _, results: levers_table(results),
    "ppi_stage1_cpu": lambda runs, results: ppi_table(runs, results, "ppi_stage1_cpu_"),
    "ppi_pools_cpu": lambda runs, results: ppi_table(runs, results, *PPI_POOL_PREFIXES),
    "ppi_pools_share05": lambda runs, results: ppi_table(runs, results, *PPI_SHARE05_PREFIXES),
    "ppi_pools_w2500": lambda runs, results: ppi_table(runs, results, *PPI_WINDOW_PREFIXES),
    "ppi_pools_s2500": lambda runs, results: ppi_table(runs, results, *PPI_SUBSAMPLE_PREFIXES),
}
"""The tables of the reproduction page, by marker name: ``build(runs, results_dir)``."""


def levers_table(results: Path = RESULTS) -> str:
    """The lever runs of ``results/levers``: what each changed and where it got."""
    directory = results / "levers"
    if not (directory / "levers.json").exists():
        return "(no lever runs collected)"
    descriptions = json.loads((directory / "levers.json").read_text())
    lines = [
        "| run | change (GRU-32, A2C lr 5e-3, 256 episodes unless stated) | updates | minutes | "
        "TFT coop 51-100 | vs always-D | vs random tabular | learner vs learner: reward / coop | "
        "TFT >= 0.9 first at update |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, description in descriptions.items():
        path = directory / name / "log.csv"
        if not path.exists():
            continue
        with path.open() as f:
            rows = list(csv.DictReader(f))
        last = rows[-1]
        tft = "l0/eval/tit_for_tat/cooperation_late"
        first = next((r["update"] for r in rows if float(r.get(tft) or 0) >= 0.9), "never")
        pool = last.get("l0/eval/learner_1/cooperation")
        if pool not in (None, ""):
            pool = f"{float(last['l0/eval/learner_1/reward']):.2f} / {float(pool):.2f}"
        lines.append(
            f"| {name} | {description} | {last['update']} | {float(last['seconds']) / 60:.1f} | "
            f"{float(last[tft]):.2f} | {float(last['l0/eval/always_defect/reward']):.2f} | "
            f"{float(last['l0/eval/random_tabular_held_out/reward']):.3f} | "
            f"{'—' if pool in (None, '') else pool} | {first} |"
        )
    return "\n".join(lines)


def _eval_rows(
    rows: list[dict[str, float]], column: str, x: str = "seconds"
) -> tuple[list[float], list[float]]:
    """The x values (training minutes, or ``x`` itself) and ``column`` where it was logged."""
    kept = [r for r in rows if column in r]
    xs = [r[x] / 60 if x == "seconds" else r[x] for r in kept]
    return xs, [r[column] for r in kept]


def plot_stage1(results: Path = RESULTS, prefix: str = "stage1_fast_") -> Path | None:
    """``<prefix>seeds.png``: every seed's training curves and within-episode cooperation."""
    runs = _matching(load(results), (prefix,))
    if not runs:
        return None
    from baselines.plotting import plt, read_log, save

    fig, axes = plt.subplots(2, 3, figsize=(15, 8))
    panels = [
        ("l0/eval/tit_for_tat/cooperation_late", "cooperation with TFT, rounds 51-100", 0.9),
        ("l0/eval/random_tabular_held_out/reward", "reward vs held-out random tabular", 1.0),
        ("l0/eval/always_defect/reward", "reward vs always-defect", -0.1),
    ]
    probes = ("always_cooperate", "always_defect", "tit_for_tat")
    for i, (name, run) in enumerate(runs.items()):
        rows = read_log(results / name)
        label = name.rsplit("_", 1)[1]
        for ax, (column, title, threshold) in zip(axes[0], panels, strict=True):
            ax.plot(*_eval_rows(rows, column), color=f"C{i}", label=label)
            ax.axhline(threshold, color="grey", ls="--", lw=0.8)
            ax.set(title=title, xlabel="training minutes")
        final = run["final"]["results"]["l0"]
        for ax, probe in zip(axes[1], probes, strict=True):
            curve = final[probe]["cooperation_curve"]
            ax.plot(range(1, len(curve) + 1), curve, color=f"C{i}", label=label)
            ax.set(
                title=f"final agent: cooperation per round vs {probe.replace('_', ' ')}",
                xlabel="round",
                ylim=(-0.02, 1.02),
            )
    axes[0][0].legend(title="seed")
    fig.tight_layout()
    out = results / f"{prefix}seeds.png"
    return save(fig, out, dpi=90)


POOL_PANELS = (
    ("learner_{other}/cooperation", "learner vs learner: cooperation", 0.8),
    ("learner_{other}/reward", "learner vs learner: reward per round", 0.8),
    ("random_tabular_held_out/reward", "reward vs held-out random tabular", 0.95),
)
"""The A2C pool figure's panels: ``(column after l<i>/eval/, title, reference line)``."""
PPI_POOL_PANELS = (
    ("learner_{other}/cooperation", "learner vs learner: cooperation", 0.9),
    ("random_tabular_held_out/reward", "reward vs held-out random tabular", 0.9),
    ("tit_for_tat/cooperation_late", "cooperation with TFT, rounds 51-100", 0.9),
)
"""The PPI pool figure's panels (reference lines: the paper's ≈0.9 and the issue's 0.9)."""


def plot_pools(
    results: Path = RESULTS,
    prefixes: tuple[str, ...] = POOL_PREFIXES,
    name: str = "mixed_pool_seeds.png",
    panels: tuple[tuple[str, str, float], ...] = POOL_PANELS,
    x: str = "seconds",
) -> Path | None:
    """``results/<name>``: every learner of every run of a pool recipe and its ablations.

    One colour per prefix (recipe), one line per learner and seed; ``x`` is the log column on
    the horizontal axis (``seconds`` is drawn as training minutes, ``update`` is the phase of a
    PPI run). None if no run matches.
    """
    runs = load(results)
    if not any(_matching(runs, (prefix,)) for prefix in prefixes):
        return None
    from baselines.plotting import plt, read_log, save

    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4.5))
    xlabel = "training minutes" if x == "seconds" else ("phase" if x == "update" else x)
    for colour, prefix in enumerate(prefixes):
        for n, run in enumerate(_matching(runs, (prefix,))):
            rows = read_log(results / run)
            for learner, other in ((0, 1), (1, 0)):
                for ax, (column, title, threshold) in zip(axes, panels, strict=True):
                    column = f"l{learner}/eval/" + column.format(other=other)
                    label = prefix.rstrip("_") if n == 0 and learner == 0 else None
                    ax.plot(
                        *_eval_rows(rows, column, x),
                        color=f"C{colour}",
                        ls=("-", "--", ":")[colour % 3],
                        lw=1 if colour == 0 else 2,
                        label=label,
                    )
                    ax.axhline(threshold, color="grey", ls="--", lw=0.8)
                    ax.set(title=title, xlabel=xlabel)
    axes[0].legend()
    fig.tight_layout()
    return save(fig, results / name, dpi=90)


def plot_ppi_pools(
    results: Path = RESULTS,
    prefixes: tuple[str, ...] = PPI_POOL_PREFIXES,
    name: str = "ppi_pools_seeds.png",
) -> Path | None:
    """``results/<name>``: PPI's mixed pool and ablations (default: the CPU recipe), by phase."""
    return plot_pools(results, prefixes, name, PPI_POOL_PANELS, "update")


def write_tables(page: Path = PAGE, results: Path = RESULTS) -> list[str]:
    """Replace every marked table of ``page``; returns the names replaced."""
    runs = load(results)
    text = page.read_text()
    replaced = []
    for name, build in TABLES.items():
        pattern = re.compile(
            rf"(<!-- results:{name} -->\n)(?:.*?\n)?(<!-- /results:{name} -->)", re.DOTALL
        )
        if pattern.search(text):
            table = build(runs, results)
            text = pattern.sub(lambda m, t=table: m.group(1) + t + "\n" + m.group(2), text)
            replaced.append(name)
    page.write_text(text)
    return replaced


def main(argv: list[str] | None = None) -> int:
    """``collect`` runs or regenerate the ``tables``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("collect", help="copy finished runs into docs/results")
    p.add_argument("runs", type=Path, nargs="+")
    p.add_argument("--results", type=Path, default=RESULTS)
    p = commands.add_parser("plots", help="seed-overlay figures into docs/results")
    p.add_argument("--results", type=Path, default=RESULTS)
    p = commands.add_parser("tables", help="print (or --write) the reproduction tables")
    p.add_argument("--write", action="store_true", help=f"update {PAGE.relative_to(ROOT)}")
    p.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.command == "collect":
        for run in args.runs:
            print("collected", collect(run, results=args.results))
        return 0
    if args.command == "plots":
        for prefix in ("stage1_fast_", "stage1_fast_id_", "stage1_cpu_"):
            print("wrote", plot_stage1(args.results, prefix))
        print("wrote", plot_pools(args.results))
        print("wrote", plot_ppi_pools(args.results))
        print("wrote", plot_ppi_pools(args.results, PPI_WINDOW_PREFIXES, "ppi_pools_w2500.png"))
        print("wrote", plot_ppi_pools(args.results, PPI_SUBSAMPLE_PREFIXES, "ppi_pools_s2500.png"))
        return 0
    if args.write:
        print("rewrote tables:", ", ".join(write_tables(results=args.results)))
        return 0
    runs = load(args.results)
    for name, build in TABLES.items():
        print(f"## {name}\n\n{build(runs, args.results)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
