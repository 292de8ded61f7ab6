from pathlib import Path

import pytest

from leaderboard.suite import SUITE_VERSION

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "submissions"


def write_agent(directory: Path, name: str, body: str) -> Path:
    """A submission file whose agent's act() has the given body (observations -> actions)."""
    path = directory / f"{name}.py"
    path.write_text(
        "import numpy as np\n"
        "class Agent:\n"
        "    def reset(self, num_envs, seed=None):\n"
        "        self.n = num_envs\n"
        "    def act(self, observations):\n"
        + "".join(f"        {line}\n" for line in body.splitlines())
        + "def make_agent():\n    return Agent()\n"
    )
    return path


@pytest.fixture
def agent_file(tmp_path):
    return lambda name, body: write_agent(tmp_path, name, body)


def record(db, name: str, **fields):
    """Store one scored run directly (no evaluation): a memory-one entry unless ``fields`` say."""
    row = {
        "kind": "memory_one",
        "source": name,
        "content_hash": f"hash-{name}",
        "reference": False,
        "suite_version": SUITE_VERSION,
        "code_version": "test",
        "seeds": [0],
        "quick": True,
        "status": "ok",
        **fields,
    }
    return db.record(name=name, **row)
