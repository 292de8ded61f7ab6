"""``python -m baselines.sweep seeds``: one recipe over seeds, on a local 2-CPU Ray cluster, gives
the runs (and the seed table) of running them one after another."""

import json
import subprocess
import sys

import pytest

from baselines.sweep import main, seed_config, seed_variant


def finals(runs, name, seeds):
    out = {}
    for seed in seeds:
        directory = runs / f"{name}_seed{seed}"
        summary = json.loads((directory / "summary.json").read_text())
        evals = (directory / "evals.jsonl").read_text().splitlines()
        last = {k: v for k, v in summary["last"].items() if "seconds" not in k}  # wall clock
        final = {k: v for k, v in json.loads(evals[-1]).items() if k != "seconds"}
        out[seed] = (summary["update"], summary["env_steps"], last, final)
    return out


@pytest.mark.slow
def test_seeds_on_ray_equal_seeds_one_after_another(tmp_path, capsys):
    args = ["seeds", "--preset", "smoke", "--seeds", "0", "1"]
    # the sequential baseline in a fresh interpreter, as the Ray workers are (a run inside this
    # test process can differ in its training metrics: process state the trainer does not reset)
    command = [sys.executable, "-m", "baselines.sweep", *args, "--sequential"]
    subprocess.run([*command, "--runs", str(tmp_path / "seq")], check=True, capture_output=True)
    assert main([*args, "--runs", str(tmp_path / "ray"), "--cpus", "2"]) == 0
    sequential = finals(tmp_path / "seq", "preset_smoke", (0, 1))
    fanned = finals(tmp_path / "ray", "preset_smoke", (0, 1))
    assert sequential == fanned
    assert sequential[0][3] != sequential[1][3]  # the seeds differ: the comparison can fail
    table = (tmp_path / "ray" / "preset_smoke_seeds.md").read_text()
    assert table == (tmp_path / "seq" / "preset_smoke_seeds.md").read_text()
    assert "| preset_smoke_seed0 | 3 |" in table and "| preset_smoke_seed1 | 3 |" in table
    rows = json.loads((tmp_path / "ray" / "preset_smoke_seeds.json").read_text())["runs"]
    assert [r["seed"] for r in rows] == [0, 1]


def test_seed_variant_from_a_manifest_uses_its_seeds_and_run_name(tmp_path):
    chosen = seed_variant("stage1/fast", None, None)
    assert chosen.seeds == (0, 1, 2, 3, 4) and chosen.run_name == "stage1_fast"
    config = seed_config(seed_variant("stage1/fast", None, [3]), 3, tmp_path)
    assert config.run.seed == 3 and config.run.out == tmp_path / "stage1_fast_seed3"


@pytest.mark.parametrize(
    "experiment,preset,seeds,match",
    [
        (None, None, None, "needs --experiment EXPERIMENT/VARIANT or --preset NAME"),
        ("stage1/fast", "smoke", None, "needs --experiment"),
        (None, "no_such_preset", None, "unknown preset 'no_such_preset'"),
        (None, "smoke", [], "at least one seed"),
        (None, "smoke", [-1], "seed must be .*got -1"),
    ],
)
def test_bad_seeds_requests(experiment, preset, seeds, match):
    with pytest.raises(ValueError, match=match):
        seed_variant(experiment, preset, seeds)


def test_cli_prints_bad_input_as_one_line(capsys):
    assert main(["seeds", "--preset", "nope"]) == 2
    assert "unknown preset 'nope'" in capsys.readouterr().out
