"""The standard SB3 route (examples/sb3_recurrent_ppo.py) learns on the registered env."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_recurrent_ppo_learns_to_beat_always_cooperate():
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import sb3_recurrent_ppo as example
    finally:
        sys.path.pop(0)
    model = example.train(timesteps=8_000, seed=0)
    cooperate = example.mean_reward(None, episodes=100)
    learned = example.mean_reward(model, episodes=100)
    # a uniformly random policy gets about 0.5 per round against random tabular co-players;
    # always-cooperate about 0: the trained agent must clearly beat both
    assert learned > cooperate + 0.75, (learned, cooperate)
