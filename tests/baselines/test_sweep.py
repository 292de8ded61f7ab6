import json

import pytest

from baselines.config import TrainConfig, preset
from baselines.configs import field_names, with_overrides
from baselines.sweep import SweepConfigError, load_sweep


def write(tmp_path, text):
    path = tmp_path / "sweep.toml"
    path.write_text(text)
    return path


GOOD = """
name = "tiny"
preset = "smoke"
seeds = [0, 1]
minutes = 0.05
[fixed]
"policy.hidden" = 8
[levers]
"algo.lr" = [0.001, 0.01]
"""


def test_grid_trials_are_levers_times_seeds(tmp_path):
    sweep = load_sweep(write(tmp_path, GOOD))
    trials = sweep.trials()
    assert len(trials) == 4
    assert {(t["algo.lr"], t["seed"]) for t in trials} == {
        (0.001, 0),
        (0.001, 1),
        (0.01, 0),
        (0.01, 1),
    }
    config = sweep.config(trials[0], tmp_path / "t0")
    assert config.policy.hidden == 8 and config.run.threads == 1 and config.run.time_limit == 0.05


def test_random_mode_is_reproducible(tmp_path):
    text = GOOD.replace(
        '"algo.lr" = [0.001, 0.01]', '"algo.lr" = {low = 1e-4, high = 1e-2, log = true}'
    )
    text = text.replace("minutes = 0.05", 'minutes = 0.05\nmode = "random"\nsamples = 3')
    a = load_sweep(write(tmp_path, text)).trials()
    b = load_sweep(write(tmp_path, text)).trials()
    assert a == b and len(a) == 6 and all(1e-4 <= t["algo.lr"] <= 1e-2 for t in a)


@pytest.mark.parametrize(
    "change,pattern",
    [
        (
            ('"algo.lr" = [0.001, 0.01]', '"algo.lrr" = [0.001]'),
            r"unknown flag 'algo.lrr'; did you mean algo.lr",
        ),
        (('"algo.lr" = [0.001, 0.01]', '"algo.lr" = []'), "empty list of values"),
        (
            ('"algo.lr" = [0.001, 0.01]', '"algo.lr" = [-1.0]'),
            "algo.lr must be a positive number; got -1.0",
        ),
        (('[levers]\n"algo.lr" = [0.001, 0.01]', ""), "varies nothing"),
        (("seeds = [0, 1]", "seeds = []"), "seeds must be a non-empty list"),
        (('name = "tiny"', 'nmae = "tiny"'), r"unknown keys \['nmae'\]"),
        (
            ('"algo.lr" = [0.001, 0.01]', '"algo.lr" = {low = 1, high = 2}'),
            "must be a list of values in grid mode",
        ),
    ],
)
def test_bad_configs_fail_before_any_trial(tmp_path, change, pattern):
    with pytest.raises(SweepConfigError, match=pattern):
        load_sweep(write(tmp_path, GOOD.replace(*change)))


def test_flags_and_overrides():
    names = field_names(TrainConfig)
    assert "algo.entropy_coef" in names and "pool.tabular_concentration" in names
    assert "seed" in names and "eval.every" in names  # run settings without a prefix
    config = with_overrides(preset("stage1"), {"algo.lr": 0.1, "pool.frozen": ["a.pt"], "seed": 3})
    assert config.algo.lr == 0.1 and config.pool.frozen == ("a.pt",) and config.run.seed == 3


def test_two_trial_sweep_runs_locally_with_ray(tmp_path):
    pytest.importorskip("ray")
    from baselines.sweep import run_sweep

    text = GOOD.replace("seeds = [0, 1]", "seeds = [0]")
    sweep = load_sweep(write(tmp_path, text))
    rows = run_sweep(sweep, tmp_path / "out", cpus=2)
    assert len(rows) == 2
    assert all(r["status"] in ("finished", "time_limit") for r in rows), rows
    assert (tmp_path / "out" / "results.csv").exists() and (
        tmp_path / "out" / "criterion.png"
    ).exists()
    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert {r["flag:algo.lr"] for r in saved} == {0.001, 0.01}
    # running the same sweep again resumes: nothing is trained twice
    again = run_sweep(sweep, tmp_path / "out", cpus=2)
    assert len(again) == 2
