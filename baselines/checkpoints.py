"""Agent files: one ``.pt`` per trained agent (weights + config + game), written atomically.

A trained policy is saved as a single file holding its :class:`PolicyConfig`, the game it was
trained on and its weights; a PPI agent (:mod:`baselines.ppi.agent`) uses the same container
with ``kind: "ppi"``. Files are read with ``weights_only=True`` (:func:`read_checkpoint`), so a
file that would run code on loading is refused. :func:`baselines.load_agent` turns any of them
into an agent.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from baselines.policies import ActorCritic, PolicyConfig, make_policy, policy_config_dict
from coop_envs.core import MatrixGame

FORMAT = "coop-envs-policy"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint file is missing, corrupt, of another format or version, or mismatched."""


def check_agent_fits(source: str, got: dict[str, Any], wanted: dict[str, Any]) -> None:
    """Refuse an initial agent whose network fields differ from the run's.

    The learner is the file's network: a run whose policy fields say otherwise would record a
    network it never trained (e.g. a GRU config warm-started from a transformer). ``got`` and
    ``wanted`` are the file's and the run's fields (a config as a dict, plus anything else that
    sizes the network).

    Raises:
        CheckpointError: Naming each field that differs, with both values.
    """
    keys = [*got, *(k for k in wanted if k not in got)]
    differ = [k for k in keys if got.get(k) != wanted.get(k)]
    if differ:
        has = ", ".join(f"{k}={got.get(k)!r}" for k in differ)
        needs = ", ".join(f"{k}={wanted.get(k)!r}" for k in differ)
        raise CheckpointError(
            f"{source} has policy {has}; this run's policy has {needs} "
            "(set the run's policy fields to the agent's)"
        )


def _atomically(path: Path, write: Callable[[str], None]) -> Path:
    """``write(tmp)`` a temporary file beside ``path``, then rename it onto ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; a saved file is an ordinary file
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_save(obj: Any, path: Path) -> None:
    """``torch.save`` to a temporary file, then rename: a crash never leaves half a file."""
    _atomically(path, lambda tmp: torch.save(obj, tmp))


def write_json(path: str | Path, data: Any, indent: int | None = 1, **dumps: Any) -> Path:
    """Write ``data`` as JSON (and a final newline) atomically, as :func:`atomic_save` does.

    ``dumps`` go to :func:`json.dumps` (``default=str``, ``allow_nan=False``, ...). A crash or a
    value JSON cannot hold leaves the file as it was.
    """
    text = json.dumps(data, indent=indent, **dumps) + "\n"
    return _atomically(Path(path), lambda tmp: Path(tmp).write_text(text))


def policy_payload(policy: ActorCritic, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a policy checkpoint holds."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "policy_config": policy_config_dict(policy.config),
        "game": policy.game.to_dict(),
        "state_dict": {k: v.detach().cpu() for k, v in policy.state_dict().items()},
        "meta": meta or {},
    }


def save_policy(path: str | Path, policy: ActorCritic, meta: dict[str, Any] | None = None) -> Path:
    """Save ``policy`` (weights, config, game, ``meta``) to one file, atomically."""
    path = Path(path)
    atomic_save(policy_payload(policy, meta), path)
    return path


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """Load a checkpoint file's dictionary, with clear errors for every way it can be wrong."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"checkpoint path must be a str or a path; got {path!r}")
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {str(path)!r} does not exist (or is not a file)")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointError(
            f"checkpoint {str(path)!r} is not a readable torch file ({type(exc).__name__}: "
            f"{str(exc)[:200]}); it may be truncated or corrupt"
        ) from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        found = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
        raise CheckpointError(
            f"{str(path)!r} is not a coop-envs policy checkpoint (format {found!r}; expected "
            f"{FORMAT!r}); training-state files are named checkpoint.pt, policies agent_<i>.pt"
        )
    if payload.get("version") != VERSION:
        raise CheckpointError(
            f"checkpoint {str(path)!r} has version {payload.get('version')!r}; this coop-envs "
            f"reads version {VERSION}"
        )
    check_payload(payload, f"checkpoint {str(path)!r}")
    return payload


def check_payload(payload: dict[str, Any], source: str) -> None:
    """Refuse an agent file's dictionary whose ``meta`` or weights cannot be used.

    Args:
        payload: The checkpoint dictionary.
        source: What to call it in messages (``checkpoint 'path'``).

    Raises:
        CheckpointError: If ``meta`` is not a dict, ``state_dict`` is not a dict of tensors, or a
            weight is NaN or infinite (the message names the tensor and how many entries).
    """
    meta = payload.get("meta", {})
    if not isinstance(meta, dict):
        raise CheckpointError(f"{source}: meta must be a dict; got {meta!r}")
    weights = payload.get("state_dict")
    if not isinstance(weights, dict):
        raise CheckpointError(
            f"{source}: state_dict must be a dict of tensors; got {type(weights).__name__}"
        )
    for key, tensor in weights.items():
        if not isinstance(tensor, torch.Tensor):
            raise CheckpointError(
                f"{source}: state_dict[{key!r}] must be a tensor; got {type(tensor).__name__}"
            )
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            bad = int((~torch.isfinite(tensor)).sum())
            raise CheckpointError(
                f"{source}: weights {key!r} hold {bad} non-finite value(s) (NaN or inf) of "
                f"{tensor.numel()}; a model with them is not an agent"
            )


def policy_from_payload(payload: dict[str, Any], source: str = "checkpoint") -> ActorCritic:
    """Rebuild a policy from a checkpoint dictionary."""
    try:
        config = PolicyConfig(**payload["policy_config"])
        game_info = payload["game"]
        game = MatrixGame(game_info["name"], np.array(game_info["payoffs"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{source} has an invalid policy config or game: {exc}") from exc
    policy = make_policy(config, game)
    try:
        policy.load_state_dict(payload["state_dict"])
    except (RuntimeError, KeyError) as exc:
        raise CheckpointError(
            f"{source}: weights do not match its config {config}: {str(exc)[:300]}"
        ) from exc
    policy.eval()
    return policy


def load_policy(path: str | Path) -> ActorCritic:
    """Load a policy saved by :func:`save_policy`.

    Raises:
        CheckpointError: If the file is missing, corrupt, not a policy checkpoint, of another
            version, or its weights do not match its config.
    """
    return policy_from_payload(read_checkpoint(path), source=f"checkpoint {str(path)!r}")
