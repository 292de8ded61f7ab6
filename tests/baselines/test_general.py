"""The recurrent in-context trainer on the games beyond 2x2 (baselines.general)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from baselines import load_agent
from baselines.checkpoints import save_policy
from baselines.config import TrainConfig
from baselines.configs import ConfigError, with_overrides
from baselines.evaluate import EvaluateConfig
from baselines.evaluate import main as evaluate
from baselines.general import GAME_PRESET_NAMES, GameTrainConfig, game_preset
from baselines.general.policy import GamePolicy, GamePolicyPlayer
from baselines.general.trainer import GameTrainer, make_game_layout, reference_reward
from baselines.policies import PolicyConfig, make_policy
from baselines.run import RunConfig
from baselines.train import main, parse
from coop_envs.core import PRISONERS_DILEMMA, CoinGame, PublicGoodsGame, check_seating

GAMES = ("public_goods", "coin_game")


def small(name: str, **changes) -> GameTrainConfig:
    """A preset shrunk to seconds."""
    settings = {
        "updates": 4,
        "batch_size": 16,
        "policy.hidden": 16,
        "policy.embed": 8,
        "eval.every": 2,
        "eval.episodes": 16,
        "progress": False,
        "threads": 1,
    }
    if "public_goods" in name:
        settings["num_rounds"] = 12
    return with_overrides(game_preset(name), {**settings, **changes})


@pytest.mark.parametrize("name", GAME_PRESET_NAMES)
def test_every_preset_builds_with_its_game(name):
    config = game_preset(name)
    assert config.game.name == config.run.game
    assert config.game.name in name


@pytest.mark.parametrize(
    ("preset", "ref"),
    [
        ("stage1_public_goods_adaptive", "public_goods/stage1_conditional_r3_half"),
        ("stage1_coin_game_adaptive", "coin_game/stage1_egocentric_long"),
    ],
)
def test_the_adaptive_presets_are_the_recipes_whose_evidence_adapts(preset, ref):
    """Each builds what the experiment variant on the page ran (but for its names)."""
    from baselines.configs import flatten, to_dict
    from baselines.experiments import variant

    mine = flatten(to_dict(game_preset(preset)))
    theirs = flatten(to_dict(variant(ref).config(0)))
    changed = {k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k)}
    assert changed == {"preset", "run.experiment"}, changed


@pytest.mark.parametrize("players", [2, 3, 4])
def test_layout_fills_every_seat_once_and_gives_each_learner_its_games(players):
    config = with_overrides(
        small("mixed_pool_public_goods_fast"), {"game.num_players": players, "game.multiplier": 1.5}
    )
    num_games, blocks = make_game_layout(config, players)
    assert num_games == 2 * config.tabular_games + config.learner_games
    check_seating([_Seat(b.games, b.seat) for b in blocks], num_games, players)
    for learner in (0, 1):
        tabular = sum(len(b.games) for b in blocks if b.learner == learner and b.kind == 0)
        assert tabular == config.tabular_games
    # learner games: learner 0 in the even seats, learner 1 in the odd ones
    seats = {b.seat for b in blocks if b.learner == 1 and b.kind == 1}
    assert seats == set(range(1, players, 2))


class _Seat:
    def __init__(self, games, seat):
        self.games, self.seat, self.name = games, seat, "x"

    def __len__(self):
        return len(self.games)


@pytest.mark.parametrize("game", [PublicGoodsGame(num_players=4), CoinGame()])
def test_acting_round_by_round_gives_the_training_forward(game):
    """The stepper's probabilities are the softmax of the sequence forward, round by round."""
    torch.manual_seed(0)
    policy = GamePolicy(PolicyConfig(hidden=16, embed=8), game.spec)
    player = GamePolicyPlayer(policy, record=True)
    rng = np.random.default_rng(1)
    batch = 5
    player.reset(game.spec, batch, rng)
    probabilities = []
    core = type(game)(batch_size=batch, num_rounds=6, **_kwargs(game))
    core.reset(rng)
    for _ in range(6):
        x = policy.inputs(core.observation(0), player.previous)
        p = player._stepper.probabilities(x) if player._stepper else None
        actions = player.act(core.observation(0), rng)
        if p is None:
            p = torch.softmax(policy(torch.stack(player.inputs))[0][-1], -1).detach().numpy()
        probabilities.append(np.asarray(p))
        joint = np.stack(
            [actions]
            + [rng.integers(0, game.spec.num_actions, batch)] * (game.spec.num_players - 1),
            axis=1,
        )
        core.step(joint)
    logits, values = policy(torch.stack(player.inputs))
    assert logits.shape == (6, batch, game.spec.num_actions) and values.shape == (6, batch)
    expected = torch.softmax(logits, -1).detach().numpy()
    assert np.allclose(expected[0], probabilities[0], atol=1e-5)


def _kwargs(game):
    if isinstance(game, PublicGoodsGame):
        return {"num_players": game.spec.num_players}
    return {}


def test_stepper_matches_forward_at_every_round():
    game = PublicGoodsGame(num_players=3, batch_size=4, num_rounds=5)
    torch.manual_seed(2)
    policy = GamePolicy(PolicyConfig(hidden=8, embed=4), game.spec)
    rng = np.random.default_rng(0)
    player = GamePolicyPlayer(policy, record=True)
    player.reset(game.spec, 4, rng)
    game.reset(rng)
    stepped = []
    for _ in range(5):
        previous = player.previous.copy()
        x = policy.inputs(game.observation(0), previous)
        actions = player.act(game.observation(0), rng)
        assert torch.equal(player.inputs[-1], x)
        game.step(np.stack([actions, actions, actions], axis=1))
        stepped.append(player._stepper.h.clone())
    out, _ = policy.gru(policy.embed(torch.stack(player.inputs)))
    assert torch.allclose(out, torch.stack(stepped), atol=1e-5)


@pytest.mark.parametrize("name", ["smoke_public_goods", "smoke_coin_game"])
def test_same_seed_same_numbers_and_agent_files_load(name, tmp_path):
    logs = []
    for k in range(2):
        config = with_overrides(small(name), {"out": str(tmp_path / f"run{k}")})
        GameTrainer(config).run()
        logs.append((tmp_path / f"run{k}" / "log.csv").read_text().splitlines())
    header = logs[0][0].split(",")
    keep = [i for i, h in enumerate(header) if h != "seconds" and "seconds" not in h]
    rows = [[[r.split(",")[i] for i in keep] for r in log[1:]] for log in logs]
    assert rows[0] == rows[1]
    agent = load_agent(tmp_path / "run0" / "agent_0.pt")
    assert agent.protocol == "agent" and agent.game == config.game.name
    core = config.game.build(3, config.run.num_rounds)
    core.reset(np.random.default_rng(0))
    agent.reset(3, seed=0)
    actions = agent.act(core.observation(0))
    assert actions.shape == (3,) and actions.dtype == np.int64
    assert (0 <= actions).all() and (actions < core.spec.num_actions).all()
    with pytest.raises(ValueError, match="shape"):
        agent.act(np.zeros((2, 7), dtype=np.float32))


@pytest.mark.parametrize("game", GAMES)
def test_learners_without_random_co_players_train(game):
    """The no_tabular ablation: every game is learner against learner."""
    trainer = GameTrainer(small(f"no_tabular_{game}_fast"))
    metrics = trainer.step()
    assert "l0/train/learner/reward" in metrics and "l0/train/tabular/reward" not in metrics
    assert trainer.counters.env_steps == 2 * 16 * trainer.config.run.num_rounds * (
        trainer.num_players // 2
    )


def test_resume_continues_exactly(tmp_path):
    # no entropy annealing: its schedule follows the run's length, which the split run changes
    whole = with_overrides(
        small("mixed_pool_coin_game_fast"),
        {"out": str(tmp_path / "a"), "algo.entropy_coef_final": None},
    )
    GameTrainer(whole).run()
    half = with_overrides(whole, {"out": str(tmp_path / "b"), "updates": 2})
    GameTrainer(half).run()
    resumed = with_overrides(whole, {"out": str(tmp_path / "b"), "resume": True})
    GameTrainer(resumed).run()
    a = torch.load(tmp_path / "a" / "agent_1.pt", weights_only=True)["state_dict"]
    b = torch.load(tmp_path / "b" / "agent_1.pt", weights_only=True)["state_dict"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_id_ablation_shows_the_co_players_parameters_in_tabular_games_only():
    trainer = GameTrainer(small("id_ablation_public_goods_fast"))
    assert trainer.id_size == 7 * 3
    trajectories, _ = trainer.rollout()
    ids = trajectories[0].ids
    n_tab = trainer.config.tabular_games
    assert ids.shape[1] == 21
    assert (ids[:n_tab] > 0).any() and (ids[:n_tab] <= 1).all()
    assert (ids[n_tab:] == 0).all()


def test_stage1_public_goods_learns_to_beat_the_random_co_players():
    """A learning outcome on a small budget: the learner out-earns the co-players' own mean."""
    config = small(
        "stage1_public_goods_fast",
        updates=40,
        batch_size=64,
        **{"eval.episodes": 256, "eval.every": 40, "num_rounds": 20},
    )
    trainer = GameTrainer(config)
    before = trainer.evaluate().results["l0"]["random_reactive_held_out"].reward
    for _ in range(config.updates):
        trainer.step()
    after = trainer.evaluate().results["l0"]["random_reactive_held_out"].reward
    reference = reference_reward(config, "random_reactive_held_out")
    assert after > reference + 0.1
    assert after > before + 0.1


def test_the_cli_trains_a_preset_and_prints_deviations(tmp_path, capsys):
    config = parse(["--preset", "smoke_coin_game", "--out", str(tmp_path / "r"), "--no-progress"])
    assert isinstance(config, GameTrainConfig)
    assert main(config) == 0
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["time_to_criterion"] == {}
    with pytest.raises(SystemExit, match="mixed_pool_coin_game_fast: the paper's coin_game"):
        parse(["--preset", "mixed_pool_coin_game_fast", "--deviations"])


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"game.num_players": 1}, ConfigError, "num_players"),
        ({"game.multiplier": 4.0}, ConfigError, "multiplier"),
        ({"game.grid_size": 1}, ConfigError, "grid_size"),
        ({"game.name": "chess"}, ConfigError, "game.name"),
        ({"policy.arch": "transformer"}, ConfigError, "policy.arch must be 'gru'"),
        ({"eval_co_players": ["tit_for_tat"]}, ConfigError, "unknown public_goods co-player"),
        ({"pool.tabular": "coin_greedy"}, ConfigError, "unknown public_goods co-player"),
        ({"pool.tabular_fraction": 0.5}, ConfigError, "single learner"),
        ({"run.game": "coin_game"}, ConfigError, "must agree"),
        ({"algo.overlap": True}, ConfigError, "overlap"),
        ({"pool.tabular_concentration": 0.0}, ConfigError, "pool.tabular_concentration"),
        (
            {"pool.tabular": "conditional_cooperator", "pool.tabular_concentration": 0.1},
            ConfigError,
            "applies to the random reactive co-players",
        ),
        ({"pool.conditional_fraction": 1.5}, ConfigError, "pool.conditional_fraction"),
        (
            {"pool.conditional_fraction": 0.5, "policy.co_player_id": True},
            ConfigError,
            "leave one of the two unset",
        ),
    ],
)
def test_bad_settings_fail_where_they_enter(changes, error, message):
    with pytest.raises(error, match=message):
        with_overrides(game_preset("stage1_public_goods_fast"), changes)


def test_near_deterministic_pool_draws_near_0_or_1():
    config = with_overrides(small("stage1_public_goods_fast"), {"pool.tabular_concentration": 0.01})
    trainer = GameTrainer(config)
    co_player = trainer.co_players[1]
    co_player.reset(trainer.spec, 256, np.random.default_rng(0))
    tables = co_player.identity()[:, 1:]  # the split moves the first one into its half
    assert ((tables < 0.01) | (tables > 0.99)).mean() > 0.95


def test_near_deterministic_coin_game_pool():
    config = with_overrides(small("stage1_coin_game_fast"), {"pool.tabular_concentration": 0.05})
    co_player = GameTrainer(config).co_players[1]
    assert co_player.split == "train" and co_player.concentration == 0.05
    table = co_player.sample(2000, np.random.default_rng(0))
    assert ((table < 0.05) | (table > 0.95)).mean() > 0.8
    with pytest.raises(ConfigError, match="the pool is coin_game 'coin_greedy'"):
        with_overrides(
            game_preset("stage1_coin_game_fast"),
            {"pool.tabular": "coin_greedy", "pool.tabular_concentration": 0.1},
        )


def test_conditional_share_of_the_pool():
    config = with_overrides(small("stage1_public_goods_fast"), {"pool.conditional_fraction": 0.5})
    trainer = GameTrainer(config)
    co_player = trainer.co_players[1]
    co_player.reset(trainer.spec, 4000, np.random.default_rng(0))
    assert abs(co_player.assignment.mean() - 0.5) < 0.03  # half the seats' games: component 1
    assert {type(c).__name__ for c in co_player.components} == {
        "RandomReactive",
        "RandomConditionalCooperator",
    }
    with pytest.raises(ConfigError, match="applies to public goods"):
        with_overrides(game_preset("stage1_coin_game_fast"), {"pool.conditional_fraction": 0.5})


def test_matrix_trainer_refuses_the_new_games_and_the_policy_another_game():
    with pytest.raises(ValueError, match="not a 2x2 matrix game"):
        TrainConfig(run=RunConfig(game="public_goods"))
    policy = GamePolicy(PolicyConfig(hidden=8, embed=4), CoinGame().spec)
    with pytest.raises(ValueError, match="cannot play public_goods"):
        GamePolicyPlayer(policy).reset(PublicGoodsGame().spec, 2, np.random.default_rng(0))


def test_learners_start_from_the_named_runs_agents(tmp_path, monkeypatch):
    """``pool.init_from``: each learner starts from ``runs/<name>_seed<s>/agent_0.pt``."""
    monkeypatch.chdir(tmp_path)
    for seed in (3, 4):  # two stage-1 runs, as the mixed pool's starting points
        stage1 = with_overrides(small("stage1_public_goods_fast"), {"seed": seed, "updates": 2})
        GameTrainer(stage1).run()
    config = with_overrides(
        small("mixed_pool_public_goods_fast"), {"pool.init_from": "stage1_public_goods_fast"}
    )
    trainer = GameTrainer(with_overrides(config, {"seed": 3}))
    assert trainer.sources() == {
        f"init_{i}": f"runs/stage1_public_goods_fast_seed{s}/agent_0.pt"
        for i, s in enumerate((3, 4))
    }
    for learner, seed in zip(trainer.learners, (3, 4), strict=True):
        saved = torch.load(
            f"runs/stage1_public_goods_fast_seed{seed}/agent_0.pt", weights_only=True
        )["state_dict"]
        assert all(torch.equal(learner.state_dict()[k], saved[k]) for k in saved)
        assert learner.training
    explicit = with_overrides(config, {"seed": 0, "pool.init_seeds": [4, 3]})
    assert GameTrainer(explicit).sources()["init_0"].endswith("seed4/agent_0.pt")
    # a missing run, another game's parameters, another network: refused, naming the file
    with pytest.raises(ValueError, match=r"seed7/agent_0\.pt' does not exist"):
        GameTrainer(with_overrides(config, {"seed": 7}))
    with pytest.raises(ValueError, match="was trained on"):
        GameTrainer(with_overrides(config, {"seed": 3, "game.multiplier": 3.0}))
    with pytest.raises(ValueError, match=r"has policy hidden=\d+; this run's policy has hidden=8"):
        GameTrainer(with_overrides(config, {"seed": 3, "policy.hidden": 8}))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pool.init_from": ""}, "pool.init_from must be a run name"),
        ({"pool.init_seeds": [1, 2]}, "needs pool.init_from"),
        ({"pool.init_from": "x", "pool.init_seeds": [1]}, "one seed per learner"),
    ],
)
def test_bad_init_settings_fail_where_they_enter(changes, message):
    with pytest.raises(ValueError, match=message):
        with_overrides(game_preset("mixed_pool_public_goods_fast"), changes)


def test_evaluate_cli_scores_game_agents_as_the_trainer_does(tmp_path, capsys):
    config = small("mixed_pool_public_goods_fast", out=str(tmp_path / "run"))
    trainer = GameTrainer(config)
    trainer.run()
    expected = trainer.evaluate_policy(0)
    files = (tmp_path / "run" / "agent_0.pt", tmp_path / "run" / "agent_1.pt")
    out = tmp_path / "eval.json"
    run = config.run
    assert evaluate(EvaluateConfig(files, run.eval.episodes, run.eval.seed, out=out)) == 0
    printed = capsys.readouterr().out
    assert "(public_goods)" in printed and "no criteria apply" in printed
    results = json.loads(out.read_text())["policies"][str(files[0])]["results"]
    shared = [name for name in expected if name in results]
    assert "learner_1" in shared and len(shared) >= 3
    for name in shared:
        assert results[name]["reward"] == pytest.approx(expected[name].reward, abs=1e-9), name
    # agents of different games are refused in one line
    matrix = tmp_path / "matrix.pt"
    save_policy(matrix, make_policy(PolicyConfig(hidden=8, embed=4), PRISONERS_DILEMMA))
    with pytest.raises(ValueError, match="agents of different games"):
        evaluate(EvaluateConfig((files[0], matrix), 16))
