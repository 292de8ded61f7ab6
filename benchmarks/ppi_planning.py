"""PPI planning cost, the phase budget split, and the improvement step against beta.

Three tables from one run:

1. **Planning throughput**: imagined rounds per second of :func:`baselines.ppi.q_values` for a
   batch of live episodes (episodes x 2 first actions x rollouts x horizon rounds per call), for
   GRU widths and rollout counts; and what one round of acting costs per episode.
2. **Phase split**: one phase of ``ppi_mixed_pool_cpu`` at its real shapes — the share of a
   phase spent playing (planning) vs retraining the model.
3. **Beta**: a model pre-trained on random-tabular games acts with the improvement step at
   several inverse temperatures; reward per round against tit-for-tat, always-defect and
   held-out random tabular co-players, and cooperation with tit-for-tat in rounds 51-100.
   beta = 0 is the prior alone; the paper prints 0.01. ``--agent PATH`` sweeps the model of a
   trained PPI agent file instead (e.g. ``runs/ppi_stage1_cpu_seed0/agent_0.pt``).

Writes JSON (default ``benchmarks/results/ppi_planning.json``).

Run:  python benchmarks/ppi_planning.py [--threads 1] [--quick] [--agent PATH]
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from baselines.checkpoints import write_json
from baselines.configs import with_overrides
from baselines.evaluation import evaluate_players
from baselines.ppi import (
    PPI_PRESETS,
    ModelConfig,
    PlanningConfig,
    SequenceModel,
    q_values,
)
from baselines.ppi.agent import PPIActor, PPICoPlayer, load_ppi
from baselines.ppi.config import FitConfig
from baselines.ppi.trainer import PPITrainer, tabular_games
from co_players import make_co_player
from coop_envs.core import PRISONERS_DILEMMA

ROUNDS = 100


def planning_throughput(hidden: int, episodes: int, rollouts: int, horizon: int) -> dict:
    torch.manual_seed(0)
    model = SequenceModel(ModelConfig(hidden=hidden)).eval()
    h = model.start(episodes)
    config = PlanningConfig(rollouts=rollouts, horizon=horizon)
    generator = torch.Generator().manual_seed(0)
    q_values(model, h, ROUNDS, config, generator)  # warm-up
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        q_values(model, h, ROUNDS, config, generator)
        best = min(best, time.perf_counter() - start)
    imagined = episodes * 2 * rollouts * horizon
    return {
        "hidden": hidden,
        "episodes": episodes,
        "rollouts": rollouts,
        "horizon": horizon,
        "seconds_per_round": best,
        "imagined_rounds_per_second": imagined / best,
        "ms_per_episode_round": 1e3 * best / episodes,
    }


def phase_split(threads: int, quick: bool) -> dict:
    """One phase of ``ppi_mixed_pool_cpu`` at its real shapes: play, then retrain.

    The model is not pre-trained first: what a phase costs does not depend on the weights. With
    ``quick``, 40 games per phase and 40 pre-training games.
    """
    with tempfile.TemporaryDirectory() as tmp:
        base = PPI_PRESETS["ppi_mixed_pool_cpu"]
        settings = {
            "out": Path(tmp) / "run",
            "phases": 1,
            "threads": threads,
            "progress": False,
            "time_limit": None,
            "eval.every": 1,
            "eval.episodes": 16,
        }
        if quick:
            settings.update(games_per_phase=40, pretrain_games=40)
        config = with_overrides(base, settings)
        trainer = PPITrainer(config)
        trainer.pretrain_data()
        start = time.perf_counter()
        new = trainer.play_phase()
        play = time.perf_counter() - start
        trainer.add_games(new)
        start = time.perf_counter()
        for i in range(config.pool.learners):
            trainer.fit(i, config.fit.epochs)
        fit = time.perf_counter() - start
    return {
        "games_per_learner": config.games_per_phase,
        "pretrain_games": config.pretrain_games,
        "fit_epochs": config.fit.epochs,
        "play_seconds": play,
        "fit_seconds": fit,
        "play_share": play / (play + fit),
    }


def pretrained_model(games: int, epochs: int, hidden: int) -> SequenceModel:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    data, _ = tabular_games(PRISONERS_DILEMMA, "random_tabular_train", games, ROUNDS, rng)
    model = SequenceModel(ModelConfig(hidden=hidden))
    fit = FitConfig(lr=3e-3)
    optimizer = torch.optim.AdamW(model.parameters(), lr=fit.lr, weight_decay=fit.weight_decay)
    for _ in tqdm(range(epochs), desc="pre-training", leave=False):
        order = rng.permutation(len(data))
        for begin in range(0, len(order), 64):
            loss = model.losses(data[np.sort(order[begin : begin + 64])])["loss"]
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
    return model.eval()


def beta_sweep(model: SequenceModel, betas: list[float], episodes: int) -> list[dict]:
    rows = []
    opponents = ("tit_for_tat", "always_defect", "random_tabular_held_out")
    for beta in tqdm(betas, desc="beta", leave=False):
        planning = PlanningConfig(beta=beta, rollouts=4, horizon=15)
        player = PPICoPlayer(PPIActor(model, planning, ROUNDS))
        results = evaluate_players(
            player,
            {name: make_co_player(name) for name in opponents},
            PRISONERS_DILEMMA,
            episodes,
            ROUNDS,
            seed=7,
        )
        row = {"beta": beta}
        for name, result in results.items():
            row[f"{name}/reward"] = result.reward
        row["tit_for_tat/cooperation_late"] = results["tit_for_tat"].cooperation_late
        row["random_tabular_held_out/regret"] = results["random_tabular_held_out"].regret
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="smaller shapes (a smoke run)")
    parser.add_argument(
        "--agent", type=Path, help="sweep beta on this PPI agent file's model (default: pre-train)"
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/ppi_planning.json"))
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    quick = args.quick
    shapes = [(32, 256, 4), (64, 256, 4), (64, 1024, 2), (64, 1024, 4), (128, 1024, 4)]
    if quick:
        shapes = [(32, 64, 2)]
    throughput = [planning_throughput(h, b, k, 15) for h, b, k in tqdm(shapes, desc="planning")]
    print("\nPlanning (horizon 15): one call plans one round for every live episode")
    print(
        f"{'hidden':>6} {'episodes':>8} {'rollouts':>8} {'s/round':>8} {'imagined/s':>11} "
        f"{'ms per episode-round':>21}"
    )
    for r in throughput:
        print(
            f"{r['hidden']:>6} {r['episodes']:>8} {r['rollouts']:>8} "
            f"{r['seconds_per_round']:>8.3f} {r['imagined_rounds_per_second'] / 1e6:>10.2f}M "
            f"{r['ms_per_episode_round']:>21.3f}"
        )

    split = phase_split(args.threads, quick)
    print(
        f"\nPhase split (ppi_mixed_pool_cpu: {split['games_per_learner']} games per learner, "
        f"retrained on {split['pretrain_games']} pre-training games and the new ones): "
        f"play {split['play_seconds']:.1f} s, retrain {split['fit_seconds']:.1f} s -> "
        f"{100 * split['play_share']:.0f}% of the phase is play (planning)"
    )

    if args.agent is not None:
        model = load_ppi(args.agent).actor.model.eval()
        source = str(args.agent)
    else:
        games, epochs = (200, 1) if quick else (3000, 4)
        model = pretrained_model(games, epochs, 32 if quick else 64)
        source = f"pre-trained here: {games} random-tabular games, {epochs} epochs"
    betas = [0.0, 0.01, 1.0] if quick else [0.0, 0.01, 0.1, 0.3, 1.0, 3.0]
    sweep = beta_sweep(model, betas, 32 if quick else 256)
    print(f"\nImprovement step vs beta (model: {source})")
    print(
        f"{'beta':>6} {'vs TFT':>7} {'TFT coop 51-100':>16} {'vs always-D':>12} "
        f"{'vs tabular':>11} {'regret':>7}"
    )
    for r in sweep:
        print(
            f"{r['beta']:>6} {r['tit_for_tat/reward']:>7.3f} "
            f"{r['tit_for_tat/cooperation_late']:>16.3f} {r['always_defect/reward']:>12.3f} "
            f"{r['random_tabular_held_out/reward']:>11.3f} "
            f"{r['random_tabular_held_out/regret']:>7.3f}"
        )
    record = {
        "machine": {"platform": platform.platform(), "threads": args.threads},
        "quick": quick,
        "planning": throughput,
        "phase_split": split,
        "beta_sweep": sweep,
        "beta_sweep_model": source,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_json(args.out, record, indent=2)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
