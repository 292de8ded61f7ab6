"""The pools' values: the CLI, its evidence and the page's tables."""

from __future__ import annotations

import json

import pytest

from baselines import pool_values
from baselines.general.trainer import training_co_player


def test_the_cli_measures_public_goods_and_the_tables_render(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pool_values, "PUBLIC_GOODS_POOLS", {"stage1": {"split": "train"}})
    monkeypatch.setattr(pool_values, "PUBLIC_GOODS_ROUNDS", 5)
    out = tmp_path / "pool_values.json"
    monkeypatch.setattr(pool_values, "PUBLIC_GOODS_EVIDENCE", out)
    assert pool_values.main(["--game", "public_goods", "--samples", "16", "--write"]) == 0
    data = json.loads(out.read_text())
    assert data["settings"] == {
        "game": "public_goods",
        "num_players": 4,
        "rounds": 5,
        "samples": 16,
        "seed": 0,
    }
    assert len(data["code"]["commit"]) == 40
    pool = data["pools"]["stage1"]
    table = pool_values.public_goods_pool_values_table(out)
    assert f"| `stage1` (train) | 1.6 | 0% | uniform | {pool['best_response']:.3f} |" in table
    assert f"{pool['knowing_worth']:.3f} ± {pool['knowing_worth_se']:.3f}" in table
    assert "stage1" in capsys.readouterr().out
    assert pool_values.pool_values_table(tmp_path / "missing.json") == "(no pool values)"


def test_the_cli_measures_coin_game_pools_with_either_memory(tmp_path, monkeypatch):
    pools = {"grudge": ("train", 0.1, "episode"), "plain": ("train", 0.1, "last")}
    monkeypatch.setattr(pool_values, "POOLS", pools)
    monkeypatch.setattr(pool_values, "COIN_GAME_ROUNDS", 2)
    out = tmp_path / "pool_values.json"
    monkeypatch.setattr(pool_values, "EVIDENCE", out)
    assert pool_values.main(["--game", "coin_game", "--samples", "4", "--write"]) == 0
    data = json.loads(out.read_text())
    grudge, plain = data["pools"]["grudge"], data["pools"]["plain"]
    assert (grudge["memory"], plain["memory"]) == ("episode", "last")
    assert grudge["best_response"] >= grudge["mean_response"] - 1e-12
    table = pool_values.pool_values_table(out)
    assert (
        f"| `grudge` | c = 0.1 | any round so far (grudge) | {grudge['best_response']:.3f} |"
        in table
    )
    assert "| `plain` | c = 0.1 | the last round |" in table
    del data["pools"]["plain"]["memory"]  # as recorded before the field
    out.write_text(json.dumps(data))
    assert "| `plain` | c = 0.1 | the last round |" in pool_values.pool_values_table(out)


@pytest.mark.parametrize(
    ("argv", "pattern"),
    [(["--samples", "1"], "--samples must be at least 2"), (["--seed", "-3"], "non-negative")],
)
def test_bad_arguments_are_refused(argv, pattern, capsys):
    with pytest.raises(SystemExit):
        pool_values.main(argv)
    assert pattern in capsys.readouterr().err


def test_a_concentration_needs_a_random_reactive_co_player():
    with pytest.raises(ValueError, match="coin_game co-player 'coin_greedy' has none"):
        training_co_player("coin_game", "coin_greedy", concentration=0.1)
