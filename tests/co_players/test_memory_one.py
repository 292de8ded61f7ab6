import numpy as np
import pytest

from co_players import GenerousTitForTat, MemoryOne, RandomMemoryOne, make_co_player, tremble
from co_players.memory_one import log_policy, tabular_split
from coop_envs.core import LOG_PROB_FLOOR, PRISONERS_DILEMMA, MatrixGame

C, D = 0, 1
OPPONENT = [C, D, D, C, C, D, C, C]


@pytest.mark.parametrize(
    "name,expected",
    [
        ("always_cooperate", [C, C, C, C, C, C, C, C]),
        ("always_defect", [D, D, D, D, D, D, D, D]),
        ("tit_for_tat", [C, C, D, D, C, C, D, C]),
        ("suspicious_tit_for_tat", [D, C, D, D, C, C, D, C]),
        # WSLS keeps its move after CC or DC, switches after CD or DD
        ("win_stay_lose_shift", [C, C, D, C, C, C, D, D]),
    ],
)
def test_deterministic_strategies_scripted(name, expected, versus):
    assert versus(make_co_player(name), OPPONENT)[0].tolist() == expected


def test_deterministic_strategies_draw_no_randomness():
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    tft = make_co_player("tit_for_tat")
    tft.reset(PRISONERS_DILEMMA, 4, rng)
    tft.act(np.array([0, 1, 2, 3]), rng)
    assert rng.bit_generator.state == before


def test_stochastic_vector_frequencies(versus):
    vector = [0.2, 0.9, 0.3, 0.6, 0.1]
    actions = versus(MemoryOne(vector), np.zeros((20000, 2), dtype=np.int64))
    assert abs((actions[:, 0] == C).mean() - 0.2) < 0.015  # START
    # second-round P(C) is 0.9 after CC and 0.6 after DC (own view: DC = it defected)
    expected = 0.2 * 0.9 + 0.8 * 0.6
    assert abs((actions[:, 1] == C).mean() - expected) < 0.015


def test_per_game_table():
    table = np.array([[1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [1, 1, 0, 1, 0]], dtype=float)
    player = MemoryOne(table)
    rng = np.random.default_rng(0)
    player.reset(PRISONERS_DILEMMA, 3, rng)
    assert player.act(np.array([2, 2, 2]), rng).tolist() == [C, D, D]
    with pytest.raises(ValueError, match="holds 3 rows, one per game; got batch_size=4"):
        player.reset(PRISONERS_DILEMMA, 4, rng)


@pytest.mark.parametrize(
    "vector,pattern",
    [
        ([0.5] * 4, r"shape \(5,\) or \(N, 5\).*got shape \(4,\)"),
        ([[[0.5] * 5]], r"got shape \(1, 1, 5\)"),
        ([0, 1, -0.1, 0, 0], r"in \[0, 1\]; got -0.1 at index 2"),
        ([0, 1, 0, np.nan, 0], "got nan at index 3"),
        ([[0.1] * 5, [0.1, 0.1, 0.1, 0.1, 2.0]], r"got 2.0 at index \(1, 4\)"),
    ],
)
def test_bad_vectors(vector, pattern):
    with pytest.raises(ValueError, match=pattern):
        MemoryOne(vector)


def test_non_numeric_vector():
    with pytest.raises(TypeError, match="must be numbers in"):
        MemoryOne(["a", 1, 1, 1, 1])


def test_identity_is_log_policy():
    player = make_co_player("tit_for_tat")
    player.reset(PRISONERS_DILEMMA, 2, np.random.default_rng(0))
    ids = player.identity()
    assert ids.shape == (2, 10) and ids.dtype == np.float32
    assert ids[0].tolist() == pytest.approx(
        [
            0,
            LOG_PROB_FLOOR,
            0,
            LOG_PROB_FLOOR,
            LOG_PROB_FLOOR,
            0,
            0,
            LOG_PROB_FLOOR,
            LOG_PROB_FLOOR,
            0,
        ]
    )
    assert log_policy(np.full((1, 5), 0.5))[0] == pytest.approx([np.log(0.5)] * 10)


def test_generous_tit_for_tat_depends_on_game():
    assert GenerousTitForTat().vector_for(PRISONERS_DILEMMA).tolist() == [1, 1, 0.5, 1, 0.5]
    axelrod_pd = MatrixGame.symmetric("axl", R=3, S=0, T=5, P=1)
    assert GenerousTitForTat().vector_for(axelrod_pd)[2] == pytest.approx(1 / 3)
    assert GenerousTitForTat(0.2).vector_for(PRISONERS_DILEMMA)[4] == 0.2
    with pytest.raises(ValueError, match=r"forgiveness must be in \[0, 1\]; got 1.5"):
        GenerousTitForTat(1.5)


def test_tremble():
    assert tremble([1, 1, 0, 1, 0], 0.1).tolist() == pytest.approx([0.9, 0.9, 0.1, 0.9, 0.1])
    with pytest.raises(ValueError, match=r"epsilon must be in \[0, 0.5\]; got 0.7"):
        tremble([1, 1, 0, 1, 0], 0.7)


class TestRandomTabular:
    def test_uniform_and_resampled_each_episode(self):
        sampler = RandomMemoryOne()
        rng = np.random.default_rng(0)
        sampler.reset(PRISONERS_DILEMMA, 50000, rng)
        first = sampler.table.copy()
        assert first.shape == (50000, 5)
        assert np.allclose(first.mean(axis=0), 0.5, atol=0.01)
        assert np.allclose(first.var(axis=0), 1 / 12, atol=0.003)
        counts = np.histogram(first[:, 2], bins=10, range=(0, 1))[0]
        assert counts.min() > 4600 and counts.max() < 5400
        sampler.reset(PRISONERS_DILEMMA, 50000, rng)
        assert not np.allclose(first, sampler.table)

    def test_reproducible(self):
        a, b = RandomMemoryOne(), RandomMemoryOne()
        a.reset(PRISONERS_DILEMMA, 100, np.random.default_rng(3))
        b.reset(PRISONERS_DILEMMA, 100, np.random.default_rng(3))
        np.testing.assert_array_equal(a.table, b.table)

    @pytest.mark.parametrize("split,parity", [("train", 0), ("held_out", 1)])
    def test_split_halves_are_disjoint_and_uniform(self, split, parity):
        table = RandomMemoryOne(split).sample(40000, np.random.default_rng(1))
        assert (tabular_split(table) == parity).all()
        assert ((table >= 0) & (table <= 1)).all()
        for axis in range(5):
            counts = np.histogram(table[:, axis], bins=10, range=(0, 1))[0]
            assert counts.min() > 3600 and counts.max() < 4400, (axis, counts)

    @pytest.mark.parametrize("split", [None, "train", "held_out"])
    def test_beta_concentration(self, split):
        table = RandomMemoryOne(split, concentration=0.2).sample(40000, np.random.default_rng(4))
        assert ((table >= 0) & (table <= 1)).all()
        extreme = ((table[:, 1:] < 0.05) | (table[:, 1:] > 0.95)).mean()
        assert extreme > 0.5  # Beta(0.2, 0.2) puts most mass near 0 and 1 (U(0, 1): 0.1)
        if split is not None:
            assert (tabular_split(table) == (split == "held_out")).all()
        with pytest.raises(ValueError, match="concentration must be a positive number; got 0"):
            RandomMemoryOne(concentration=0)

    def test_whole_cube_covers_both_halves(self):
        table = RandomMemoryOne().sample(10000, np.random.default_rng(2))
        assert abs(tabular_split(table).mean() - 0.5) < 0.03

    def test_bad_arguments(self):
        with pytest.raises(
            ValueError, match="split must be None, 'train' or 'held_out'; got 'test'"
        ):
            RandomMemoryOne("test")
        with pytest.raises(ValueError, match="cells must be an even int >= 2; got 5"):
            RandomMemoryOne(cells=5)
