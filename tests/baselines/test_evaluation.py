import json

import pytest
import torch

from baselines.checkpoints import save_policy
from baselines.criteria import (
    IN_CONTEXT_BEST_RESPONDER,
    MIXED_POOL_COOPERATION,
    time_to_criterion,
)
from baselines.evaluate import EvaluateConfig, main
from baselines.evaluation import evaluate_against
from baselines.policies import PolicyConfig, make_policy
from coop_envs.core import PRISONERS_DILEMMA

torch.set_num_threads(1)


def constant_policy(defect: bool):
    """A GRU policy whose policy head always prefers one action."""
    policy = make_policy(PolicyConfig(hidden=8, embed=4), PRISONERS_DILEMMA)
    with torch.no_grad():
        policy.policy_head.weight.zero_()
        policy.policy_head.bias.copy_(torch.tensor([0.0, 30.0] if defect else [30.0, 0.0]))
    return policy


def test_evaluation_of_always_defect_matches_exact_values():
    alld = constant_policy(defect=True)
    vs_tft = evaluate_against(alld, "tit_for_tat", PRISONERS_DILEMMA, episodes=64)
    assert vs_tft.reward == pytest.approx(0.02) and vs_tft.opponent_reward == pytest.approx(-0.01)
    assert vs_tft.best_response == pytest.approx(1.01) and vs_tft.regret == pytest.approx(0.99)
    assert vs_tft.cooperation == 0 and vs_tft.cooperation_curve == [0.0] * 100
    assert vs_tft.reward_curve[0] == 2.0 and vs_tft.reward_curve[1] == 0.0
    vs_tab = evaluate_against(alld, "random_tabular_held_out", PRISONERS_DILEMMA, episodes=2000)
    assert vs_tab.reward == pytest.approx(1.0, abs=0.03)
    assert vs_tab.regret == pytest.approx(0.047, abs=0.01)
    vs_policy = evaluate_against(alld, constant_policy(defect=False), PRISONERS_DILEMMA, 16)
    assert vs_policy.reward == 2.0 and vs_policy.best_response is None


def test_criteria_on_known_behaviour():
    results = {
        "always_cooperate": {"reward": 1.95},
        "always_defect": {"reward": -0.05},
        "tit_for_tat": {"cooperation_late": 0.93},
        "random_tabular_held_out": {"reward": 1.01},
    }
    holds, margins = IN_CONTEXT_BEST_RESPONDER.evaluate(results)
    assert holds and margins["cooperation_late vs tit_for_tat"] == pytest.approx(0.03)
    results["tit_for_tat"] = {"cooperation_late": 0.2}
    assert not IN_CONTEXT_BEST_RESPONDER.evaluate(results)[0]
    pool = {
        "learner_1": {"cooperation": 0.9, "reward": 0.85},
        "random_tabular_held_out": {"reward": 0.97},
    }
    assert MIXED_POOL_COOPERATION.evaluate(pool)[0]
    assert not MIXED_POOL_COOPERATION.evaluate({"random_tabular_held_out": {"reward": 1}})[0]


def test_time_to_criterion_reads_the_log(tmp_path):
    (tmp_path / "log.csv").write_text(
        "update,env_steps,seconds,l0/criterion/in_context_best_responder\n"
        "10,1000,5.0,0\n20,2000,10.0,1\n30,3000,15.0,1\n"
    )
    assert time_to_criterion(tmp_path, IN_CONTEXT_BEST_RESPONDER) == {
        "update": 20.0,
        "env_steps": 2000.0,
        "seconds": 10.0,
    }
    assert time_to_criterion(tmp_path, MIXED_POOL_COOPERATION) is None


def test_evaluate_cli(tmp_path, capsys):
    a = save_policy(tmp_path / "a.pt", constant_policy(defect=True))
    b = save_policy(tmp_path / "b.pt", constant_policy(defect=False))
    assert main(EvaluateConfig(checkpoints=(a, b), episodes=32)) == 0
    out = capsys.readouterr().out
    assert "tit_for_tat" in out and "learner_1" in out and "mixed_pool_cooperation" in out
    report = json.loads((tmp_path / "a.eval.json").read_text())
    result = report["policies"][str(a)]["results"]["always_cooperate"]
    assert result["reward"] == 2.0
    assert (tmp_path / "a.eval.png").exists()
    with pytest.raises(ValueError, match="episodes must be a positive int; got 0"):
        EvaluateConfig(checkpoints=(a,), episodes=0)
