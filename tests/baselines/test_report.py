import dataclasses
import json
import shutil

import pytest

from baselines import report
from baselines.config import preset
from baselines.plotting import read_log
from baselines.ppi.trainer import PPITrainer
from baselines.trainer import Trainer

from .test_ppi import tiny as tiny_ppi
from .test_trainer import tiny

PAGE = """# Title

<!-- results:stage1_fast -->
stale
<!-- /results:stage1_fast -->

kept text

<!-- results:mixed_pool_fast -->
<!-- /results:mixed_pool_fast -->
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    Trainer(tiny("stage1_fast", tmp)).run()
    Trainer(tiny("mixed_pool", tmp)).run()
    frozen = (str(tmp / "stage1_fast" / "agent_0.pt"),)
    pool = dataclasses.replace(preset("stage2_fast").pool, frozen=frozen)
    Trainer(tiny("stage2_fast", tmp, pool=pool)).run()
    out = tmp / "results"
    report.collect(tmp / "stage1_fast", "stage1_fast_seed7", results=out)
    report.collect(tmp / "mixed_pool", "mixed_pool_fast_seed7", results=out)
    report.collect(tmp / "stage2_fast", "stage2_fast_seed7", results=out)
    return out


def test_collect_copies_the_evidence(results):
    directory = results / "stage1_fast_seed7"
    for file in ("config.json", "log.csv", "summary.json", "final_eval.json", "agent_0.pt"):
        assert (directory / file).exists(), file
    final = json.loads((directory / "final_eval.json").read_text())
    assert final["update"] == json.loads((directory / "summary.json").read_text())["update"]


def test_collect_refuses_an_unfinished_run(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"summary\.json"):
        report.collect(tmp_path, results=tmp_path / "results")


def test_tables_are_rebuilt_between_markers_only(results, tmp_path):
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    assert report.write_tables(page, results) == ["stage1_fast", "mixed_pool_fast"]
    text = page.read_text()
    assert "stale" not in text and "kept text" in text and text.startswith("# Title")
    assert "| stage1_fast_seed7 | 4 |" in text
    assert "| mixed_pool_fast_seed7 (l0) |" in text and "| mixed_pool_fast_seed7 (l1) |" in text
    assert report.write_tables(page, results) == ["stage1_fast", "mixed_pool_fast"]
    assert page.read_text() == text  # idempotent


def test_committed_reproduction_page_matches_its_evidence(tmp_path):
    """docs/reproduction.md was regenerated after the last run was collected."""
    page = tmp_path / "reproduction.md"
    shutil.copy(report.PAGE, page)
    report.write_tables(page, report.RESULTS)
    assert page.read_text() == report.PAGE.read_text(), (
        "run `python -m baselines.report tables --write` and commit docs/reproduction.md"
    )


def test_seed_figures_are_drawn_from_the_evidence(results):
    stage1 = report.plot_stage1(results, "stage1_fast_")
    pools = report.plot_pools(results)
    assert stage1 == results / "stage1_fast_seeds.png" and stage1.stat().st_size > 10_000
    assert pools == results / "mixed_pool_seeds.png" and pools.stat().st_size > 10_000
    assert report.plot_stage1(results, "stage3_fast_") is None  # nothing collected: no figure


def test_ppi_pool_figure_is_drawn_by_phase(tmp_path):
    out = tmp_path / "results"
    assert report.plot_ppi_pools(out) is None  # nothing collected: no figure
    PPITrainer(tiny_ppi("ppi_mixed_pool_cpu", tmp_path)).run()
    evidence = report.collect(tmp_path / "ppi_mixed_pool_cpu", "ppi_mixed_pool_cpu_seed7", out)
    rows = read_log(evidence)
    phases, cooperation = report._eval_rows(rows, "l0/eval/learner_1/cooperation", "update")
    assert phases == [row["update"] for row in rows] == [0, 1, 2]
    assert all(0 <= c <= 1 for c in cooperation)
    figure = report.plot_ppi_pools(out)
    assert figure == out / "ppi_pools_seeds.png" and figure.stat().st_size > 10_000
    window = (out, report.PPI_WINDOW_PREFIXES, "ppi_pools_w2500.png")
    assert report.plot_ppi_pools(*window) is None  # another recipe's runs: not drawn here
    report.collect(tmp_path / "ppi_mixed_pool_cpu", "ppi_mixed_pool_w2500_seed7", out)
    assert report.plot_ppi_pools(*window) == out / "ppi_pools_w2500.png"


def test_tables_count_criterion_outcomes_per_seed(results):
    runs = report.load(results)
    table = report.stage1_table(runs, "stage1_fast_")
    assert "| stage1_fast_seed7 |" in table
    assert (
        "holds at the final evaluation for **0 of 1 seeds**" in table
    )  # 4 tiny updates: no inference
    assert report.stage1_table(runs, "stage1_fast_id_").count("\n") == 1  # header only
    exploiter = report.exploiter_table(runs, "stage2_fast_").splitlines()
    assert len(exploiter) == 3 and exploiter[2].startswith("| stage2_fast_seed7 | 4 |")


def test_ppi_runs_get_rows_with_the_world_models_quality(tmp_path):
    from baselines.ppi.trainer import PPITrainer

    from .test_ppi import tiny as tiny_ppi

    PPITrainer(tiny_ppi("ppi_mixed_pool", tmp_path)).run()
    out = tmp_path / "results"
    report.collect(tmp_path / "ppi_mixed_pool", "ppi_mixed_pool_cpu_seed3", results=out)
    table = report.TABLES["ppi_pools_cpu"](report.load(out), out).splitlines()
    assert len(table) == 4  # header, rule, one row per learner
    row = table[2].split(" | ")
    assert row[0] == "| ppi_mixed_pool_cpu_seed3 (l0)" and row[1] == "2"
    final = json.loads((out / "ppi_mixed_pool_cpu_seed3" / "final_eval.json").read_text())
    assert "(" in row[4] and "/" in row[4]  # loss (Laplace / entropy)
    assert row[5] == f"{final['results']['l0']['random_tabular_held_out']['reward']:.2f}"
    assert row[-1].count("/") == 1  # learner vs learner: reward / coop
    assert report.TABLES["ppi_stage1_cpu"](report.load(out), out).count("\n") == 1
    for other_recipe in ("ppi_pools_w2500", "ppi_pools_s2500"):  # header only
        assert report.TABLES[other_recipe](report.load(out), out).count("\n") == 1
