"""Submission formats: what can be submitted, how it is recognised, hashed and loaded.

A submission becomes an *agent* (the agent protocol of :class:`coop_envs.core.Agent`): batched
``reset(num_envs, seed)`` and ``act(observations) -> actions``, where ``observations`` is a
``(B, 8) float32`` array per game in the :data:`coop_envs.core.AGENT_OBSERVATION` layout:

=======  =============================================================================
columns  content
=======  =============================================================================
0-4      one-hot of the previous joint action, own move first: START, CC, CD, DC, DD
5-6      one-hot of the agent's own previous action (C, D); zeros in the first round
7        the agent's previous reward; 0 in the first round
=======  =============================================================================

and ``actions`` is ``(B,)`` integers, 0 = cooperate, 1 = defect. Each row is a separate game
against a separate co-player; the co-player's identity is never given.

Kinds (``kind`` is inferred from the path, or given):

- ``python``: a ``.py`` file (or an importable module name) defining ``make_agent()``;
- ``checkpoint``: a baseline policy file (``agent_<i>.pt`` from ``python -m baselines.train``);
- ``sb3``: a saved stable-baselines3 / sb3-contrib model (``.zip``), e.g. RecurrentPPO, trained
  on ``coop_envs/IteratedPrisonersDilemma-v0`` (its observation width tells which extra blocks it
  was trained with: 5 = one-hot only, 7 = + previous action, 8 = + previous reward);
- ``memory_one``: a ``.json`` file ``{"vector": [P(C|start), P(C|CC), P(C|CD), P(C|DC), P(C|DD)]}``;
- ``axelrod``: ``axelrod:<strategy name>`` (needs the ``axelrod`` extra);
- ``rllib``: a Ray RLlib checkpoint directory (new API stack) holding one RL module, or one
  module's directory (``<checkpoint>/learner_group/learner/rl_module/learner_0``), trained on
  the agent observation (``coop_envs.rllib.AGENT_ENV_CONFIG``); needs the ``rllib`` extra
  (:mod:`baselines.rllib_agent`).
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import importlib
import importlib.util
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coop_envs.core import (
    AGENT_OBSERVATION,
    AGENT_PROTOCOL,
    NUM_OBSERVATIONS,
    MatrixGame,
    check_positive_int,
)

KINDS = ("python", "checkpoint", "sb3", "memory_one", "axelrod", "rllib")
SUFFIXES = {".py": "python", ".pt": "checkpoint", ".zip": "sb3", ".json": "memory_one"}
"""The file suffix of each file kind."""


class SubmissionError(ValueError):
    """A submission cannot be recognised or loaded; the message says why."""


@dataclass(frozen=True)
class Submission:
    """What was submitted: enough to hash it, load it in a worker and describe it."""

    kind: str
    """One of :data:`KINDS`."""
    source: str
    """Path, module name, or ``axelrod:<name>``."""
    content_hash: str
    """sha256 of the content (file bytes, canonical JSON, or the strategy name)."""
    memory_one: tuple[float, ...] | None = None
    """The 5-vector, for memory-one submissions (exact analysis applies)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (what the worker receives)."""
        return {
            "kind": self.kind,
            "source": self.source,
            "content_hash": self.content_hash,
            "memory_one": list(self.memory_one) if self.memory_one else None,
        }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_memory_one(path: Path) -> tuple[float, ...]:
    from co_players.memory_one import check_probabilities

    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"{str(path)!r} is not valid JSON: {exc}") from exc
    vector = data.get("vector") if isinstance(data, dict) else data
    try:
        table = check_probabilities(vector, "vector")
    except (TypeError, ValueError) as exc:
        raise SubmissionError(
            f'{str(path)!r} must hold {{"vector": [P(C|start), P(C|CC), P(C|CD), P(C|DC), '
            f"P(C|DD)]}}: {exc}"
        ) from exc
    if table.shape != (NUM_OBSERVATIONS,):
        raise SubmissionError(f"{str(path)!r}: vector must have 5 entries; got shape {table.shape}")
    return tuple(float(p) for p in table)


def _normalise(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def axelrod_names() -> dict[str, str]:
    """Every name Axelrod's strategy modules spell out, read from their source without importing.

    Importing axelrod takes seconds (~12 s here); reading its sources takes a fraction of one, so a
    misspelt name is refused at once. The set is generous (class names, module-level names and
    string constants): anything it lets through is still checked when the strategy loads.

    Returns:
        Normalised name (lower case, letters and digits only) -> the name as written.

    Raises:
        SubmissionError: If axelrod is not installed.
    """
    spec = importlib.util.find_spec("axelrod")
    if spec is None or spec.origin is None:
        raise SubmissionError(
            "axelrod submissions need the axelrod package: pip install 'coop-envs[axelrod]'"
        )
    names: dict[str, str] = {}
    for path in sorted((Path(spec.origin).parent / "strategies").glob("*.py")):
        with warnings.catch_warnings():  # their sources' invalid escapes are not ours to report
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names.setdefault(_normalise(node.name), node.name)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if 0 < len(node.value) <= 80:
                    names.setdefault(_normalise(node.value), node.value)
            elif isinstance(node, ast.Name):
                names.setdefault(_normalise(node.id), node.id)
    names.pop("", None)
    return names


def check_axelrod_name(name: str) -> None:
    """Refuse an Axelrod strategy name that no strategy module spells, suggesting close ones.

    Raises:
        SubmissionError: For an empty or unknown name, or when axelrod is not installed.
    """
    if not name.strip():
        raise SubmissionError("axelrod submissions are 'axelrod:<strategy name>'; got no name")
    known = axelrod_names()
    if _normalise(name) in known:
        return
    close = difflib.get_close_matches(_normalise(name), known, n=5, cutoff=0.75)
    hint = f"; did you mean {', '.join(repr(known[c]) for c in close)}?" if close else ""
    raise SubmissionError(
        f"unknown Axelrod strategy {name!r}{hint} (accepted: an Axelrod strategy's display name "
        "such as 'Tit For Tat' or its class name such as 'TitForTat')"
    )


def inspect_submission(source: str | Path, kind: str | None = None) -> Submission:
    """Recognise a submission, check that its content is readable, and hash it.

    Args:
        source: A path (``.py``, ``.pt``, ``.zip``, ``.json``), an importable module name, or
            ``axelrod:<strategy name>``.
        kind: Force a kind (one of :data:`KINDS`); default: inferred.

    Returns:
        The :class:`Submission`.

    Raises:
        SubmissionError: If the file is missing, of an unknown kind, or unreadable.
    """
    text = str(source)
    if kind is not None and kind not in KINDS:
        raise SubmissionError(f"unknown submission kind {kind!r}; known: {', '.join(KINDS)}")
    if text.startswith("axelrod:") or kind == "axelrod":
        name = text.removeprefix("axelrod:")
        check_axelrod_name(name)
        return Submission("axelrod", f"axelrod:{name}", _sha256(f"axelrod:{name}".encode()))
    path = Path(text)
    if path.exists():
        if not path.is_file():
            return _inspect_directory(path, kind)
        suffix = path.suffix.lower()
        if kind is not None and SUFFIXES.get(suffix) != kind:
            expected = next(
                (f"a {s} file" for s, k in SUFFIXES.items() if k == kind),
                "an RLlib checkpoint directory",
            )
            inferred = SUFFIXES.get(suffix)
            hint = f" (kind {inferred}: leave out --kind to infer it)" if inferred else ""
            raise SubmissionError(f"--kind {kind} needs {expected}; got {text!r}{hint}")
        kind = kind or SUFFIXES.get(suffix)
        if kind is None:
            raise SubmissionError(
                f"cannot tell the kind of {text!r} from its suffix {suffix!r}; accepted: .py "
                f"(make_agent), .pt (baseline checkpoint), .zip (SB3 model), .json (memory-one "
                f"vector), or axelrod:<name>; or pass --kind"
            )
        data = path.read_bytes()
        vector = _read_memory_one(path) if kind == "memory_one" else None
        if vector is not None:
            data = json.dumps(vector).encode()
        return Submission(kind, str(path.resolve()), _sha256(data), vector)
    if Path(text).suffix.lower() in SUFFIXES or "/" in text or "\\" in text:
        raise SubmissionError(f"submission file {text!r} does not exist")
    if kind in (None, "python") and all(part.isidentifier() for part in text.split(".")):
        try:
            spec = importlib.util.find_spec(text)
        except (ImportError, ValueError):  # a dotted name whose parent package is missing
            spec = None
        if spec is None or spec.origin is None:
            raise SubmissionError(f"{text!r} is neither a file nor an importable module")
        return Submission("python", text, _sha256(Path(spec.origin).read_bytes()))
    raise SubmissionError(f"submission {text!r} does not exist (no such file or module)")


def _inspect_directory(path: Path, kind: str | None) -> Submission:
    """An RLlib checkpoint directory as a submission: its module's directory, hashed whole."""
    from baselines.rllib_agent import is_rllib_checkpoint, module_directory

    if kind not in (None, "rllib") or not is_rllib_checkpoint(path):
        raise SubmissionError(
            f"{str(path)!r} is a directory; submit a file (or an RLlib checkpoint directory)"
        )
    try:
        directory = module_directory(path).resolve()
    except ValueError as exc:
        raise SubmissionError(
            f"{exc} (a directory is submitted as an RLlib checkpoint of one RL module; for a "
            "checkpoint of several, submit <checkpoint>/learner_group/learner/rl_module/<module>)"
        ) from None
    digest = hashlib.sha256()
    for file in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(directory)).encode() + b"\0")
        digest.update(_sha256(file.read_bytes()).encode())
    return Submission("rllib", str(directory), digest.hexdigest())


class SB3Agent:
    """A saved stable-baselines3 / sb3-contrib model as an agent (recurrent state per game)."""

    protocol = AGENT_PROTOCOL
    observation_config = AGENT_OBSERVATION

    # columns of the AGENT_OBSERVATION layout a model of each input width was trained on
    COLUMNS = {5: slice(0, 5), 7: slice(0, 7), 8: slice(0, 8)}

    def __init__(self, path: str | Path, deterministic: bool = False) -> None:
        import zipfile

        try:
            with zipfile.ZipFile(path) as archive:
                data = json.loads(archive.read("data"))
        except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
            raise SubmissionError(f"{str(path)!r} is not a saved SB3 model: {exc}") from exc
        policy_class = data.get("policy_class", {})
        module = policy_class.get("__module__", "") if isinstance(policy_class, dict) else ""
        if "recurrent" in module:
            from sb3_contrib import RecurrentPPO

            candidates = [RecurrentPPO]
        else:
            from stable_baselines3 import A2C, DQN, PPO

            candidates = [PPO, A2C, DQN]
        errors = []
        self.model = None
        for algorithm in candidates:
            try:
                self.model = algorithm.load(path, device="cpu")
                break
            except Exception as exc:
                errors.append(f"{algorithm.__name__}: {exc}")
        if self.model is None:
            raise SubmissionError(f"cannot load SB3 model {str(path)!r}: {'; '.join(errors)}")
        recurrent = "recurrent" in module
        width = int(np.prod(self.model.observation_space.shape))
        if width not in self.COLUMNS:
            raise SubmissionError(
                f"SB3 model {str(path)!r} takes {width} inputs; accepted: 5 (one-hot), 7 (+ "
                f"previous action), 8 (+ previous reward), as made by the coop_envs Gymnasium env"
            )
        self.columns = self.COLUMNS[width]
        self.recurrent = recurrent
        self.deterministic = deterministic
        self.name = Path(path).stem

    def reset(self, num_envs: int, seed: int | None = None) -> None:
        """Start ``num_envs`` games (fresh recurrent states)."""
        self.num_envs = check_positive_int(num_envs, "num_envs")
        self.model.set_random_seed(seed)
        self._state = None
        self._start = np.ones(self.num_envs, dtype=bool)

    def act(self, observations: np.ndarray) -> np.ndarray:
        """The model's actions for this round."""
        obs = np.asarray(observations, dtype=np.float32)[:, self.columns]
        if self.recurrent:
            actions, self._state = self.model.predict(
                obs, state=self._state, episode_start=self._start, deterministic=self.deterministic
            )
            self._start = np.zeros(self.num_envs, dtype=bool)
        else:
            actions, _ = self.model.predict(obs, deterministic=self.deterministic)
        return np.asarray(actions, dtype=np.int64).reshape(self.num_envs)


def load_agent(submission: Submission, game: MatrixGame | str = "prisoners_dilemma") -> Any:
    """Build the agent of a submission (runs the submitted code: call it in a worker process).

    Raises:
        SubmissionError: If the submission cannot be loaded or does not give an agent.
    """
    from co_players.adapters import CoPlayerAgent

    kind, source = submission.kind, submission.source
    if kind == "memory_one":
        from co_players.memory_one import MemoryOne

        return CoPlayerAgent(MemoryOne(submission.memory_one, name="memory_one"), game)
    if kind == "axelrod":
        from co_players.axelrod_adapter import AxelrodCoPlayer

        return CoPlayerAgent(AxelrodCoPlayer(source.removeprefix("axelrod:")), game)
    if kind == "checkpoint":
        from baselines.agents import load_agent as load_checkpoint

        return load_checkpoint(source)
    if kind == "sb3":
        return SB3Agent(source)
    if kind == "rllib":
        from baselines.rllib_agent import RLlibAgent

        return RLlibAgent(source)
    return _python_agent(source)


def _python_agent(source: str) -> Any:
    """The agent of a ``.py`` file or module's ``make_agent()`` (runs the submitted code)."""
    from co_players.adapters import check_agent

    if source.endswith(".py"):
        spec = importlib.util.spec_from_file_location("submission", source)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(source)
    make = getattr(module, "make_agent", None)
    if not callable(make):
        raise SubmissionError(f"{source!r} defines no make_agent() function")
    agent = make()
    try:
        return check_agent(agent, f"make_agent() of {source!r}")
    except TypeError as exc:
        raise SubmissionError(str(exc)) from None


GAME_KINDS = ("python", "checkpoint")
"""The kinds a game suite (public goods, Coin Game) takes: a ``make_agent()`` file or module, or
an agent file of the game trainers."""


def check_game_kind(submission: Submission, game: str) -> None:
    """Refuse a kind that cannot play a game suite (memory-one vectors, SB3, RLlib, Axelrod).

    Raises:
        SubmissionError: Naming the kind received and the kinds accepted.
    """
    if submission.kind not in GAME_KINDS:
        raise SubmissionError(
            f"the {game} suite takes a .py file or module with make_agent(), or a game-trainer "
            f"agent file (.pt); got a {submission.kind} submission {submission.source!r} (that "
            "kind plays the 2x2 matrix games: leave out --game)"
        )


def load_game_agent(submission: Submission, game: str) -> Any:
    """Build the agent of a submission to a game suite (call it in a worker process).

    An agent that declares ``game`` (and ``game_kwargs``, ``observation_shape``), as the game
    trainers' agent files do, must declare the suite's; a checkpoint must declare its game.

    Args:
        submission: A ``python`` or ``checkpoint`` submission.
        game: The suite's game name (a key of :data:`leaderboard.game_suites.GAME_SUITES`).

    Raises:
        SubmissionError: For another kind, or an agent made for another game, other game
            arguments or another observation shape (the message says which it declares).
    """
    from leaderboard.game_suites import get_game_suite

    suite = get_game_suite(game)
    check_game_kind(submission, game)
    if submission.kind == "checkpoint":
        from baselines.agents import load_agent as load_checkpoint

        agent = load_checkpoint(submission.source)
        if getattr(agent, "game", None) is None:
            raise SubmissionError(
                f"{submission.source!r} is an agent of the 2x2 matrix games (it declares no "
                f"game); the {suite.version} suite needs an agent trained on {game!r}"
            )
    else:
        agent = _python_agent(submission.source)
    check_declared_game(agent, suite, submission.source)
    return agent


def _same(ours: Any, theirs: Any) -> bool:
    """Equal game arguments; numbers up to float32 rounding (a core stores r as float32)."""
    numbers = (int, float, np.floating, np.integer)
    if isinstance(ours, numbers) and isinstance(theirs, numbers) and not isinstance(ours, bool):
        return bool(np.isclose(float(ours), float(theirs), rtol=1e-6, atol=0.0))
    return ours == theirs


def check_declared_game(agent: Any, suite: Any, source: str) -> None:
    """Refuse an agent whose declared ``game``, ``game_kwargs`` or observation shape differ.

    Raises:
        SubmissionError: Naming what the agent declares and what the suite plays.
    """
    declared = getattr(agent, "game", None)
    where = f"the {suite.version} suite plays {suite.describe()}"
    if declared is not None and declared != suite.game:
        raise SubmissionError(
            f"{source!r} is an agent for {declared!r} (its game attribute); {where}: submit it "
            f"with --game {declared}"
        )
    kwargs = dict(getattr(agent, "game_kwargs", None) or {})
    differ = {k: v for k, v in kwargs.items() if not _same(suite.game_kwargs.get(k, v), v)}
    if differ:
        raise SubmissionError(f"{source!r} declares game_kwargs {differ}; {where}")
    try:  # arguments the suite leaves at their defaults (e.g. the observation layout)
        theirs = suite.make_core(1, **kwargs).spec
    except (TypeError, ValueError) as exc:
        raise SubmissionError(
            f"{source!r} declares game_kwargs {kwargs} ({exc}); {where}"
        ) from None
    shape = getattr(agent, "observation_shape", None) or theirs.observation_shape
    ours = suite.spec
    if tuple(shape) != ours.observation_shape or theirs.num_actions != ours.num_actions:
        raise SubmissionError(
            f"{source!r} takes observations of shape {tuple(shape)} and {theirs.num_actions} "
            f"actions; {where}, with observations {ours.observation_shape} and "
            f"{ours.num_actions} actions"
        )
