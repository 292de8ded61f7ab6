"""The RLlib route's tests run only in a virtual environment with Ray RLlib (it pins gymnasium
1.2.2, so never in the main one): ``.ci/run`` builds it and sets ``COOP_ENVS_RLLIB=1``.

Where ``ray.rllib`` does not import and that variable is unset, these files are not collected at
all (``collect_ignore_glob``), so the main suite neither runs nor skips them. Where the variable
is set they are always collected and nothing in them skips: a missing piece fails.
"""

import os
import subprocess
import sys


def _rllib_imports() -> bool:
    # a fresh interpreter: the main suite's process never imports ray for this check
    code = "import ray.rllib"
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


collect_ignore_glob = (
    [] if os.environ.get("COOP_ENVS_RLLIB") == "1" or _rllib_imports() else ["test_*.py"]
)
