import json
import math

import numpy as np
import pytest
import torch

from baselines.ppi import ModelConfig, PlanningConfig, SequenceModel, load_ppi, save_ppi
from baselines.ppi.diagnose import OUTCOMES, DiagnoseConfig, diagnose, main
from coop_envs.core import PRISONERS_DILEMMA

ROUNDS = 10
EPISODES = 24


@pytest.fixture(scope="module")
def agent_path(tmp_path_factory):
    torch.manual_seed(2)
    model = SequenceModel(ModelConfig(hidden=8, embed=4)).eval()
    path = tmp_path_factory.mktemp("diagnose") / "ppi.pt"
    planning = PlanningConfig(beta=1.0, horizon=3, rollouts=2)
    return save_ppi(path, model, planning, PRISONERS_DILEMMA, ROUNDS, {"name": "tiny"})


def by_outcome(rows):
    return {r.outcome: r for r in rows}


def test_rows_follow_the_last_outcome_with_the_agents_move_first(agent_path):
    rows = by_outcome(diagnose(load_ppi(agent_path).actor, "tit_for_tat", EPISODES, seed=1))
    assert list(rows) == list(OUTCOMES)
    assert sum(r.decisions for r in rows.values()) == EPISODES * ROUNDS
    assert rows["start"].decisions == EPISODES
    # tit-for-tat repeats the agent's last move: C after CC and CD, D after DC and DD
    for outcome, expected in (("start", 1.0), ("CC", 1.0), ("CD", 1.0), ("DC", 0.0), ("DD", 0.0)):
        if rows[outcome].decisions:
            assert rows[outcome].co_player_c == expected, outcome
    for r in rows.values():
        if r.decisions:
            for value in (r.prior_c, r.policy_c, r.predicted_co_player_c, r.cooperation):
                assert 0.0 <= value <= 1.0
            assert math.isfinite(r.dq)


def test_without_planning_the_policy_is_the_prior_and_there_is_no_q(agent_path):
    actor = load_ppi(agent_path, planning=PlanningConfig(beta=0.0)).actor
    for r in diagnose(actor, "always_defect", EPISODES, seed=0):
        if r.outcome in ("CC", "DC"):  # always-defect never cooperates
            assert r.decisions == 0 and math.isnan(r.prior_c)
            continue
        assert r.co_player_c == 0.0
        assert math.isnan(r.dq)
        assert r.policy_c == pytest.approx(r.prior_c)


def test_same_seed_same_table_and_the_prior_does_not_depend_on_beta(agent_path):
    first = diagnose(load_ppi(agent_path).actor, "tit_for_tat", EPISODES, seed=5)
    again = diagnose(load_ppi(agent_path).actor, "tit_for_tat", EPISODES, seed=5)
    assert first == again
    flat = load_ppi(agent_path, planning=PlanningConfig(beta=0.0, horizon=3, rollouts=2))
    start = by_outcome(diagnose(flat.actor, "tit_for_tat", EPISODES, seed=5))["start"]
    assert by_outcome(first)["start"].prior_c == pytest.approx(start.prior_c)


def test_bad_input_is_rejected_where_it_enters(agent_path):
    actor = load_ppi(agent_path).actor
    with pytest.raises(TypeError, match="actor must be a PPIActor"):
        diagnose(load_ppi(agent_path), "tit_for_tat")
    with pytest.raises(ValueError, match="episodes"):
        diagnose(actor, "tit_for_tat", episodes=0)
    with pytest.raises(ValueError, match="no_such_player"):
        diagnose(actor, "no_such_player", episodes=2)


def test_cli_prints_and_writes_the_table(agent_path, tmp_path, capsys):
    out = tmp_path / "rows.json"
    config = DiagnoseConfig(agent_path, co_player=str(agent_path), episodes=8, beta=2.0, out=out)
    assert main(config) == 0
    never = DiagnoseConfig(
        agent_path, co_player="always_defect", episodes=4, out=tmp_path / "d.json"
    )
    assert main(never) == 0
    assert json.loads((tmp_path / "d.json").read_text())[1]["prior_c"] is None  # CC: never met
    printed = capsys.readouterr().out
    assert "beta=2" in printed and "Q(C)-Q(D)" in printed
    rows = json.loads(out.read_text())
    assert [r["outcome"] for r in rows] == list(OUTCOMES)
    assert sum(r["decisions"] for r in rows) == 8 * ROUNDS
    assert np.isfinite([r["dq"] for r in rows if r["decisions"]]).all()
