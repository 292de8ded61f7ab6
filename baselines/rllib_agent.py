"""An RLlib checkpoint behind the agent protocol: evaluation and leaderboard for RLlib learners.

:class:`RLlibAgent` loads one RL module of a Ray RLlib checkpoint (new API stack, e.g. a
``learner_<i>`` of ``examples/rllib_mixed_pool.py``) and acts through it with a recurrent
state per game: ``reset(num_envs, seed)`` / ``act(observations)`` on the
:data:`coop_envs.core.AGENT_OBSERVATION` features, so ``python -m baselines.evaluate`` scores it
like any agent file and the leaderboard takes it as a submission (kind ``rllib``). The module
must have been trained on that observation (``coop_envs.rllib.AGENT_ENV_CONFIG``: 8 numbers).

Ray and torch are imported only when a checkpoint is loaded (extra ``rllib``), so finding and
checking a checkpoint directory (:func:`module_directory`) is cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from coop_envs.core import (
    AGENT_OBSERVATION,
    AGENT_PROTOCOL,
    MAX_BATCH_SIZE,
    check_bool,
    check_positive_int,
)

INSTALL_HINT = "pip install -c constraints.txt 'coop-envs[rllib]'"
MODULES = Path("learner_group") / "learner" / "rl_module"
"""Where an algorithm checkpoint keeps its RL modules."""


def is_rllib_checkpoint(path: str | Path) -> bool:
    """Whether ``path`` is an RLlib algorithm or RL-module checkpoint directory."""
    path = Path(path)
    return path.is_dir() and (
        (path / "rllib_checkpoint.json").is_file() or (path / "class_and_ctor_args.pkl").is_file()
    )


def module_directory(path: str | Path, module: str | None = None) -> Path:
    """The RL-module checkpoint directory inside an algorithm checkpoint (or ``path`` itself).

    Args:
        path: An algorithm checkpoint (``algo.save()``) or one module's directory
            (``<checkpoint>/learner_group/learner/rl_module/<module>``).
        module: The module id; may be left out when the checkpoint holds only one.

    Raises:
        ValueError: If ``path`` is no RLlib checkpoint, or ``module`` is missing or unknown.
    """
    path = Path(path)
    if not is_rllib_checkpoint(path):
        raise ValueError(
            f"{str(path)!r} is not an RLlib checkpoint directory (no rllib_checkpoint.json or "
            "class_and_ctor_args.pkl); give the directory algo.save() wrote"
        )
    if not (path / MODULES).is_dir():
        if module is not None:
            raise ValueError(f"{str(path)!r} is one RL module's checkpoint; got module={module!r}")
        return path
    known = sorted(p.name for p in (path / MODULES).iterdir() if p.is_dir())
    if module is None and len(known) == 1:
        module = known[0]
    if module not in known:
        what = "give module=" if module is None else f"unknown module {module!r}"
        raise ValueError(f"{what}; the checkpoint {str(path)!r} holds modules {known}")
    return path / MODULES / module


class RLlibAgent:
    """One RL module of an RLlib checkpoint as an agent (LSTM state per game).

    Args:
        path: Algorithm checkpoint or one module's checkpoint directory.
        module: Module id (e.g. ``"learner_0"``); may be left out when there is one.
        greedy: Take the most likely action instead of sampling.

    Raises:
        ImportError: If Ray RLlib is missing (says which ``pip install`` fixes it).
        ValueError: If the path is no checkpoint, the module is unknown, or the module does not
            take the agent observation (8 numbers).
    """

    protocol = AGENT_PROTOCOL
    observation_config = AGENT_OBSERVATION

    def __init__(self, path: str | Path, module: str | None = None, greedy: bool = False) -> None:
        check_bool(greedy, "greedy")
        directory = module_directory(path, module)
        try:
            from ray.rllib.core.rl_module.rl_module import RLModule
        except ImportError as exc:
            raise ImportError(f"RLlib checkpoints need Ray RLlib: {INSTALL_HINT}") from exc
        self.module = RLModule.from_checkpoint(str(directory.resolve()))  # Ray: absolute
        width = int(np.prod(self.module.observation_space.shape))
        if width != AGENT_OBSERVATION.size:
            raise ValueError(
                f"RL module {str(directory)!r} takes {width} observation numbers; the agent "
                f"protocol gives {AGENT_OBSERVATION.size} (train with "
                "env_config=coop_envs.rllib.AGENT_ENV_CONFIG)"
            )
        self.greedy = greedy
        self.name = directory.name
        self.num_envs = 0
        self._state: dict[str, Any] | None = None
        self._rng = np.random.default_rng()

    def reset(self, num_envs: int, seed: int | None = None) -> None:
        """Start ``num_envs`` games: fresh recurrent states, a generator seeded by ``seed``."""
        import torch

        self.num_envs = check_positive_int(num_envs, "num_envs", MAX_BATCH_SIZE)
        self._rng = np.random.default_rng(seed)
        self._state = None
        if self.module.is_stateful():
            initial = {k: torch.as_tensor(v) for k, v in self.module.get_initial_state().items()}
            self._state = {
                k: v.unsqueeze(0).repeat(self.num_envs, *[1] * v.dim()) for k, v in initial.items()
            }

    def act(self, observations: np.ndarray) -> np.ndarray:
        """``(B,)`` actions for ``(B, 8)`` observation features."""
        import torch

        if self.num_envs == 0:
            raise ValueError("act() called before reset(num_envs, seed)")
        observations = np.asarray(observations, dtype=np.float32)
        if observations.shape != (self.num_envs, AGENT_OBSERVATION.size):
            raise ValueError(
                f"observations must have shape ({self.num_envs}, {AGENT_OBSERVATION.size}); "
                f"got {observations.shape}"
            )
        batch = {"obs": torch.from_numpy(observations).unsqueeze(1)}
        if self._state is not None:
            batch["state_in"] = self._state
        with torch.no_grad():
            out = self.module.forward_inference(batch)
        if self._state is not None:
            self._state = out["state_out"]
        logits = out["action_dist_inputs"].reshape(self.num_envs, -1)
        p_defect = torch.softmax(logits, dim=-1)[:, 1].numpy()
        if self.greedy:
            return (p_defect > 0.5).astype(np.int64)
        return (self._rng.random(self.num_envs) < p_defect).astype(np.int64)
