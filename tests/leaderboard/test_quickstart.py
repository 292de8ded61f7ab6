"""The main job's hint when the short training run misses the stage-1 criterion."""

import json

from leaderboard.quickstart import criterion_hint


def write_summary(directory, met):
    summary = {
        "time_to_criterion": {"l0/in_context_best_responder": {"update": 9} if met else None},
        "last": {"l0/eval/tit_for_tat/cooperation": 0.3104},
    }
    (directory / "summary.json").write_text(json.dumps(summary))


def test_hint_names_the_longer_budget_only_when_the_criterion_is_missed(tmp_path):
    assert criterion_hint(tmp_path, 3) is None  # no summary: nothing to say
    write_summary(tmp_path, met=False)
    hint = criterion_hint(tmp_path, 3)
    assert "not met in 3 min (cooperation with tit-for-tat 0.31)" in hint
    assert "--minutes 12" in hint
    write_summary(tmp_path, met=True)
    assert criterion_hint(tmp_path, 12) is None
