"""Evidence for the reproduction page: collect finished runs, regenerate its tables and figures.

The evidence of a run of experiment variant ``<experiment>/<variant>`` (a manifest in
``experiments/``, :mod:`baselines.experiments`), seed ``S``, lives in
``docs/results/<experiment>/<variant>/seed<S>/``: ``config.json`` (with the schema version and
the git commit), ``log.csv``, ``summary.json``, ``final_eval.json`` (the last evaluation with its
within-episode curves), for the games beyond 2x2 ``precise_eval.json`` (the final agents
re-evaluated with many episodes), any ``diagnose_*.json``, and — for canonical variants only —
the agent files (small: they are what the leaderboard's reference entries and cross-play load).
Plots are not kept: they are drawn again from these files.

- ``python -m baselines.report collect RUN_DIR [RUN_DIR ...]`` copies a finished run's evidence
  to its place (the run's config names its experiment variant; ``--variant`` for one that
  does not);
- ``python -m baselines.report tables [--write]`` rebuilds the tables of ``docs/reproduction.md``
  from the evidence alone (with ``--write``, between the ``<!-- results:NAME -->`` and
  ``<!-- /results:NAME -->`` markers); each table selects its runs by experiment variant;
- ``python -m baselines.report precise [EVIDENCE_DIR ...]`` re-evaluates the agents of games
  beyond 2x2 with many episodes (``collect`` does it for new runs);
- ``python -m baselines.report plots`` draws the figures the docs embed into ``docs/figures/``;
- ``python -m baselines.report run-plots EVIDENCE_DIR --out DIR`` draws one run's own
  ``training.png`` and ``in_episode.png``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baselines.checkpoints import write_json
from baselines.criteria import IN_CONTEXT_BEST_RESPONDER, MIXED_POOL_COOPERATION, Criterion
from baselines.crossplay import crossplay_figures, crossplay_table
from baselines.experiments import EXPERIMENTS, RESULTS, Variant, experiments, variant
from baselines.general.trainer import reference_curve
from baselines.panel import panel_table
from baselines.pool_values import pool_values_table, public_goods_pool_values_table
from baselines.records import read_record
from baselines.run import ROOT, code_version

PAGE = ROOT / "docs" / "reproduction.md"
FIGURES = ROOT / "docs" / "figures"
FILES = ("config.json", "log.csv", "summary.json")


@dataclass(frozen=True)
class Run:
    """One run's evidence."""

    variant: Variant
    seed: int
    directory: Path
    summary: dict[str, Any]
    final: dict[str, Any]
    precise: dict[str, Any] = field(default_factory=dict)
    """The precise re-evaluation (``precise_eval.json``; empty where there is none)."""

    @property
    def label(self) -> str:
        """``<experiment>_<variant>_seed<S>``: the run's name, as its directory was called."""
        return f"{self.variant.run_name}_seed{self.seed}"


def collect(
    run: Path,
    ref: str | None = None,
    results: Path = RESULTS,
    manifests: Path = EXPERIMENTS,
    precise_episodes: int | None = None,
) -> Path:
    """Copy a finished run's evidence to ``results/<experiment>/<variant>/seed<S>/``.

    Args:
        run: The run directory.
        ref: Its experiment variant, if its config names none (a run made from a preset).
        results: The evidence root.
        manifests: Where the experiment manifests are.
        precise_episodes: Games per co-player of the precise re-evaluation of a game beyond 2x2
            (:func:`evaluate_precisely`; default: its game's :data:`PRECISE_EPISODES`).

    Returns:
        The evidence directory.

    Raises:
        FileNotFoundError: If the run is not finished (no ``summary.json``).
        ValueError: If no experiment variant names it, or the variant is unknown.
    """
    run = Path(run)
    if not (run / "summary.json").exists():
        raise FileNotFoundError(f"{str(run)!r} has no summary.json: is it a finished run?")
    record = read_record(run)
    ref = ref or record.get("experiment")
    if ref is None:
        raise ValueError(
            f"{str(run)!r} belongs to no experiment variant (it was started from a preset): "
            "pass --variant EXPERIMENT/VARIANT, after adding it to experiments/EXPERIMENT.toml"
        )
    chosen = variant(ref, manifests)
    seed = record["config"]["run"]["seed"]
    target = chosen.evidence(seed, results)
    target.mkdir(parents=True, exist_ok=True)
    for file in FILES:
        shutil.copy(run / file, target / file)
    for extra in sorted(run.glob("diagnose_*.json")):
        shutil.copy(extra, target / extra.name)
    if chosen.canonical:  # .pt: recurrent agents; .json: memory-one vectors (learning-aware)
        for agent in sorted([*run.glob("agent_*.pt"), *run.glob("agent_*.json")]):
            shutil.copy(agent, target / agent.name)
    lines = [line for line in (run / "evals.jsonl").read_text().splitlines() if line]
    (target / "final_eval.json").write_text(lines[-1] + "\n")
    also = PRECISE_ALSO.get(chosen.ref, ())
    evaluate_precisely(run, chosen.config(seed), target, precise_episodes, also)
    return target


PRECISE = "precise_eval.json"
PRECISE_EPISODES = {"coin_game": 65_536, "public_goods": 16_384}
"""Games per co-player of the precise re-evaluation, per game. The training's evaluations play
1-2 thousand games: enough for a reward, not always for an in-episode gain of a few hundredths
per round. Measured (one agent, the gain with round 1 left out, standard deviation over
evaluation seeds): Coin Game stage 1, 0.013 at 2,048 games (10 seeds), 0.001 at 65,536 (4);
public goods stage 1, 0.004 at 1,024 (8), 0.002 at 16,384 (3)."""
PRECISE_EPISODES_PLANNING = 1_024
"""Games per co-player of the precise re-evaluation of agents that plan every move (PPI, whose
evaluations during training play 64): imagined rollouts cost 10-20 ms a game (100 rounds of
public goods) on one core, so 16,384 games would take minutes per co-player."""


R3_HALF = (
    "stage1_conditional_r3_half",
    "mixed_pool_from_stage1_r3_half",
    "no_tabular_from_stage1_r3_half",
)
"""The public-goods variants trained in the r = 3 half-conditional pool (the table
``public_goods_r3_half`` replays them against the held-out half of that pool)."""
PRECISE_ALSO: dict[str, tuple[str, ...]] = {
    "coin_game/stage1_near_deterministic": ("coin_reactive_near_deterministic_held_out",),
    **{f"public_goods/{v}": ("random_reactive_conditional_held_out",) for v in R3_HALF},
}
"""Per experiment variant: co-players its precise re-evaluation plays besides the run's own
evaluation co-players (a pool added after the runs: the held-out half of the pool they trained
on, drawn the same way)."""


def evaluate_precisely(
    agents: Path,
    config: Any,
    target: Path,
    episodes: int | None = None,
    also: Sequence[str] = (),
) -> Path | None:
    """Re-evaluate the final agents of a run of a game beyond 2x2 with many episodes.

    Each ``agent_<i>.pt`` in ``agents`` plays the run's evaluation co-players (its config's
    ``evaluation_co_players``, with its evaluation seed), then the co-players ``also``,
    ``episodes`` games each (default :data:`PRECISE_EPISODES` of its game, or
    :data:`PRECISE_EPISODES_PLANNING` for agents that plan); the results go to
    ``target/precise_eval.json`` with the code version. Returns that file, or None for runs of
    the matrix games and runs without agent files.
    """
    game = getattr(getattr(config, "game", None), "name", None)
    files = sorted(Path(agents).glob("agent_*.pt"))
    if game not in PRECISE_EPISODES or not files:
        return None
    from baselines.evaluate import evaluate_game_agent
    from baselines.evaluation import results_to_dict

    if episodes is None:  # a PPI run's config has its planner's
        episodes = (
            PRECISE_EPISODES_PLANNING if hasattr(config, "planning") else PRECISE_EPISODES[game]
        )
    seed = config.run.eval.seed
    co_players = [*config.evaluation_co_players]
    co_players += [name for name in also if name not in co_players]
    results = {
        f"l{path.stem.rpartition('_')[2]}": results_to_dict(
            evaluate_game_agent(path, co_players, episodes, seed)
        )
        for path in files
    }
    record = {"episodes": episodes, "seed": seed, "code": code_version(), "results": results}
    return write_json(Path(target) / PRECISE, record, indent=None)


def load(results: Path = RESULTS, manifests: Path = EXPERIMENTS) -> dict[str, list[Run]]:
    """The finished runs of every experiment variant, ``{ref: [runs by seed]}``."""
    found: dict[str, list[Run]] = {}
    for experiment in experiments(manifests).values():
        for v in experiment.variants.values():
            runs = []
            for seed in v.seeds:
                directory = v.evidence(seed, results)
                if not (directory / "summary.json").exists():
                    continue
                final, precise = directory / "final_eval.json", directory / PRECISE
                runs.append(
                    Run(
                        v,
                        seed,
                        directory,
                        json.loads((directory / "summary.json").read_text()),
                        json.loads(final.read_text()) if final.exists() else {},
                        json.loads(precise.read_text()) if precise.exists() else {},
                    )
                )
            found[v.ref] = runs
    return found


def select(runs: dict[str, list[Run]], *refs: str) -> list[Run]:
    """The runs of the variants ``refs``, ordered by run name and seed."""
    chosen = [run for ref in refs for run in runs.get(ref, [])]
    return sorted(chosen, key=lambda r: (r.variant.run_name, r.seed))


def _fmt(value: Any, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


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
        text += f" (first after {_span(reached, 1)} min of training)"
    return text + "."


def stage1_table(runs: dict[str, list[Run]], *refs: str) -> str:
    """One row per run: the probes of its first learner."""
    lines = [
        "| run | updates | env steps | minutes | vs always-C | vs always-D | TFT coop 51-100 | "
        "vs random tabular | regret | criterion at |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    outcomes = []
    for run in select(runs, *refs):
        summary, results = run.summary, run.final["results"]["l0"]
        ttc = summary["time_to_criterion"].get("l0/in_context_best_responder")
        outcomes.append((IN_CONTEXT_BEST_RESPONDER.evaluate(results)[0], ttc))
        at = f"{ttc['seconds'] / 60:.1f} min" if ttc else "not reached"
        tab = results["random_tabular_held_out"]
        lines.append(
            f"| {run.label} | {summary['update']} | {summary['env_steps']:.2e} | "
            f"{summary['seconds'] / 60:.1f} | {_fmt(results['always_cooperate']['reward'])} | "
            f"{_fmt(results['always_defect']['reward'])} | "
            f"{_fmt(results['tit_for_tat']['cooperation_late'])} | {_fmt(tab['reward'], 3)} | "
            f"{_fmt(tab['regret'], 3)} | {at} |"
        )
    return "\n".join(lines) + _tally(outcomes, IN_CONTEXT_BEST_RESPONDER, "seeds")


def pool_table(runs: dict[str, list[Run]], *refs: str, criterion: bool = True) -> str:
    """Learner-vs-learner and vs-tabular outcomes of multi-learner runs, one row per learner.

    With ``criterion`` (runs with tabular co-players), the mixed-pool criterion's time and tally.
    """
    lines = [
        "| run | updates | env steps | minutes | learner vs learner: reward / coop | "
        "vs random tabular: reward / coop | vs TFT coop 51-100 | criterion at |",
        "|---|---|---|---|---|---|---|---|",
    ]
    outcomes, runs_holding, runs_seen = [], 0, 0
    for run in select(runs, *refs):
        summary = run.summary
        before = len(outcomes)
        for learner, results in run.final["results"].items():
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
                f"| {run.label} ({learner}) | {summary['update']} | {summary['env_steps']:.2e} | "
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


POPULATION_TABULAR = 0.98
"""The population goal's bar: each learner's reward per round against held-out random tabular
co-players (issue 31)."""


def population_table(runs: dict[str, list[Run]], ref: str, crossplay_dir: Path) -> str:
    """Population runs against the issue's goal, one row per run (seed).

    A seed meets the goal when every learner keeps :data:`POPULATION_TABULAR` against held-out
    random tabular co-players (its final evaluation) and its learners' mutual cooperation with
    the learners of the *other* runs (cross-play evidence, ``<crossplay_dir>/<ref with _>.json``)
    averages at least the cross-play threshold (0.8).
    """
    chosen = select(runs, ref)
    if not chosen:
        return "(no evidence)"
    path = crossplay_dir / f"{ref.replace('/', '_')}.json"
    cross = json.loads(path.read_text()) if path.exists() else None
    lines = [
        "| run | learners | updates | minutes | within the population: mutual coop (min–max) | "
        "vs held-out random tabular: reward (min) | cross-seed mutual coop: mean (min–max) | "
        "goal |",
        "|---|---|---|---|---|---|---|---|",
    ]
    met, threshold = 0, cross["summary"]["threshold"] if cross else 0.8
    for run in chosen:
        results = run.final["results"]
        within = [
            (r[k]["cooperation"] + r[k]["opponent_cooperation"]) / 2
            for r in results.values()
            for k in r
            if k.startswith("learner_")
        ]
        tabular = [r["random_tabular_held_out"]["reward"] for r in results.values()]
        cell, ok = "— (no cross-play evidence)", False
        if cross is not None:
            group = run.label
            groups = [e["group"] for e in cross["entrants"]]
            mine = [i for i, g in enumerate(groups) if g == group]
            theirs = [i for i, g in enumerate(groups) if g is not None and g != group]
            values = [cross["mutual"][i][j] for i in mine for j in theirs]
            if values:
                mean = sum(values) / len(values)
                cell = f"{mean:.2f} ({min(values):.2f}–{max(values):.2f})"
                ok = mean >= threshold and min(tabular) >= POPULATION_TABULAR
        met += ok
        lines.append(
            f"| {run.label} | {len(results)} | {run.summary['update']} | "
            f"{run.summary['seconds'] / 60:.1f} | {min(within):.2f}–{max(within):.2f} | "
            f"{_fmt(sum(tabular) / len(tabular))} ({_fmt(min(tabular))}) | {cell} | "
            f"{'met' if ok else 'not met'} |"
        )
    return "\n".join(lines) + (
        f"\n\nGoal (issue 31): cross-seed mutual cooperation ≥ {threshold:g} while every learner "
        f"keeps ≥ "
        f"{POPULATION_TABULAR} against held-out random tabular co-players — met in **{met} of "
        f"{len(chosen)} seeds** (asked: ≥ 3 of 5)."
    )


def exploiter_table(runs: dict[str, list[Run]], *refs: str) -> str:
    """Stage 2: what a learner trained against a frozen agent earns, and leaves the agent."""
    lines = [
        "| run | updates | minutes | exploiter's reward | frozen agent's reward | "
        "exploiter's cooperation | frozen agent's cooperation | exploiter vs random tabular |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in select(runs, *refs):
        summary, results = run.summary, run.final["results"]["l0"]
        frozen = results["frozen_0"]
        lines.append(
            f"| {run.label} | {summary['update']} | {summary['seconds'] / 60:.1f} | "
            f"{_fmt(frozen['reward'])} | {_fmt(frozen['opponent_reward'])} | "
            f"{_fmt(frozen['cooperation'])} | {_fmt(frozen['opponent_cooperation'])} | "
            f"{_fmt(results['random_tabular_held_out']['reward'])} |"
        )
    return "\n".join(lines)


def ppi_table(runs: dict[str, list[Run]], *refs: str) -> str:
    """PPI runs, one row per learner: the world model's quality and the agent's probes."""
    from baselines.plotting import read_log

    lines = [
        "| run | phases | env steps | minutes | co-player-move loss (Laplace / entropy) | "
        "vs random tabular | vs always-C | vs always-D | TFT coop 51-100 | "
        "learner vs learner: reward / coop |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in select(runs, *refs):
        summary = run.summary
        rows = [r for r in read_log(run.directory) if "l0/model/observation_ce" in r]
        for learner, probes in run.final["results"].items():
            model = {k.rsplit("/", 1)[1]: v for k, v in rows[-1].items() if k.startswith(learner)}
            others = [k for k in probes if k.startswith("learner_")]
            pool = "—"
            if others:
                other = probes[others[0]]
                pool = f"{_fmt(other['reward'])} / {_fmt(other['cooperation'])}"
            lines.append(
                f"| {run.label} ({learner}) | {summary['update']} | {summary['env_steps']:.2e} | "
                f"{summary['seconds'] / 60:.1f} | {_fmt(model.get('observation_ce'), 3)} "
                f"({_fmt(model.get('observation_laplace'), 3)} / "
                f"{_fmt(model.get('observation_entropy'), 3)}) | "
                f"{_fmt(probes['random_tabular_held_out']['reward'])} | "
                f"{_fmt(probes['always_cooperate']['reward'])} | "
                f"{_fmt(probes['always_defect']['reward'])} | "
                f"{_fmt(probes['tit_for_tat']['cooperation_late'])} | {pool} |"
            )
    return "\n".join(lines)


def levers_table(
    runs: dict[str, list[Run]],
    results: Path = RESULTS,
    experiment: str = "levers",
    manifests: Path = EXPERIMENTS,
) -> str:
    """The lever runs: what each changed (its purpose) and where it got (from its log)."""
    from baselines.plotting import read_log

    found = experiments(manifests).get(experiment)
    if found is None:
        return "(no lever runs collected)"
    lines = [
        "| run | change (GRU-32, A2C lr 5e-3, 256 episodes unless stated) | updates | minutes | "
        "TFT coop 51-100 | vs always-D | vs random tabular | learner vs learner: reward / coop | "
        "TFT >= 0.9 first at update |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    tft = "l0/eval/tit_for_tat/cooperation_late"
    for v in found.variants.values():
        rows = read_log(v.evidence(v.seeds[0], results))
        if not rows:
            continue
        last = rows[-1]
        first = next((f"{r['update']:g}" for r in rows if r.get(tft, 0) >= 0.9), "never")
        pool = "—"
        if "l0/eval/learner_1/cooperation" in last:
            pool = (
                f"{last['l0/eval/learner_1/reward']:.2f} / "
                f"{last['l0/eval/learner_1/cooperation']:.2f}"
            )
        lines.append(
            f"| {v.name} | {v.purpose} | {last['update']:g} | {last['seconds'] / 60:.1f} | "
            f"{last[tft]:.2f} | {last['l0/eval/always_defect/reward']:.2f} | "
            f"{last['l0/eval/random_tabular_held_out/reward']:.3f} | {pool} | {first} |"
        )
    return "\n".join(lines)


COALA_LITERATURE = (
    "cooperation between COALA-PG agents trained in a mixed pool of naive and learning-aware "
    "co-players, extortion of naive learners; COALA-PG paper (≈1.2e9 steps)"
)
LA_LITERATURE = {
    "naive_exact": "mutual defection, ≈ -2 per step = P (ours 0); LOLA paper, Fig. 3",
    "lola_exact": "TFT-like reciprocity, ≈ -1 per step = R (ours 1); LOLA paper, Fig. 3",
    "lola_naive_exact": "LOLA earns more than the naive learner; LOLA paper, §4.2",
    "naive_dice": "(not reported: the DiCE paper compares LOLA-DiCE with LOLA)",
    "lola_dice": "cooperation, close to -1 per step = R (ours 1); DiCE paper, Fig. 4",
    "mfos_cpu": "ZD extortion: M-FOS above R = -1 (ours 1), NL below; M-FOS paper, §6.1",
    "coala_cpu": COALA_LITERATURE,
    "coala_critic": COALA_LITERATURE,
}
"""What each learning-aware variant's paper reports for the IPD, in its payoff scale (pax/LOLA:
ours minus 2), read off the papers' text and figures (approximate)."""


def _la_outcomes(last: list[dict[str, float]], mfos: bool) -> str:
    """Seeds meeting each success criterion (docs/learning_aware.md states them)."""
    n = len(last)
    if "l0/coala/self_reward_last" in last[0]:
        mutual = [r["l0/coala/self_reward_last"] for r in last]
        agent = [r["l0/coala/naive_reward"] for r in last]
        naive = [r["l0/coala/naive_opponent_reward"] for r in last]
        pairs = list(zip(agent, naive, strict=True))
        return (
            f"cooperate {sum(v >= 0.9 for v in mutual)}/{n}; defect "
            f"{sum(v <= 0.1 for v in mutual)}/{n}; shape naive {sum(a > b for a, b in pairs)}/{n}; "
            f"extort naive {sum(a > 1.0 > b for a, b in pairs)}/{n}"
        )
    if mfos:
        extort = sum(r["l0/mfos/reward"] > 1.0 > r["l0/mfos/opponent_reward"] for r in last)
        return f"extort {extort}/{n}"
    values = [(r["l0/exact/value"], r["l1/exact/value"]) for r in last]
    retaliate = [r["l0/exact/p_cd"] < 0.5 and r["l1/exact/p_cd"] < 0.5 for r in last]
    mutual = [min(v) >= 0.9 for v in values]
    cooperate = sum(m and ok for m, ok in zip(mutual, retaliate, strict=True))
    defect = sum(max(v) <= 0.1 for v in values)
    return (
        f"cooperate (values >= 0.9, both retaliate) {cooperate}/{n}; values >= 0.9 "
        f"{sum(mutual)}/{n}; defect {defect}/{n}"
    )


def learning_aware_table(runs: dict[str, list[Run]], experiment: str = "learning_aware") -> str:
    """One row per learning-aware variant: the literature beside ours (every seed's last log)."""
    from baselines.plotting import read_log

    lines = [
        "| method | literature (its scale: ours - 2) | ours: value per round, l0 / l1 "
        "(mean, range) | l0's P(C \\| start, CC, CD, DC, DD) (mean) | outcome | updates, "
        "training seconds | seeds |",
        "|---|---|---|---|---|---|---|",
    ]
    refs = [ref for ref in runs if ref.startswith(f"{experiment}/")]
    for ref in refs:
        chosen = select(runs, ref)
        last = [rows[-1] for rows in (read_log(r.directory) for r in chosen) if rows]
        if not last:
            continue
        variant_name = ref.split("/", 1)[1]
        name = variant_name + ("" if chosen[0].variant.canonical else " (exploration)")
        mfos = "l0/mfos/reward" in last[0]
        coala = "l0/coala/self_reward_last" in last[0]
        keys = (
            ("l0/mfos/reward", "l0/mfos/opponent_reward")
            if mfos
            else (
                "l0/coala/self_reward_last",
                "l0/coala/naive_reward",
                "l0/coala/naive_opponent_reward",
            )
            if coala
            else (
                "l0/exact/value",
                "l1/exact/value",
            )
        )
        cells = [
            f"{sum(r[k] for r in last) / len(last):.2f} ({_span([r[k] for r in last])})"
            for k in keys
        ]
        entropy = [r.get("l0/train/entropy", float("nan")) for r in last]
        probs = (
            f"— (a GRU; policy entropy {_span(entropy)} nats, uniform 0.69)"
            if coala
            else ", ".join(
                f"{sum(r[f'l0/exact/p_{o}'] for r in last) / len(last):.2f}"
                for o in ("start", "cc", "cd", "dc", "dd")
            )
        )
        steps = sorted({int(r["update"]) for r in last})
        seconds = _span([r["seconds"] for r in last], 1)
        vs = (
            " (M-FOS / naive learners)"
            if mfos
            else " (vs a copy, last inner episode / vs naive learners / the naive learners)"
            if coala
            else ""
        )
        lines.append(
            f"| {name} | {LA_LITERATURE.get(variant_name, '—')} | {' / '.join(cells)}{vs} | "
            f"{probs} | "
            f"{_la_outcomes(last, mfos)} | {'/'.join(map(str, steps))}, {seconds} s | "
            f"{', '.join(str(r.seed) for r in chosen)} |"
        )
    return "\n".join(lines)


PPI_POOLS = ("ppi_mixed_pool", "ppi_no_tabular", "ppi_id_ablation")


def _ppi_pools(variant_name: str) -> tuple[str, ...]:
    return tuple(f"{e}/{variant_name}" for e in PPI_POOLS)


GAME_PROBES = {
    "public_goods": (
        ("random_reactive_held_out", "contribution"),
        (
            (
                "strict_conditional_cooperator",
                "cooperation_late",
                "contributes vs strict CC (51-100)",
            ),
            ("always_contribute", "cooperation_late", "contributes vs always-contribute (51-100)"),
            ("never_contribute", "cooperation_late", "contributes vs never-contribute (51-100)"),
        ),
    ),
    "coin_game": (
        ("coin_reactive_held_out", "own-coin share"),
        (
            ("coin_own_coin", "reward", "reward vs own-coin"),
            ("coin_greedy", "reward", "reward vs greedy"),
        ),
    ),
}
"""Per game: the held-out random co-players, what its cooperation measure is called, and two
probes ``(co-player, metric, column)`` of in-context adaptation."""


GAIN_MARGIN = 0.02
"""How much more than the co-players' own in-episode gain counts as adapting (per round)."""


def in_episode_gain(curve: list[float] | tuple[float, ...], skip: int = 0) -> float:
    """Mean reward of the episode's second half minus its first quarter (adaptation).

    With ``skip``, the first quarter leaves out the episode's first ``skip`` rounds: round 1 is
    played before anything is seen of the co-player, and on the Coin Game it pays less for
    everyone (the coins start away from the players), so a gain can be mostly round 1's.
    """
    late = curve[len(curve) // 2 :]
    early = curve[skip : max(skip + 1, len(curve) // 4)]
    return sum(late) / len(late) - sum(early) / len(early)


def game_table(
    runs: dict[str, list[Run]],
    experiment: str,
    game: str | None = None,
    steps: str = "updates",
    pool: tuple[str, str] | None = None,
    variants: tuple[str, ...] | None = None,
) -> str:
    """One row per learner of the runs of a game beyond 2x2 (:mod:`baselines.general`, PPI).

    Columns: the games per co-player its numbers come from (the precise re-evaluation's where
    the evidence has one, else the final training evaluation's), its reward against the held-out
    random co-players beside theirs (the co-players' own mean, on the game's
    :data:`PRECISE_EPISODES` whatever the row's games), the in-episode
    gain against them, two adaptation probes, and (two learners) what they do with each other
    (the final training evaluation).

    Args:
        runs: Every run, by variant (:func:`load`).
        experiment: The experiment whose runs to show.
        game: Its game (default: the experiment's name).
        steps: What the runs count their training steps in (A2C: updates; PPI: phases).
        pool: ``(co-player id, column label)`` of another held-out pool the runs evaluated
            against, instead of the game's default one.
        variants: Only these variants of the experiment (default: all).
    """
    (default_pool, measure), probes = GAME_PROBES[game or experiment]
    pool, label = pool or (default_pool, "held-out random")
    lines = [
        f"| run | {steps} | minutes | games | vs {label}: reward (theirs) | "
        "in-episode gain (theirs) | after round 1 (theirs) | "
        + " | ".join(p[2] for p in probes)
        + f" | learner vs learner: reward / {measure} |",
        "|---|---|---|---|---|---|---|" + "---|" * len(probes) + "---|",
    ]
    beats = gains = later_gains = learners = 0
    shown = [r for ref, rs in runs.items() if ref.startswith(f"{experiment}/") for r in rs]
    if variants:
        shown = [r for r in shown if r.variant.name in variants]
    for run in sorted(shown, key=lambda r: (_variant_rank(r.variant.name), r.variant.name, r.seed)):
        summary, config = run.summary, run.variant.config(run.seed)
        precise = run.precise.get("results", {})
        episodes = run.precise["episodes"] if precise else config.run.eval.episodes
        # the co-players' own, always on the game's precise number of games (they are cheap)
        their_curve = reference_curve(config, pool, PRECISE_EPISODES[config.game.name])
        reference = sum(their_curve) / len(their_curve)  # ref/<pool>/reward, on more games
        their_gain, their_later = in_episode_gain(their_curve), in_episode_gain(their_curve, 1)
        for learner, final in run.final["results"].items():
            results = precise.get(learner, final)
            mine = results[pool]
            gain, later = (
                in_episode_gain(mine["reward_curve"]),
                in_episode_gain(mine["reward_curve"], 1),
            )
            beats += mine["reward"] > reference
            gains += gain >= their_gain + GAIN_MARGIN
            later_gains += later >= their_later + GAIN_MARGIN
            learners += 1
            others = [k for k in final if k.startswith("learner_")]
            pair = "—"
            if others:
                other = final[others[0]]
                pair = f"{_fmt(other['reward'])} / {_fmt(other['cooperation'])}"
            cells = [_fmt(results[name][metric]) for name, metric, _ in probes]
            lines.append(
                f"| {run.label} ({learner}) | {summary['update']} | {summary['seconds'] / 60:.1f} "
                f"| {episodes:,} | {_fmt(mine['reward'], 3)} ({_fmt(reference, 3)}) "
                f"| {_fmt(gain, 3)} ({_fmt(their_gain, 3)}) "
                f"| {_fmt(later, 3)} ({_fmt(their_later, 3)}) | "
                + " | ".join(cells)
                + f" | {pair} |"
            )
    if learners:
        lines.append(
            f"\n{beats} of {learners} learners out-earn the {label} co-players' own mean; "
            f"{gains} of {learners} gain more within the episode than the co-players themselves "
            f"do, by at least {GAIN_MARGIN} per round (reward in the second half of the episode "
            f"minus the first quarter), {later_gains} of {learners} with round 1 left out of the "
            "first quarter."
        )
    return "\n".join(lines)


EXPERIMENT_ORDER = (
    "stage1",
    "stage1_long",
    "stage1_near_deterministic",
    "stage1_grudge",
    "stage1_egocentric_long",
    "stage1_conditional",
    "stage1_conditional_only",
    "stage1_conditional_r3",
    "stage1_conditional_r3_half",
    "mixed_pool",
    "no_tabular",
    "id_ablation",
    "mixed_pool_conditional_r3_half",
    "no_tabular_r3",
    "mixed_pool_from_stage1_r3_half",
    "no_tabular_from_stage1_r3_half",
    "mixed_pool_from_stage1_near_deterministic",
    "no_tabular_from_stage1_near_deterministic",
    "mixed_pool_from_stage1_egocentric_long",
    "no_tabular_from_stage1_egocentric_long",
)
"""The variants of the games beyond 2x2, in the page's order (any other variant follows)."""


def _variant_rank(name: str) -> int:
    """A variant's place in :data:`EXPERIMENT_ORDER` (after all of them if not listed)."""
    return EXPERIMENT_ORDER.index(name) if name in EXPERIMENT_ORDER else len(EXPERIMENT_ORDER)


TABLES: dict[str, Callable[[dict[str, list[Run]]], str]] = {
    "stage1_paper": lambda runs: stage1_table(runs, "stage1/cpu"),
    "stage1_fast": lambda runs: stage1_table(runs, "stage1/fast"),
    "stage1_fast_id": lambda runs: stage1_table(runs, "stage1/fast_id"),
    "stage1_fast_transformer": lambda runs: stage1_table(runs, "stage1/fast_transformer"),
    "stage1_fast_finite_state": lambda runs: stage1_table(runs, "stage1/fast_finite_state"),
    "stage1_fast_finite_state_tuned": lambda runs: stage1_table(
        runs, "stage1/fast_finite_state_tuned"
    ),
    "stage1_fast_tuned_control": lambda runs: stage1_table(runs, "stage1/fast_tuned_control"),
    "stage2_fast": lambda runs: exploiter_table(runs, "stage2/fast"),
    "stage3_fast": lambda runs: pool_table(runs, "stage3/fast", criterion=False),
    "mixed_pool_fast": lambda runs: pool_table(runs, "mixed_pool/fast"),
    "mixed_pool_fast_transformer": lambda runs: pool_table(runs, "mixed_pool/fast_transformer"),
    "ablations_fast": lambda runs: pool_table(runs, "no_tabular/fast", "id_ablation/fast"),
    "ppi_stage1_cpu": lambda runs: ppi_table(runs, "ppi_stage1/cpu"),
    "ppi_pools_cpu": lambda runs: ppi_table(runs, *_ppi_pools("cpu")),
    "ppi_pools_share05": lambda runs: ppi_table(runs, *_ppi_pools("share05")),
    "ppi_pools_w2500": lambda runs: ppi_table(runs, *_ppi_pools("w2500")),
    "ppi_pools_s2500": lambda runs: ppi_table(runs, *_ppi_pools("s2500")),
    "public_goods": lambda runs: game_table(runs, "public_goods"),
    "coin_game": lambda runs: game_table(runs, "coin_game"),
    "coin_game_near_deterministic": lambda runs: game_table(
        runs,
        "coin_game",
        pool=("coin_reactive_near_deterministic_held_out", "held-out near-deterministic"),
        variants=(
            "stage1_near_deterministic",
            "stage1_egocentric_long",
            "mixed_pool_from_stage1_egocentric_long",
            "no_tabular_from_stage1_egocentric_long",
        ),
    ),
    "public_goods_r3_half": lambda runs: game_table(
        runs,
        "public_goods",
        pool=("random_reactive_conditional_held_out", "held-out half-conditional"),
        variants=R3_HALF,
    ),
    "coin_game_grudge": lambda runs: game_table(
        runs,
        "coin_game",
        pool=("coin_reactive_grudge_held_out", "held-out grudge"),
        variants=("stage1_grudge",),
    ),
    "ppi_public_goods": lambda runs: game_table(
        runs, "ppi_public_goods", game="public_goods", steps="phases"
    ),
}
"""The tables of the reproduction page by marker name (the levers table reads the logs)."""


# ------------------------------------------------------------------------------------ summary
def _span(values: list[float], digits: int = 2) -> str:
    """``lo–hi`` of ``values`` (one value if they agree at this precision; "to" for signs)."""
    lo, hi = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
    if lo == hi:
        return lo
    return f"{lo} to {hi}" if lo.startswith("-") else f"{lo}–{hi}"


def _final(run: Run, learner: str = "l0") -> dict[str, Any]:
    return run.final["results"][learner]


def _best_responder(chosen: list[Run]) -> str:
    held = [IN_CONTEXT_BEST_RESPONDER.evaluate(_final(r))[0] for r in chosen]
    first = [r.summary["time_to_criterion"].get("l0/in_context_best_responder") for r in chosen]
    reached = [t["seconds"] / 60 for t in first if t]
    text = f"`in_context_best_responder` at the end in **{sum(held)} of {len(chosen)} seeds**"
    if reached:
        text += f" (first after {_span(reached, 1)} min)"
    probes = {
        "vs held-out tabular": ("random_tabular_held_out", "reward", 3),
        "vs always-C": ("always_cooperate", "reward", 2),
        "vs always-D": ("always_defect", "reward", 2),
        "TFT cooperation 51–100": ("tit_for_tat", "cooperation_late", 2),
    }
    parts = [
        f"{label} {_span([_final(r)[o][m] for r in chosen], d)}"
        for label, (o, m, d) in probes.items()
    ]
    return text + "; " + ", ".join(parts)


def _exploiter(chosen: list[Run]) -> str:
    rows = []
    for r in chosen:
        frozen = _final(r)["frozen_0"]
        rows.append(
            f"seed {r.seed}: {frozen['reward']:.2f} vs {frozen['opponent_reward']:.2f} "
            f"(victim cooperating {frozen['opponent_cooperation']:.2f})"
        )
    ahead = sum(
        _final(r)["frozen_0"]["reward"] > _final(r)["frozen_0"]["opponent_reward"] for r in chosen
    )
    return f"exploiter's vs victim's reward, exploiter ahead in {ahead} of {len(chosen)}: " + (
        "; ".join(rows)
    )


def _pool(chosen: list[Run], criterion: bool = True) -> str:
    per_seed, tabular, both = [], [], 0
    for r in chosen:
        coop = []
        for results in r.final["results"].values():
            other = next(k for k in results if k.startswith(("learner_", "frozen_")))
            coop.append(f"{results[other]['cooperation']:.2f}")
            tabular.append(results["random_tabular_held_out"]["reward"])
        per_seed.append(f"{' / '.join(coop)} (seed {r.seed})")
        both += all(MIXED_POOL_COOPERATION.evaluate(res)[0] for res in r.final["results"].values())
    text = f"learner-vs-learner cooperation at the end {', '.join(per_seed)}"
    if not criterion:
        return text
    return (
        f"{text}; vs held-out tabular {_span(tabular)}; `mixed_pool_cooperation` for both "
        f"learners in **{both} of {len(chosen)} runs**"
    )


def _world_model(chosen: list[Run]) -> str:
    from baselines.plotting import read_log

    loss, laplace, entropy = [], [], []
    for r in chosen:
        last = [row for row in read_log(r.directory) if "l0/model/observation_ce" in row][-1]
        for learner in r.final["results"]:
            loss.append(last[f"{learner}/model/observation_ce"])
            laplace.append(last[f"{learner}/model/observation_laplace"])
            entropy.append(last[f"{learner}/model/observation_entropy"])
    return (
        f"co-player-move loss on held-out tabular games {_span(loss, 3)} nats; Laplace's rule "
        f"(the best in-context predictor) {_span(laplace, 3)}, the true policies' entropy "
        f"{_span(entropy, 3)}; " + _best_responder(chosen)
    )


SUMMARIES: dict[str, Callable[[list[Run]], str]] = {
    "best_responder": _best_responder,
    "exploiter": _exploiter,
    "pool": _pool,
    "pairs": lambda chosen: _pool(chosen, criterion=False),
    "world_model": _world_model,
}
"""The generated "ours" cell of a summary row, by the row's ``kind``."""

BOOKKEEPING = ("time_limit", "eval.", "progress", "threads", "pool.init_from", "pool.frozen_from")
"""Settings left out of the summary's deviations (budget and plumbing, not the recipe)."""


def deviation_text(v: Variant) -> str:
    """What the variant changes from the paper's recipe, as ``name=value`` pairs."""
    from baselines.config import PRESET_NAMES, deviations
    from baselines.ppi.config import ppi_deviations

    base, changes = (deviations if v.preset in PRESET_NAMES else ppi_deviations)(v.preset)
    changes = {**changes, **v.overrides}
    kept = [f"{k}={val}" for k, val in changes.items() if not k.startswith(BOOKKEEPING)]
    return f"from `{base}`: " + (", ".join(kept) if kept else "none")


def summary_table(runs: dict[str, list[Run]], manifests: Path = EXPERIMENTS) -> str:
    """One row per variant with a ``summary`` in its manifest, every number from the evidence."""
    lines = [
        "| experiment | paper | ours | command | budget, seeds | deviations | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = [v for e in experiments(manifests).values() for v in e.variants.values() if v.summary]
    for v in sorted(rows, key=lambda v: v.summary["order"]):
        chosen = select(runs, v.ref)
        if not chosen:
            continue
        steps = sorted({r.summary["update"] for r in chosen})
        unit = "phases" if chosen[0].summary["preset"].startswith("ppi") else "updates"
        minutes = [r.summary["seconds"] / 60 for r in chosen]
        seeds = ", ".join(str(r.seed) for r in chosen)
        budget = (
            f"{'/'.join(str(s) for s in steps)} {unit}, {_sci(chosen)} steps, "
            f"{_span(minutes, 1)} min; seeds {seeds}"
        )
        lines.append(
            f"| {v.summary['title']} | {v.summary['paper']} | "
            f"{SUMMARIES[v.summary['kind']](chosen)} | `--experiment {v.ref} --seed S` | "
            f"{budget} | {deviation_text(v)} | {v.summary['verdict']} |"
        )
    return "\n".join(lines)


def _sci(chosen: list[Run]) -> str:
    values = sorted({f"{r.summary['env_steps']:.1e}" for r in chosen})
    return values[0] if len(values) == 1 else f"{values[0]}–{values[-1]}"


def throughput_table(path: Path = ROOT / "benchmarks" / "results" / "train_throughput.json") -> str:
    """The trainer's throughput, from the last JSON of ``benchmarks/train_throughput.py``."""
    if not path.exists():
        return "(no benchmark result)"
    record = json.loads(path.read_text())
    lines = [
        f"Measured {record['time'][:10]}, {record['machine']['threads']} torch threads:",
        "",
        "| GRU | episodes per update | bare GRU forward+backward | full update "
        "(rollout + learning) | update / bare |",
        "|---|---|---|---|---|",
    ]
    for row in record["rows"]:
        lines.append(
            f"| {row['hidden']} | {row['batch']:,} | {row['bare_steps_per_s'] / 1e3:,.0f}k/s | "
            f"{row['update_steps_per_s'] / 1e3:,.0f}k/s | {row['ratio']:.2f}× |"
        )
    return "\n".join(lines)


def coala_throughput_table(
    path: Path = ROOT / "benchmarks" / "results" / "coala_throughput.json",
) -> str:
    """COALA-PG's update throughput, from the last JSON of ``benchmarks/coala_throughput.py``."""
    if not path.exists():
        return "(no benchmark result)"
    record = json.loads(path.read_text())
    lines = [
        f"Measured {record['time'][:10]} at commit {record['code']['commit'][:10]}, best of "
        f"{record['repeats']} x {record['updates_per_repeat']} updates of "
        f"{record['agent_steps_per_update']:,} agent-steps, the rows in turn:",
        "",
        "| row | cores | seconds per update | agent-steps/s | / bare GRU | 1.2e9 steps in |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in record["rows"].items():
        lines.append(
            f"| {name} | {row['cores']} | {row['seconds_per_update']:.2f} | "
            f"{row['agent_steps_per_s'] / 1e3:,.0f}k | {row['ratio_to_bare']:.2f}× | "
            f"{row['paper_run_minutes']:.0f} min |"
        )
    return "\n".join(lines)


REFERENCE_BOARD = ROOT / "docs" / "results" / "leaderboard" / "references.json"
"""The full-suite board of every reference entry (``coop-leaderboard seed-references``, then
``export --format json``), with the commit it was scored at."""


def reference_board_table(path: Path = REFERENCE_BOARD) -> str:
    """The reference entries' leaderboard scores, from the committed board.

    Learning-aware methods beside the in-context agents and the classics (full suite, 95%
    intervals over seeds).
    """
    if not path.exists():
        return "(no reference board)"
    record = json.loads(path.read_text())
    lines = [
        f"Suite v{record['suite_version']}, exported at commit {record['code']['commit'][:10]} "
        f"({record['exported'][:10]}); ± a 95% interval over the suite's seeds; bold: the "
        "Pareto front.",
        "",
        "| rank | entry | kind | score | cooperation | adaptivity | exploitability | worst "
        "exploiter |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def format_interval(summary: dict[str, Any]) -> str:
        if summary["mean"] is None:  # as leaderboard.ranking.format_interval (not imported)
            return "—"
        if summary["low"] is None:
            return f"{summary['mean']:.3f}"
        return f"{summary['mean']:.3f} ± {(summary['high'] - summary['low']) / 2:.3f}"

    for row in record["rows"]:
        if row["board"] != "full":
            continue
        cells = " | ".join(format_interval(row[c]) for c in ("score", *LEADERBOARD_GROUPS))
        lines.append(
            f"| {row['rank']} | {'**' if row['pareto'] else ''}{row['name']}"
            f"{'**' if row['pareto'] else ''} | {row['kind']} | {cells} | "
            f"{row['worst_exploiter'] or '—'} |"
        )
    return "\n".join(lines)


LEADERBOARD_GROUPS = ("cooperation", "adaptivity", "exploitability")
"""The leaderboard's score groups (``leaderboard.suite.GROUPS``; baselines does not import the
leaderboard, which imports it)."""


# ------------------------------------------------------------------------------------ figures
def _eval_rows(
    rows: list[dict[str, float]], column: str, x: str = "seconds"
) -> tuple[list[float], list[float]]:
    """The x values (training minutes, or ``x`` itself) and ``column`` where it was logged."""
    kept = [r for r in rows if column in r]
    xs = [r[x] / 60 if x == "seconds" else r[x] for r in kept]
    return xs, [r[column] for r in kept]


def plot_stage1(runs: dict[str, list[Run]], ref: str, out: Path) -> Path | None:
    """Every seed's training curves and within-episode cooperation of variant ``ref``."""
    chosen = select(runs, ref)
    if not chosen:
        return None
    from baselines.plotting import plt, read_log, save

    fig, axes = plt.subplots(2, 3, figsize=(15, 8))
    panels = [
        ("l0/eval/tit_for_tat/cooperation_late", "cooperation with TFT, rounds 51-100", 0.9),
        ("l0/eval/random_tabular_held_out/reward", "reward vs held-out random tabular", 1.0),
        ("l0/eval/always_defect/reward", "reward vs always-defect", -0.1),
    ]
    probes = ("always_cooperate", "always_defect", "tit_for_tat")
    for i, run in enumerate(chosen):
        rows = read_log(run.directory)
        label = f"seed{run.seed}"
        for ax, (column, title, threshold) in zip(axes[0], panels, strict=True):
            ax.plot(*_eval_rows(rows, column), color=f"C{i}", label=label)
            ax.axhline(threshold, color="grey", ls="--", lw=0.8)
            ax.set(title=title, xlabel="training minutes")
        final = run.final["results"]["l0"]
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
    out.parent.mkdir(parents=True, exist_ok=True)
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
    runs: dict[str, list[Run]],
    refs: tuple[str, ...],
    out: Path,
    panels: tuple[tuple[str, str, float], ...] = POOL_PANELS,
    x: str = "seconds",
) -> Path | None:
    """Every learner of every run of pool variants ``refs`` (one colour per variant).

    ``x`` is the log column on the horizontal axis (``seconds`` is drawn as training minutes,
    ``update`` is the phase of a PPI run). None if no run is collected.
    """
    if not any(select(runs, ref) for ref in refs):
        return None
    from baselines.plotting import plt, read_log, save

    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4.5))
    xlabel = "training minutes" if x == "seconds" else ("phase" if x == "update" else x)
    for colour, ref in enumerate(refs):
        for n, run in enumerate(select(runs, ref)):
            rows = read_log(run.directory)
            for learner, other in ((0, 1), (1, 0)):
                for ax, (column, title, threshold) in zip(axes, panels, strict=True):
                    column = f"l{learner}/eval/" + column.format(other=other)
                    label = run.variant.run_name if n == 0 and learner == 0 else None
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
    out.parent.mkdir(parents=True, exist_ok=True)
    return save(fig, out, dpi=90)


COALA_PANELS = (
    ("l0/coala/self_reward_last", "vs a copy: reward per round, last inner episode", 0.9),
    ("l0/coala/self_reward_first", "vs a copy: reward per round, first inner episode", 0.9),
    ("l0/coala/naive_reward", "vs naive learners: reward per round", 1.0),
    ("l0/coala/naive_opponent_reward", "the naive learners' reward per round", 1.0),
)
"""The COALA-PG figure's panels: ``(log column, title, reference line)``."""


def plot_coala(runs: dict[str, list[Run]], refs: tuple[str, ...], out: Path) -> Path | None:
    """COALA-PG and its control over training: every seed's evaluation meta-trajectories."""
    chosen = {ref: select(runs, ref) for ref in refs}
    if not any(chosen.values()):
        return None
    from baselines.plotting import plt, read_log, save

    fig, axes = plt.subplots(1, len(COALA_PANELS), figsize=(18, 4.2))
    for k, (ref, variant_runs) in enumerate(chosen.items()):
        for i, run in enumerate(variant_runs):
            rows = read_log(run.directory)
            for ax, (column, title, line) in zip(axes, COALA_PANELS, strict=True):
                ax.plot(
                    *_eval_rows(rows, column, "update"),
                    color=f"C{k}",
                    alpha=0.8,
                    lw=1.2,
                    label=ref.split("/")[-1] if i == 0 else None,
                )
                ax.axhline(line, color="grey", ls="--", lw=0.8)
                ax.set(title=title, xlabel="update", ylim=(-0.6, 1.6))
    axes[0].legend()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    return save(fig, out, dpi=90)


def plot_game_adaptation(
    runs: dict[str, list[Run]], refs: tuple[str, ...], game: str, out: Path
) -> Path | None:
    """Stage-1 variants of a game beyond 2x2 against its held-out random co-players.

    Left: reward per round over training, every seed (one colour per variant). Right: the final
    agents' reward per round of the episode (in-context adaptation is a rising curve; from the
    precise re-evaluation where the evidence has one), beside
    the co-players' own curve (the same co-player in every seat), which is what the page's
    in-episode gain is measured against. None if no run is collected.
    """
    chosen = {ref: select(runs, ref) for ref in refs}
    if not any(chosen.values()):
        return None
    from baselines.plotting import plt, read_log, save

    pool = GAME_PROBES[game][0][0]
    fig, (train, episode) = plt.subplots(1, 2, figsize=(12, 4.5))
    reference = None
    for colour, (ref, variant_runs) in enumerate(chosen.items()):
        for i, run in enumerate(variant_runs):
            label = ref.split("/")[-1] if i == 0 else None
            rows = read_log(run.directory)
            train.plot(*_eval_rows(rows, f"l0/eval/{pool}/reward"), color=f"C{colour}", label=label)
            precise = run.precise.get("results", {}).get("l0")  # the many-game replay if any
            curve = (precise or run.final["results"]["l0"])[pool]["reward_curve"]
            episode.plot(range(1, len(curve) + 1), curve, color=f"C{colour}", label=label)
            if reference is None:  # as the tables: on the game's precise number of games
                config = run.variant.config(run.seed)
                reference = reference_curve(config, pool, PRECISE_EPISODES[game])
    if reference is not None:
        episode.plot(
            range(1, len(reference) + 1), reference, color="grey", ls="--", label="co-players"
        )
    train.set(title=f"reward per round vs {pool}", xlabel="training minutes")
    episode.set(title="final agents: reward per round of the episode", xlabel="round")
    episode.legend()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    return save(fig, out, dpi=90)


FIGURE_MAKERS: dict[str, Callable[[dict[str, list[Run]], Path], Path | None]] = {
    "coala_seeds.png": lambda runs, out: plot_coala(
        runs, ("learning_aware/coala_cpu", "learning_aware/coala_cpu_uncoupled"), out
    ),
    "coala_critic_seeds.png": lambda runs, out: plot_coala(
        runs,
        (
            "learning_aware/coala_critic",
            "learning_aware/coala_critic_uncoupled",
            "learning_aware/coala_critic_paper_size",
        ),
        out,
    ),
    "stage1_fast_seeds.png": lambda runs, out: plot_stage1(runs, "stage1/fast", out),
    "mixed_pool_seeds.png": lambda runs, out: plot_pools(
        runs, ("mixed_pool/fast", "no_tabular/fast", "id_ablation/fast"), out
    ),
    "ppi_pools_seeds.png": lambda runs, out: plot_pools(
        runs, _ppi_pools("cpu"), out, PPI_POOL_PANELS, "update"
    ),
    "ppi_pools_w2500.png": lambda runs, out: plot_pools(
        runs, _ppi_pools("w2500")[:2], out, PPI_POOL_PANELS, "update"
    ),
    "ppi_pools_s2500.png": lambda runs, out: plot_pools(
        runs, _ppi_pools("s2500")[:2], out, PPI_POOL_PANELS, "update"
    ),
    "coin_game_stage1.png": lambda runs, out: plot_game_adaptation(
        runs,
        (
            "coin_game/stage1",
            "coin_game/stage1_near_deterministic",
            "coin_game/stage1_egocentric_long",
        ),
        "coin_game",
        out,
    ),
    **crossplay_figures(),
}
"""The figures the docs embed (``docs/figures/<name>``), drawn from the evidence."""


def write_figures(runs: dict[str, list[Run]], figures: Path = FIGURES) -> list[Path]:
    """Draw every figure of :data:`FIGURE_MAKERS` that has runs; the files written."""
    written = [make(runs, figures / name) for name, make in FIGURE_MAKERS.items()]
    return [path for path in written if path is not None]


# -------------------------------------------------------------------------------- the page
def build_tables(
    runs: dict[str, list[Run]], results: Path = RESULTS, manifests: Path = EXPERIMENTS
) -> dict[str, str]:
    """Every table of the page by marker name."""
    tables = {name: build(runs) for name, build in TABLES.items()}
    tables["levers"] = levers_table(runs, results, manifests=manifests)
    tables["summary"] = summary_table(runs, manifests)
    tables["throughput"] = throughput_table()
    tables["coala_throughput"] = coala_throughput_table()
    tables["learning_aware"] = learning_aware_table(runs)
    tables["reference_board"] = reference_board_table()
    tables["crossplay"] = crossplay_table(results / "crossplay")
    tables["panel"] = panel_table(results / "crossplay" / "panel")
    tables["population_fast"] = population_table(runs, "population/fast", results / "crossplay")
    tables["population_baseline"] = population_table(runs, "mixed_pool/fast", results / "crossplay")
    tables["population_fast8"] = population_table(runs, "population/fast8", results / "crossplay")
    tables["population_snapshots"] = population_table(
        runs, "population/fast_snapshots", results / "crossplay"
    )
    tables["population_no_tabular"] = population_table(
        runs, "population/no_tabular", results / "crossplay"
    )
    tables["population_id_ablation"] = population_table(
        runs, "population/id_ablation", results / "crossplay"
    )
    tables["held_out"] = population_table(runs, "held_out/mixed_pool", results / "crossplay")
    tables["coin_game_pool_values"] = pool_values_table(results / "coin_game" / "pool_values.json")
    tables["public_goods_pool_values"] = public_goods_pool_values_table(
        results / "public_goods" / "pool_values.json"
    )
    return tables


def write_tables(
    page: Path = PAGE, results: Path = RESULTS, manifests: Path = EXPERIMENTS
) -> list[str]:
    """Replace every marked table of ``page``; returns the names replaced."""
    tables = build_tables(load(results, manifests), results, manifests)
    text = page.read_text()
    replaced = []
    for name, table in tables.items():
        pattern = re.compile(
            rf"(<!-- results:{name} -->\n)(?:.*?\n)?(<!-- /results:{name} -->)", re.DOTALL
        )
        if pattern.search(text):
            text = pattern.sub(lambda m, t=table: m.group(1) + t + "\n" + m.group(2), text)
            replaced.append(name)
    page.write_text(text)
    return replaced


def precise_all(
    evidence: list[Path], results: Path = RESULTS, episodes: int | None = None
) -> list[Path]:
    """Re-evaluate the agents in ``evidence`` precisely (:func:`evaluate_precisely`).

    Default: every run of a game beyond 2x2 whose evidence keeps its agents. Returns the files
    written.
    """
    from tqdm import tqdm

    chosen = {Path(d).resolve() for d in evidence}
    runs = [r for rs in load(results).values() for r in rs]
    runs = [r for r in runs if not chosen or r.directory.resolve() in chosen]
    written = []
    for run in tqdm(runs, desc="precise", unit="run"):
        config = run.variant.config(run.seed)
        also = PRECISE_ALSO.get(run.variant.ref, ())
        path = evaluate_precisely(run.directory, config, run.directory, episodes, also)
        if path:
            tqdm.write(f"wrote {path}")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``collect`` runs, draw the ``plots`` or a run's ``run-plots``, or rebuild the ``tables``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("collect", help="copy finished runs' evidence into docs/results")
    p.add_argument("runs", type=Path, nargs="+")
    p.add_argument("--variant", default=None, help="EXPERIMENT/VARIANT, for a run from a preset")
    p.add_argument("--results", type=Path, default=RESULTS)
    p = commands.add_parser(
        "precise", help="re-evaluate the agents of games beyond 2x2 with many episodes"
    )
    p.add_argument("evidence", type=Path, nargs="*", help="evidence directories (default: all)")
    p.add_argument("--episodes", type=int, default=None, help="default: PRECISE_EPISODES")
    p.add_argument("--results", type=Path, default=RESULTS)
    p = commands.add_parser("plots", help="the figures the docs embed, into docs/figures")
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--out", type=Path, default=FIGURES)
    p = commands.add_parser("run-plots", help="one run's training.png and in_episode.png")
    p.add_argument("evidence", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p = commands.add_parser("tables", help="print (or --write) the reproduction tables")
    p.add_argument("--write", action="store_true", help=f"update {PAGE.relative_to(ROOT)}")
    p.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.command == "collect":
        for run in args.runs:
            print("collected", collect(run, args.variant, results=args.results))
        return 0
    if args.command == "precise":
        precise_all(args.evidence, args.results, args.episodes)
        return 0
    if args.command == "plots":
        for path in write_figures(load(args.results), args.out):
            print("wrote", path)
        return 0
    if args.command == "run-plots":
        from baselines.plotting import plot_run

        args.out.mkdir(parents=True, exist_ok=True)
        for file in ("log.csv", "final_eval.json"):
            shutil.copy(args.evidence / file, args.out / file)
        for path in plot_run(args.out):
            print("wrote", path)
        return 0
    if args.write:
        print("rewrote tables:", ", ".join(write_tables(results=args.results)))
        return 0
    for name, table in build_tables(load(args.results), args.results).items():
        print(f"## {name}\n\n{table}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
