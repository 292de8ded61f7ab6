"""Project-level checks: the README's commands, CI, and the examples and benchmarks keep working."""

import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_commands():
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one_verbatim():
    commands = [c for c in readme_commands() if "pip install" in c]
    assert len(commands) == 2
    assert all("-c constraints.txt" in c for c in commands)
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_constraints_pin_cpu_torch():
    assert "torch==2.13.0" in (ROOT / "constraints.txt").read_text().splitlines()


def load_example(name):
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        return __import__(name)
    finally:
        sys.path.pop(0)


def test_round_robin_demo(capsys):
    demo = load_example("round_robin")
    assert demo.main(["--episodes", "200", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    rows = {
        line.split()[0]: line.split()[1:]
        for line in out.splitlines()
        if line.startswith(("always", "tit"))
    }
    # exact values of deterministic pairings, per round
    assert rows["always_defect"][0] == "2.000"  # vs always_cooperate
    assert rows["tit_for_tat"][1] == "-0.010"  # vs always_defect: one sucker round in 100
    assert rows["always_cooperate"][2] == "1.000"


def test_round_robin_rejects_bad_episodes():
    demo = load_example("round_robin")
    with pytest.raises(SystemExit):
        demo.main(["--episodes", "0"])


@pytest.mark.slow
def test_supersuit_selfplay_learns_to_defect():
    example = load_example("supersuit_selfplay")
    before = example.cooperation_probabilities(example.train(timesteps=256, seed=0))
    model = example.train(timesteps=12_000, seed=0)
    after = example.cooperation_probabilities(model)
    again = example.cooperation_probabilities(example.train(timesteps=12_000, seed=0))
    np.testing.assert_array_equal(after, again)  # seeded through the SuperSuit seed shim
    assert before.mean() > 0.35
    assert after.mean() < 0.25 and after.mean() < before.mean() - 0.15


def load_benchmark(name):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return __import__(name)
    finally:
        sys.path.pop(0)


@pytest.mark.parametrize(
    "name,ratio,row",
    [
        ("env_throughput", "core_B65536_over_python_loop", "core step, B=65536"),
        ("co_players_speed", "random_tabular_act_over_rng_random", "best response, 1 co-player"),
    ],
)
def test_benchmarks_run(name, ratio, row, tmp_path, capsys):
    import json

    out = tmp_path / "bench.json"
    assert load_benchmark(name).main(["--seconds", "0.01", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["ratios"][ratio] > 0
    assert row in capsys.readouterr().out


@pytest.mark.slow
def test_ppi_planning_benchmark_runs(tmp_path, capsys):
    import json

    out = tmp_path / "ppi.json"
    assert load_benchmark("ppi_planning").main(["--quick", "--out", str(out)]) == 0
    record = json.loads(out.read_text())
    assert record["planning"][0]["imagined_rounds_per_second"] > 0
    assert 0 < record["phase_split"]["play_share"] < 1
    assert [r["beta"] for r in record["beta_sweep"]] == [0.0, 0.01, 1.0]
    assert "of the phase is play" in capsys.readouterr().out


def test_ruff_lint_passes():
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_quickstart_main_job(tmp_path, capsys):
    from baselines import quickstart

    assert (
        quickstart.main(["--minutes", "0.02", "--out", str(tmp_path / "q"), "--no-progress"]) == 0
    )
    out = capsys.readouterr().out
    assert "in_context_best_responder" in out and "random_tabular_held_out" in out
    assert (tmp_path / "q" / "agent_0.pt").exists() and (tmp_path / "q" / "training.png").exists()
