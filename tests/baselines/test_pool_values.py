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
