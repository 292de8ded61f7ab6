"""PPI on the games beyond 2x2 (public goods): tokens, sizes, the trainer, its files and CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from baselines import load_agent, train
from baselines.configs import ConfigError, with_overrides
from baselines.evaluate import EvaluateConfig
from baselines.evaluate import main as evaluate
from baselines.general.policy import GamePolicy, save_game_policy
from baselines.policies import PolicyConfig
from baselines.ppi import ModelConfig, PlanningConfig, SequenceModel, q_values
from baselines.ppi.agent import PPIGameAgent, PPIGamePlayer
from baselines.ppi.diagnose import diagnose
from baselines.ppi.game_config import (
    PPI_GAME_PRESET_NAMES,
    PPIGameConfig,
    ppi_game_deviations,
    ppi_game_preset,
)
from baselines.ppi.game_trainer import PPIGameTrainer
from baselines.ppi.model import GameEpisodes
from baselines.ppi.tokens import MAX_VOCABULARY, START_TOKEN, PublicGoodsTokens, observation_tokens
from coop_envs.core import CoinGame, PublicGoodsGame

RUN_FILES = (
    "config.json",
    "log.csv",
    "summary.json",
    "evals.jsonl",
    "checkpoint.pt",
    "pretrained.pt",
    "agent_0.pt",
    "agent_1.pt",
    "data_0.npz",
    "data_1.npz",
)
"""What a PPI run directory holds (the mixed pool: two learners)."""


def tiny(tmp_path, name="run", **changes) -> PPIGameConfig:
    """The smoke preset (two learners, 6 rounds) in ``tmp_path / name``; dotted names as ``__``."""
    settings = {"out": str(tmp_path / name), "threads": 1, "progress": False}
    settings.update({k.replace("__", "."): v for k, v in changes.items()})
    return with_overrides(ppi_game_preset("ppi_smoke_public_goods"), settings)


def played(n, punishment, layout, rounds=4, batch=32, seed=0):
    """A public goods core and the joint actions of ``rounds`` random rounds, ``(T, B, N)``."""
    core = PublicGoodsGame(
        num_players=n,
        batch_size=batch,
        num_rounds=rounds,
        punishment=punishment,
        observation=layout,
    )
    rng = np.random.default_rng(seed)
    core.reset(rng)
    return core, rng


# ------------------------------------------------------------------------------------- tokens
@pytest.mark.parametrize("layout", ["summary", "full"])
@pytest.mark.parametrize("punishment", [False, True])
@pytest.mark.parametrize("n", [2, 3, 4])
def test_tokens_read_what_each_seat_sees_and_round_trip(n, punishment, layout):
    core, rng = played(n, punishment, layout)
    tokens = observation_tokens(core.spec)
    a = core.spec.num_actions
    assert tokens.num_actions == a and tokens.observation_size == core.spec.observation_shape[0]
    per_round = a * n * (n if punishment else 1) if layout == "summary" else a**n
    assert tokens.size == 1 + per_round
    for seat in range(n):
        assert (tokens.encode(core.observation(seat)) == START_TOKEN).all()
    seen = set()
    for _ in range(core.num_rounds):
        joint = rng.integers(0, a, (core.batch_size, n))
        rewards, _ = core.step(joint)
        for seat in range(n):
            obs = core.observation(seat)
            codes = tokens.encode(obs)
            assert codes.dtype == np.int64 and codes.shape == (core.batch_size,)
            # what the trainer records (from the joint actions) is what the seat's player reads
            np.testing.assert_array_equal(codes, tokens.from_joint(joint, seat))
            np.testing.assert_allclose(tokens.decode(codes), obs, atol=1e-6)
            np.testing.assert_allclose(tokens.reward(obs), rewards[:, seat], atol=1e-5)
            seen.update(codes.tolist())
    assert min(seen) >= 1 and max(seen) < tokens.size


def test_token_vocabularies_of_four_players_and_the_matrix_games_codes():
    sizes = {}
    for punishment in (False, True):
        for layout in ("summary", "full"):
            spec = PublicGoodsGame(punishment=punishment, observation=layout).spec
            sizes[punishment, layout] = observation_tokens(spec).size
    assert sizes == {
        (False, "summary"): 9,
        (False, "full"): 17,
        (True, "summary"): 65,
        (True, "full"): 257,
    }
    # two players: the matrix games' code 1 + 2 a + b, own move first
    tokens = observation_tokens(PublicGoodsGame(num_players=2).spec)
    joint = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    assert tokens.from_joint(joint, 0).tolist() == [1, 2, 3, 4]
    assert tokens.from_joint(joint, 1).tolist() == [1, 3, 2, 4]


def test_tokens_refuse_other_games_and_bad_observations():
    with pytest.raises(
        ValueError, match=r"tokenises the observations of public_goods .*'coin_game'"
    ):
        observation_tokens(CoinGame().spec)
    with pytest.raises(TypeError, match="needs a PublicGoodsSpec; got str"):
        PublicGoodsTokens("public_goods")
    big = PublicGoodsGame(num_players=8, punishment=True, observation="full").spec
    with pytest.raises(
        ValueError, match=rf"65,537 observation tokens; PPI accepts at most {MAX_VOCABULARY:,}"
    ):
        observation_tokens(big)
    tokens = observation_tokens(PublicGoodsGame().spec)
    with pytest.raises(ValueError, match=r"must have shape \(B, 3\); got \(2, 5\)"):
        tokens.encode(np.zeros((2, 5)))
    bad = np.array([[1, 0, 0], [0, 1, 0.5]], dtype=np.float32)  # 1.5 of 3 others
    with pytest.raises(ValueError, match=r"multiples of 1/3\); got row 1: \[0.0, 1.0, 0.5\]"):
        tokens.encode(bad)
    with pytest.raises(ValueError, match=r"tokens must be in 0..8; got \[9\]"):
        tokens.decode(np.array([9]))


# ------------------------------------------------------------------- the model, sized by the game
def test_the_model_and_planner_take_their_sizes_from_the_game():
    torch.manual_seed(0)
    core, rng = played(4, True, "summary", rounds=5, batch=6)
    tokens = observation_tokens(core.spec)
    model = SequenceModel(ModelConfig(hidden=16, embed=8), tokens.size, tokens.num_actions).eval()
    assert model.obs_embed.num_embeddings == 65 and model.action_head.out_features == 4
    joints, rewards = [], []
    for _ in range(core.num_rounds):
        joints.append(rng.integers(0, 4, (6, 4)))
        rewards.append(core.step(joints[-1])[0][:, 0])
    joint = np.stack(joints, 1)  # (B, T, N)
    episodes = GameEpisodes(
        joint[..., 0].astype(np.int8),
        tokens.from_joint(joint, 0),
        np.stack(rewards, 1).astype(np.float32),
    )
    with torch.no_grad():
        per_token = model.losses(episodes, reduce=False)
    assert {k: tuple(v.shape) for k, v in per_token.items()} == {
        "action": (5, 6),
        "observation": (5, 6),
        "reward": (5, 6),
    }
    h = model.start(6)
    assert model.action_logits(h).shape == (6, 4)
    assert model.observation_logits(
        model.feed_action(h, torch.zeros(6, dtype=torch.long))
    ).shape == (
        6,
        65,
    )
    planning = PlanningConfig(horizon=3, rollouts=2)
    assert q_values(model, h, 5, planning, torch.Generator().manual_seed(0)).shape == (6, 4)
    with pytest.raises(ValueError, match="num_observations must be an integer >= 2; got 1"):
        SequenceModel(ModelConfig(hidden=8, embed=4), 1, 2)
    with pytest.raises(ValueError, match=r"num_actions must be an integer >= 2; got 2\.0"):
        SequenceModel(ModelConfig(hidden=8, embed=4), 9, 2.0)
    with pytest.raises(ValueError, match=r"rewards must have the shape of own actions \(6, 5\)"):
        GameEpisodes(episodes.own, episodes.codes, episodes.rewards[:, :2])


# ---------------------------------------------------------------------------------- the config
@pytest.mark.parametrize("name", PPI_GAME_PRESET_NAMES)
def test_every_preset_builds_and_names_its_deviations(name):
    config = ppi_game_preset(name)
    game, settings = ppi_game_deviations(name)
    assert config.game.name == config.run.game == game == "public_goods"
    assert config.preset == name and settings


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"phases": 0}, ValueError, "phases must be a positive int; got 0"),
        ({"phases": "3"}, TypeError, r"phases must be an int; got '3' \(str\)"),
        ({"pool.learners": 3}, ValueError, "pool.learners must be 1 or 2 for PPI; got 3"),
        (
            {"pool.learners": 1, "pool.tabular_fraction": 0.5},
            ValueError,
            "pool.tabular_fraction must be 1; got 0.5",
        ),
        (
            {"game.name": "coin_game", "run.game": "coin_game"},
            ValueError,
            "PPI plays game.name 'public_goods' among the games beyond 2x2; got 'coin_game'",
        ),
        ({"run.game": "prisoners_dilemma"}, ValueError, r"run.game \('prisoners_dilemma'\) and"),
        ({"model.co_player_id": True}, ValueError, "the matrix games' only; got True"),
        (
            {"eval.co_players": ["tit_for_tat"]},
            ValueError,
            r"got \['tit_for_tat'\]: name the public_goods ones in eval_co_players",
        ),
        (
            {"eval_co_players": ["tit_for_tat"]},
            ValueError,
            "unknown public_goods co-player 'tit_for_tat'; known ids: always_contribute",
        ),
        (
            {"pool.tabular": "always_defect"},
            ValueError,
            "unknown public_goods co-player 'always_defect'",
        ),
        (
            {"game.num_players": 8, "game.punishment": True, "game.observation": "full"},
            ValueError,
            "65,537 observation tokens; PPI accepts at most 4,097",
        ),
    ],
)
def test_bad_settings_fail_where_they_enter(changes, error, message, tmp_path):
    base = tiny(tmp_path)
    with pytest.raises(error, match=message):
        if error is TypeError:
            PPIGameConfig(**changes)
        else:
            with_overrides(base, changes)


def test_conditional_cooperators_take_their_share_of_the_random_seats(tmp_path):
    trainer = PPIGameTrainer(tiny(tmp_path, pool__conditional_fraction=0.5))
    co_player = trainer._tabular()
    co_player.reset(trainer.spec, 4000, np.random.default_rng(0))
    assert abs(co_player.assignment.mean() - 0.5) < 0.03  # half the seats' games: component 1
    assert {type(c).__name__ for c in co_player.components} == {
        "RandomReactive",
        "RandomConditionalCooperator",
    }
    assert type(PPIGameTrainer(tiny(tmp_path))._tabular()).__name__ == "RandomReactive"
    with pytest.raises(ValueError, match=r"pool\.conditional_fraction .*got 1\.5"):
        tiny(tmp_path, pool__conditional_fraction=1.5)


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(ConfigError, match="unknown PPI game preset 'nope'; known: ppi_stage1_pub"):
        ppi_game_deviations("nope")


# ---------------------------------------------------------------------------------- the trainer
def log_rows(directory):
    """``log.csv`` without its timing columns."""
    lines = (directory / "log.csv").read_text().splitlines()
    header = lines[0].split(",")
    keep = [i for i, h in enumerate(header) if "seconds" not in h]
    return [[row.split(",")[i] for i in keep] for row in lines]


def test_a_run_writes_the_run_directory_and_evaluates_on_the_held_out_co_players(tmp_path):
    config = tiny(tmp_path)
    summary = PPIGameTrainer(config).run()
    assert summary["status"] == "finished" and summary["update"] == config.phases == 2
    # 2 phases x 2 learners x (4 tabular games x 1 seat + 4 learner games x 2 seats) x 6 rounds
    assert summary["env_steps"] == 2 * 2 * (4 + 8) * 6
    for file in RUN_FILES:
        assert (config.run_dir / file).exists(), file
    record = json.loads((config.run_dir / "config.json").read_text())
    assert record["algorithm"] == "ppi_game" and record["config"]["game"]["name"] == "public_goods"
    header = (config.run_dir / "log.csv").read_text().splitlines()[0].split(",")
    for i, j in ((0, 1), (1, 0)):
        for co_player in (
            "random_reactive_held_out",
            "always_contribute",
            "never_contribute",
            "conditional_cooperator",
            "strict_conditional_cooperator",
            f"learner_{j}",
        ):
            assert f"l{i}/eval/{co_player}/reward" in header
        for column in ("train/cooperation", "fit/loss", "model/observation_ce"):
            assert f"l{i}/{column}" in header
    assert "ref/random_reactive_held_out/reward" in header
    evals = [json.loads(line) for line in (config.run_dir / "evals.jsonl").open()]
    assert [e["update"] for e in evals] == [0, 1, 2]
    with np.load(config.run_dir / "data_0.npz") as data:
        assert set(data.files) == {"own", "codes", "rewards"}
        assert data["codes"].max() < 9 and data["own"].max() <= 1


def test_same_seed_same_numbers_other_seed_other_numbers(tmp_path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        PPIGameTrainer(tiny(tmp_path, name, seed=seed, phases=1)).run()
    assert log_rows(tmp_path / "a") == log_rows(tmp_path / "b")
    assert log_rows(tmp_path / "a") != log_rows(tmp_path / "c")
    wa = torch.load(tmp_path / "a" / "agent_1.pt", weights_only=True)["state_dict"]
    wb = torch.load(tmp_path / "b" / "agent_1.pt", weights_only=True)["state_dict"]
    assert all(torch.equal(wa[k], wb[k]) for k in wa)


def test_resume_and_pretrained_continue_exactly(tmp_path):
    straight = tiny(tmp_path, "straight", seed=2)
    PPIGameTrainer(straight).run()
    split = tiny(tmp_path, "split", seed=2)
    PPIGameTrainer(with_overrides(split, {"phases": 1})).run()
    resumed = PPIGameTrainer(with_overrides(split, {"resume": True})).run()
    assert resumed["status"] == "finished" and resumed["update"] == 2
    shared = with_overrides(tiny(tmp_path, "shared", seed=2), {"pretrained": straight.run_dir})
    PPIGameTrainer(shared).run()
    for other in ("split", "shared"):
        assert log_rows(tmp_path / other)[1:] == log_rows(tmp_path / "straight")[1:]
        for i in (0, 1):
            with np.load(tmp_path / "straight" / f"data_{i}.npz") as x:
                with np.load(tmp_path / other / f"data_{i}.npz") as y:
                    for key in GameEpisodes._fields():
                        np.testing.assert_array_equal(x[key], y[key])
    with pytest.raises(ValueError, match=r"pretrain_games=8 \(this run: 16\)"):
        PPIGameTrainer(
            tiny(tmp_path, "other", seed=2, pretrain_games=16, pretrained=straight.run_dir)
        )


def test_agent_files_load_play_the_game_and_refuse_another(tmp_path):
    from leaderboard.submissions import inspect_submission, load_game_agent

    config = tiny(tmp_path, phases=1)
    PPIGameTrainer(config).run()
    path = config.run_dir / "agent_0.pt"
    agent = load_agent(path)
    assert isinstance(agent, PPIGameAgent) and agent.protocol == "agent"
    assert agent.game == "public_goods" and agent.game_kwargs["num_players"] == 4
    assert isinstance(load_game_agent(inspect_submission(path), "public_goods"), PPIGameAgent)
    core = config.game.build(3, config.run.num_rounds)
    core.reset(np.random.default_rng(0))
    agent.reset(3, seed=0)
    actions = agent.act(core.observation(0))
    assert actions.shape == (3,) and actions.dtype == np.int64 and set(actions) <= {0, 1}
    with pytest.raises(ValueError, match=r"shape \(num_envs, 3\) .* got \(2, 7\)"):
        agent.act(np.zeros((2, 7), dtype=np.float32))
    player = PPIGamePlayer(agent.actor, agent.tokens)
    other = PublicGoodsGame(punishment=True).spec
    with pytest.raises(ValueError, match=r"plays public_goods with N = 4, 2 actions .* 4 actions"):
        player.reset(other, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="diagnose tabulates the 2x2 matrix games' outcomes"):
        diagnose(agent.actor, "tit_for_tat", episodes=2)


def test_the_cli_trains_the_smoke_preset_and_prints_its_deviations(tmp_path, capsys):
    out = tmp_path / "cli"
    config = train.parse(["--preset", "ppi_smoke_public_goods", "--out", str(out), "--seed", "1"])
    assert isinstance(config, PPIGameConfig) and config.run.seed == 1
    assert train.main(config) == 0
    assert json.loads((out / "summary.json").read_text())["status"] == "finished"
    with pytest.raises(SystemExit) as printed:
        train.parse(["--preset", "ppi_stage1_public_goods_cpu", "--deviations"])
    assert "ppi_stage1_public_goods_cpu: the paper's public_goods with" in str(printed.value)
    assert "planning.beta = 3.0" in str(printed.value)
    help_text = train_help(capsys)
    assert "--eval-co-players" in help_text and "--game.num-players" in help_text
    # not a measured recipe of docs/reproduction.md (yet)
    recommended = help_text.split("Recommended on a CPU")[1].split("All presets")[0]
    assert "ppi_stage1_cpu" in recommended and "public_goods_cpu" not in recommended


def train_help(capsys) -> str:
    """``python -m baselines.train --help`` as printed."""
    with pytest.raises(SystemExit):
        train.parse(["--preset", "ppi_smoke_public_goods", "--help"])
    return capsys.readouterr().out


# ---------------------------------------------------------------------------------- learning
@pytest.mark.slow
def test_planning_on_a_model_fitted_to_public_goods_keeps_against_fixed_contributors(tmp_path):
    """A learning outcome in seconds: fitted to random public goods games, the model predicts the
    observations and rewards better, and the planned policy free-rides on always_contribute and
    never_contribute, out-earning a random policy (1.9 and 0.7 a round with N = 4, r = 1.6; the
    best responses earn 2.2 and 1.0; leaderboard.game_suites.PUBLIC_GOODS_REFERENCES)."""
    config = with_overrides(
        ppi_game_preset("ppi_stage1_public_goods_cpu"),
        {
            "out": str(tmp_path / "learn"),
            "seed": 1,
            "num_rounds": 20,
            "pretrain_games": 200,
            "play_batch": 200,
            "model.hidden": 16,
            "model.embed": 8,
            "fit.batch_size": 32,
            "planning.horizon": 3,
            "eval.episodes": 64,
            "eval_co_players": ["always_contribute", "never_contribute"],
            "progress": False,
        },
    )
    trainer = PPIGameTrainer(config)
    before = trainer.evaluate()
    trainer.pretrain_data()
    trainer.fit(0, 8)
    after = trainer.evaluate()
    assert (
        after.metrics["l0/model/observation_ce"] < before.metrics["l0/model/observation_ce"] - 0.5
    )
    assert after.metrics["l0/model/reward_mse"] < 0.05 < before.metrics["l0/model/reward_mse"]
    for name, random_policy in (("always_contribute", 1.9), ("never_contribute", 0.7)):
        result, untrained = after.results["l0"][name], before.results["l0"][name]
        assert result.reward > random_policy + 0.15 and result.reward > untrained.reward + 0.15
        assert result.cooperation < 0.3 < untrained.cooperation


def test_evaluate_cli_scores_ppi_game_agents_as_the_trainer_does(tmp_path, capsys):
    config = tiny(tmp_path, phases=1)
    trainer = PPIGameTrainer(config)
    trainer.run()
    expected = trainer.evaluate_learner(0)
    files = (config.run_dir / "agent_0.pt", config.run_dir / "agent_1.pt")
    out, run = tmp_path / "eval.json", config.run
    assert evaluate(EvaluateConfig(files, run.eval.episodes, run.eval.seed, out=out)) == 0
    assert "(public_goods)" in capsys.readouterr().out
    results = json.loads(out.read_text())["policies"][str(files[0])]["results"]
    assert set(results) == set(expected) and "learner_1" in results
    for name, match in expected.items():
        assert results[name]["reward"] == pytest.approx(match.reward, abs=1e-9), name
        assert results[name]["cooperation"] == pytest.approx(match.cooperation, abs=1e-9), name


def test_evaluate_cli_refuses_a_ppi_and_a_gru_agent_of_different_horizons(tmp_path):
    config = tiny(tmp_path, phases=1)
    PPIGameTrainer(config).run()
    gru = tmp_path / "gru.pt"
    spec = PublicGoodsGame(batch_size=1, num_rounds=7).spec
    save_game_policy(gru, GamePolicy(PolicyConfig(hidden=8, embed=4), spec), {})
    with pytest.raises(ValueError, match="evaluate agents of one game, parameters and horizon"):
        evaluate(EvaluateConfig((config.run_dir / "agent_0.pt", gru), 16))
