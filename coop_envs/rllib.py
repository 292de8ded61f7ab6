"""The RLlib route: every game registered for Ray RLlib by name (optional extra ``rllib``).

Ray RLlib runs environments in separate processes (env runners) that never imported
``coop_envs``, so a Gymnasium id alone fails there (``NamespaceNotFound: Namespace coop_envs not
found``). :func:`register` registers every game with ``ray.tune.register_env`` under a creator
that imports ``coop_envs`` inside the worker, so that::

    from coop_envs import rllib
    rllib.register()
    config = PPOConfig().environment("coop_envs/ipd", env_config=rllib.AGENT_ENV_CONFIG)

works in every env runner, locally or on a cluster. The names (derived from
:data:`coop_envs.registration.ALL_PETTINGZOO_IDS` and
:data:`~coop_envs.registration.ALL_GYM_IDS`, so every registered game is included: the matrix
games, public goods, the Coin Game):

- every PettingZoo id (``coop_envs/ipd-v0``, ...) and the same without its version
  (``coop_envs/ipd``): multi-agent, RLlib's ``ParallelPettingZooEnv`` over our ``ParallelEnv``;
  ``env_config`` holds the env's arguments;
- every Gymnasium id (``coop_envs/IteratedPrisonersDilemma-v0``, ...) and the same without its
  version: single-agent against a co-player (``env_config={"co_player": "tit_for_tat"}``;
  default: random tabular co-players);
- ``coop_envs/mixed_pool``: the paper's mixed pool, :func:`mixed_pool_env`: learners
  ``learner_0`` and ``learner_1`` each play half their episodes against the other and half
  against co-players (random tabular by default).

:func:`policy_mapping_fn` maps agents to RL modules for both multi-agent layouts,
:func:`lstm_model_config` is the recurrent model of an in-context agent (RLlib's own
``DefaultModelConfig``, new API stack), and :func:`multi_agent` puts both on a config.

Ray is imported only inside these functions: ``import coop_envs`` stays free of ray and torch.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from coop_envs.core import (
    DEFAULT_NUM_ROUNDS,
    check_bool,
    check_positive_int,
    check_probability,
    get_game,
)
from coop_envs.registration import ALL_GYM_IDS, ALL_PETTINGZOO_IDS

INSTALL_HINT = "pip install -c constraints.txt 'coop-envs[rllib]'"
"""What fixes a missing Ray RLlib (it pins gymnasium 1.2.2: give it a virtual environment)."""

MIXED_POOL = "coop_envs/mixed_pool"
"""RLlib name of the mixed-pool environment (:func:`mixed_pool_env`)."""

LEARNERS = ("learner_0", "learner_1")
"""Agent ids of the mixed pool, and the RL module ids :func:`policy_mapping_fn` maps to."""

AGENT_ENV_CONFIG: dict[str, Any] = {"prev_action": True, "prev_reward": True}
"""``env_config`` that gives the paper's learner input, the agent protocol's observation
(:data:`coop_envs.core.AGENT_OBSERVATION`: one-hot of the last joint action, own previous action,
own previous reward; 8 numbers), so a trained module can be evaluated by
:mod:`baselines.evaluate` and submitted to the leaderboard (:mod:`baselines.rllib_agent`)."""


def require_rllib() -> Any:
    """Import ``ray.tune`` and ``ray.rllib``; return ``ray.tune``.

    Raises:
        ImportError: If Ray RLlib is missing (the message says which ``pip install`` fixes it).
    """
    try:
        import ray.rllib  # noqa: F401
        from ray import tune
    except ImportError as exc:
        raise ImportError(f"coop_envs.rllib needs Ray RLlib: {INSTALL_HINT}") from exc
    return tune


def _unversioned(env_id: str) -> str:
    return env_id.rsplit("-v", 1)[0]


def env_names() -> dict[str, tuple[str, str]]:
    """Every name :func:`register` registers: ``{name: (kind, registry id)}``.

    ``kind`` is ``"multi_agent"`` (a PettingZoo id), ``"single_agent"`` (a Gymnasium id) or
    ``"mixed_pool"``.
    """
    names: dict[str, tuple[str, str]] = {}
    for kind, ids in (("multi_agent", ALL_PETTINGZOO_IDS), ("single_agent", ALL_GYM_IDS)):
        for env_id in ids:
            names[env_id] = (kind, env_id)
            names.setdefault(_unversioned(env_id), (kind, env_id))
    names[MIXED_POOL] = ("mixed_pool", MIXED_POOL)
    return names


def make_multi_agent(env_id: str, config: dict[str, Any] | None = None) -> Any:
    """RLlib's ``ParallelPettingZooEnv`` over ``pettingzoo.make("parallel", env_id, **config)``."""
    import pettingzoo

    import coop_envs  # noqa: F401  registers the ids in this (worker) process

    require_rllib()
    from ray.rllib.env.wrappers.pettingzoo_env import ParallelPettingZooEnv

    return ParallelPettingZooEnv(pettingzoo.make("parallel", env_id, **dict(config or {})))


def make_single_agent(env_id: str, config: dict[str, Any] | None = None) -> Any:
    """``gym.make(env_id, **config)`` (a learner against ``config["co_player"]``)."""
    import gymnasium as gym

    import coop_envs  # noqa: F401  registers the ids in this (worker) process

    return gym.make(env_id, **dict(config or {}))


def _create(kind: str, env_id: str, config: dict[str, Any] | None) -> Any:
    """The env creator registered for every name (module level: pickled by reference)."""
    if kind == "multi_agent":
        return make_multi_agent(env_id, config)
    if kind == "single_agent":
        return make_single_agent(env_id, config)
    return mixed_pool_env(config)


def register() -> tuple[str, ...]:
    """Register every game for RLlib (``ray.tune.register_env``); calling it again is harmless.

    Call it in the driver before building the algorithm; the env runners get the creators from
    Ray's registry and import ``coop_envs`` themselves.

    Returns:
        The names registered (see :func:`env_names`).

    Raises:
        ImportError: If Ray RLlib is missing.
    """
    tune = require_rllib()
    names = env_names()
    for name, (kind, env_id) in names.items():
        tune.register_env(name, functools.partial(_create, kind, env_id))
    return tuple(names)


def policy_mapping_fn(agent_id: str, episode: Any = None, **kwargs: Any) -> str:
    """The RL module of an agent: ``player_<i>`` and ``learner_<i>`` both go to ``learner_<i>``.

    One function for both multi-agent layouts: two learners in a PettingZoo game (``player_0``
    is ``learner_0``, ``player_1`` is ``learner_1``) and the mixed pool, whose agents are the
    learners themselves (its co-players live inside the environment).

    Raises:
        ValueError: For any other agent id.
    """
    if isinstance(agent_id, str):
        prefix, _, index = agent_id.partition("_")
        if prefix in ("player", "learner") and index.isdigit():
            return f"learner_{int(index)}"
    raise ValueError(
        f"policy_mapping_fn maps agents 'player_<i>' and 'learner_<i>' to 'learner_<i>'; "
        f"got {agent_id!r}"
    )


def shared_policy_mapping_fn(agent_id: str, episode: Any = None, **kwargs: Any) -> str:
    """Every agent to one shared module, ``learner_0`` (parameter-shared self-play)."""
    policy_mapping_fn(agent_id)
    return LEARNERS[0]


def lstm_model_config(
    cell_size: int = 64, hidden: Sequence[int] = (32,), max_seq_len: int = DEFAULT_NUM_ROUNDS
) -> Any:
    """RLlib's recurrent default model for an in-context agent (new API stack).

    An LSTM over the observations (use :data:`AGENT_ENV_CONFIG` so they hold the previous action
    and reward, as the paper's agent's do), after a small dense encoder; backpropagation through
    whole episodes by default (``max_seq_len`` = the episode's 100 rounds).

    Args:
        cell_size: LSTM width (the paper's GRU has 128; 64 is this project's CPU budget).
        hidden: Dense layers before the LSTM.
        max_seq_len: Steps per training sequence.

    Returns:
        A ``ray.rllib.core.rl_module.default_model_config.DefaultModelConfig``.

    Raises:
        ImportError: If Ray RLlib is missing.
        ValueError: For non-positive sizes.
    """
    require_rllib()
    from ray.rllib.core.rl_module.default_model_config import DefaultModelConfig

    check_positive_int(cell_size, "cell_size")
    check_positive_int(max_seq_len, "max_seq_len")
    hidden = [check_positive_int(h, "hidden") for h in hidden]
    return DefaultModelConfig(
        use_lstm=True,
        lstm_cell_size=cell_size,
        max_seq_len=max_seq_len,
        fcnet_hiddens=hidden,
        fcnet_activation="silu",  # swish, as the paper's agent
        vf_share_layers=True,
    )


def multi_agent(
    config: Any, learners: int = 2, shared: bool = False, model_config: Any = None
) -> Any:
    """Put the learners, their mapping and their LSTM modules on an algorithm config.

    Args:
        config: An ``AlgorithmConfig`` (e.g. ``PPOConfig().environment("coop_envs/ipd")``).
        learners: How many learner modules (``learner_0``, ...).
        shared: One module for every agent (``learner_0``) instead.
        model_config: The modules' model (default :func:`lstm_model_config`).

    Returns:
        The config, changed in place (as RLlib's own setters do).
    """
    require_rllib()
    from ray.rllib.core.rl_module.multi_rl_module import MultiRLModuleSpec
    from ray.rllib.core.rl_module.rl_module import RLModuleSpec

    check_positive_int(learners, "learners")
    check_bool(shared, "shared")
    modules = [LEARNERS[0]] if shared else [f"learner_{i}" for i in range(learners)]
    model = model_config if model_config is not None else lstm_model_config()
    config.multi_agent(
        policies=set(modules),
        policy_mapping_fn=shared_policy_mapping_fn if shared else policy_mapping_fn,
        policies_to_train=modules,
    )
    config.rl_module(
        rl_module_spec=MultiRLModuleSpec(
            rl_module_specs={m: RLModuleSpec(model_config=model) for m in modules}
        )
    )
    return config


@functools.cache
def _mixed_pool_class() -> type:
    """The mixed-pool env class (defined on first use: it subclasses RLlib's ``MultiAgentEnv``)."""
    require_rllib()
    from gymnasium import spaces
    from ray.rllib.env.multi_agent_env import MultiAgentEnv

    from coop_envs.gym_env import IteratedGameEnv
    from coop_envs.pettingzoo_env import IteratedGameParallelEnv

    class MixedPoolEnv(MultiAgentEnv):
        """Two learners; each episode pairs them, or one of them with a co-player.

        A pairing is drawn at every reset from the env's generator: the learners against each
        other with probability ``share / (2 - share)``, else one learner (either, equally
        likely) against a co-player drawn from ``co_player``, so each learner plays a fraction
        ``share`` of its episodes against the other. Agents are ``learner_0`` and
        ``learner_1``; only the seated ones act in an episode.
        """

        def __init__(self, config: dict[str, Any] | None = None) -> None:
            super().__init__()
            config = dict(config or {})
            share = check_probability(config.pop("learner_share", 0.5), "learner_share")
            co_player = config.pop("co_player", "random_tabular")
            game = get_game(config.pop("game", "prisoners_dilemma"))
            for key, value in AGENT_ENV_CONFIG.items():
                config.setdefault(key, value)
            self.p_pair = share / (2.0 - share)
            self.pair = IteratedGameParallelEnv(game=game, **config)
            self.versus = IteratedGameEnv(game=game, co_player=co_player, **config)
            self.possible_agents = list(LEARNERS)
            self.agents = []
            space = self.versus.observation_space
            self.observation_spaces = dict.fromkeys(LEARNERS, space)
            self.action_spaces = dict.fromkeys(LEARNERS, spaces.Discrete(2))
            self._rng = np.random.default_rng()
            self._alone: str | None = None

        def reset(self, *, seed: int | None = None, options: dict | None = None):
            """Draw a pairing and start its episode."""
            if seed is not None:
                self._rng = np.random.default_rng(seed)
            episode_seed = int(self._rng.integers(2**31))
            if self._rng.random() < self.p_pair:
                self._alone = None
                obs, _ = self.pair.reset(seed=episode_seed)
                obs = {learner: obs[f"player_{i}"] for i, learner in enumerate(LEARNERS)}
            else:
                self._alone = LEARNERS[int(self._rng.integers(2))]
                first, _ = self.versus.reset(seed=episode_seed)
                obs = {self._alone: first}
            self.agents = list(obs)
            return obs, {}

        def step(self, action_dict: dict[str, Any]):
            """One round for the seated learners."""
            if self._alone is None:
                actions = {f"player_{i}": action_dict[a] for i, a in enumerate(LEARNERS)}
                obs, rewards, terms, truncs, _ = self.pair.step(actions)
                rename = dict(zip(("player_0", "player_1"), LEARNERS, strict=True))
                obs, rewards = ({rename[k]: v for k, v in d.items()} for d in (obs, rewards))
                done, cut = all(terms.values()), all(truncs.values())
            else:
                ob, reward, done, cut, _ = self.versus.step(action_dict[self._alone])
                obs, rewards = {self._alone: ob}, {self._alone: reward}
            ends = dict.fromkeys(self.agents, done)
            cuts = dict.fromkeys(self.agents, cut)
            if done or cut:
                self.agents = []
            return obs, rewards, {**ends, "__all__": done}, {**cuts, "__all__": cut}, {}

    return MixedPoolEnv


def mixed_pool_env(config: dict[str, Any] | None = None) -> Any:
    """The paper's mixed pool as an RLlib ``MultiAgentEnv`` (name :data:`MIXED_POOL`).

    Args:
        config: ``game`` (default prisoner's dilemma), ``co_player`` (anything ``co_player=``
            accepts; default ``"random_tabular"``, redrawn every episode), ``learner_share``
            (fraction of each learner's episodes against the other learner; 0.5), and the
            observation options of the environments (default :data:`AGENT_ENV_CONFIG`),
            ``num_rounds``.

    Raises:
        ImportError: If Ray RLlib is missing.
        ValueError: For a bad game, co-player, share or option (checked by the environments).
    """
    return _mixed_pool_class()(config)
