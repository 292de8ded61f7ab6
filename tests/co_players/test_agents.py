import gymnasium as gym
import numpy as np
import pytest

import coop_envs  # noqa: F401
from co_players import AgentCoPlayer, CoPlayerAgent, as_co_player, check_agent, resolve_co_player
from coop_envs.core import AGENT_OBSERVATION, AGENT_PROTOCOL, ObservationConfig, declared_protocol


class CopyCat:
    """An agent (reset(num_envs, seed) / act(observations)) that plays tit-for-tat from features."""

    protocol = AGENT_PROTOCOL

    def reset(self, num_envs, seed=None):
        self.num_envs, self.seed = num_envs, seed

    def act(self, observations):
        assert observations.shape == (self.num_envs, AGENT_OBSERVATION.size)
        one_hot = observations[:, :5]
        other_defected = one_hot[:, 2] + one_hot[:, 4]
        return other_defected.astype(np.int64)


def test_agent_plays_as_co_player_in_env():
    env = gym.make("coop_envs/IteratedPrisonersDilemma-v0", co_player=CopyCat(), num_rounds=4)
    env.reset(seed=0)
    moves = [env.step(a)[4]["co_player_action"] for a in (1, 0, 0, 1)]
    assert moves == [0, 1, 0, 0]
    assert isinstance(env.unwrapped.co_player, AgentCoPlayer)


def test_agent_gets_its_declared_layout_and_a_seed_from_the_env():
    class RoundCounter(CopyCat):
        observation_config = ObservationConfig(round_index=True)

        def act(self, observations):
            self.last = observations
            return np.zeros(len(observations), dtype=np.int64)

    agent = RoundCounter()
    co_player = AgentCoPlayer(agent, num_rounds=10)  # the horizon of its round-index block
    envs = gym.make_vec(
        "coop_envs/IteratedPrisonersDilemma-v0", num_envs=3, co_player=co_player, num_rounds=10
    )
    envs.reset(seed=1)
    seed = agent.seed
    envs.step(np.zeros(3, dtype=np.int64))
    envs.step(np.zeros(3, dtype=np.int64))
    assert agent.last.shape == (3, 6) and agent.last[0, 5] == pytest.approx(0.1)
    envs.reset(seed=1)
    assert agent.seed == seed


def test_invalid_agent_actions_are_reported_with_its_name():
    class Broken(CopyCat):
        name = "broken_bot"

        def act(self, observations):
            return np.full(len(observations), 7)

    env = gym.make(
        "coop_envs/IteratedPrisonersDilemma-v0", co_player=Broken(), disable_env_checker=True
    )
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"actions of agent 'broken_bot' must be 0 .* got 7"):
        env.step(0)


def test_an_object_declares_its_protocol():
    tft = resolve_co_player("tit_for_tat")
    assert declared_protocol(CopyCat()) == "agent" and declared_protocol(tft) == "co_player"
    assert as_co_player(tft) is tft
    assert isinstance(as_co_player(CopyCat()), AgentCoPlayer)
    assert check_agent(CopyCat()) is not None
    with pytest.raises(TypeError, match="declares protocol='co_player': wrap it: CoPlayerAgent"):
        check_agent(tft)
    with pytest.raises(TypeError, match="agent must meet the agent protocol"):
        AgentCoPlayer(object())

    class Confused:
        protocol = "robot"

    with pytest.raises(ValueError, match="protocol must be 'agent' or 'co_player'; got 'robot'"):
        resolve_co_player(Confused())


def test_an_undeclared_object_is_checked_against_the_protocol_its_place_expects():
    class UndeclaredAgent:  # an agent's methods, no declaration: not taken for a co-player
        def reset(self, num_envs, seed=None):
            pass

        def act(self, observations):
            return np.zeros(len(observations), dtype=np.int64)

    with pytest.raises(
        TypeError, match=r"has no fitting reset or act\. An object meeting the agent"
    ):
        resolve_co_player(UndeclaredAgent())
    assert check_agent(UndeclaredAgent()) is not None  # where an agent is expected, it fits

    class UndeclaredCoPlayer:
        def reset(self, game, batch_size, rng):
            self.n = batch_size

        def act(self, obs, rng):
            return np.zeros(self.n, dtype=np.int64)

    co_player = UndeclaredCoPlayer()
    assert resolve_co_player(co_player) is co_player
    agent = CoPlayerAgent(co_player)
    agent.reset(3, seed=0)
    start = np.zeros((3, 8), dtype=np.float32)
    start[:, 0] = 1.0  # START; all zeros is no observation and is refused
    assert agent.act(start).tolist() == [0, 0, 0]
