import json
import shutil

import pytest

from baselines import report
from baselines.configs import flatten, to_dict, upgrade_settings, with_overrides
from baselines.experiments import experiments
from baselines.general import game_preset
from baselines.general.trainer import GameTrainer
from baselines.plotting import read_log
from baselines.ppi.game_trainer import PPIGameTrainer
from baselines.ppi.trainer import PPITrainer
from baselines.run import SCHEMA
from baselines.trainer import Trainer

from .test_ppi import tiny as tiny_ppi
from .test_ppi_game import tiny as tiny_ppi_game
from .test_trainer import tiny

PAGE = """# Title

<!-- results:stage1_fast -->
stale
<!-- /results:stage1_fast -->

kept text

<!-- results:mixed_pool_fast -->
<!-- /results:mixed_pool_fast -->
"""

MANIFEST = """purpose = "test"

[variants.{variant}]
preset = "{preset}"
seeds = [7]
canonical = {canonical}
purpose = "a {variant} test"
"""


def manifest(directory, experiment, variant, preset, canonical=True):
    directory.mkdir(exist_ok=True)
    text = MANIFEST.format(variant=variant, preset=preset, canonical=str(canonical).lower())
    (directory / f"{experiment}.toml").write_text(text)


@pytest.fixture(scope="module")
def evidence(tmp_path_factory):
    """Three tiny runs collected into a results tree of three tiny manifests."""
    tmp = tmp_path_factory.mktemp("report")
    manifests = tmp / "experiments"
    manifest(manifests, "stage1", "fast", "stage1_fast")
    manifest(manifests, "mixed_pool", "fast", "mixed_pool", canonical=False)
    manifest(manifests, "stage2", "fast", "stage2_fast")
    Trainer(tiny("stage1_fast", tmp, seed=7, experiment="stage1/fast")).run()
    Trainer(tiny("mixed_pool", tmp, seed=7, experiment="mixed_pool/fast")).run()
    frozen = [str(tmp / "stage1_fast" / "agent_0.pt")]
    stage2 = tiny("stage2_fast", tmp, seed=7, pool__frozen_from=None, pool__frozen=frozen)
    Trainer(stage2).run()  # started from a preset: collected with its variant named
    out = tmp / "results"
    report.collect(tmp / "stage1_fast", results=out, manifests=manifests)
    report.collect(tmp / "mixed_pool", results=out, manifests=manifests)
    report.collect(tmp / "stage2_fast", "stage2/fast", results=out, manifests=manifests)
    return out, manifests


def test_collect_puts_the_evidence_by_experiment_variant_and_seed(evidence):
    results, _ = evidence
    directory = results / "stage1" / "fast" / "seed7"
    for file in ("config.json", "log.csv", "summary.json", "final_eval.json", "agent_0.pt"):
        assert (directory / file).exists(), file
    assert not (directory / "training.png").exists()  # plots are drawn again, never kept
    final = json.loads((directory / "final_eval.json").read_text())
    assert final["update"] == json.loads((directory / "summary.json").read_text())["update"]
    record = json.loads((directory / "config.json").read_text())
    assert record["schema"] == SCHEMA and record["experiment"] == "stage1/fast"
    assert len(record["code"]["commit"]) == 40  # the git commit it was made with
    # an exploration keeps no agent files
    assert not list((results / "mixed_pool" / "fast" / "seed7").glob("*.pt"))


def test_collect_refuses_unfinished_runs_and_runs_of_no_variant(tmp_path, evidence):
    _, manifests = evidence
    with pytest.raises(FileNotFoundError, match=r"summary\.json"):
        report.collect(tmp_path, results=tmp_path / "results", manifests=manifests)
    Trainer(tiny("stage1", tmp_path)).run()
    with pytest.raises(ValueError, match=r"belongs to no experiment variant.*--variant"):
        report.collect(tmp_path / "stage1", results=tmp_path / "r", manifests=manifests)
    with pytest.raises(ValueError, match="has no variant 'slow'; its variants: fast"):
        report.collect(tmp_path / "stage1", "stage1/slow", tmp_path / "r", manifests)


def test_tables_are_rebuilt_between_markers_only(evidence, tmp_path):
    results, manifests = evidence
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    assert report.write_tables(page, results, manifests) == ["stage1_fast", "mixed_pool_fast"]
    text = page.read_text()
    assert "stale" not in text and "kept text" in text and text.startswith("# Title")
    assert "| stage1_fast_seed7 | 4 |" in text
    assert "| mixed_pool_fast_seed7 (l0) |" in text and "| mixed_pool_fast_seed7 (l1) |" in text
    assert report.write_tables(page, results, manifests) == ["stage1_fast", "mixed_pool_fast"]
    assert page.read_text() == text  # idempotent


def test_committed_reproduction_page_matches_its_evidence(tmp_path):
    """docs/reproduction.md was regenerated after the last run was collected."""
    page = tmp_path / "reproduction.md"
    shutil.copy(report.PAGE, page)
    report.write_tables(page, report.RESULTS)
    assert page.read_text() == report.PAGE.read_text(), (
        "run `python -m baselines.report tables --write` and commit docs/reproduction.md"
    )


def recorded_files(record, saved, kind):
    """The agent files a run started from (``init``) or played (``frozen``), as recorded."""
    if saved.get(f"pool.{kind}"):  # older runs record them in the config
        return saved[f"pool.{kind}"]
    sources = record.get("sources", {})
    named = {int(k.rpartition("_")[2]): v["path"] for k, v in sources.items() if k.startswith(kind)}
    return [named[i] for i in sorted(named)]


def test_every_manifest_variant_reproduces_its_evidence():
    """Each run's recorded config is what its manifest variant builds for its seed."""
    skip = {"run.out", "run.threads", "run.progress", "run.resume"}
    checked = 0
    for experiment in experiments().values():
        for variant in experiment.variants.values():
            for seed in variant.seeds:
                record = json.loads((variant.evidence(seed) / "config.json").read_text())
                assert record["experiment"] == variant.ref
                if variant.retired:  # the version it needs is the one it records
                    assert record["migrated"]["retired"] == dict(variant.retired)
                    assert record["code"]["commit"]
                    continue
                config = variant.config(seed)
                # as recorded, its unset settings read as they meant at its schema
                upgraded = upgrade_settings(type(config), record["config"], record["schema"])
                saved = flatten(upgraded)
                # a run records what its unset settings resolved to (algo.overlap)
                mine = flatten(
                    to_dict(config.resolved() if hasattr(config, "resolved") else config)
                )
                if hasattr(config, "pool") and hasattr(config.pool, "init_files"):
                    # agent files given by run name resolve to the files the run started from
                    # (recorded in the config by older runs, in ``sources`` by newer ones)
                    init = recorded_files(record, saved, "init")
                    assert list(config.pool.init_files(seed)) in ([], init)
                    if hasattr(config.pool, "frozen_files"):  # the games beyond 2x2 have none
                        assert list(config.pool.frozen_files(seed)) == recorded_files(
                            record, saved, "frozen"
                        )
                    by_file = ("init", "frozen", "init_from", "frozen_from")
                    by_file += ("init_seeds", "frozen_seeds")
                    skip_pool = {f"pool.{k}" for k in by_file}
                else:
                    skip_pool = set()
                changed = {
                    k: (saved.get(k), mine.get(k))
                    for k in set(saved) | set(mine)
                    if saved.get(k) != mine.get(k)
                    and k not in skip | skip_pool
                    and k != "run.eval.co_players"
                }
                assert not changed, (variant.ref, seed, changed)
                checked += 1
    assert checked > 40


def test_only_embedded_figures_and_canonical_agents_are_kept():
    results = report.RESULTS
    assert not list(results.rglob("*.png"))
    embedded = {p.name for p in report.FIGURES.glob("*.png")}
    assert embedded == set(report.FIGURE_MAKERS)
    pages = "".join(p.read_text() for p in (report.ROOT / "docs").glob("*.md"))
    assert all(f"figures/{name}" in pages for name in embedded)
    for experiment in experiments().values():
        for variant in experiment.variants.values():
            agents = [
                p
                for s in variant.seeds
                for pattern in ("agent_*.pt", "agent_*.json")  # .json: memory-one learners
                for p in variant.evidence(s).glob(pattern)
            ]
            assert bool(agents) == variant.canonical, variant.ref
            # small files only: a GRU-32 agent is 33 kB, the small transformer's 134 kB
            assert all(p.stat().st_size < 150_000 for p in agents)


def test_seed_figures_are_drawn_from_the_evidence(evidence, tmp_path):
    results, manifests = evidence
    runs = report.load(results, manifests)
    stage1 = report.plot_stage1(runs, "stage1/fast", tmp_path / "s1.png")
    pools = report.plot_pools(runs, ("mixed_pool/fast",), tmp_path / "pools.png")
    assert stage1.stat().st_size > 10_000 and pools.stat().st_size > 10_000
    assert report.plot_stage1(runs, "stage3/fast", tmp_path / "s3.png") is None  # no runs


def test_one_runs_plots_are_drawn_again_from_its_evidence(evidence, tmp_path):
    results, _ = evidence
    out = tmp_path / "plots"
    evidence_dir = results / "stage1" / "fast" / "seed7"
    assert report.main(["run-plots", str(evidence_dir), "--out", str(out)]) == 0
    assert (out / "training.png").exists() and (out / "in_episode.png").exists()


def test_ppi_pool_figure_is_drawn_by_phase(tmp_path):
    manifests = tmp_path / "experiments"
    manifest(manifests, "ppi_mixed_pool", "cpu", "ppi_mixed_pool_cpu")
    out = tmp_path / "results"
    figure = tmp_path / "ppi.png"
    assert report.FIGURE_MAKERS["ppi_pools_seeds.png"]({}, figure) is None  # nothing collected
    PPITrainer(tiny_ppi("ppi_mixed_pool_cpu", tmp_path, seed=7)).run()
    evidence = report.collect(tmp_path / "ppi_mixed_pool_cpu", "ppi_mixed_pool/cpu", out, manifests)
    rows = read_log(evidence)
    phases, cooperation = report._eval_rows(rows, "l0/eval/learner_1/cooperation", "update")
    assert phases == [row["update"] for row in rows] == [0, 1, 2]
    assert all(0 <= c <= 1 for c in cooperation)
    runs = report.load(out, manifests)
    assert report.FIGURE_MAKERS["ppi_pools_seeds.png"](runs, figure) == figure
    assert report.FIGURE_MAKERS["ppi_pools_w2500.png"](runs, figure) is None  # another variant


def test_tables_count_criterion_outcomes_per_seed(evidence):
    results, manifests = evidence
    runs = report.load(results, manifests)
    table = report.stage1_table(runs, "stage1/fast")
    assert "| stage1_fast_seed7 |" in table
    assert "holds at the final evaluation for **0 of 1 seeds**" in table  # 4 tiny updates
    assert report.stage1_table(runs, "stage1/fast_id").count("\n") == 1  # header only
    exploiter = report.exploiter_table(runs, "stage2/fast").splitlines()
    assert len(exploiter) == 3 and exploiter[2].startswith("| stage2_fast_seed7 | 4 |")


def test_ppi_runs_get_rows_with_the_world_models_quality(tmp_path):
    manifests = tmp_path / "experiments"
    manifest(manifests, "ppi_mixed_pool", "cpu", "ppi_mixed_pool")
    PPITrainer(tiny_ppi("ppi_mixed_pool", tmp_path, seed=7)).run()
    out = tmp_path / "results"
    report.collect(tmp_path / "ppi_mixed_pool", "ppi_mixed_pool/cpu", out, manifests)
    runs = report.load(out, manifests)
    table = report.TABLES["ppi_pools_cpu"](runs).splitlines()
    assert len(table) == 4  # header, rule, one row per learner
    row = table[2].split(" | ")
    assert row[0] == "| ppi_mixed_pool_cpu_seed7 (l0)" and row[1] == "2"
    final = json.loads((out / "ppi_mixed_pool" / "cpu" / "seed7" / "final_eval.json").read_text())
    assert "(" in row[4] and "/" in row[4]  # loss (Laplace / entropy)
    assert row[5] == f"{final['results']['l0']['random_tabular_held_out']['reward']:.2f}"
    assert row[-1].count("/") == 1  # learner vs learner: reward / coop
    assert report.TABLES["ppi_stage1_cpu"](runs).count("\n") == 1
    for other_recipe in ("ppi_pools_w2500", "ppi_pools_s2500"):  # header only
        assert report.TABLES[other_recipe](runs).count("\n") == 1


def test_ppi_public_goods_runs_get_the_game_tables_columns(tmp_path):
    manifests = tmp_path / "experiments"
    manifest(manifests, "ppi_public_goods", "mixed_pool", "ppi_smoke_public_goods")
    config = tiny_ppi_game(tmp_path, seed=7, experiment="ppi_public_goods/mixed_pool")
    PPIGameTrainer(config).run()
    out = tmp_path / "results"
    evidence = report.collect(
        tmp_path / "run", results=out, manifests=manifests, precise_episodes=32
    )
    assert sorted(p.name for p in evidence.glob("agent_*.pt")) == ["agent_0.pt", "agent_1.pt"]
    assert all(p.stat().st_size < 100_000 for p in evidence.glob("agent_*.pt"))
    runs = report.load(out, manifests)
    table = report.TABLES["ppi_public_goods"](runs).splitlines()
    header = report.TABLES["public_goods"]({}).splitlines()[0]
    assert table[0] == header.replace("| updates |", "| phases |")
    row = table[2].split(" | ")
    assert row[0] == "| ppi_public_goods_mixed_pool_seed7 (l0)" and row[1] == "2"
    precise = json.loads((evidence / report.PRECISE).read_text())
    assert precise["episodes"] == 32 and set(precise["results"]) == {"l0", "l1"}
    mine = precise["results"]["l0"]["random_reactive_held_out"]
    assert row[3] == "32" and row[4].startswith(f"{mine['reward']:.3f}")
    assert row[-1].count("/") == 1  # learner vs learner: reward / contribution
    assert "of 2 learners out-earn" in table[-1]


def test_a_game_table_can_read_another_held_out_pool_of_some_variants(tmp_path):
    manifests, pools = tmp_path / "experiments", ("coin_reactive_held_out", "coin_own_coin")
    grudge = "coin_reactive_grudge_held_out"
    manifest(manifests, "coin_game", "grudge", "smoke_coin_game")
    path = manifests / "coin_game.toml"
    overrides = {"eval_co_players": [*pools, "coin_greedy", grudge], "eval.episodes": 16}
    path.write_text(
        path.read_text()
        + "\n[variants.grudge.overrides]\n"
        + "\n".join(f"{json.dumps(key)} = {json.dumps(value)}" for key, value in overrides.items())
    )
    changes = {"experiment": "coin_game/grudge", "out": tmp_path / "run", "seed": 7}
    GameTrainer(with_overrides(game_preset("smoke_coin_game"), {**overrides, **changes})).run()
    out = tmp_path / "results"
    evidence = report.collect(
        tmp_path / "run", results=out, manifests=manifests, precise_episodes=48
    )
    runs = report.load(out, manifests)
    precise = json.loads((evidence / report.PRECISE).read_text())["results"]["l0"]
    assert set(precise) == {*pools, "coin_greedy", grudge}  # the run's evaluation co-players
    pool = (grudge, "held-out grudge")
    table = report.game_table(runs, "coin_game", pool=pool, variants=("grudge",)).splitlines()
    assert "| games | vs held-out grudge: reward (theirs) |" in table[0]
    assert table[2].split(" | ")[4].startswith(f"{precise[grudge]['reward']:.3f} (")
    assert "out-earn the held-out grudge co-players' own mean" in table[-1]
    plain = report.game_table(runs, "coin_game").splitlines()
    row = plain[2].split(" | ")
    assert row[3] == "48" and row[4].startswith(
        f"{precise['coin_reactive_held_out']['reward']:.3f}"
    )
    # without the precise re-evaluation, the final training evaluation's 16 games
    (evidence / report.PRECISE).unlink()
    final = json.loads((evidence / "final_eval.json").read_text())["results"]["l0"]
    row = report.game_table(report.load(out, manifests), "coin_game").splitlines()[2].split(" | ")
    assert row[3] == "16" and row[4].startswith(f"{final['coin_reactive_held_out']['reward']:.3f}")
    assert report.game_table(runs, "coin_game", variants=("other",)).count("\n") == 1


def test_precise_evaluation_replays_the_agents_with_many_episodes(tmp_path):
    """Each learner's file against the run's evaluation co-players, at its evaluation seed."""
    from baselines.evaluate import evaluate_game_agent
    from baselines.evaluation import results_to_dict

    config = with_overrides(game_preset("smoke_coin_game"), {"out": tmp_path / "run", "seed": 3})
    GameTrainer(config).run()
    first = report.evaluate_precisely(tmp_path / "run", config, tmp_path, episodes=64)
    assert first == tmp_path / report.PRECISE
    record = json.loads(first.read_text())
    assert record["episodes"] == 64 and record["seed"] == config.run.eval.seed
    assert set(record["code"]) >= {"commit", "dirty"}
    assert set(record["results"]) == {"l0", "l1"}  # the smoke preset trains two learners
    assert set(record["results"]["l0"]) == set(config.evaluation_co_players)
    curve = record["results"]["l1"]["coin_greedy"]["reward_curve"]
    assert len(curve) == config.run.num_rounds
    direct = evaluate_game_agent(
        tmp_path / "run" / "agent_1.pt", config.evaluation_co_players, 64, config.run.eval.seed
    )
    assert results_to_dict(direct) == record["results"]["l1"]  # same seed, same numbers
    other = evaluate_game_agent(
        tmp_path / "run" / "agent_1.pt", config.evaluation_co_players, 64, 99
    )
    assert results_to_dict(other) != record["results"]["l1"]
    # a pool added after the run is played after the run's own, which keep their numbers
    extra = "coin_reactive_near_deterministic_held_out"
    also = (extra, config.evaluation_co_players[0])
    wider = report.evaluate_precisely(tmp_path / "run", config, tmp_path / "w", 64, also)
    played = json.loads(wider.read_text())["results"]["l1"]
    assert list(played) == [*config.evaluation_co_players, extra]
    assert {k: v for k, v in played.items() if k != extra} == record["results"]["l1"]
    assert report.evaluate_precisely(tmp_path / "none", config, tmp_path) is None  # no agents
    matrix = tiny("stage1_fast", tmp_path, seed=1)
    Trainer(matrix).run()
    assert report.evaluate_precisely(tmp_path / "stage1_fast", matrix, tmp_path) is None
    with pytest.raises(ValueError, match="not of a game beyond 2x2"):
        evaluate_game_agent(tmp_path / "stage1_fast" / "agent_0.pt", ["coin_greedy"], 16, 0)


def test_in_episode_gain_with_and_without_round_one():
    # 16 rounds: round 1 pays 0, rounds 2-8 pay 0.3, rounds 9-16 0.4
    curve = [0.0] + [0.3] * 7 + [0.4] * 8
    assert report.in_episode_gain(curve) == pytest.approx(0.4 - 0.9 / 4)
    assert report.in_episode_gain(curve, 1) == pytest.approx(0.4 - 0.3)  # rounds 2-4
    flat_after_one = [0.0] + [0.3] * 15
    assert report.in_episode_gain(flat_after_one) > 0.02
    assert report.in_episode_gain(flat_after_one, 1) == pytest.approx(0.0)


def test_population_table_reads_cross_play_against_the_goal(evidence, tmp_path, monkeypatch):
    results, manifests = evidence
    runs = report.load(results, manifests)
    assert "no cross-play evidence" in report.population_table(runs, "mixed_pool/fast", tmp_path)
    own, other = "mixed_pool_fast_seed7", "mixed_pool_fast_seed8"
    entrants = [{"name": f"{g}/agent_{i}", "group": g} for g in (own, other) for i in (0, 1)]
    entrants.append({"name": "tit_for_tat", "group": None})  # a named co-player: left out
    mutual = [
        [0.9, 0.9, 0.7, 0.9, 1.0],
        [0.9, 0.9, 1.0, 0.8, 1.0],
        [0.7, 1.0, 0.9, 0.9, 1.0],
        [0.9, 0.8, 0.9, 0.9, 1.0],
        [1.0, 1.0, 1.0, 1.0, 1.0],
    ]
    data = {"entrants": entrants, "mutual": mutual, "summary": {"threshold": 0.8}}
    (tmp_path / "mixed_pool_fast.json").write_text(json.dumps(data))
    row = report.population_table(runs, "mixed_pool/fast", tmp_path).splitlines()[2]
    assert row.startswith(f"| {own} | 2 | 4 |")
    assert "| 0.85 (0.70–1.00) |" in row  # own learners vs the other run's: 0.7, 0.9, 1.0, 0.8
    assert row.endswith("| not met |")  # 4 tiny updates: below 0.98 against random tabular
    monkeypatch.setattr(report, "POPULATION_TABULAR", -10.0)
    table = report.population_table(runs, "mixed_pool/fast", tmp_path)
    assert table.splitlines()[2].endswith("| met |") and "met in **1 of 1 seeds**" in table
    assert report.population_table(runs, "population/fast", tmp_path) == "(no evidence)"
