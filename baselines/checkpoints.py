"""Policy checkpoints (one file: weights + config + game) and the agent-protocol wrapper.

A trained policy is saved as a single ``.pt`` file holding its :class:`PolicyConfig`, the game it
was trained on and its weights. :func:`load_agent` turns it into an object that meets the agent
protocol (``reset(num_envs, seed)`` / ``act(observations)``), so it can be a co-player
(``gym.make(..., co_player=load_agent(path))``), a leaderboard submission, or evaluated.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from baselines.policies import ActorCritic, PolicyConfig, make_policy, policy_config_dict
from coop_envs.core import (
    AGENT_OBSERVATION,
    CO_PLAYER_ID_DIM,
    NUM_OBSERVATIONS,
    MatrixGame,
    check_positive_int,
)

FORMAT = "coop-envs-policy"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint file is missing, corrupt, of another format or version, or mismatched."""


def atomic_save(obj: Any, path: Path) -> None:
    """``torch.save`` to a temporary file, then rename: a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; a saved file is an ordinary file
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    return payload


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


class PolicyAgent:
    """A trained policy behind the agent protocol (batched ``reset`` / ``act``).

    Observations are the :data:`coop_envs.core.AGENT_OBSERVATION` features (one-hot of the last
    joint action, own previous action, previous reward: 8 numbers per game); the policy reads the
    observation code from the one-hot part. Actions are sampled from the policy (``greedy=False``)
    with a generator seeded by ``reset``.

    Args:
        policy: The network.
        greedy: Take the most likely action instead of sampling.
        seat: The seat whose payoffs the previous-reward feature uses (0 unless the game is
            asymmetric and the agent plays seat 1).
        name: Display name.
    """

    observation_config = AGENT_OBSERVATION

    def __init__(
        self, policy: ActorCritic, greedy: bool = False, seat: int = 0, name: str | None = None
    ) -> None:
        if seat not in (0, 1):
            raise ValueError(f"seat must be 0 or 1; got {seat!r}")
        self.policy = policy
        self.greedy = greedy
        self.seat = seat
        self.name = name or f"{policy.config.arch}_policy"
        self._stepper = None
        self._rng = np.random.default_rng()

    def reset(self, num_envs: int, seed: int | None = None) -> None:
        """Start ``num_envs`` new games."""
        self.num_envs = check_positive_int(num_envs, "num_envs")
        self._rng = np.random.default_rng(seed)
        ids = (
            torch.zeros(self.num_envs, CO_PLAYER_ID_DIM)
            if self.policy.config.co_player_id
            else None
        )
        self._stepper = self.policy.stepper(self.num_envs, ids)

    def act(self, observations: np.ndarray) -> np.ndarray:
        """``(B,)`` actions for ``(B, 8)`` observation features."""
        if self._stepper is None:
            raise ValueError("act() called before reset(num_envs, seed)")
        observations = np.asarray(observations)
        if observations.shape != (self.num_envs, AGENT_OBSERVATION.size):
            raise ValueError(
                f"observations must have shape ({self.num_envs}, {AGENT_OBSERVATION.size}); "
                f"got {observations.shape}"
            )
        codes = observations[:, :NUM_OBSERVATIONS].argmax(axis=1)
        return self.act_codes(codes)

    def act_codes(self, codes: np.ndarray) -> np.ndarray:
        """``(B,)`` actions for ``(B,)`` observation codes (the fast path)."""
        index = torch.from_numpy(np.asarray(codes, dtype=np.int64) + self.seat * NUM_OBSERVATIONS)
        logits = self._stepper.logits(index)
        p_defect = torch.softmax(logits, dim=-1)[:, 1].numpy()
        if self.greedy:
            return (p_defect > 0.5).astype(np.int64)
        return (self._rng.random(len(p_defect)) < p_defect).astype(np.int64)


def load_agent(path: str | Path, greedy: bool = False) -> Any:
    """Load a checkpoint as an agent.

    Returns a :class:`PolicyAgent` for A2C/PPO policies and a :class:`~baselines.ppi.PPIAgent`
    for PPI agents (``kind: "ppi"``).
    """
    payload = read_checkpoint(path)
    if payload.get("kind") == "ppi":
        from baselines.ppi.agent import ppi_agent_from_payload

        return ppi_agent_from_payload(payload, f"checkpoint {str(path)!r}", greedy, Path(path).stem)
    policy = policy_from_payload(payload, source=f"checkpoint {str(path)!r}")
    name = payload.get("meta", {}).get("name") or Path(path).stem
    return PolicyAgent(policy, greedy=greedy, name=name)
