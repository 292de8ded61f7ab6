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


@pytest.mark.slow  # 800 steps, but RecurrentPPO's training epochs take a minute on 2 busy cores
def test_example_saves_a_zip_the_leaderboard_accepts(tmp_path, capsys):
    from leaderboard.submissions import SB3Agent, inspect_submission

    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import sb3_recurrent_ppo as example
    finally:
        sys.path.pop(0)
    out = tmp_path / "model.zip"
    argv = ["--timesteps", "800", "--out", str(out), "--no-progress", "--eval-episodes", "2"]
    assert example.main(argv) == 0
    printed = capsys.readouterr().out
    assert "training RecurrentPPO for 800 steps" in printed
    assert f"coop-leaderboard submit {out}" in printed
    assert inspect_submission(out).kind == "sb3"
    agent = SB3Agent(out)
    assert agent.recurrent and agent.columns == slice(0, 8)
    with pytest.raises(SystemExit):
        example.main(["--out", str(tmp_path / "model.pt")])
    assert "--out must end in .zip" in capsys.readouterr().err
