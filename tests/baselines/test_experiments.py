"""Experiments as data: manifests, the --experiment command line, retired variants."""

import pytest

from baselines import train
from baselines.configs import ConfigError
from baselines.experiments import experiments, load_experiment, main, preset_config, variant
from baselines.ppi.game_config import PPI_GAME_PRESET_NAMES, PPIGameConfig, ppi_game_preset
from baselines.run import SCHEMA

GOOD = """purpose = "why"

[variants.fast]
preset = "stage1_fast"
seeds = [0, 3]
canonical = true
purpose = "the recipe"

[variants.fast.overrides]
"algo.lr" = 0.001

[variants.fast.seed.3]
"eval.episodes" = 64
"""


def write(tmp_path, text, name="demo"):
    (tmp_path / f"{name}.toml").write_text(text)
    return tmp_path


def test_a_variant_is_a_preset_with_overrides_per_seed(tmp_path):
    v = load_experiment("demo", write(tmp_path, GOOD)).variants["fast"]
    assert v.ref == "demo/fast" and v.run_name == "demo_fast" and v.canonical
    zero, three = v.config(0), v.config(3)
    assert zero.algo.lr == three.algo.lr == 0.001
    assert zero.run.eval.episodes == 2048 and three.run.eval.episodes == 64
    assert three.run.experiment == "demo/fast" and str(three.run_dir) == "runs/demo_fast_seed3"
    assert v.command(3) == "python -m baselines.train --experiment demo/fast --seed 3"


def test_a_manifest_of_an_older_schema_keeps_what_its_unset_settings_meant(tmp_path):
    today = load_experiment("demo", write(tmp_path, GOOD)).variants["fast"]
    assert today.schema == SCHEMA and today.config(0).algo.overlap is None  # resolved at run
    old = load_experiment("demo", write(tmp_path, "schema = 2\n" + GOOD)).variants["fast"]
    assert old.schema == 2 and old.config(0).algo.overlap is False  # it ran on-policy
    chosen = GOOD.replace('"algo.lr" = 0.001', '"algo.lr" = 0.001\n"algo.overlap" = true')
    assert (
        load_experiment("d", write(tmp_path, "schema = 2\n" + chosen, "d"))
        .variants["fast"]
        .config(0)
        .algo.overlap
    )


@pytest.mark.parametrize(
    "change,pattern",
    [
        (('preset = "stage1_fast"', 'preset = "stage9"'), "unknown preset 'stage9'"),
        (('"algo.lr" = 0.001', '"algo.lrr" = 0.001'), "did you mean algo.lr"),
        (('"algo.lr" = 0.001', '"algo.lr" = -1.0'), r"seed 0: .*algo.lr must be a positive"),
        (("seeds = [0, 3]", "seeds = []"), "seeds must be a non-empty list"),
        (("canonical = true", "canonical = 1"), "canonical must be true or false"),
        (("[variants.fast.seed.3]", "[variants.fast.seed.4]"), r"settings for seeds \[4\]"),
        (('purpose = "the recipe"', 'purpos = "x"'), r"unknown keys \['purpos'\]"),
        (('purpose = "why"', "purpose = [oops"), "is not valid TOML"),
        (('purpose = "why"', 'purpose = "why"\nschema = 9'), "schema must be a config schema"),
        (('purpose = "why"', 'purpose = "why"\nschema = "2"'), "from 1 to"),
    ],
)
def test_bad_manifests_fail_on_loading_with_the_place_named(tmp_path, change, pattern):
    with pytest.raises(ConfigError, match=pattern):
        load_experiment("demo", write(tmp_path, GOOD.replace(*change)))


def test_unknown_experiments_and_variants_list_what_exists(tmp_path):
    with pytest.raises(ConfigError, match=r"no experiment manifest .*known experiments: demo"):
        load_experiment("nope", write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match="has no variant 'slow'; its variants: fast"):
        variant("demo/slow", tmp_path)
    with pytest.raises(ConfigError, match="'<experiment>/<variant>'; got 'demo'"):
        variant("demo", tmp_path)


def test_every_committed_manifest_loads_and_every_variant_builds():
    found = experiments()
    assert {"stage1", "mixed_pool", "ppi_mixed_pool", "levers"} <= set(found)
    canonical = [v for e in found.values() for v in e.variants.values() if v.canonical]
    assert {v.ref for v in canonical} >= {"stage1/fast", "mixed_pool/fast", "ppi_mixed_pool/cpu"}
    for v in canonical:
        assert v.config(v.seeds[0]).preset == v.preset  # canonical variants are runnable


def test_the_cli_runs_an_experiment_variant_by_name():
    config = train.parse(["--experiment", "mixed_pool/fast", "--seed", "4"])
    assert config.preset == "mixed_pool_fast" and config.run.experiment == "mixed_pool/fast"
    assert config.pool.init_files(4) == (
        "runs/stage1_fast_seed4/agent_0.pt",
        "runs/stage1_fast_seed0/agent_0.pt",  # the manifest's seed-4 setting
    )
    assert config.run_dir.as_posix() == "runs/mixed_pool_fast_seed4"
    # the transformer mixed pool starts from the transformer stage-1 agents, seed 2 with seed 0
    config = train.parse(["--experiment", "mixed_pool/fast_transformer", "--seed", "2"])
    assert config.policy.arch == "transformer"
    assert config.pool.init_files(2) == (
        "runs/stage1_fast_transformer_seed2/agent_0.pt",
        "runs/stage1_fast_transformer_seed0/agent_0.pt",
    )
    config = train.parse(["--experiment", "stage3/fast", "--seed", "1", "--algo.lr", "0.01"])
    assert config.pool.init_files(1)[0] == "runs/stage2_fast_seed2/agent_0.pt"
    assert config.algo.lr == 0.01  # flags still override
    with pytest.raises(SystemExit, match="runs preset 'stage1_fast'; got --preset 'stage1'"):
        train.parse(["--experiment", "stage1/fast", "--preset", "stage1"])


def test_ppi_game_presets_resolve_through_the_manifests():
    for name in PPI_GAME_PRESET_NAMES:
        assert preset_config(name) == ppi_game_preset(name)
    config = train.parse(["--experiment", "ppi_public_goods/stage1", "--seed", "0"])
    assert isinstance(config, PPIGameConfig) and config.preset == "ppi_stage1_public_goods_cpu"
    assert config.run.experiment == "ppi_public_goods/stage1"
    assert config.run_dir.as_posix() == "runs/ppi_public_goods_stage1_seed0"
    no_tabular = variant("ppi_public_goods/no_tabular").config(1)
    assert no_tabular.pool.learners == 2 and no_tabular.tabular_games == 0
    assert no_tabular.learner_games == no_tabular.games_per_phase


def test_a_retired_variant_is_described_but_not_run(capsys):
    with pytest.raises(SystemExit, match=r"no longer has \({'fit.window': 2500}\)"):
        train.parse(["--experiment", "ppi_mixed_pool/w2500"])
    assert main(["show", "ppi_mixed_pool/w2500"]) == 0
    out = capsys.readouterr().out
    assert "retired settings: {'fit.window': 2500}" in out and "--experiment" not in out


def test_deviations_print_what_a_recipe_changes(capsys):
    with pytest.raises(SystemExit) as stop:
        train.parse(["--preset", "stage1_fast", "--deviations"])
    assert "stage1_fast: the paper's stage1 with" in str(stop.value)
    assert "pool.tabular_concentration = 0.01" in str(stop.value)
    assert main(["list"]) == 0 and "stage1/fast" in capsys.readouterr().out
