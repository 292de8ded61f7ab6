"""Regenerate the trained example submissions of this folder (a few minutes on a CPU).

- ``baseline_gru.pt``: a stage-1 GRU-32 agent of ``python -m baselines.train`` (short run);
- ``recurrent_ppo.zip``: an sb3-contrib RecurrentPPO model trained on the registered env.

The memory-one vectors (``*.json``) and ``tit_for_tat_agent.py`` are written by hand.

Run:  python examples/submissions/make_examples.py
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def make_baseline(minutes: float = 1.0) -> Path:
    from baselines.config import PRESETS, EvalConfig
    from baselines.policies import PolicyConfig
    from baselines.trainer import Trainer

    with tempfile.TemporaryDirectory() as tmp:
        config = dataclasses.replace(
            PRESETS["stage1_cpu"],
            out=Path(tmp) / "run",
            updates=100_000,
            batch_size=256,
            time_limit=minutes,
            policy=PolicyConfig(hidden=32),
            eval=EvalConfig(every=200),
            progress=False,
        )
        Trainer(config).run()
        target = HERE / "baseline_gru.pt"
        shutil.copy(Path(tmp) / "run" / "agent_0.pt", target)
    return target


def make_recurrent_ppo(timesteps: int = 8_000) -> Path:
    sys.path.insert(0, str(HERE.parent))
    import sb3_recurrent_ppo

    model = sb3_recurrent_ppo.train(timesteps=timesteps, seed=0)
    target = HERE / "recurrent_ppo.zip"
    model.save(target)
    return target


if __name__ == "__main__":
    print("wrote", make_baseline())
    print("wrote", make_recurrent_ppo())
