"""The held-out population of in-context learners: frozen agent files checked against a manifest.

Suite v2's ``pd/held_out_learners`` scenario plays the submission against these learners
(:data:`HELD_OUT_DIR`): agent files of this project's trainers, loaded with
:func:`baselines.agents.load_agent` and seated through :class:`co_players.AgentCoPlayer`. They are
trusted project files, so they run in the scorer's process; the submission stays in its jail.

``manifest.json`` beside them lists every file with its sha256 and where it came from (run
directory, learner, experiment variant, preset, seed, git commit), and keeps the ``RUN_DIR:LEARNER``
list it was written from. :func:`verify_population` refuses a missing or changed file, naming it,
so a population cannot change under a suite version unnoticed.

Swapping in another population is one command, which copies the agent files in and writes the
manifest from each run's ``config.json``::

    python -m leaderboard.held_out --from runs/RUN_A:0 --from runs/RUN_B:1 --note "..."
    python -m leaderboard.held_out --check      # verify and list the population
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HELD_OUT_DIR = Path(__file__).resolve().parent
"""Where the population lives: the agent files and ``manifest.json``."""
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "coop-envs-held-out-population"
MANIFEST_SCHEMA = 1
ROOT = Path(__file__).resolve().parents[2]
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FILE_NAME = re.compile(r"[A-Za-z0-9_.-]+\.pt")

__all__ = [
    "HELD_OUT_DIR",
    "HeldOutLearner",
    "load_population",
    "main",
    "parse_source",
    "read_manifest",
    "verify_population",
    "write_population",
]


@dataclass(frozen=True)
class HeldOutLearner:
    """One learner of the population, as the manifest lists it."""

    file: str
    """The agent file's name in the population's directory."""
    sha256: str
    """Hex digest of the file's bytes."""
    source: dict[str, Any]
    """Provenance: ``run``, ``learner``, ``experiment``, ``preset``, ``seed``, ``commit``, ..."""

    @property
    def name(self) -> str:
        """The learner's display name (its file name without ``.pt``)."""
        return self.file.removesuffix(".pt")


def _directory(directory: str | Path | None) -> Path:
    """``directory``, else :data:`HELD_OUT_DIR` (read at call time: tests point it elsewhere)."""
    if directory is None:
        return HELD_OUT_DIR
    if not isinstance(directory, str | Path):
        raise TypeError(f"directory must be a path or None; got {directory!r}")
    return Path(directory)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_manifest(directory: str | Path | None = None) -> list[HeldOutLearner]:
    """The learners ``manifest.json`` in ``directory`` (default :data:`HELD_OUT_DIR`) lists.

    Checks the manifest's shape, not the files (:func:`verify_population` does).

    Raises:
        ValueError: If the manifest is missing, not JSON, of another format, lists no learner,
            or an entry lacks a plain ``.pt`` file name or a sha256 (the entry is named).
    """
    manifest = _directory(directory) / MANIFEST_NAME
    if not manifest.is_file():
        raise ValueError(
            f"the held-out population's manifest {str(manifest)!r} is missing; write it with "
            "python -m leaderboard.held_out --from RUN_DIR:LEARNER ..."
        )
    try:
        data = json.loads(manifest.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"the manifest {str(manifest)!r} is not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        got = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise ValueError(
            f"the manifest {str(manifest)!r} must have format {MANIFEST_FORMAT!r}; got {got!r}"
        )
    entries = data.get("learners")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"the manifest {str(manifest)!r} lists no learners; got {entries!r}")
    learners = []
    for index, entry in enumerate(entries):
        file = entry.get("file") if isinstance(entry, dict) else None
        digest = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(file, str) or not _FILE_NAME.fullmatch(file):
            raise ValueError(
                f"learner {index} of {str(manifest)!r} must name a .pt file in its directory "
                f"(letters, digits, _ . -); got file={file!r}"
            )
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise ValueError(
                f"learner {file!r} of {str(manifest)!r} needs a sha256 of 64 lower-case hex "
                f"digits; got {digest!r}"
            )
        learners.append(HeldOutLearner(file, digest, dict(entry.get("source") or {})))
    files = [learner.file for learner in learners]
    if len(set(files)) != len(files):
        raise ValueError(f"the manifest {str(manifest)!r} lists a file twice: {files}")
    return learners


def verify_population(directory: str | Path | None = None) -> list[tuple[HeldOutLearner, Path]]:
    """Every learner of the manifest with its file, after checking the file's sha256.

    Raises:
        ValueError: Naming the first file that is missing or whose content changed (its
            sha256 differs from the manifest's), or a bad manifest (:func:`read_manifest`).
    """
    directory = _directory(directory)
    verified = []
    for learner in read_manifest(directory):
        path = directory / learner.file
        if not path.is_file():
            raise ValueError(
                f"held-out learner {learner.file!r} is missing from {str(directory)!r} (the "
                f"manifest lists it); restore it, or write the population again with "
                f"python -m leaderboard.held_out --from RUN_DIR:LEARNER ..."
            )
        digest = sha256_of(path)
        if digest != learner.sha256:
            raise ValueError(
                f"held-out learner {learner.file!r} in {str(directory)!r} has changed: its "
                f"sha256 is {digest}, the manifest says {learner.sha256}; restore the file, or "
                "write the population again with python -m leaderboard.held_out --from ..."
            )
        verified.append((learner, path))
    return verified


def load_population(directory: str | Path | None = None) -> list[tuple[str, Any]]:
    """The verified population as ``(name, agent)`` pairs, in manifest order.

    Each agent is :func:`baselines.agents.load_agent` of its file (sampling its actions from the
    generator its ``reset`` seeds). Imports torch.

    Raises:
        ValueError: If a file is missing or changed (:func:`verify_population`), or does not load.
    """
    from baselines.agents import load_agent

    return [(learner.name, load_agent(path)) for learner, path in verify_population(directory)]


# --------------------------------------------------------------------------- writing it
def parse_source(text: Any) -> tuple[Path, int]:
    """``RUN_DIR:LEARNER`` as ``(run directory, learner index)``.

    Raises:
        TypeError: If ``text`` is not a string.
        ValueError: If it has no ``:LEARNER`` suffix of a non-negative integer.
    """
    if not isinstance(text, str):
        raise TypeError(f"a source must be a string RUN_DIR:LEARNER; got {text!r}")
    run, sep, learner = text.rpartition(":")
    if not sep or not run or not learner.isdigit():
        raise ValueError(
            f"a source must be RUN_DIR:LEARNER (a run directory and a learner index, e.g. "
            f"docs/results/mixed_pool/fast/seed0:1); got {text!r}"
        )
    return Path(run), int(learner)


def _display(path: Path) -> str:
    """``path`` relative to the repository when inside it (manifests stay portable)."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path.resolve())


def _provenance(run: Path, learner: int) -> tuple[Path, dict[str, Any]]:
    """The agent file of ``learner`` in ``run`` and its provenance from the run's config.json.

    Raises:
        ValueError: If the agent file or ``config.json`` is missing, or the file is not an agent
            of the 2x2 matrix games.
    """
    from baselines.agents import load_agent
    from baselines.players import PolicyAgent
    from baselines.ppi.agent import PPIAgent
    from baselines.records import read_record

    agent_file = run / f"agent_{learner}.pt"
    if not agent_file.is_file():
        present = sorted(p.name for p in run.glob("agent_*.pt")) if run.is_dir() else []
        raise ValueError(
            f"no agent file {str(agent_file)!r} for source {run!s}:{learner}; that run has "
            f"{present or 'no agent files'}"
        )
    try:
        record = read_record(run)
    except FileNotFoundError:
        raise ValueError(
            f"the run {str(run)!r} has no config.json: its provenance (variant, seed, commit) is "
            "unknown; pass a run directory written by the trainers"
        ) from None
    agent = load_agent(agent_file)
    if not isinstance(agent, PolicyAgent | PPIAgent):
        raise ValueError(
            f"{str(agent_file)!r} is a {type(agent).__name__}; the held-out population plays the "
            "2x2 matrix games (an A2C/PPO policy or a PPI agent)"
        )
    config = record.get("config", {})
    run_config = config.get("run", {}) if isinstance(config.get("run"), dict) else {}
    policy = config.get("policy", {}) if isinstance(config.get("policy"), dict) else {}
    code = record.get("code") or {}
    source = {
        "run": _display(run),
        "learner": learner,
        "agent_file": agent_file.name,
        "experiment": record.get("experiment") or run_config.get("experiment"),
        "preset": config.get("preset"),
        "seed": run_config.get("seed", config.get("seed")),
        "commit": code.get("commit"),
        "dirty": code.get("dirty"),
        "algorithm": record.get("algorithm"),
        "arch": policy.get("arch"),
        "hidden": policy.get("hidden"),
    }
    return agent_file, source


def _target_name(source: dict[str, Any], run: Path) -> str:
    """``<experiment>_seed<S>_agent_<L>.pt`` (the run directory's name when no experiment)."""
    stem = source["experiment"] or run.resolve().name
    seed = "" if source["seed"] is None else f"_seed{source['seed']}"
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{stem}{seed}_agent_{source['learner']}")
    return f"{name}.pt"


def write_population(
    sources: Sequence[str], directory: str | Path | None = None, note: str | None = None
) -> Path:
    """Copy the agent files of ``sources`` into ``directory`` and write its manifest.

    Files the previous manifest listed and the new one does not are removed; nothing else in
    ``directory`` is touched.

    Args:
        sources: ``RUN_DIR:LEARNER`` strings (``agent_<LEARNER>.pt`` of a trainer's run
            directory, whose ``config.json`` gives the provenance); kept in the manifest.
        directory: The population's directory (default: :data:`HELD_OUT_DIR`).
        note: What this population is (stored as the manifest's ``note``).

    Returns:
        The manifest's path.

    Raises:
        TypeError: If ``sources`` is a string or holds a non-string, or ``note`` is not a string.
        ValueError: If ``sources`` is empty, a source is malformed, lacks its agent file or
            ``config.json``, is not a matrix-game agent, or two sources give the same file name.
    """
    if isinstance(sources, str) or not isinstance(sources, Sequence):
        raise TypeError(f"sources must be a list of RUN_DIR:LEARNER strings; got {sources!r}")
    if not sources:
        raise ValueError("sources must name at least one RUN_DIR:LEARNER; got none")
    if note is not None and not isinstance(note, str):
        raise TypeError(f"note must be a string or None; got {note!r}")
    directory = _directory(directory)
    entries, copies = [], []
    for text in sources:
        run, learner = parse_source(text)
        agent_file, source = _provenance(run, learner)
        target = _target_name(source, run)
        if any(entry["file"] == target for entry in entries):
            raise ValueError(f"two sources give the file {target!r}: {list(sources)}")
        entries.append({"file": target, "sha256": sha256_of(agent_file), "source": source})
        copies.append((agent_file, directory / target))
    try:
        previous = {learner.file for learner in read_manifest(directory)}
    except ValueError:
        previous = set()
    directory.mkdir(parents=True, exist_ok=True)
    for agent_file, target in copies:
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        shutil.copyfile(agent_file, partial)
        os.replace(partial, target)
    manifest = directory / MANIFEST_NAME
    data = {
        "format": MANIFEST_FORMAT,
        "schema": MANIFEST_SCHEMA,
        "note": note,
        "sources": list(sources),
        "learners": entries,
    }
    partial = manifest.with_name(f".{MANIFEST_NAME}.partial-{os.getpid()}")
    partial.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(partial, manifest)
    for stale in previous - {entry["file"] for entry in entries}:
        (directory / stale).unlink(missing_ok=True)
    return manifest


def describe(directory: str | Path | None = None) -> list[str]:
    """The manifest's note, then one line per verified learner: file, variant, seed, commit."""
    verified = verify_population(directory)
    note = json.loads((_directory(directory) / MANIFEST_NAME).read_text()).get("note")
    lines = [f"note: {note}"] if note else []
    for learner, _ in verified:
        s = learner.source
        commit = (s.get("commit") or "unknown")[:12]
        lines.append(
            f"{learner.file}: {s.get('experiment')} seed {s.get('seed')} learner "
            f"{s.get('learner')} (commit {commit}, sha256 {learner.sha256[:12]})"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """``python -m leaderboard.held_out``: write the population (``--from``) or check it."""
    parser = argparse.ArgumentParser(
        prog="python -m leaderboard.held_out",
        description="Write or check the leaderboard's held-out population of in-context "
        "learners (suite v2's pd/held_out_learners scenario).",
    )
    parser.add_argument(
        "--from",
        dest="sources",
        action="append",
        metavar="RUN_DIR:LEARNER",
        help="a trainer's run directory and learner index (its agent_<LEARNER>.pt); repeat for "
        "each learner. Replaces the population and writes its manifest",
    )
    parser.add_argument("--note", default=None, help="what this population is (in the manifest)")
    parser.add_argument(
        "--dir",
        type=Path,
        default=HELD_OUT_DIR,
        help=f"the population's directory (default: {HELD_OUT_DIR})",
    )
    parser.add_argument("--check", action="store_true", help="verify and list the population")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    args = parser.parse_args(argv)
    if not args.sources and not args.check:
        parser.error("pass --from RUN_DIR:LEARNER (one per learner) or --check")
    try:
        if args.sources:
            manifest = write_population(args.sources, args.dir, args.note)
            print(f"wrote {manifest} ({len(args.sources)} learners)")
        for line in describe(args.dir):
            print(line)
    except (OSError, ValueError, TypeError) as exc:
        if args.debug:
            raise
        print(f"error: {' '.join(str(exc).split())} (--debug for the traceback)", file=sys.stderr)
        return 2
    return 0
