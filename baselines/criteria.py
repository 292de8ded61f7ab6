"""Success criteria as code: what it means for a run to have reproduced the paper's phenomena.

- :data:`IN_CONTEXT_BEST_RESPONDER` (stage 1): the frozen agent infers its co-player within the
  episode and best-responds — exploits always-cooperate, does not get exploited by
  always-defect, learns to cooperate with tit-for-tat (rounds 51-100), and beats always-defect's
  return against held-out random tabular co-players.
- :data:`MIXED_POOL_COOPERATION`: two learners cooperate with each other while still
  best-responding to random tabular co-players.

A criterion is checked on an *evaluation* (held-out co-players, fixed evaluation seed), never on
the training batch. :func:`time_to_criterion` finds the first logged evaluation where it holds.
"""

from __future__ import annotations

import csv
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_OPS = {">=": operator.ge, "<=": operator.le}


@dataclass(frozen=True)
class Check:
    """One threshold on one evaluation metric."""

    opponent: str
    """Opponent name in the evaluation (``tit_for_tat``, ``learner_1``, ...)."""
    metric: str
    """Field of :class:`~baselines.evaluation.MatchResult` (``reward``, ``cooperation_late``)."""
    op: str
    """``>=`` or ``<=``."""
    threshold: float

    def holds(self, value: float) -> bool:
        """Whether ``value`` passes."""
        return _OPS[self.op](value, self.threshold)

    def __str__(self) -> str:
        return f"{self.metric} vs {self.opponent} {self.op} {self.threshold:g}"


@dataclass(frozen=True)
class Criterion:
    """A named conjunction of checks."""

    name: str
    checks: tuple[Check, ...]

    def evaluate(self, results: Mapping[str, Any]) -> tuple[bool, dict[str, float]]:
        """Check evaluation results of one learner.

        Args:
            results: ``{opponent: MatchResult or its dict}``; for multi-learner criteria the
                opponent ``learner`` means any other learner (all must pass).

        Returns:
            ``(holds, margins)``: margin = value - threshold (for ``>=``), positive when passing.
        """
        margins: dict[str, float] = {}
        ok = True
        for check in self.checks:
            opponents = [check.opponent]
            if check.opponent == "learner":
                opponents = [name for name in results if name.startswith("learner_")]
                if not opponents:
                    return False, {}
            for opponent in opponents:
                if opponent not in results:
                    return False, {}
                result = results[opponent]
                value = (
                    result[check.metric]
                    if isinstance(result, Mapping)
                    else getattr(result, check.metric)
                )
                sign = 1.0 if check.op == ">=" else -1.0
                margins[f"{check.metric} vs {opponent}"] = sign * (value - check.threshold)
                ok = ok and check.holds(value)
        return ok, margins

    def describe(self) -> str:
        """The checks as text."""
        return "; ".join(str(c) for c in self.checks)


IN_CONTEXT_BEST_RESPONDER = Criterion(
    "in_context_best_responder",
    (
        Check("always_cooperate", "reward", ">=", 1.9),
        Check("always_defect", "reward", ">=", -0.1),
        Check("tit_for_tat", "cooperation_late", ">=", 0.9),
        Check("random_tabular_held_out", "reward", ">=", 1.0),
    ),
)
MIXED_POOL_COOPERATION = Criterion(
    "mixed_pool_cooperation",
    (
        Check("learner", "cooperation", ">=", 0.8),
        Check("learner", "reward", ">=", 0.8),
        Check("random_tabular_held_out", "reward", ">=", 0.95),
    ),
)
CRITERIA = {c.name: c for c in (IN_CONTEXT_BEST_RESPONDER, MIXED_POOL_COOPERATION)}
"""Every criterion by name."""


def criteria_for(learners: int) -> list[Criterion]:
    """The criteria that apply to a run with ``learners`` learners."""
    return [IN_CONTEXT_BEST_RESPONDER] + ([MIXED_POOL_COOPERATION] if learners > 1 else [])


def time_to_criterion(
    directory: str | Path, criterion: Criterion, learner: int = 0
) -> dict[str, float] | None:
    """The first logged evaluation of a run at which ``criterion`` holds for ``learner``.

    Returns:
        ``{"update", "env_steps", "seconds"}`` of that evaluation, or ``None`` if it never held.
    """
    path = Path(directory) / "log.csv"
    if not path.exists():
        return None
    column = f"l{learner}/criterion/{criterion.name}"
    with path.open() as f:
        for row in csv.DictReader(f):
            if row.get(column) not in (None, "") and float(row[column]) == 1.0:
                return {k: float(row[k]) for k in ("update", "env_steps", "seconds")}
    return None
