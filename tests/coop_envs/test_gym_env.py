import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import coop_envs
from coop_envs import COOPERATE, DEFECT, GYM_IDS
from coop_envs.core import PRISONERS_DILEMMA


@pytest.mark.parametrize("env_id", GYM_IDS)
def test_gymnasium_check_env(env_id):
    check_env(gym.make(env_id).unwrapped, skip_render_check=False)
    check_env(
        gym.make(
            env_id, prev_action=True, prev_reward=True, round_index=True, co_player_id=True
        ).unwrapped
    )


@pytest.mark.parametrize("env_id", GYM_IDS)
def test_sb3_check_env(env_id):
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    sb3_check_env(gym.make(env_id, co_player="tit_for_tat"), warn=True)


def test_module_colon_form_needs_no_import():
    code = (
        "import gymnasium as gym; "
        "e = gym.make('coop_envs:IteratedPrisonersDilemma-v0', co_player='tit_for_tat'); "
        "print(e.reset(seed=0)[0].tolist())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[1.0, 0.0, 0.0, 0.0, 0.0]"


def play(env, actions, seed=0):
    env.reset(seed=seed)
    trace = []
    for a in actions:
        _obs, reward, terminated, truncated, info = env.step(a)
        trace.append((reward, info["co_player_action"], terminated, truncated))
    return trace


def test_tit_for_tat_copies_and_episode_ends():
    env = gym.make("coop_envs/IteratedPrisonersDilemma-v0", co_player="tit_for_tat", num_rounds=4)
    trace = play(env, [DEFECT, COOPERATE, COOPERATE, DEFECT])
    assert trace == [
        (2.0, COOPERATE, False, False),
        (-1.0, DEFECT, False, False),
        (1.0, COOPERATE, False, False),
        (2.0, COOPERATE, True, False),
    ]
    with pytest.raises(ValueError, match="after the episode ended; call reset"):
        env.step(COOPERATE)


def test_memory_one_vector_and_custom_co_player_object():
    env = gym.make("coop_envs/IteratedPrisonersDilemma-v0", co_player=[0, 0, 0, 0, 0], num_rounds=3)
    assert [r for r, *_ in play(env, [COOPERATE] * 3)] == [-1.0, -1.0, -1.0]

    class Alternator:
        def reset(self, game, batch_size, rng):
            self.t = 0

        def act(self, obs, rng):
            self.t += 1
            return np.full(len(obs), self.t % 2)

    env = gym.make("coop_envs/IteratedPrisonersDilemma-v0", co_player=Alternator(), num_rounds=4)
    assert [c for _, c, *_ in play(env, [COOPERATE] * 4)] == [1, 0, 1, 0]


def test_random_tabular_is_reproducible_and_resampled():
    env = gym.make("coop_envs/IteratedPrisonersDilemma-v0", num_rounds=100)
    first = play(env, [COOPERATE] * 100, seed=5)
    again = play(env, [COOPERATE] * 100, seed=5)
    other = play(env, [COOPERATE] * 100, seed=6)
    assert first == again and first != other
    table_a = env.unwrapped.co_player.table.copy()
    env.reset()
    assert not np.array_equal(table_a, env.unwrapped.co_player.table)


def test_co_player_id_observation():
    env = gym.make(
        "coop_envs/IteratedPrisonersDilemma-v0", co_player="tit_for_tat", co_player_id=True
    )
    obs, _ = env.reset(seed=0)
    assert obs.shape == (15,)
    # log P(C|start) = 0, log P(D|start) floored
    assert obs[0] == 0.0 and obs[1] == pytest.approx(np.log(1e-6))
    assert obs[10:].tolist() == [1, 0, 0, 0, 0]


def test_render_ansi_and_human(capsys):
    env = gym.make(
        "coop_envs/IteratedPrisonersDilemma-v0",
        co_player="always_defect",
        num_rounds=3,
        render_mode="ansi",
    )
    env.reset(seed=0)
    env.step(COOPERATE)
    text = env.render()
    assert "round 1/3" in text and "you        C.." in text and "co-player  D.." in text
    assert "total  you -1  co-player 2" in text
    env = gym.make("coop_envs/IteratedPrisonersDilemma-v0", num_rounds=2, render_mode="human")
    env.reset(seed=0)
    env.step(DEFECT)
    assert "round 1/2" in capsys.readouterr().out


def test_render_rgb_array_and_sb3_make_vec_env():
    from stable_baselines3.common.env_util import make_vec_env

    env = gym.make(
        "coop_envs/IteratedPrisonersDilemma-v0",
        co_player="always_defect",
        num_rounds=4,
        render_mode="rgb_array",
    )
    env.reset(seed=0)
    env.step(COOPERATE)
    image = env.render()
    assert image.shape == (13, 24, 3) and image.dtype == np.uint8
    assert image[0, 0].tolist() == [46, 160, 67] and image[7, 0].tolist() == [207, 34, 46]
    assert image[0, -1].tolist() == [222, 222, 222]  # not played yet
    # SB3's make_vec_env creates environments with render_mode="rgb_array"
    venv = make_vec_env("coop_envs/IteratedPrisonersDilemma-v0", n_envs=2, seed=0)
    assert venv.reset().shape == (2, 5)


def test_other_games_pay_their_tables():
    for env_id, game in [
        ("coop_envs/IteratedStagHunt-v0", coop_envs.STAG_HUNT),
        ("coop_envs/IteratedChicken-v0", coop_envs.CHICKEN),
        ("coop_envs/IteratedMatchingPennies-v0", coop_envs.MATCHING_PENNIES),
    ]:
        env = gym.make(env_id, co_player="always_cooperate", num_rounds=2)
        env.reset(seed=0)
        assert env.step(DEFECT)[1] == game.payoffs[DEFECT, COOPERATE, 0]
    env = gym.make(
        "coop_envs/IteratedMatrixGame-v0",
        game=[[3, 3], [0, 5], [5, 0], [1, 1]],
        co_player="always_cooperate",
    )
    env.reset(seed=0)
    assert env.step(DEFECT)[1] == 5.0


@pytest.mark.parametrize(
    "action,error,pattern",
    [
        (2, ValueError, "got 2"),
        (-1, ValueError, "got -1"),
        (0.0, TypeError, r"got 0\.0 \(float\)"),
        (np.nan, TypeError, r"got nan \(float\)"),
        (np.array([0.5]), TypeError, "got dtype float64"),
        (True, TypeError, r"got True \(bool\)"),
        ("C", TypeError, r"got 'C' \(str\)"),
        (np.array([0, 1]), TypeError, r"got array\(\[0, 1\]\) \(ndarray\)"),
    ],
)
def test_bad_actions(action, error, pattern):
    env = gym.make("coop_envs/IteratedPrisonersDilemma-v0", disable_env_checker=True)
    env.reset(seed=0)
    with pytest.raises(error, match=pattern):
        env.step(action)
    assert env.unwrapped.core.t == 0


def test_numpy_integer_actions_accepted():
    env = gym.make("coop_envs/IteratedPrisonersDilemma-v0", co_player="tit_for_tat")
    env.reset(seed=0)
    for action in (np.int64(1), np.int32(0), np.array(1), np.array([0], dtype=np.uint8)):
        env.step(action)
    assert env.unwrapped.core.history[0, :4, 0].tolist() == [1, 0, 1, 0]


def test_step_before_reset():
    env = coop_envs.gym_env.IteratedGameEnv()
    with pytest.raises(ValueError, match="before reset"):
        env.step(0)


@pytest.mark.parametrize(
    "kwargs,error,pattern",
    [
        ({"co_player": "tft"}, ValueError, "unknown co-player 'tft'; known ids: always_cooperate"),
        ({"co_player": [0.5, 0.5]}, ValueError, r"shape \(5,\) or \(N, 5\).*got shape \(2,\)"),
        ({"co_player": [0, 0, 1.5, 0, 0]}, ValueError, r"in \[0, 1\]; got 1.5 at index 2"),
        ({"co_player": [0, 0, np.nan, 0, 0]}, ValueError, "got nan at index 2"),
        ({"co_player": 3}, TypeError, r"co_player must be .* got 3 \(int\)"),
        ({"game": "pd"}, ValueError, "fixes game='prisoners_dilemma'; got game='pd'"),
        (
            {"render_mode": "video"},
            ValueError,
            "render_mode must be None or one of 'ansi', 'human', 'rgb_array'; got 'video'",
        ),
        ({"num_rounds": 0}, ValueError, "num_rounds must be a positive int; got 0"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        gym.make("coop_envs/IteratedPrisonersDilemma-v0", **kwargs)


def test_broken_co_player_is_reported():
    class Broken:
        def reset(self, game, batch_size, rng):
            pass

        def act(self, obs, rng):
            return np.array([3])

    env = gym.make(
        "coop_envs/IteratedPrisonersDilemma-v0", co_player=Broken(), disable_env_checker=True
    )
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"co-player actions must be 0 .* got 3"):
        env.step(0)


def test_payoffs_default_to_paper():
    env = gym.make("coop_envs/IteratedPrisonersDilemma-v0")
    assert env.unwrapped.game == PRISONERS_DILEMMA
