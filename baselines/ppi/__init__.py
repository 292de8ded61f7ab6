"""Predictive Policy Improvement (PPI): the paper's model-based in-context agent.

A GRU sequence model over per-round tokens is trained by next-token prediction
(:mod:`baselines.ppi.model`); the acting policy re-weights the model's own-action prediction by
Monte-Carlo Q-values imagined inside the model (:mod:`baselines.ppi.planner`); phases of play and
retraining improve it (:mod:`baselines.ppi.trainer`). ``python -m baselines.train --preset
ppi_mixed_pool_cpu`` runs it; ``python -m baselines.ppi.diagnose`` shows what an agent's decisions
rest on; docs/ppi.md has the design and the defaults' reasons. On N-player public goods the same
agent reads the game's observations as tokens (:mod:`baselines.ppi.tokens`), sized by the game
(:mod:`baselines.ppi.game_config`, :mod:`baselines.ppi.game_trainer`; ``--preset
ppi_stage1_public_goods_cpu``).
"""

from baselines.ppi.agent import (
    PPIActor,
    PPIAgent,
    PPICoPlayer,
    PPIGameAgent,
    PPIGamePlayer,
    load_ppi,
    save_ppi,
    save_ppi_game,
)
from baselines.ppi.config import PPI_PRESETS, FitConfig, PPIConfig, PPIPoolConfig
from baselines.ppi.game_config import PPIGameConfig, PPIGamePoolConfig, ppi_game_preset
from baselines.ppi.model import Episodes, GameEpisodes, ModelConfig, SequenceModel
from baselines.ppi.planner import PlanningConfig, improved_logits, q_values

__all__ = [
    "PPI_PRESETS",
    "Episodes",
    "FitConfig",
    "GameEpisodes",
    "ModelConfig",
    "PPIActor",
    "PPIAgent",
    "PPICoPlayer",
    "PPIConfig",
    "PPIGameAgent",
    "PPIGameConfig",
    "PPIGamePlayer",
    "PPIGamePoolConfig",
    "PPIPoolConfig",
    "PlanningConfig",
    "SequenceModel",
    "improved_logits",
    "load_ppi",
    "ppi_game_preset",
    "q_values",
    "save_ppi",
    "save_ppi_game",
]
