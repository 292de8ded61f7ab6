"""Learning-aware baselines: exact values and gradients, DiCE, M-FOS, presets and the CLI."""

import csv
import json

import numpy as np
import pytest
import torch

from baselines import train
from baselines.configs import ConfigError, with_overrides
from baselines.learning_aware.config import (
    LA_PRESET_NAMES,
    CoalaConfig,
    DiceConfig,
    ExactConfig,
    MFOSConfig,
    la_preset,
)
from baselines.learning_aware.dice import DiceSettings, dice_gradient, dice_objective, sample
from baselines.learning_aware.exact import (
    lola_gradients,
    lookahead_gradients,
    naive_gradients,
    per_round,
    rule_gradients,
    value_function,
    values,
)
from baselines.learning_aware.mfos import MetaPolicy, PPOSettings, meta_rollout, ppo_update
from baselines.learning_aware.trainer import DiceLearners, make_learning_aware
from co_players.analysis import discounted_payoffs, expected_payoffs
from coop_envs.core import PRISONERS_DILEMMA, STAG_HUNT

LOGITS = torch.tensor(
    [[0.3, -1.2, 0.8, 2.0, -0.5], [1.5, 0.1, -0.7, -2.2, 0.9]], dtype=torch.float64
)
OTHER = torch.tensor(
    [[-0.4, 0.6, 1.1, -1.3, 0.2], [0.0, -0.9, 2.4, 0.5, -1.0]], dtype=torch.float64
)


# ---------------------------------------------------------------------------- exact values
@pytest.mark.parametrize("game", [PRISONERS_DILEMMA, STAG_HUNT])
def test_discounted_values_match_co_players_analysis(game):
    v0, v1 = values(LOGITS, OTHER, game, discount=0.96)
    p, q = torch.sigmoid(LOGITS).numpy(), torch.sigmoid(OTHER).numpy()
    expected = discounted_payoffs(p, q, game, discount=0.96)
    got = torch.stack([v0, v1], -1).numpy() * per_round(0.96, None)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_finite_horizon_values_match_co_players_analysis():
    v0, v1 = values(LOGITS, OTHER, discount=1.0, horizon=100)
    p, q = torch.sigmoid(LOGITS).numpy(), torch.sigmoid(OTHER).numpy()
    expected = expected_payoffs(p, q, rounds=100)
    got = torch.stack([v0, v1], -1).numpy() * per_round(1.0, 100)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_pax_payoffs_are_ours_minus_two_and_leave_the_gradients_unchanged():
    from coop_envs.core import MatrixGame

    pax = MatrixGame.from_rows("pax_ipd", [[-1, -1], [-3, 0], [0, -3], [-2, -2]])
    assert (pax.R, pax.S, pax.T, pax.P) == (-1, -3, 0, -2)
    assert (PRISONERS_DILEMMA.R - 2, PRISONERS_DILEMMA.S - 2) == (pax.R, pax.S)
    ours, theirs = value_function(PRISONERS_DILEMMA), value_function(pax)
    v_ours, v_pax = ours(LOGITS, OTHER)[0], theirs(LOGITS, OTHER)[0]
    torch.testing.assert_close(v_ours * 0.04 - 2, v_pax * 0.04)
    mine, theirs_ = lola_gradients(LOGITS, OTHER, ours), lola_gradients(LOGITS, OTHER, theirs)
    for a, b in zip(mine, theirs_, strict=True):
        torch.testing.assert_close(a, b)


# ------------------------------------------------------------------------ exact gradients
def _central_differences(f, theta, h=1e-5):
    grad = torch.zeros_like(theta)
    for k in range(theta.numel()):
        e = torch.zeros_like(theta)
        e.view(-1)[k] = h
        grad.view(-1)[k] = (f(theta + e) - f(theta - e)) / (2 * h)
    return grad


@pytest.mark.parametrize("horizon", [None, 30])
def test_naive_gradient_matches_finite_differences(horizon):
    fn = value_function(discount=0.9, horizon=horizon)
    t0, t1 = LOGITS[0], OTHER[0]
    g0, g1 = naive_gradients(t0, t1, fn)
    torch.testing.assert_close(
        g0, _central_differences(lambda x: fn(x, t1)[0], t0), atol=1e-6, rtol=1e-6
    )
    torch.testing.assert_close(
        g1, _central_differences(lambda y: fn(t0, y)[1], t1), atol=1e-6, rtol=1e-6
    )


def _grad_other(fn, t0, t1, player):
    """nabla_{theta_other} V_player, as a function that can be differentiated again."""
    t1 = t1.clone().requires_grad_(True)
    return torch.autograd.grad(fn(t0, t1)[player], t1, create_graph=True)[0]


@pytest.mark.parametrize("horizon", [None, 30])
def test_lola_gradient_matches_finite_differences_of_its_objective(horizon):
    """LOLA's direction is the gradient of V0 + eta * nabla_1 V1 . stop(nabla_1 V0)."""
    fn, eta = value_function(discount=0.96, horizon=horizon), 0.7
    t0, t1 = LOGITS[1], OTHER[1]
    fixed = _grad_other(fn, t0, t1, 0).detach()  # nabla_1 V0 at the current point

    def objective(x):
        return fn(x, t1)[0] + eta * (_grad_other(fn, x, t1, 1) * fixed).sum()

    g0, _ = lola_gradients(t0, t1, fn, eta)
    torch.testing.assert_close(g0, _central_differences(objective, t0), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("horizon", [None, 30])
def test_lookahead_gradient_matches_finite_differences_of_the_looked_ahead_value(horizon):
    fn, eta = value_function(discount=0.96, horizon=horizon), 0.7
    t0, t1 = LOGITS[0], OTHER[1]

    def looked_ahead(x):
        return fn(x, t1 + eta * _grad_other(fn, x, t1, 1))[0]

    g0, _ = lookahead_gradients(t0, t1, fn, eta)
    torch.testing.assert_close(g0, _central_differences(looked_ahead, t0), atol=1e-5, rtol=1e-5)


def test_player_one_gradients_are_player_zeros_with_the_seats_swapped():
    fn = value_function(discount=0.96)
    for rule in (naive_gradients, lola_gradients, lookahead_gradients):
        _, g1 = rule(LOGITS[0], OTHER[0], fn)
        g0_swapped, _ = rule(OTHER[0], LOGITS[0], fn)
        torch.testing.assert_close(g1, g0_swapped)


def test_lookahead_is_lola_plus_the_dropped_term_to_first_order_in_eta():
    """lookahead - lola = eta (nabla_0 nabla_1 V0) nabla_1 V1 + O(eta^2)."""
    fn = value_function(discount=0.96)
    t0, t1 = LOGITS[0], OTHER[0]
    fixed = _grad_other(fn, t0, t1, 1).detach()  # nabla_1 V1
    dropped = _central_differences(lambda x: (_grad_other(fn, x, t1, 0) * fixed).sum(), t0)

    def rest(eta):
        diff = lookahead_gradients(t0, t1, fn, eta)[0] - lola_gradients(t0, t1, fn, eta)[0]
        return (diff - eta * dropped).norm()

    assert (
        lookahead_gradients(t0, t1, fn, 0.01)[0] - lola_gradients(t0, t1, fn, 0.01)[0]
    ).norm() > 1e-4
    ratio = rest(0.02) / rest(0.01)
    assert 3.5 < ratio < 4.5  # what remains is O(eta^2)


def test_batched_rows_are_independent_games():
    fn = value_function(discount=0.96)
    g0, g1 = lola_gradients(LOGITS, OTHER, fn)
    for b in range(2):
        h0, h1 = lola_gradients(LOGITS[b], OTHER[b], fn)
        torch.testing.assert_close(g0[b], h0)
        torch.testing.assert_close(g1[b], h1)


def _learn(rules, seeds, steps):
    fn = value_function(discount=0.96)
    gen = torch.Generator().manual_seed(0)
    t0 = torch.randn(seeds, 5, generator=gen, dtype=torch.float64)
    t1 = torch.randn(seeds, 5, generator=gen, dtype=torch.float64)
    for _ in range(steps):
        g0, g1 = rule_gradients(rules, t0, t1, fn, 1.0)
        t0, t1 = t0 + g0, t1 + g1
    v0, v1 = fn(t0, t1)
    return v0 * 0.04, v1 * 0.04, torch.sigmoid(t0), torch.sigmoid(t1)


def test_naive_learners_defect():
    v0, v1, p0, _ = _learn(("naive", "naive"), seeds=8, steps=100)
    assert (v0 < 0.1).all() and (v1 < 0.1).all()  # P = 0: mutual defection
    assert (p0[:, 1:].mean(1) < 0.3).all()


def test_lola_learners_reciprocate_in_most_seeds():
    v0, v1, p0, p1 = _learn(("lola", "lola"), seeds=10, steps=200)
    success = (v0 >= 0.9) & (v1 >= 0.9) & (p0[:, 2] < 0.5) & (p1[:, 2] < 0.5)
    assert int(success.sum()) >= 6, (v0, v1, p0[:, 2], p1[:, 2])


# ----------------------------------------------------------------------------------- DiCE
def test_dice_objective_value_is_the_sampled_return():
    rng = np.random.default_rng(0)
    episodes = sample(LOGITS[0], OTHER[0], PRISONERS_DILEMMA, 16, 7, rng)
    assert episodes.codes.shape == (16, 7, 2) and episodes.rewards.shape == (16, 7, 2)
    value = dice_objective(LOGITS[0], OTHER[0], episodes, 1, 0.9, baseline=True)
    weights = 0.9 ** torch.arange(7, dtype=torch.float64)
    expected = (episodes.rewards[..., 1] * weights).sum(1).mean()
    torch.testing.assert_close(value, expected)


@pytest.mark.parametrize("lookahead", [False, True])
def test_dice_gradient_matches_the_exact_gradient_in_expectation(lookahead):
    """Mean of 20 estimates (1,000 episodes each) within 4 standard errors + 0.02 of exact."""
    rounds, discount, eta = 20, 0.96, 0.3
    fn = value_function(discount=discount, horizon=rounds)
    t0, t1 = LOGITS[0], OTHER[0]
    exact = (lookahead_gradients(t0, t1, fn, eta) if lookahead else naive_gradients(t0, t1, fn))[0]
    settings = DiceSettings(PRISONERS_DILEMMA, rounds, 1000, discount, eta, True)
    rng = np.random.default_rng(1)
    estimates = torch.stack(
        [dice_gradient(0, (t0, t1), settings, rng, lookahead) for _ in range(20)]
    )
    mean, se = estimates.mean(0), estimates.std(0) / 20**0.5
    assert ((mean - exact).abs() <= 4 * se + 0.02).all(), (mean, exact, se)
    assert not ((mean - (-exact)).abs() <= 4 * se + 0.02).all()  # the test can fail


@pytest.mark.slow
def test_lola_dice_learners_cooperate_where_naive_dice_learners_defect():
    def final_values(preset):
        config = with_overrides(
            la_preset(preset), {"updates": 60, "batch": 64, "rollout_rounds": 50, "seed": 0}
        )
        algo = DiceLearners(config)
        for _ in range(config.updates):
            algo.step()
        m = algo.exact_metrics()
        return m["l0/exact/value"], m["l1/exact/value"]

    lola, naive = final_values("lola_dice"), final_values("naive_dice")
    assert max(naive) < 0.1
    assert min(lola) > 0.5


# ---------------------------------------------------------------------------------- M-FOS
def test_meta_rollout_shapes_and_naive_learner_steps():
    fn = value_function(discount=0.96)
    policy = MetaPolicy(hidden=8)
    rollout = meta_rollout(policy, fn, 0.04, 3, 4, 1.0, torch.Generator().manual_seed(0))
    assert rollout.states.shape == (4, 3, 10) and rollout.actions.shape == (4, 3, 5)
    assert rollout.rewards.shape == (4, 3) and rollout.final_opponent.shape == (3, 5)
    # the reward is the exact value per round of the action against the learner of that step
    state = rollout.states[1].double()
    opponent_logits = torch.logit(state[:, 5:])
    v = fn(rollout.actions[1].double(), opponent_logits)[0] * 0.04
    torch.testing.assert_close(rollout.rewards[1], v.float(), atol=1e-3, rtol=1e-3)
    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-3)
    losses = ppo_update(policy, optimizer, rollout, PPOSettings(1e-3, 0.99, 2, 0.2, 0.01))
    assert np.isfinite(losses["value_loss"])


@pytest.mark.slow
def test_mfos_learns_to_extort_naive_learners():
    """Mean reward over a meta-episode above R = 1 while the naive learners stay below it."""
    config = with_overrides(
        la_preset("mfos_cpu"),
        {"meta_episodes": 60, "batch": 128, "eval.episodes": 128, "progress": False},
    )
    algo = make_learning_aware(config)
    for _ in range(config.meta_episodes):
        algo.step()
    metrics = algo.evaluate().metrics
    assert metrics["l0/mfos/reward"] > 1.0, metrics
    assert metrics["l0/mfos/opponent_reward"] < 1.0, metrics


# ------------------------------------------------------------------------- presets and CLI
def test_every_preset_builds_its_algorithm():
    kinds = {type(la_preset(n)) for n in LA_PRESET_NAMES}
    assert kinds == {ExactConfig, DiceConfig, MFOSConfig, CoalaConfig}
    assert la_preset("naive_exact").rules == ("naive", "naive")
    assert la_preset("mfos_cpu").batch == 256


TINY = {
    "lola_exact": ["--steps", "3"],
    "lola_dice": ["--updates", "2", "--batch", "4", "--rollout-rounds", "5"],
    "mfos_cpu": ["--meta-episodes", "2", "--batch", "4", "--meta-steps", "3", "--hidden", "8"],
}
COALA_TINY = ["--co-players", "2", "--streams", "3", "--self-play", "2", "--inner-episodes", "2"]
COALA_TINY += ["--hidden", "8", "--embed", "8", "--eval-co-players", "2", "--num-rounds", "6"]
COALA_TINY += ["--init-from", "None"]


@pytest.mark.parametrize("preset", sorted(TINY))
def test_train_cli_runs_each_method_and_writes_a_submittable_agent(preset, tmp_path):
    from leaderboard.submissions import inspect_submission

    out = tmp_path / preset
    args = ["--preset", preset, "--out", str(out), "--no-progress", "--eval.episodes", "8"]
    assert train.main(train.parse([*args, "--eval.every", "1", *TINY[preset]])) == 0
    record = json.loads((out / "config.json").read_text())
    assert record["config"]["preset"] == preset and record["schema"] >= 2
    assert record["algorithm"] in ("exact", "dice", "mfos")
    rows = list(csv.DictReader((out / "log.csv").open()))
    assert rows and "l0/eval/tit_for_tat/reward" in rows[-1] and "l0/exact/p_cc" in rows[-1]
    submission = inspect_submission(out / "agent_0.json")
    assert submission.kind == "memory_one" and len(submission.memory_one) == 5
    assert json.loads((out / "summary.json").read_text())["status"] == "finished"


@pytest.mark.parametrize(
    ("preset", "length", "tiny"),
    [
        ("lola_dice", "--updates", ["--batch", "4", "--rollout-rounds", "5"]),
        ("mfos_cpu", "--meta-episodes", ["--batch", "4", "--meta-steps", "3", "--hidden", "8"]),
        ("coala_cpu", "--updates", COALA_TINY),
        (
            "coala_cpu",
            "--updates",
            [*COALA_TINY, "--overlap", "True", "--threads", "2", "--learner-critic", "True"],
        ),
    ],
)
def test_resume_continues_bit_exactly(tmp_path, preset, length, tiny):
    base = ["--preset", preset, "--no-progress", "--eval.episodes", "8", "--eval.every", "2"]
    straight, split = tmp_path / "straight", tmp_path / "split"
    train.main(train.parse([*base, *tiny, length, "4", "--out", str(straight)]))
    train.main(train.parse([*base, *tiny, length, "2", "--out", str(split)]))
    train.main(train.parse([*base, *tiny, length, "4", "--out", str(split), "--resume"]))
    if preset == "coala_cpu":
        a = torch.load(straight / "agent_0.pt", weights_only=True)["state_dict"]
        b = torch.load(split / "agent_0.pt", weights_only=True)["state_dict"]
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
        return
    a = json.loads((straight / "agent_0.json").read_text())["vector"]
    b = json.loads((split / "agent_0.json").read_text())["vector"]
    assert a == b


def test_deviations_name_the_paper_preset(capsys):
    with pytest.raises(SystemExit, match="mfos_cpu: the paper's mfos with"):
        train.parse(["--preset", "mfos_cpu", "--deviations"])
    with pytest.raises(SystemExit, match="coala_cpu: our own recipe"):
        train.parse(["--preset", "coala_cpu", "--deviations"])


def test_coala_starts_from_the_init_run_and_names_a_missing_or_mismatched_one(
    tmp_path, monkeypatch
):
    from baselines.checkpoints import CheckpointError, save_policy
    from baselines.policies import PolicyConfig, make_policy

    monkeypatch.chdir(tmp_path)
    config = with_overrides(la_preset("coala_cpu"), {"init_from": "start"})
    with pytest.raises(CheckpointError, match=r"runs/start_seed0/agent_0\.pt"):
        make_learning_aware(config)
    (tmp_path / "runs" / "start_seed0").mkdir(parents=True)
    torch.manual_seed(5)
    start = make_policy(PolicyConfig(hidden=32, embed=32), PRISONERS_DILEMMA)
    save_policy(tmp_path / "runs" / "start_seed0" / "agent_0.pt", start)
    algo = make_learning_aware(config)
    pairs = zip(algo.policy.parameters(), start.parameters(), strict=True)
    assert all(torch.equal(a, b) for a, b in pairs)
    with pytest.raises(ValueError, match="coala needs a gru of hidden=16, embed=32"):
        make_learning_aware(with_overrides(config, {"hidden": 16}))


# ------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("overrides", "error", "match"),
    [
        ({"rules": ["lola", "smart"]}, ConfigError, "rules must be two learning rules.*'smart'"),
        ({"rules": ["lola"]}, ConfigError, "one per learner"),
        ({"discount": 1.0}, ConfigError, "discount must be in \\[0, 1\\) for an infinite.*1.0"),
        ({"horizon": 0}, ConfigError, "horizon"),
        ({"steps": 0}, ConfigError, "steps"),
    ],
)
def test_exact_config_refuses_bad_settings(overrides, error, match):
    with pytest.raises(error, match=match):
        with_overrides(la_preset("lola_exact"), overrides)


def test_dice_refuses_the_lookahead_rule_and_mfos_a_bad_batch():
    with pytest.raises(ConfigError, match="naive, lola; got \\('lookahead'"):
        with_overrides(la_preset("lola_dice"), {"rules": ["lookahead", "lola"]})
    with pytest.raises(ConfigError, match="batch"):
        with_overrides(la_preset("mfos"), {"batch": 0})


@pytest.mark.parametrize(
    ("theta", "error", "match"),
    [
        (torch.zeros(4, dtype=torch.float64), ValueError, "shape \\(..., 5\\).*\\(4,\\)"),
        (torch.zeros(5, dtype=torch.long), TypeError, "floating-point.*int64"),
        ([0.0] * 5, TypeError, "floating-point torch tensor.*list"),
        (torch.tensor([0.0, float("nan"), 0, 0, 0]), ValueError, "finite"),
    ],
)
def test_values_refuse_bad_logits(theta, error, match):
    with pytest.raises(error, match=match):
        values(theta, OTHER[0])


def test_unknown_preset_lists_the_learning_aware_ones():
    with pytest.raises(SystemExit, match="lola_exact"):
        train.parse(["--preset", "lola"])


# ------------------------------------------------------------------------ COALA-PG (small)
def test_coala_weights_add_the_other_streams_future_episodes():
    from baselines.learning_aware.coala import coupled_weights

    rewards = torch.arange(2 * 3 * 3 * 2, dtype=torch.float32).view(2, 3, 3, 2)  # N, B, M, T
    got = coupled_weights(rewards)
    n_, b_, m_, t_ = rewards.shape
    for n in range(n_):
        for b in range(b_):
            for m in range(m_):
                for t in range(t_):
                    own = rewards[n, b, m, t:].sum() + rewards[n, b, m + 1 :].sum()
                    others = sum(rewards[n, o, m + 1 :].sum() for o in range(b_) if o != b)
                    assert float(got[n, b, m, t]) == float(own + others)


def test_naive_learner_gradient_is_autograds_reinforce_gradient():
    from baselines.learning_aware.coala import naive_gradient

    rng = np.random.default_rng(3)
    t, n, b = 7, 2, 4
    logits = torch.tensor(rng.normal(size=(n, 5)), dtype=torch.float32, requires_grad=True)
    codes = torch.tensor(rng.integers(0, 5, size=(t, n, b)))
    cooperated = torch.tensor(rng.random((t, n, b)) < 0.5)
    rewards = torch.tensor(rng.choice([-1.0, 0.0, 1.0, 2.0], size=(t, n, b)), dtype=torch.float32)
    to_go = rewards.flip(0).cumsum(0).flip(0)
    advantage = to_go - to_go.mean(2, keepdim=True)
    p_c = torch.sigmoid(logits[torch.arange(n).view(1, n, 1), codes])
    log_pi = torch.where(cooperated, p_c.log(), (1 - p_c).log())
    objective = (log_pi * advantage).sum() / (b * t)
    expected = torch.autograd.grad(objective, logits)[0]
    got = naive_gradient(logits.detach(), codes, cooperated, rewards)
    assert torch.allclose(got, expected, atol=1e-6)


def _coala_settings(**kwargs):
    from baselines.learning_aware.coala import CoalaSettings

    sizes = {"co_players": 3, "streams": 4, "self_play": 5, "inner_episodes": 3, "rounds": 6}
    return CoalaSettings(PRISONERS_DILEMMA, **{**sizes, **kwargs})


def _coala_policy(seed=0):
    from baselines.policies import PolicyConfig, make_policy

    torch.manual_seed(seed)
    return make_policy(PolicyConfig(hidden=8, embed=8), PRISONERS_DILEMMA)


def test_meta_trajectories_follow_the_game_and_the_naive_learners_learn_between_episodes():
    from baselines.learning_aware.coala import naive_gradient, play_meta

    s = _coala_settings(co_player_lr=2.0)
    batch = play_meta(_coala_policy(), s, np.random.default_rng(0))
    nb, m, t = 12, s.inner_episodes, s.rounds
    assert batch.index.shape == batch.actions.shape == batch.rewards.shape == (m * t, nb + 10)
    # every inner episode opens with START, the hidden state carried across (one stepper)
    assert (batch.index.view(m, t, -1)[:, 0] % 5 == 0).all()
    assert (batch.index.view(m, t, -1)[:, 1:] % 5 != 0).all()
    # the seat-1 copies see themselves as seat 1; the pairs' rewards follow the payoff table
    assert (batch.index[:, nb + 5 :] >= 5).all() and (batch.index[:, : nb + 5] < 5).all()
    payoffs = torch.tensor(PRISONERS_DILEMMA.payoffs, dtype=torch.float32)
    a0, a1 = batch.actions[:, nb : nb + 5], batch.actions[:, nb + 5 :]
    assert torch.equal(batch.rewards[:, nb : nb + 5], payoffs[a0, a1, 0])
    assert torch.equal(batch.rewards[:, nb + 5 :], payoffs[a0, a1, 1])
    co_defect = (~batch.co_cooperated).long()
    assert torch.equal(batch.rewards[:, :nb], payoffs[batch.actions[:, :nb], co_defect, 0])
    assert torch.equal(batch.co_rewards, payoffs[batch.actions[:, :nb], co_defect, 1])
    # each naive learner's next logits are one REINFORCE step on its B streams' last episode
    rounds = slice(t, 2 * t)  # inner episode 1
    codes = batch.index[rounds, :nb] % 5  # the agent's view; the learner's swaps the moves
    mine, theirs = (codes - 1) // 2, (codes - 1) % 2
    co_codes = torch.where(codes == 0, 0, 1 + 2 * theirs + mine)
    grad = naive_gradient(
        batch.co_logits[1],
        co_codes.view(t, 3, 4),
        batch.co_cooperated[rounds].view(t, 3, 4),
        batch.co_rewards[rounds].view(t, 3, 4),
    )
    assert torch.allclose(batch.co_logits[2], batch.co_logits[1] + 2.0 * grad, atol=1e-6)
    # same generator state, same batch
    again = play_meta(_coala_policy(), s, np.random.default_rng(0))
    assert torch.equal(again.actions, batch.actions) and torch.equal(
        again.co_logits, batch.co_logits
    )


@pytest.mark.parametrize("discount", [1.0, 0.9])
def test_coala_returns_are_the_coupled_weights_discounted(discount):
    from baselines.learning_aware.coala import coala_returns, coupled_weights, play_meta

    s = _coala_settings(discount=discount)
    batch = play_meta(_coala_policy(), s, np.random.default_rng(1))
    own, coupled = coala_returns(batch.rewards.double(), s, 3)
    assert (coupled[:, 12:] == 0).all() and (coupled[-s.rounds :] == 0).all()
    if discount == 1.0:
        m, t = s.inner_episodes, s.rounds
        naive = batch.rewards[:, :12].double().reshape(m, t, 3, 4).permute(2, 3, 0, 1)
        expected = coupled_weights(naive).permute(2, 3, 0, 1).reshape(m * t, 12)
        assert torch.allclose((own + coupled)[:, :12], expected)
        return
    # a loop: stream (n, b) at step k of inner episode m; the others' discounted future from m + 1
    r = batch.rewards.double()
    k, row = 4, 5  # inner episode 0, naive learner 1, stream 1
    n, b = divmod(row, 4)
    start = s.rounds
    others = sum(
        sum(discount ** (j - k) * float(r[j, n * 4 + o]) for j in range(start, len(r)))
        for o in range(4)
        if o != b
    )
    assert float(coupled[k, row]) == pytest.approx(others)
    assert float(own[k, row]) == pytest.approx(
        sum(discount ** (j - k) * float(r[j, row]) for j in range(k, len(r)))
    )


def test_ridge_fit_recovers_a_linear_relation():
    from baselines.learning_aware.coala import ridge_fit

    x = torch.randn(40, 3, dtype=torch.float64)
    y = x @ torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    assert torch.allclose(ridge_fit(x, y, penalty=0.0), y, atol=1e-9)
    assert not torch.allclose(ridge_fit(x, y, penalty=10.0), y, atol=1e-2)  # the penalty shrinks


def test_learner_critic_term_is_zero_when_the_learners_do_not_learn():
    """Nothing an action does reaches the other streams then, and the critic term says so."""
    from baselines.learning_aware.coala import coala_returns, learner_critic_term, play_meta

    for lr, zero in ((0.0, True), (2.0, False)):
        s = _coala_settings(co_player_lr=lr, discount=0.9, learner_critic=True)
        batch = play_meta(_coala_policy(), s, np.random.default_rng(2))
        _, coupled = coala_returns(batch.rewards.double(), s, 3)
        term = learner_critic_term(batch, coupled, s, 3)
        assert term.shape == (s.inner_episodes * s.rounds, 12)
        assert (term[-s.rounds :] == 0).all()  # the last inner episode: no later learner step
        assert bool((term.abs() < 1e-9).all()) is zero
        assert (coupled[: -s.rounds, :12] != 0).any()  # the sampled term is never zero
        if not zero:  # one value per learner and inner episode, discounted back to its round
            per_round = term.view(s.inner_episodes, s.rounds, 3, 4)[:-1]
            assert torch.allclose(per_round, per_round[..., :1].expand_as(per_round))
            assert torch.allclose(per_round[:, :-1], 0.9 * per_round[:, 1:])


@pytest.mark.slow
def test_coala_agent_learns_against_naive_co_players():
    """Small budget: the agent's reward against naive learners rises (it learns to shape them)."""
    from baselines.learning_aware.coala import coala_update

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: a second thread only adds contention
    s = _coala_settings(co_players=8, streams=8, self_play=0, inner_episodes=4, rounds=10)
    policy = _coala_policy()
    optimizer = torch.optim.Adam(policy.parameters(), lr=3e-3)
    rng = np.random.default_rng(0)
    first = [coala_update(policy, optimizer, s, rng) for _ in range(5)]
    for _ in range(80):
        coala_update(policy, optimizer, s, rng)
    last = [coala_update(policy, optimizer, s, rng) for _ in range(5)]
    torch.set_num_threads(threads)

    def mean(rows):
        return sum(r["naive_reward"] for r in rows) / len(rows)

    assert mean(last) > mean(first) + 0.2, (mean(first), mean(last))


def test_coala_trainer_writes_a_policy_checkpoint_the_leaderboard_loads(tmp_path):
    from baselines.agents import load_agent
    from leaderboard.submissions import inspect_submission

    out = tmp_path / "coala"
    args = ["--preset", "coala_cpu", "--out", str(out), "--no-progress", "--eval.episodes", "8"]
    assert train.main(train.parse([*args, "--eval.every", "1", "--updates", "2", *COALA_TINY])) == 0
    rows = list(csv.DictReader((out / "log.csv").open()))
    assert {"l0/coala/self_reward_last", "l0/coala/naive_opponent_reward"} <= rows[-1].keys()
    assert "l0/eval/copy/reward" in rows[-1]
    assert json.loads((out / "config.json").read_text())["algorithm"] == "coala"
    assert load_agent(out / "agent_0.pt").name.startswith("coala_cpu")
    assert inspect_submission(out / "agent_0.pt").kind == "checkpoint"


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"co_players": 0, "self_play": 0}, "nothing to play against"),
        ({"streams": 0}, "streams must be"),
        ({"self_play": 1.5}, "self_play must be an int"),
        ({"co_player_lr": -1.0}, "co_player_lr must be a number >= 0"),
        ({"run.game": "stag_hunt"}, "prisoner's dilemma only; got game 'stag_hunt'"),
        ({"overlap": "yes"}, "overlap must be a bool or None; got 'yes'"),
    ],
)
def test_coala_config_refuses_bad_settings(overrides, match):
    with pytest.raises(ConfigError, match=match):
        with_overrides(la_preset("coala_cpu"), overrides)


def test_overlapped_coala_learns_from_the_batch_played_before_each_step():
    """Update k learns from meta-trajectories played with the weights before update k-1's step."""
    from baselines.learning_aware.coala import coala_learn, play_meta
    from baselines.learning_aware.trainer import CoalaTrainer

    tiny = {"co_players": 2, "streams": 3, "self_play": 2, "inner_episodes": 2, "hidden": 8}
    tiny |= {"embed": 8, "init_from": None, "run.num_rounds": 6, "run.threads": 2}
    trainer = CoalaTrainer(with_overrides(la_preset("coala_cpu"), {**tiny, "overlap": True}))
    manual = CoalaTrainer(with_overrides(la_preset("coala_cpu"), tiny))
    s, clip = manual.settings, manual.config.clip
    for _ in range(3):
        trainer.step()
    pending = play_meta(manual.policy, s, manual.rng)  # the first batch: the initial weights
    for _ in range(3):
        played = play_meta(manual.policy, s, manual.rng)  # the next one, before this step
        coala_learn(manual.policy, manual.optimizer, pending, s, clip)
        pending = played
    a, b = trainer.policy.state_dict(), manual.policy.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    on_policy = CoalaTrainer(with_overrides(la_preset("coala_cpu"), tiny))
    for _ in range(3):
        on_policy.step()
    c = on_policy.policy.state_dict()
    assert not all(torch.equal(a[k], c[k]) for k in a)  # the lag is visible
