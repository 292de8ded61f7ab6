import pytest
import torch

from baselines.policies import PolicyConfig, feature_table, make_policy
from coop_envs.core import MATCHING_PENNIES, PRISONERS_DILEMMA

torch.set_num_threads(1)


@pytest.mark.parametrize("arch", ["gru", "transformer"])
@pytest.mark.parametrize("co_player_id", [False, True])
def test_stepping_round_by_round_equals_replaying_the_episode(arch, co_player_id):
    torch.manual_seed(0)
    config = PolicyConfig(arch=arch, hidden=16, embed=8, co_player_id=co_player_id, max_rounds=30)
    policy = make_policy(config, PRISONERS_DILEMMA)
    index = torch.randint(0, 10, (30, 6))
    ids = torch.randn(6, 10) if co_player_id else None
    logits, values = policy(index, ids)
    assert logits.shape == (30, 6, 2) and values.shape == (30, 6)
    stepper = policy.stepper(6, ids)
    stepped = torch.stack([stepper.logits(index[t]) for t in range(30)])
    torch.testing.assert_close(stepped, logits.detach(), atol=2e-5, rtol=1e-4)


def test_initial_policy_is_near_uniform_and_gradients_flow():
    policy = make_policy(PolicyConfig(hidden=16, embed=8), PRISONERS_DILEMMA)
    logits, values = policy(torch.randint(0, 10, (5, 4)))
    probs = torch.softmax(logits, -1)
    assert torch.allclose(probs, torch.full_like(probs, 0.5), atol=0.05)
    (logits.sum() + values.sum()).backward()
    assert all(p.grad is not None for p in policy.parameters())


def test_feature_table_is_own_view_per_seat():
    table = feature_table(MATCHING_PENNIES).numpy()
    # index = seat * 5 + code; columns: one-hot (5), previous own action (2), previous reward
    assert table[0].tolist() == [1, 0, 0, 0, 0, 0, 0, 0]
    assert table[1].tolist() == [0, 1, 0, 0, 0, 1, 0, 1]  # seat 0, CC: it cooperated, won 1
    assert table[5 + 1].tolist() == [0, 1, 0, 0, 0, 1, 0, -1]  # seat 1, CC: it lost
    assert table[4].tolist() == [0, 0, 0, 0, 1, 0, 1, 1]  # seat 0, DD


def test_id_policy_needs_ids():
    policy = make_policy(PolicyConfig(hidden=8, embed=4, co_player_id=True), PRISONERS_DILEMMA)
    with pytest.raises(ValueError, match="embeds co-player IDs"):
        policy(torch.zeros(3, 2, dtype=torch.int64))
    with pytest.raises(ValueError, match="embeds co-player IDs"):
        policy.stepper(2)


def test_transformer_length_is_checked():
    policy = make_policy(
        PolicyConfig(arch="transformer", hidden=8, embed=4, max_rounds=5), PRISONERS_DILEMMA
    )
    with pytest.raises(ValueError, match="longer than the transformer's max_rounds=5"):
        policy(torch.zeros(6, 1, dtype=torch.int64))


@pytest.mark.parametrize(
    "kwargs,pattern",
    [
        (dict(arch="lstm"), "arch must be 'gru' or 'transformer'; got 'lstm'"),
        (dict(hidden=0), "policy hidden must be a positive int; got 0"),
        (dict(arch="transformer", hidden=10, heads=3), "heads must divide hidden"),
    ],
)
def test_bad_policy_configs(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        PolicyConfig(**kwargs)


def test_gru_is_the_papers_shape():
    policy = make_policy(PolicyConfig(), PRISONERS_DILEMMA)
    assert policy.gru.hidden_size == 128 and policy.gru.input_size == 32
