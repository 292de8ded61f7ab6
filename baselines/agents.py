"""``load_agent(path)``: any agent file of this project as an agent (the agent protocol).

Returns a :class:`~baselines.players.PolicyAgent` for A2C/PPO policies, a
:class:`~baselines.ppi.PPIAgent` for PPI agents (``kind: "ppi"``) and a
:class:`~baselines.general.policy.GamePolicyAgent` for agents of the games beyond 2x2
(``kind: "game_policy"``; its ``game`` and ``game_kwargs`` say which game), so a trained
baseline can be a co-player (``gym.make(..., co_player=load_agent(path))``), a leaderboard
submission, or evaluated.
"""

from __future__ import annotations

from pathlib import Path

from baselines.checkpoints import policy_from_payload, read_checkpoint
from baselines.general.policy import KIND, GamePolicyAgent, game_policy_from_payload
from baselines.players import PolicyAgent
from baselines.ppi.agent import PPIAgent, ppi_agent_from_payload
from coop_envs.core import check_bool


def load_agent(path: str | Path, greedy: bool = False) -> PolicyAgent | PPIAgent | GamePolicyAgent:
    """Load an agent file as an agent.

    Args:
        path: An ``agent_<i>.pt`` file (A2C/PPO policy or PPI agent).
        greedy: Take the most likely action instead of sampling.

    Raises:
        CheckpointError: If the file is missing, corrupt, of another format or version, its
            weights do not match its config, or a weight is NaN or infinite (a ``ValueError``
            naming the file and the tensor).
        TypeError: If ``greedy`` is not a bool.
    """
    check_bool(greedy, "greedy")
    payload = read_checkpoint(path)
    source = f"checkpoint {str(path)!r}"
    if payload.get("kind") == "ppi":
        return ppi_agent_from_payload(payload, source, greedy, Path(path).stem)
    if payload.get("kind") == KIND:
        policy = game_policy_from_payload(payload, source)
        name = payload.get("meta", {}).get("name") or Path(path).stem
        return GamePolicyAgent(policy, greedy=greedy, name=name)
    policy = policy_from_payload(payload, source=source)
    name = payload.get("meta", {}).get("name") or Path(path).stem
    return PolicyAgent(policy, greedy=greedy, name=name)
