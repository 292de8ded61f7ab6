import dataclasses
import json

import numpy as np
import pytest
import torch

from baselines import load_agent, train
from baselines.checkpoints import CheckpointError
from baselines.configs import to_dict, with_overrides
from baselines.ppi import (
    PPI_PRESETS,
    Episodes,
    ModelConfig,
    PlanningConfig,
    PPIActor,
    PPIAgent,
    SequenceModel,
    improved_logits,
    load_ppi,
    q_values,
    save_ppi,
)
from baselines.ppi.config import FitConfig
from baselines.ppi.trainer import PPITrainer, laplace_loss, tabular_games
from co_players import AgentCoPlayer, make_co_player
from co_players.analysis import best_response
from coop_envs.core import PRISONERS_DILEMMA, IteratedGame

ROUNDS = 12


def random_episodes(n=6, rounds=ROUNDS, seed=0):
    rng = np.random.default_rng(seed)
    own = rng.integers(0, 2, (n, rounds)).astype(np.int8)
    other = rng.integers(0, 2, (n, rounds)).astype(np.int8)
    rewards = PRISONERS_DILEMMA.payoffs[own, other, 0].astype(np.float32)
    return Episodes(own, other, rewards, rng.normal(size=(n, 10)).astype(np.float32))


# ------------------------------------------------------------------------------------ the model
@pytest.mark.parametrize("co_player_id", [False, True])
def test_stepping_reproduces_the_teacher_forced_losses(co_player_id):
    """The acting path (start / feed_* / heads) computes what training computes."""
    torch.manual_seed(0)
    model = SequenceModel(ModelConfig(hidden=16, embed=8, co_player_id=co_player_id)).eval()
    ep = random_episodes()
    with torch.no_grad():
        losses = model.losses(ep)
    own, other = (
        torch.from_numpy(ep.own.astype(np.int64)),
        torch.from_numpy(ep.other.astype(np.int64)),
    )
    rewards = torch.from_numpy(ep.rewards)
    h = model.start(len(ep), torch.from_numpy(ep.ids) if co_player_id else None)
    action_ce, obs_ce, sq = [], [], []
    for t in range(ROUNDS):
        logp = torch.log_softmax(model.action_logits(h), -1)
        action_ce.append(-logp.gather(1, own[:, t : t + 1]))
        h = model.feed_action(h, own[:, t])
        code = 1 + 2 * own[:, t] + other[:, t]
        obs_ce.append(-torch.log_softmax(model.observation_logits(h), -1).gather(1, code[:, None]))
        h = model.feed_observation(h, code)
        sq.append((model.reward(h) - rewards[:, t]) ** 2)
        h = model.feed_reward(h, rewards[:, t])
    assert float(losses["action"]) == pytest.approx(float(torch.cat(action_ce).mean()), rel=1e-4)
    assert float(losses["observation"]) == pytest.approx(float(torch.cat(obs_ce).mean()), rel=1e-4)
    assert float(losses["reward"]) == pytest.approx(float(torch.stack(sq).mean()), rel=1e-4)
    total = losses["action"] + losses["observation"] + losses["reward"]
    assert float(losses["loss"]) == pytest.approx(float(total))


def test_loss_weights_and_bad_input():
    model = SequenceModel(ModelConfig(hidden=8, embed=4, reward_weight=0.0, action_weight=2.0))
    with torch.no_grad():
        losses = model.losses(random_episodes())
    assert float(losses["loss"]) == pytest.approx(
        float(2 * losses["action"] + losses["observation"])
    )
    with pytest.raises(ValueError, match=r"model\.hidden must be a positive int; got 0"):
        ModelConfig(hidden=0)
    with pytest.raises(ValueError, match="rewards must have the shape of own actions"):
        Episodes(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((2, 10)))
    with pytest.raises(ValueError, match="co_player_id=True"):
        SequenceModel(ModelConfig(hidden=8, embed=4, co_player_id=True)).start(3)


@pytest.mark.slow
def test_world_model_learns_to_infer_tabular_co_players_in_context():
    """Pre-trained on tabular-vs-tabular games, the model predicts held-out co-players' moves
    better than a coin, better late in the episode than early (in-context inference), on the way
    to Laplace's rule (the Bayes reference) and the entropy floor (knowing the policy)."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    train_set, _ = tabular_games(PRISONERS_DILEMMA, "random_tabular_train", 2000, 30, rng)
    held_out, entropy = tabular_games(PRISONERS_DILEMMA, "random_tabular_held_out", 500, 30, rng)
    model = SequenceModel(ModelConfig(hidden=32, embed=16))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(3):
        order = rng.permutation(len(train_set))
        for begin in range(0, len(order), 64):
            loss = model.losses(train_set[order[begin : begin + 64]])["loss"]
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
    with torch.no_grad():
        per_round = model.losses(held_out, reduce=False)["observation"].mean(dim=1).numpy()
    laplace = laplace_loss(held_out).mean()
    assert entropy.mean() < laplace < per_round.mean() < np.log(2) - 0.02, (
        per_round.mean(),
        laplace,
    )
    assert per_round[20:].mean() < per_round[:5].mean() - 0.03  # inference within the episode


# ---------------------------------------------------------------------------------- the planner
class ExactModel:
    """The true dynamics against a memory-one co-player ``q``, with a prior policy table.

    State columns: last observation code, round, the action just fed.
    """

    def __init__(self, q, prior):
        self.q_coop = torch.tensor(
            np.concatenate([[q[0]], np.asarray(q)[1:][[0, 2, 1, 3]]]), dtype=torch.float64
        )  # P(co-player cooperates) after each of *my* observation codes
        self.prior = torch.as_tensor(prior, dtype=torch.long)  # (T, 5) actions
        self.payoff = torch.tensor(PRISONERS_DILEMMA.payoffs[..., 0], dtype=torch.float32)

    def states(self, t, codes):
        codes = torch.as_tensor(codes, dtype=torch.float64)
        return torch.stack([codes, torch.full_like(codes, t), torch.zeros_like(codes)], 1)

    def repeat(self, h, times):
        return h.repeat_interleave(times, dim=0)

    def action_logits(self, h):
        a = self.prior[h[:, 1].long().clamp(max=len(self.prior) - 1), h[:, 0].long()]
        return torch.stack([(a == 0).double(), (a == 1).double()], 1).float() * 60 - 30

    def feed_action(self, h, actions):
        h = h.clone()
        h[:, 2] = actions.double()
        return h

    def observation_logits(self, h):
        p = self.q_coop[h[:, 0].long()]
        a = h[:, 2].long()
        probs = torch.zeros(len(h), 5, dtype=torch.float64)
        probs[torch.arange(len(h)), 1 + 2 * a] = p
        probs[torch.arange(len(h)), 2 + 2 * a] = 1 - p
        return torch.log(probs.clamp_min(1e-30)).float()

    def feed_observation(self, h, codes):
        h = h.clone()
        h[:, 0] = codes.double()
        h[:, 1] += 1
        return h

    def reward(self, h):
        code = h[:, 0].long() - 1
        return self.payoff[code // 2, code % 2]

    def feed_reward(self, h, rewards):
        return h


@pytest.mark.parametrize(
    "q", [[1, 1, 0, 1, 0], [1, 1, 0, 0, 1], [0, 0, 0, 0, 0], [0.9, 0.8, 0.3, 0.6, 0.2]]
)
def test_planning_with_a_perfect_model_recovers_the_exact_best_response(q):
    """With the true dynamics and the best response as prior, the imagined Q-values are the
    exact optimal Q-values, and the improved policy is the best response (TFT, WSLS, ALLD and a
    stochastic co-player)."""
    rounds = 10
    best = best_response(q, rounds=rounds)
    model = ExactModel(q, best.policy[0])
    deterministic = all(p in (0, 1) for p in q)
    config = PlanningConfig(horizon=rounds, rollouts=1 if deterministic else 4000)
    gen = torch.Generator().manual_seed(0)
    for t in (0, 4, rounds - 1):
        codes = np.arange(5) if t else np.array([0])
        q_hat = q_values(model, model.states(t, codes), rounds - t, config, gen)
        exact = best.q_values[0, t, codes]
        tolerance = 1e-5 if deterministic else 0.15
        np.testing.assert_allclose(q_hat.numpy(), exact, atol=tolerance)
        margin = np.abs(exact[:, 1] - exact[:, 0])
        chosen = improved_logits(model.action_logits(model.states(t, codes)), q_hat, 50.0)
        clear = margin > 2 * tolerance
        np.testing.assert_array_equal(
            chosen.argmax(-1).numpy()[clear], best.policy[0, t, codes][clear]
        )


def test_one_improvement_step_is_greedy_in_the_last_round():
    """Whatever the prior, planning in the last round picks the myopic best action."""
    q = [0.5, 0.9, 0.1, 0.7, 0.3]
    model = ExactModel(q, np.zeros((3, 5), dtype=int))  # prior: always cooperate
    q_hat = q_values(model, model.states(2, np.arange(5)), 1, PlanningConfig(rollouts=1))
    assert (q_hat[:, 1] > q_hat[:, 0]).all()  # defecting is better in a one-shot round


def test_planning_config_rejects_bad_values():
    with pytest.raises(ValueError, match=r"planning\.beta must be a number >= 0; got -1"):
        PlanningConfig(beta=-1)
    with pytest.raises(ValueError, match=r"planning\.horizon must be a positive int"):
        PlanningConfig(horizon=0)
    with pytest.raises(ValueError, match=r"planning.discount must be in \(0, 1\]"):
        PlanningConfig(discount=0)


# ----------------------------------------------------------------------------------- the agent
def small_agent(tmp_path, beta=1.0):
    torch.manual_seed(1)
    model = SequenceModel(ModelConfig(hidden=8, embed=4)).eval()
    path = save_ppi(
        tmp_path / "ppi.pt",
        model,
        PlanningConfig(beta=beta, horizon=3, rollouts=2),
        PRISONERS_DILEMMA,
        ROUNDS,
        {"name": "tiny"},
    )
    return path


def test_agent_protocol_determinism_and_loading(tmp_path):
    path = small_agent(tmp_path)
    agent = load_agent(path)
    assert isinstance(agent, PPIAgent)

    def episode(seed):
        co = AgentCoPlayer(load_agent(path), num_rounds=ROUNDS)
        tft = make_co_player("tit_for_tat")
        core = IteratedGame(PRISONERS_DILEMMA, 7, ROUNDS)
        core.reset()
        rng = np.random.default_rng(seed)
        co.reset(PRISONERS_DILEMMA, 7, rng)
        tft.reset(PRISONERS_DILEMMA.swapped(), 7, rng)
        while not core.done:
            actions = np.stack([co.act(core.codes[:, 0], rng), tft.act(core.codes[:, 1], rng)], 1)
            core.step(actions)
        return core.history.copy()

    np.testing.assert_array_equal(episode(3), episode(3))
    assert not np.array_equal(episode(3), episode(4))
    agent.reset(2, seed=0)
    with pytest.raises(ValueError, match=r"observations must have shape \(num_envs, 8\)"):
        agent.act(np.zeros((3, 8)))
    with pytest.raises(CheckpointError, match="not a readable torch file"):
        (tmp_path / "bad.pt").write_bytes(b"nope")
        load_agent(tmp_path / "bad.pt")


def test_actor_refuses_to_play_past_the_episode(tmp_path):
    model = SequenceModel(ModelConfig(hidden=8, embed=4)).eval()
    actor = PPIActor(model, PlanningConfig(beta=0.0), num_rounds=2)
    with pytest.raises(ValueError, match=r"before start\(\)"):
        actor.act(np.zeros(3, dtype=int), np.zeros(3))
    actor.start(3, seed=0)
    for _ in range(2):
        assert actor.act(np.zeros(3, dtype=int), np.zeros(3)).shape == (3,)
    with pytest.raises(ValueError, match="the episode has 2 rounds"):
        actor.act(np.zeros(3, dtype=int), np.zeros(3))


# --------------------------------------------------------------------------------- the trainer
def tiny(name, tmp_path, **changes):
    """A few seconds of preset ``name`` (settings by dotted name: ``changes`` use ``__``)."""
    base = PPI_PRESETS["ppi_smoke"]
    settings = {
        "out": tmp_path / name,
        "phases": 2,
        "games_per_phase": 12,
        "pretrain_games": 16,
        "play_batch": 16,
        "num_rounds": 8,
        "time_limit": None,
        "threads": 1,
        "progress": False,
        "model.hidden": 8,
        "model.embed": 4,
        **{f"fit.{k}": v for k, v in to_dict(base.fit).items()},
        **{f"planning.{k}": v for k, v in to_dict(base.planning).items()},
        **{f"eval.{k}": v for k, v in to_dict(base.run.eval).items()},
    }
    settings.update({k.replace("__", "."): v for k, v in changes.items()})
    return with_overrides(PPI_PRESETS[name], settings)


def changed(config, **changes):
    """``config`` with settings changed (dotted names written with ``__``)."""
    return with_overrides(config, {k.replace("__", "."): v for k, v in changes.items()})


def test_cpu_pool_presets_share_one_budget():
    """The mixed pool and its ablations differ only in the pool or in the ID input."""
    mixed = PPI_PRESETS["ppi_mixed_pool_cpu"]
    for name in ("ppi_no_tabular_cpu", "ppi_id_ablation_cpu"):
        ablation = PPI_PRESETS[name]
        assert (ablation.pool != mixed.pool) != (ablation.model != mixed.model)
        same = dict(preset=mixed.preset, pool=mixed.pool, model=mixed.model)
        assert dataclasses.replace(ablation, **same) == mixed
    assert mixed.phases * mixed.games_per_phase == 12_500 and mixed.planning.beta == 3.0
    stage1 = PPI_PRESETS["ppi_stage1_cpu"]
    assert mixed.fit.pretrain_share == 0.0  # refits see the phase games only
    assert stage1.fit == dataclasses.replace(mixed.fit, pretrain_share=0.5)
    assert stage1.planning == mixed.planning


@pytest.mark.parametrize("name", sorted(PPI_PRESETS))
def test_every_ppi_preset_runs(name, tmp_path):
    config = tiny(name, tmp_path)
    summary = PPITrainer(config).run()
    assert summary["status"] == "finished" and summary["update"] == 2
    assert summary["env_steps"] == 2 * config.pool.learners * config.games_per_phase * 8
    with (tmp_path / name / "log.csv").open() as f:
        header = f.readline()
    assert "l0/eval/tit_for_tat/cooperation_late" in header and "l0/model/observation_ce" in header
    if config.pool.learners == 2:
        assert "l1/eval/learner_0/cooperation" in header
    for i in range(config.pool.learners):
        assert isinstance(load_agent(tmp_path / name / f"agent_{i}.pt"), PPIAgent)
    assert (tmp_path / name / "training.png").exists()


def test_time_limit_reached_on_the_last_phase_is_a_finished_run(tmp_path):
    config = tiny("ppi_smoke", tmp_path, phases=1, time_limit=1e-6)
    summary = PPITrainer(config).run()
    assert summary["status"] == "finished" and summary["update"] == 1
    stopped = PPITrainer(changed(config, phases=3, resume=True)).run()
    assert stopped["status"] == "time_limit" and stopped["update"] == 2


def test_id_ablation_data_carry_the_co_players_identity(tmp_path):
    trainer = PPITrainer(tiny("ppi_id_ablation", tmp_path, play_batch=64))  # one chunk
    trainer.pretrain_data()
    new = trainer.play_phase()
    tabular = trainer.config.tabular_games
    for episodes in new:
        assert np.abs(episodes.ids[:tabular]).sum(axis=1).min() > 0  # log-policies
        assert not episodes.ids[tabular:].any()  # the other learner: zeros


def assert_same_run(a, b):
    for i in (0, 1):
        with np.load(a / f"data_{i}.npz") as x, np.load(b / f"data_{i}.npz") as y:
            for key in Episodes._fields():
                np.testing.assert_array_equal(x[key], y[key])
        wa = torch.load(a / f"agent_{i}.pt", weights_only=True)["state_dict"]
        wb = torch.load(b / f"agent_{i}.pt", weights_only=True)["state_dict"]
        for key in wa:
            torch.testing.assert_close(wa[key], wb[key], rtol=0, atol=0)


def test_resume_continues_exactly(tmp_path):
    straight = PPITrainer(tiny("ppi_mixed_pool", tmp_path, seed=3)).run()
    first = tiny("ppi_mixed_pool", tmp_path, seed=3, out=tmp_path / "split")
    PPITrainer(changed(first, phases=1)).run()
    (tmp_path / "split").rename(tmp_path / "moved")  # a run directory may move between runs
    moved = changed(first, resume=True, out=tmp_path / "moved")
    resumed = PPITrainer(moved).run()
    (tmp_path / "moved").rename(tmp_path / "split")
    assert resumed["update"] == straight["update"] == 2
    assert_same_run(tmp_path / "ppi_mixed_pool", tmp_path / "split")
    rows = (tmp_path / "split" / "log.csv").read_text().splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == ["0", "1", "2"]


def test_an_ablation_started_from_shared_pretraining_is_the_same_run(tmp_path):
    mixed = tiny("ppi_mixed_pool", tmp_path, seed=4)
    PPITrainer(mixed).run()
    straight = tiny("ppi_no_tabular", tmp_path, seed=4)
    PPITrainer(straight).run()
    shared = changed(straight, out=tmp_path / "shared", pretrained=mixed.run_dir)
    summary = PPITrainer(shared).run()
    assert summary["status"] == "finished" and summary["update"] == 2
    assert_same_run(straight.run_dir, shared.run_dir)
    # it records its pre-training too, so it can be a source in turn; --resume ignores it
    assert (shared.run_dir / "pretrained.pt").exists()
    record = json.loads((shared.run_dir / "config.json").read_text())
    assert record["sources"]["pretrained"]["sha256"]  # what it started from, by content
    longer = changed(shared, phases=3, resume=True, pretrained=None)
    assert PPITrainer(longer).run()["update"] == 3


def test_pretrained_refuses_other_settings_missing_and_altered_files(tmp_path):
    source = tiny("ppi_mixed_pool", tmp_path, seed=4)
    PPITrainer(source).run()
    other = tiny("ppi_mixed_pool", tmp_path, seed=5, pretrain_games=12, out=tmp_path / "other")
    with pytest.raises(ValueError, match=r"pretrain_games=16 \(this run: 12\), run.seed=4 \(th"):
        PPITrainer(changed(other, pretrained=source.run_dir)).run()
    assert not other.run_dir.exists()  # refused before the run directory is made
    with pytest.raises(ValueError, match=r"no pretrained\.pt there"):
        PPITrainer(changed(source, out=tmp_path / "b", pretrained=tmp_path)).run()
    with np.load(source.run_dir / "data_1.npz") as f:
        arrays = dict(f)
    arrays["own"][0, 0] ^= 1
    np.savez_compressed(source.run_dir / "data_1.npz", **arrays)
    with pytest.raises(CheckpointError, match="are not the pre-training games"):
        PPITrainer(changed(source, out=tmp_path / "c", pretrained=source.run_dir)).run()


def test_cli_runs_ppi_presets_and_rejects_bad_flags(tmp_path, capsys):
    config = train.parse(["--preset", "ppi_smoke", "--out", str(tmp_path / "cli"), "--seed", "2"])
    assert config.preset == "ppi_smoke" and config.run.seed == 2
    assert train.main(config) == 0
    summary = json.loads((tmp_path / "cli" / "summary.json").read_text())
    assert summary["status"] == "finished"
    capsys.readouterr()
    with pytest.raises(SystemExit):
        train.parse(["--preset", "ppi_smoke", "--pool.learners", "3"])
    assert "pool.learners must be 1 or 2 for PPI; got 3" in capsys.readouterr().err
    config = train.parse(["--preset", "ppi_mixed_pool", "--model.co-player-id"])
    assert config.model.co_player_id  # one switch: the ID ablation
    with pytest.raises(SystemExit, match="unknown preset 'ppi_nope'"):
        train.parse(["--preset", "ppi_nope"])


def test_evaluate_cli_scores_ppi_agents_next_to_policies(tmp_path, capsys):
    from baselines.checkpoints import save_policy
    from baselines.evaluate import EvaluateConfig
    from baselines.evaluate import main as evaluate_main
    from baselines.policies import PolicyConfig, make_policy

    ppi = save_ppi(
        tmp_path / "ppi.pt",
        SequenceModel(ModelConfig(hidden=8, embed=4)).eval(),
        PlanningConfig(horizon=2, rollouts=1),
        PRISONERS_DILEMMA,
    )
    gru = save_policy(
        tmp_path / "gru.pt", make_policy(PolicyConfig(hidden=8, embed=4), PRISONERS_DILEMMA)
    )
    config = EvaluateConfig(checkpoints=(ppi, gru), episodes=8, out=tmp_path / "e.json")
    assert evaluate_main(config) == 0
    report = json.loads((tmp_path / "e.json").read_text())["policies"]
    assert set(report[str(ppi)]["results"]) == {
        "always_cooperate",
        "always_defect",
        "tit_for_tat",
        "random_tabular_held_out",
        "learner_1",
    }
    assert "learner_0" in report[str(gru)]["results"]
    assert "in_context_best_responder" in capsys.readouterr().out


def test_a_ppi_agent_is_a_leaderboard_submission(tmp_path):
    from leaderboard.submissions import inspect_submission
    from leaderboard.submissions import load_agent as load_submission

    path = small_agent(tmp_path)
    submission = inspect_submission(path)
    assert submission.kind == "checkpoint"
    agent = load_submission(submission)
    agent.reset(4, seed=0)
    features = np.zeros((4, 8), dtype=np.float32)
    features[:, 0] = 1.0  # START
    assert agent.act(features).shape == (4,)


def fitted_episodes(trainer: PPITrainer, monkeypatch) -> Episodes:
    """The episodes one epoch of ``trainer.fit(0, 1)`` trains learner 0's model on."""
    seen = []
    original = SequenceModel.losses

    def record(model, episodes, reduce=True):
        seen.append(episodes)
        return original(model, episodes, reduce)

    with monkeypatch.context() as patch:
        patch.setattr(SequenceModel, "losses", record)
        trainer.fit(0, 1)
    return Episodes.concatenate(seen)


@pytest.mark.parametrize(
    ("share", "subsample", "pretrain_used", "recent_used"),
    [
        (None, None, 32, 24),
        (None, 10, 32, 10),
        (0.5, None, 24, 24),
        (0.25, 12, 4, 12),
        (0.9, None, 32, 24),
    ],
)
def test_phase_fit_mixes_pretraining_and_phase_games(
    share, subsample, pretrain_used, recent_used, tmp_path, monkeypatch
):
    config = tiny(
        "ppi_stage1",
        tmp_path,
        fit__pretrain_share=share,
        fit__subsample=subsample,
        games_per_phase=24,
    )
    trainer = PPITrainer(config)
    trainer.pretrain_data()  # 16 games: 32 episodes
    trainer.data[0].rewards[:] = 7.0  # marks the pre-training episodes
    trainer.data[0] = Episodes.concatenate([trainer.data[0], trainer.play_phase()[0]])
    used = fitted_episodes(trainer, monkeypatch)
    assert len(used) == pretrain_used + recent_used
    assert (used.rewards[:, 0] == 7.0).sum() == pretrain_used


def test_subsampled_refit_draws_afresh_from_every_phase(tmp_path, monkeypatch):
    config = tiny(
        "ppi_stage1", tmp_path, fit__pretrain_share=0.0, fit__subsample=10, games_per_phase=24
    )
    trainer = PPITrainer(config)
    trainer.pretrain_data()
    for phase in (1, 2):
        games = trainer.play_phase()[0]
        games.rewards[:] = phase  # marks the phase
        trainer.data[0] = Episodes.concatenate([trainer.data[0], games])
    draws = [fitted_episodes(trainer, monkeypatch) for _ in range(2)]
    for used in draws:
        assert len(used) == 10
        assert set(np.unique(used.rewards[:, 0])) <= {1.0, 2.0}  # no pre-training games
    marks = np.concatenate([used.rewards[:, 0] for used in draws])
    assert {1.0, 2.0} <= set(np.unique(marks))  # older phases are still seen
    assert not np.array_equal(draws[0].own, draws[1].own)  # a fresh draw each refit
    trainer.config = changed(trainer.config, fit__subsample=100)
    assert len(fitted_episodes(trainer, monkeypatch)) == 48  # fewer than the cap: all of them


def test_fit_config_rejects_a_bad_subsample():
    with pytest.raises(ValueError, match=r"fit\.subsample must be a positive int; got 0"):
        FitConfig(subsample=0)


def test_fit_config_rejects_a_bad_pretrain_share():
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError, match=r"fit.pretrain_share must be a number in \[0, 1\)"):
            FitConfig(pretrain_share=bad)
    for bad in ("half", True):
        with pytest.raises(TypeError, match=r"fit.pretrain_share must be a number or None; got"):
            FitConfig(pretrain_share=bad)


def test_loading_with_other_planning_settings(tmp_path):
    path = small_agent(tmp_path)
    saved = load_ppi(path).actor.planning
    stronger = PlanningConfig(beta=3.0, horizon=5, rollouts=1)
    agent = load_ppi(path, planning=stronger)
    assert agent.actor.planning == stronger != saved
    resaved = save_ppi(
        tmp_path / "stronger.pt", agent.actor.model, stronger, PRISONERS_DILEMMA, ROUNDS
    )
    assert load_ppi(resaved).actor.planning == stronger
    with pytest.raises(TypeError, match="planning must be a PlanningConfig or None; got dict"):
        load_ppi(path, planning={"beta": 3.0})
