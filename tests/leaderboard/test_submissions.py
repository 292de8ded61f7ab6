import importlib.util
import json
import sys

import numpy as np
import pytest

from co_players import CoPlayerAgent
from coop_envs.core import PRISONERS_DILEMMA
from leaderboard.submissions import (
    SB3Agent,
    SubmissionError,
    inspect_submission,
    load_agent,
)

from .conftest import EXAMPLES


@pytest.mark.parametrize(
    "source,kind",
    [
        (EXAMPLES / "tit_for_tat_agent.py", "python"),
        (EXAMPLES / "baseline_gru.pt", "checkpoint"),
        (EXAMPLES / "recurrent_ppo.zip", "sb3"),
        (EXAMPLES / "tit_for_tat.json", "memory_one"),
        ("axelrod:Tit For Tat", "axelrod"),
        ("json", "python"),  # an importable module name
    ],
)
def test_kinds_are_recognised_and_hashed(source, kind):
    submission = inspect_submission(source)
    assert submission.kind == kind
    assert len(submission.content_hash) == 64
    assert inspect_submission(source).content_hash == submission.content_hash


def test_memory_one_content_hash_ignores_formatting(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"vector": [1, 1, 0, 1, 0]}))
    b.write_text('{"vector": [1.0, 1.0, 0.0, 1.0, 0.0], "description": "tft"}')
    assert inspect_submission(a).content_hash == inspect_submission(b).content_hash
    assert inspect_submission(a).memory_one == (1.0, 1.0, 0.0, 1.0, 0.0)


@pytest.mark.parametrize(
    "content,pattern",
    [
        ("{not json", "is not valid JSON"),
        (
            '{"vector": [1, 1, 2, 0, 0]}',
            r"must hold .*probabilities in \[0, 1\]; got 2.0 at index 2",
        ),
        ('{"vector": [0.5, 0.5]}', r"got shape \(2,\)"),
    ],
)
def test_bad_memory_one_files(tmp_path, content, pattern):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(SubmissionError, match=pattern):
        inspect_submission(path)


def test_unrecognised_sources(tmp_path):
    with pytest.raises(SubmissionError, match="does not exist"):
        inspect_submission(tmp_path / "missing.py")
    (tmp_path / "agent.txt").write_text("x")
    with pytest.raises(SubmissionError, match=r"cannot tell the kind .*'\.txt'.*pass --kind"):
        inspect_submission(tmp_path / "agent.txt")
    with pytest.raises(SubmissionError, match="is a directory"):
        inspect_submission(tmp_path)
    with pytest.raises(SubmissionError, match="unknown submission kind 'exe'"):
        inspect_submission(tmp_path / "agent.txt", kind="exe")
    with pytest.raises(SubmissionError, match="neither a file nor an importable module"):
        inspect_submission("no_such_module_xyz")


def test_co_player_agent_speaks_the_agent_protocol():
    from co_players import make_co_player

    agent = CoPlayerAgent(make_co_player("tit_for_tat"), PRISONERS_DILEMMA)
    agent.reset(3, seed=0)
    obs = np.zeros((3, 8), dtype=np.float32)
    obs[:, [0, 2, 3]] = np.eye(3)  # START, CD, DC
    assert agent.act(obs).tolist() == [0, 1, 0]


def test_example_agents_load_and_act():
    obs = np.zeros((4, 8), dtype=np.float32)
    obs[:, 0] = 1
    for source in (
        "tit_for_tat_agent.py",
        "baseline_gru.pt",
        "recurrent_ppo.zip",
        "tit_for_tat.json",
    ):
        agent = load_agent(inspect_submission(EXAMPLES / source), PRISONERS_DILEMMA)
        agent.reset(4, seed=0)
        actions = np.asarray(agent.act(obs))
        assert actions.shape == (4,) and set(actions.tolist()) <= {0, 1}, source


def test_sb3_agent_rejects_non_models(tmp_path):
    bad = tmp_path / "model.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(SubmissionError, match="is not a saved SB3 model"):
        SB3Agent(bad)


def test_python_file_without_make_agent(tmp_path, agent_file):
    path = tmp_path / "nothing.py"
    path.write_text("x = 1\n")
    with pytest.raises(SubmissionError, match="defines no make_agent"):
        load_agent(inspect_submission(path))
    path.write_text("def make_agent():\n    return 42\n")
    with pytest.raises(
        SubmissionError, match=r"must meet the agent protocol .*; int has no fitting reset or act"
    ):
        load_agent(inspect_submission(path))


@pytest.mark.skipif(importlib.util.find_spec("axelrod") is None, reason="needs the axelrod extra")
def test_misspelt_axelrod_name_is_refused_before_importing_axelrod():
    from leaderboard.submissions import check_axelrod_name

    was_imported = "axelrod.strategies" in sys.modules
    with pytest.raises(
        SubmissionError, match=r"unknown Axelrod strategy 'Tit For Tatt'.*'TitForTat'"
    ):
        inspect_submission("axelrod:Tit For Tatt")
    check_axelrod_name("Tit For Tat")
    assert ("axelrod.strategies" in sys.modules) == was_imported


@pytest.mark.slow  # imports axelrod (seconds)
def test_every_axelrod_strategy_name_passes_the_early_check():
    import axelrod as axl

    from leaderboard.submissions import check_axelrod_name

    for strategy in axl.all_strategies:
        check_axelrod_name(strategy.name)
        check_axelrod_name(strategy.__name__)
