"""The held-out named-strategy panel (baselines.panel): exact regrets of known agents."""

import json

import numpy as np
import pytest

from baselines import crossplay as cp
from baselines import panel
from co_players import CoPlayerAgent
from co_players.analysis import best_response, expected_payoffs
from co_players.memory_one import MemoryOne
from coop_envs.core import PRISONERS_DILEMMA


@pytest.fixture(scope="module")
def deterministic():
    entrants = cp.entrants_from("always_defect") + cp.entrants_from("tit_for_tat")
    return panel.run_panel(entrants, episodes=4)


def test_the_panel_holds_the_issue_strategies():
    assert set(panel.PANEL) == {
        "gtft_0.1", "gtft_0.3", "gtft_0.5", "tft_noise_0.05", "grim_trigger",
        "tit_for_two_tats", "wsls", "zd_extort_2", "zd_extort_3",
    }  # fmt: skip


def test_deterministic_pairs_give_exact_regrets(deterministic):
    alld, tft = deterministic["results"]["always_defect"], deterministic["results"]["tit_for_tat"]
    # grim: the best response cooperates 99 rounds, then defects (101); AllD earns T once (2)
    assert alld["grim_trigger"]["best_response_total"] == 101.0
    assert alld["grim_trigger"]["agent_total"] == 2.0
    assert alld["grim_trigger"]["regret"] == 0.99
    # tit-for-two-tats forgives one defection: alternating D, C earns 151; AllD earns 2 + 2
    assert alld["tit_for_two_tats"]["best_response_total"] == 151.0
    assert alld["tit_for_two_tats"]["regret"] == pytest.approx(1.47)
    # TFT meets WSLS in mutual cooperation (100); defecting in the last round earns 101
    assert tft["wsls"]["agent_total"] == 100.0 and tft["wsls"]["regret"] == 0.01
    assert tft["grim_trigger"]["cooperation"] == 1.0


def test_a_stochastic_pair_matches_the_markov_chain():
    p = [0.8, 0.9, 0.2, 0.7, 0.3]
    agent = CoPlayerAgent(MemoryOne(p, name="m1"))
    entrant = cp.Entrant("m1", agent, None, None, "m1")
    episodes = 4000
    cell = panel.measure(entrant, panel.PANEL["gtft_0.3"](), PRISONERS_DILEMMA, episodes, 100, 0)
    q = [1.0, 1.0, 0.3, 1.0, 0.3]
    exact_total = 100 * expected_payoffs(p, q, rounds=100)[0, 0]
    assert cell["best_response_total"] == pytest.approx(100 * best_response(q).value[0], abs=1e-4)
    assert abs(cell["agent_total"] - exact_total) < 5 * cell["agent_total_sem"]
    assert cell["agent_total_sem"] > 0


def test_table_and_main(deterministic, tmp_path, capsys):
    (tmp_path / "x.json").write_text(json.dumps(deterministic))
    table = panel.panel_table(tmp_path)
    assert "| `always_defect` | 1 | " in table and "0.99 (0.99)" in table
    assert "| exact best response, per round | | " in table
    out = tmp_path / "p.json"
    assert panel.main(["tit_for_tat", "--episodes", "2", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert len(data["code"]["commit"]) == 40 and data["settings"]["episodes"] == 2
    assert "regret per round" in capsys.readouterr().out
    assert panel.panel_table(tmp_path / "none") == "(no panel evidence)"


def test_bad_input():
    with pytest.raises(ValueError, match="at least one entrant"):
        panel.run_panel([])
    with pytest.raises(ValueError, match="episodes"):
        panel.run_panel(cp.entrants_from("tit_for_tat"), episodes=0)
    with pytest.raises(ValueError, match="is no run directory"):
        panel.main(["no/such/run"])
    with pytest.raises(SystemExit):
        panel.main([])
    assert np.isfinite(best_response([1, 1, 0, 1, 0]).value).all()


def test_criterion_bounds_for_the_deterministic_columns():
    bounds = panel.criterion_bounds()
    assert set(bounds) == set(panel.PANEL)
    assert bounds["grim_trigger"] == pytest.approx(0.89)
    assert bounds["wsls"] == 0.0
    assert 0 < bounds["tit_for_two_tats"] < panel.TARGET
    assert bounds["gtft_0.3"] is None and bounds["zd_extort_2"] is None
