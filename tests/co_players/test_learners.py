import numpy as np
import pytest

from co_players import PolicyGradientLearner, QLearner, make_co_player
from coop_envs.core import PRISONERS_DILEMMA, IteratedGame

C, D = 0, 1


def match(first, second, batch=2000, rounds=100, seed=0):
    """Both co-players against each other; returns (mean reward per round, late cooperation)."""
    rng = np.random.default_rng(seed)
    core = IteratedGame(PRISONERS_DILEMMA, batch, rounds)
    core.reset()
    first.reset(PRISONERS_DILEMMA, batch, rng)
    second.reset(PRISONERS_DILEMMA.swapped(), batch, rng)
    joint = np.zeros((batch, 2), dtype=np.int64)
    while not core.done:
        joint[:, 0] = first.act(core.codes[:, 0].copy(), rng)
        joint[:, 1] = second.act(core.codes[:, 1].copy(), rng)
        core.step(joint)
    late = (core.history[:, rounds // 2 :] == C).mean(axis=(0, 1))
    early = (core.history[:, :10] == C).mean(axis=(0, 1))
    return core.returns.mean(axis=0) / rounds, early, late


@pytest.mark.parametrize("learner", ["q_learner", "pg_learner"])
def test_learns_to_defect_against_always_defect(learner):
    _, early, late = match(make_co_player("always_defect"), make_co_player(learner))
    assert late[1] < 0.15
    assert early[1] > late[1] + 0.15


def test_q_learner_learns_to_cooperate_with_tit_for_tat():
    _, _, late = match(make_co_player("tit_for_tat"), QLearner())
    assert late[1] > 0.8


def test_extortioner_exploits_the_in_context_learner():
    for learner in (QLearner(), PolicyGradientLearner()):
        rewards, _, late = match(make_co_player("zd_extort_2"), learner)
        assert rewards[0] > 1.5 * rewards[1] > 0, (learner, rewards)
        assert late[1] > 0.3  # the learner keeps cooperating: that is what extortion feeds on


def test_learners_restart_every_episode_and_are_reproducible(versus):
    learner = QLearner()
    first = versus(learner, np.ones((50, 40), dtype=np.int64), seed=5)
    again = versus(learner, np.ones((50, 40), dtype=np.int64), seed=5)
    np.testing.assert_array_equal(first, again)
    pg = PolicyGradientLearner()
    versus(pg, np.ones((4, 40), dtype=np.int64))
    assert (pg.cooperation_probabilities[:, 4] < 0.5).all()  # learned after DD
    pg.reset(PRISONERS_DILEMMA, 4, np.random.default_rng(0))
    assert (pg.cooperation_probabilities == 0.5).all()


@pytest.mark.parametrize(
    "factory,pattern",
    [
        (lambda: QLearner(learning_rate=0), r"learning_rate must be in \(0, 1\]; got 0"),
        (lambda: QLearner(discount=1.5), r"discount must be in \[0, 1\]; got 1.5"),
        (lambda: QLearner(epsilon=np.nan), r"epsilon must be in \[0, 1\]; got nan"),
        (lambda: QLearner(optimistic=np.inf), "optimistic must be finite; got inf"),
        (lambda: PolicyGradientLearner(learning_rate=-1), "learning_rate must be positive; got -1"),
        (lambda: PolicyGradientLearner(window=0), "window must be a positive int; got 0"),
    ],
)
def test_bad_parameters(factory, pattern):
    with pytest.raises(ValueError, match=pattern):
        factory()
