"""``python -m baselines.ppi.diagnose AGENT --co-player SPEC``: what a PPI agent's choices rest on.

Plays games of a PPI agent against a co-player and tabulates, per last joint outcome (``start``,
then ``CC``, ``CD``, ``DC``, ``DD`` with the agent's own move first), what went into each
decision:

- ``prior_c``: the policy prior's p(C) (the model's prediction of the agent's own move);
- ``dq``: the planner's Q(C) − Q(D) (imagined reward over the planning horizon);
- ``policy_c``: the improved policy's p(C), ∝ prior · exp(β Q);
- ``cooperation``: how often the agent cooperated;
- ``predicted_co_player_c`` beside ``co_player_c``: the model's probability that the co-player
  cooperates in that round, given the agent's actual move, and how often it did.

Against a memory-one co-player the last two columns check the world model directly; a
negative ``dq`` after ``CC`` says the agent expects a defection after mutual cooperation to pay
within the horizon — the model predicts too little retaliation for cooperation to be stable.
docs/ppi.md ("What the results mean") reads the runs' tables.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import torch
import tyro

from baselines.checkpoints import write_json
from baselines.ppi.agent import PPIActor, PPICoPlayer, load_ppi
from baselines.ppi.planner import improved_logits
from coop_envs.core import (
    NUM_OBSERVATIONS,
    MatrixGame,
    Seat,
    check_positive_int,
    get_game,
    play,
)

OUTCOMES = ("start", "CC", "CD", "DC", "DD")
"""Row labels: the first round, then the last joint outcome (the agent's move first)."""


@dataclass(frozen=True)
class OutcomeRow:
    """Means over every decision taken after one last joint outcome (NaN where none was)."""

    outcome: str
    decisions: int
    prior_c: float
    dq: float
    policy_c: float
    cooperation: float
    predicted_co_player_c: float
    co_player_c: float


class _Recorder(PPICoPlayer):
    """A PPI co-player that keeps, per round, the prior, Q-values and predicted co-player move."""

    def reset(self, game: MatrixGame, batch_size: int, rng: np.random.Generator) -> None:
        super().reset(game, batch_size, rng)
        self.records: list[tuple[np.ndarray, ...]] = []

    def act(self, obs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        actions = super().act(obs, rng)
        actor = self.actor
        prior = torch.softmax(actor.last_prior, dim=-1)[:, 0].numpy()
        q = actor.last_q
        dq = np.full(len(actions), np.nan) if q is None else (q[:, 0] - q[:, 1]).numpy()
        logits = (
            actor.last_prior
            if q is None
            else improved_logits(actor.last_prior, q, actor.planning.beta)
        )
        policy = torch.softmax(logits, dim=-1)[:, 0].numpy()
        # observation codes 1 + 2a + b: the co-player's move b given the agent's move a
        p_obs = torch.softmax(actor.model.observation_logits(actor.h), dim=-1).numpy()
        rows = np.arange(len(actions))
        both = p_obs[rows, 1 + 2 * actions] + p_obs[rows, 2 + 2 * actions]
        predicted = p_obs[rows, 1 + 2 * actions] / both
        self.records.append((prior, dq, policy, predicted))
        return actions


def diagnose(
    actor: PPIActor,
    co_player: Any,
    episodes: int = 256,
    seed: int = 0,
    game: str | MatrixGame = "prisoners_dilemma",
) -> list[OutcomeRow]:
    """Play ``episodes`` games of ``actor`` (seat 0) against ``co_player``; one row per outcome.

    Args:
        actor: The PPI agent's actor (``load_ppi(path).actor``), with the planning to inspect.
        co_player: Anything :func:`co_players.resolve_co_player` accepts (a registry id such as
            ``"tit_for_tat"``, an agent such as another loaded PPI agent, ...).
        episodes: Games to play.
        seed: Seed of the games (same seed, same table).
        game: The game (name or object).

    Raises:
        ValueError: For a non-positive ``episodes``, an unknown co-player id, or an actor of a
            game beyond 2x2 (its model's vocabulary is not the matrix games' 5 codes).
        TypeError: For an ``actor`` that is not a :class:`PPIActor`.
    """
    from co_players import resolve_co_player

    if not isinstance(actor, PPIActor):
        raise TypeError(
            f"actor must be a PPIActor (load_ppi(path).actor); got {type(actor).__name__}"
        )
    sizes = (
        getattr(actor.model, "num_observations", NUM_OBSERVATIONS),
        getattr(actor.model, "num_actions", 2),
    )
    if sizes != (NUM_OBSERVATIONS, 2):
        raise ValueError(
            "diagnose tabulates the 2x2 matrix games' outcomes; this actor's model reads "
            f"{sizes[0]} observation tokens and {sizes[1]} actions (an agent of a game beyond "
            "2x2: its run's l<i>/eval/* columns measure it)"
        )
    episodes = check_positive_int(episodes, "episodes")
    game = get_game(game) if isinstance(game, str) else game
    rounds = actor.num_rounds
    other = resolve_co_player(co_player)
    recorder = _Recorder(actor, name="diagnosed")
    games = np.arange(episodes)
    seats = [Seat(other, games, 1), Seat(recorder, games, 0)]
    with torch.no_grad():
        core = play(game, episodes, rounds, seats, np.random.default_rng(seed))
    history = core.history[games].astype(np.int64)  # (G, T, 2), 0 = cooperate
    prior, dq, policy, predicted = (
        np.stack(x, axis=1) for x in zip(*recorder.records, strict=True)
    )
    last = np.full((episodes, rounds), -1)
    last[:, 1:] = 2 * history[:, :-1, 0] + history[:, :-1, 1]  # CC=0, CD=1, DC=2, DD=3
    columns = {
        "prior_c": prior,
        "dq": dq,
        "policy_c": policy,
        "cooperation": history[..., 0] == 0,
        "predicted_co_player_c": predicted,
        "co_player_c": history[..., 1] == 0,
    }
    out = []
    for code, name in enumerate(OUTCOMES, start=-1):
        mask = last == code
        n = int(mask.sum())
        means = {k: float(v[mask].mean()) if n else float("nan") for k, v in columns.items()}
        out.append(OutcomeRow(name, n, **means))
    return out


def format_rows(rows: list[OutcomeRow]) -> str:
    """The table as aligned text."""
    head = (
        f"{'last':6s}{'n':>8s}{'prior C':>9s}{'Q(C)-Q(D)':>11s}{'policy C':>10s}{'coop':>7s}"
        f"{'pred. co-player C':>19s}{'co-player C':>13s}"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"{r.outcome:6s}{r.decisions:8d}{r.prior_c:9.2f}{r.dq:+11.2f}{r.policy_c:10.2f}"
            f"{r.cooperation:7.2f}{r.predicted_co_player_c:19.2f}{r.co_player_c:13.2f}"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class DiagnoseConfig:
    """Inspect a PPI agent's decisions against one co-player."""

    agent: Annotated[Path, tyro.conf.Positional]
    """The PPI agent file (``agent_<i>.pt`` of a PPI run)."""
    co_player: str = "tit_for_tat"
    """A co-player registry id, or an agent file (e.g. the other learner's ``agent_1.pt``)."""
    episodes: int = 256
    """Games to play."""
    seed: int = 0
    """Seed of the games."""
    beta: float | None = None
    """Plan with this β instead of the saved one."""
    horizon: int | None = None
    """Plan with this horizon instead of the saved one."""
    out: Path | None = None
    """Also write the rows as JSON here."""


def main(config: DiagnoseConfig) -> int:
    """Print (and optionally write) the table; 0 on success."""
    from baselines.agents import load_agent

    torch.set_num_threads(1)
    actor = load_ppi(config.agent).actor
    changes = {"beta": config.beta, "horizon": config.horizon}
    actor.planning = planning = dataclasses.replace(
        actor.planning, **{k: v for k, v in changes.items() if v is not None}
    )  # validated by PlanningConfig
    spec = config.co_player
    co_player = load_agent(spec) if spec.endswith(".pt") else spec
    rows = diagnose(actor, co_player, config.episodes, config.seed)
    print(
        f"{config.agent} vs {spec} ({config.episodes} games, beta={planning.beta:g}, "
        f"horizon={planning.horizon})"
    )
    print(format_rows(rows))
    if config.out is not None:
        config.out.parent.mkdir(parents=True, exist_ok=True)
        table = [
            {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in asdict(r).items()}
            for r in rows
        ]  # outcomes never met: null, not NaN (strict JSON)
        write_json(config.out, table, indent=2, allow_nan=False)
        print(f"wrote {config.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(tyro.cli(DiagnoseConfig)))
