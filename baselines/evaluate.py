"""``python -m baselines.evaluate CHECKPOINT [CHECKPOINT ...]``: score trained policies.

For each policy file (``agent_<i>.pt`` of a run; A2C/PPO policies and PPI agents alike), prints
reward and cooperation against the reference co-players (always cooperate, always defect,
tit-for-tat, held-out random tabular) and, with several files, against each other; for
memory-one co-players also the exact best response and the in-context regret. Checks the
stage-1 criterion (and the mixed-pool criterion when two policies are given), writes everything
as JSON and plots the within-episode curves. Agents of a game beyond 2x2 (public goods, the
Coin Game; A2C/PPO policies and PPI agents) play the game's evaluation co-players
(``baselines.general.config.EVAL_CO_PLAYERS``, the trainers') and each other, in alternate
seats; no criteria apply there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import tyro

from baselines.checkpoints import policy_from_payload, read_checkpoint
from baselines.cli import run_cli
from baselines.configs import check_fields
from baselines.criteria import criteria_for
from baselines.evaluation import (
    REFERENCE_CO_PLAYERS,
    MatchResult,
    evaluate,
    evaluate_players,
    results_to_dict,
)
from baselines.general.policy import KIND as GAME_POLICY
from baselines.general.policy import GamePolicy, game_policy_from_payload
from baselines.policies import ActorCritic
from co_players import make_co_player
from coop_envs.core import (
    AGENT_PROTOCOL,
    CONTRACT_GAMES,
    DEFAULT_NUM_ROUNDS,
    PRISONERS_DILEMMA,
    check_batch,
    declared_protocol,
    get_game,
)


@dataclass(frozen=True)
class EvaluateConfig:
    """Evaluation of policy checkpoints."""

    checkpoints: Annotated[tuple[Path, ...], tyro.conf.Positional]
    """Policy files (``agent_<i>.pt``) or RLlib checkpoint directories (each RL module is a
    policy: ``baselines.rllib_agent``); several are also played against each other."""
    episodes: int = 1024
    """Episodes per opponent."""
    seed: int = 0
    """Seed of the evaluation games."""
    out: Path | None = None
    """JSON file to write; default ``<first checkpoint>.eval.json``."""
    plot: Path | None = None
    """PNG of the within-episode curves; default ``<first checkpoint>.eval.png``."""

    def __post_init__(self) -> None:
        if isinstance(self.checkpoints, list):
            object.__setattr__(self, "checkpoints", tuple(self.checkpoints))
        check_fields(self)
        if not self.checkpoints:
            raise ValueError("give at least one checkpoint (e.g. runs/stage1_seed0/agent_0.pt)")
        check_batch(self.episodes, DEFAULT_NUM_ROUNDS, "episodes")


def _cell(value: float | None, width: int, digits: int) -> str:
    """A right-aligned number, or a dash where there is none (no best response, no coin)."""
    return f"{value:{width}.{digits}f}" if value is not None else f"{'—':>{width}}"


def format_table(name: str, results: dict[str, MatchResult]) -> str:
    """A text table of one policy's results."""
    width = max([26, *(len(opponent) + 2 for opponent in results)])
    lines = [
        f"{name}",
        f"  {'opponent':<{width}}{'reward':>8}{'theirs':>8}{'coop':>7}{'late':>7}"
        f"{'best':>8}{'regret':>8}",
    ]
    for opponent, r in results.items():
        cells = (
            _cell(r.cooperation, 7, 2),
            _cell(r.cooperation_late, 7, 2),
            _cell(r.best_response, 8, 3),
            _cell(r.regret, 8, 3),
        )
        lines.append(
            f"  {opponent:<{width}}{r.reward:8.3f}{r.opponent_reward:8.3f}" + "".join(cells)
        )
    return "\n".join(lines)


def main(config: EvaluateConfig) -> int:
    """Evaluate, print, write JSON and the plot. Returns the exit status."""
    policies = {name: subject for path in config.checkpoints for name, subject in _load_all(path)}
    games = {_game_of(subject) for subject in policies.values()}
    if len(games) > 1:
        raise ValueError(
            f"these checkpoints are agents of different games ({', '.join(sorted(games))}); "
            "evaluate the agents of one game at a time"
        )
    if games != {MATRIX}:
        report = _evaluate_games(policies, config)
    else:
        report = _evaluate_matrix(policies, config)
    first = Path(config.checkpoints[0])
    out = config.out or first.with_suffix(".eval.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"episodes": config.episodes, "seed": config.seed, "policies": report}, indent=2)
        + "\n"
    )
    plot = config.plot or first.with_suffix(".eval.png")
    _plot(report, plot)
    print(f"wrote {out} and {plot}")
    return 0


MATRIX = "a 2x2 matrix game"


def _game_of(subject: Any) -> str:
    """The game an agent plays, as a display name: a game beyond 2x2 by name, else MATRIX."""
    if isinstance(subject, GamePolicy):
        return subject.game["name"]
    game = subject.get("game") if isinstance(subject, dict) else None
    if isinstance(game, dict) and game.get("name") in CONTRACT_GAMES:  # a PPI agent's file
        return game["name"]
    return MATRIX


def _evaluate_games(policies: dict[str, Any], config: EvaluateConfig) -> dict[str, dict]:
    """Agents of a game beyond 2x2: the game's evaluation co-players and each other.

    A2C/PPO policies and PPI agents alike, each through its seat factory, in alternate seats.
    """
    from baselines.general.config import EVAL_CO_PLAYERS
    from baselines.general.trainer import evaluate_game_players

    seats = {name: _game_seat(name, subject, config.episodes) for name, subject in policies.items()}
    spec = next(iter(seats.values()))[0]
    for name, (game, _) in seats.items():
        if game != spec:
            raise ValueError(
                f"{name} plays {game}, the first agent {spec}: evaluate agents of one "
                "game, parameters and horizon at a time"
            )
    game = _game_config(spec)
    report: dict[str, dict] = {}
    subjects = [seat for _, seat in seats.values()]
    for k, name in enumerate(seats):
        others = {j: other for j, other in enumerate(subjects) if j != k}
        results = evaluate_game_players(
            subjects[k],
            game,
            int(spec["num_rounds"]),
            EVAL_CO_PLAYERS[spec["name"]],
            others,
            config.episodes,
            config.seed,
        )
        print(format_table(f"[{k}] {name} ({spec['name']})", results))
        print(f"  cooperation: {_COOPERATION[spec['name']]}; no criteria apply to this game")
        report[name] = {"game": spec, "results": results_to_dict(results), "criteria": {}}
    return report


def evaluate_game_agent(
    path: Path, co_players: Sequence[str], episodes: int, seed: int
) -> dict[str, MatchResult]:
    """One agent file of a game beyond 2x2 (A2C/PPO policy or PPI agent) against ``co_players``.

    The game, its parameters and horizon are the file's own; co-player ``co_players[k]`` takes
    every other seat, ``episodes`` games with seed ``seed + k``, as in the trainers' evaluations
    (:func:`baselines.general.trainer.evaluate_game_players`).

    Raises:
        ValueError: If the file is an agent of a matrix game.
    """
    from baselines.general.trainer import evaluate_game_players

    subject = _load(Path(path))
    if _game_of(subject) == MATRIX:
        raise ValueError(f"{str(path)!r} is an agent of {MATRIX}, not of a game beyond 2x2")
    spec, seat = _game_seat(str(path), subject, episodes)
    return evaluate_game_players(
        seat, _game_config(spec), int(spec["num_rounds"]), co_players, {}, episodes, seed
    )


def _game_config(spec: dict[str, Any]) -> Any:
    """The :class:`~baselines.general.config.GameConfig` of an agent file's game record."""
    from baselines.general.config import GameConfig

    return GameConfig(name=spec["name"], **spec["kwargs"])


def _game_seat(name: str, subject: Any, episodes: int) -> tuple[dict[str, Any], Any]:
    """``(game record, seat factory)`` of an agent of a game beyond 2x2."""
    from baselines.general.trainer import policy_seat

    if isinstance(subject, GamePolicy):
        return subject.game, policy_seat(subject, episodes)
    from baselines.ppi.agent import ppi_agent_from_payload

    agent = ppi_agent_from_payload(subject, f"PPI checkpoint {name!r}")
    return subject["game"], agent.seat


_COOPERATION = {
    "public_goods": "the share of rounds it contributed",
    "coin_game": "the share of the coins it picked up that were its own colour",
}


def _evaluate_matrix(policies: dict[str, Any], config: EvaluateConfig) -> dict[str, dict]:
    """Agents of the matrix games: the reference co-players, each other, the criteria."""
    report: dict[str, dict] = {}
    for k, (name, policy) in enumerate(policies.items()):
        others = {
            f"learner_{j}": other
            for j, (other_name, other) in enumerate(policies.items())
            if other_name != name
        }
        if isinstance(policy, ActorCritic):
            others = {j: o if isinstance(o, ActorCritic) else _player(o) for j, o in others.items()}
            results = evaluate(
                policy, policy.game, config.episodes, 100, config.seed, REFERENCE_CO_PLAYERS, others
            )
        else:  # a PPI agent: plays through the co-player protocol
            opponents = {name: make_co_player(name) for name in REFERENCE_CO_PLAYERS}
            opponents.update({j: _player(o) for j, o in others.items()})
            payload = policy if isinstance(policy, dict) else {}  # RLlib modules: the PD
            game = get_game(payload["game"]["name"]) if payload.get("game") else PRISONERS_DILEMMA
            rounds = int(payload.get("num_rounds", 100))
            results = evaluate_players(
                _player(policy), opponents, game, config.episodes, rounds, config.seed
            )
        print(format_table(f"[{k}] {name}", results))
        criteria = {}
        for criterion in criteria_for(len(policies)):
            holds, margins = criterion.evaluate(results)
            criteria[criterion.name] = {"holds": holds, "margins": margins}
            print(f"  {criterion.name}: {'PASS' if holds else 'fail'} ({criterion.describe()})")
        report[name] = {"results": results_to_dict(results), "criteria": criteria}
    return report


def _load(path: Path) -> ActorCritic | dict:
    """A policy network, or (PPI agents) the checkpoint dictionary."""
    payload = read_checkpoint(path)
    if payload.get("kind") == "ppi":
        return payload
    if payload.get("kind") == GAME_POLICY:
        return game_policy_from_payload(payload, source=f"checkpoint {str(path)!r}")
    return policy_from_payload(payload, source=f"checkpoint {str(path)!r}")


def _load_all(path: Path) -> list[tuple[str, Any]]:
    """``(name, subject)`` of a policy file, or of every RL module of an RLlib checkpoint."""
    from baselines.rllib_agent import MODULES, RLlibAgent, is_rllib_checkpoint

    if not is_rllib_checkpoint(path):
        return [(str(path), _load(path))]
    root = path / MODULES
    modules = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if not modules:  # one module's own checkpoint
        return [(str(path), RLlibAgent(path))]
    return [(f"{path}:{m}", RLlibAgent(path, m)) for m in modules]


def _player(subject: Any):
    """A co-player-protocol object acting as ``subject`` (a fresh one per call)."""
    from co_players import AgentCoPlayer

    if declared_protocol(subject) == AGENT_PROTOCOL:  # an RLlib module (baselines.rllib_agent)
        return AgentCoPlayer(subject)
    if isinstance(subject, ActorCritic):
        from baselines.players import PolicyAgent

        return AgentCoPlayer(PolicyAgent(subject))
    from baselines.ppi.agent import PPICoPlayer, ppi_agent_from_payload

    agent = ppi_agent_from_payload(subject, "PPI checkpoint")
    return PPICoPlayer(agent.actor)


def _plot(report: dict[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(report), 1, figsize=(8, 3.5 * len(report)), squeeze=False)
    for ax, (name, entry) in zip(axes[:, 0], report.items(), strict=True):
        for opponent, result in entry["results"].items():
            curve = result["cooperation_curve"]
            ax.plot(range(1, len(curve) + 1), curve, label=opponent.replace("_", " "))
        ax.set_title(Path(name).name, fontsize=9)
        ax.set_xlabel("round within the episode")
        ax.set_ylabel("cooperation")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cli(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point (``coop-evaluate``): bad input is one line, unless ``--debug``."""
    return run_cli(lambda args: main(tyro.cli(EvaluateConfig, args=args)), argv)


if __name__ == "__main__":
    raise SystemExit(cli())
