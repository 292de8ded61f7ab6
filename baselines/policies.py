r"""Recurrent in-context actor-critics: a GRU (the paper's) and a small causal transformer.

Both read, each round, the agent's observation (one-hot of the last joint action, own move
first), its own previous action and its previous reward, each embedded by a linear layer into a
shared ``embed``-dim space and summed (Weis et al. 2026, §3), plus, for the opponent-ID ablation,
a linear embedding of the co-player's 10-number log-policy. The GRU's output goes through swish
into linear policy and value heads.

Inputs are given as an *index* ``seat * 5 + code``: every feature of a round is a function of the
observation code and the seat (which sets the previous reward in an asymmetric game), so the
policy looks the feature vector up in a ``(2, 5, 8)`` table built from the game's payoffs.

Acting happens one round at a time for a batch of games (:meth:`step`, under ``no_grad``);
training replays whole episodes at once (:meth:`forward`), which for the GRU is one
``torch.nn.GRU`` call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import torch
from torch import nn

from baselines.configs import check_fields
from coop_envs.core import CO_PLAYER_ID_DIM, NUM_OBSERVATIONS, MatrixGame

FEATURES = NUM_OBSERVATIONS + 2 + 1  # one-hot, previous own action, previous reward


@dataclass(frozen=True)
class PolicyConfig:
    """Shape of a policy network (defaults: the paper's GRU)."""

    arch: Literal["gru", "transformer"] = "gru"
    """``gru`` (the paper's agent) or ``transformer`` (a small causal transformer)."""
    hidden: int = 128
    """GRU hidden units, or the transformer's model width."""
    embed: int = 32
    """Width of the shared input embedding of observation, action and reward."""
    layers: int = 2
    """Transformer blocks (ignored by the GRU)."""
    heads: int = 2
    """Attention heads per block (transformer only; must divide ``hidden``)."""
    co_player_id: bool = False
    """Also embed the co-player's log-policy (the opponent-ID ablation)."""
    max_rounds: int = 100
    """Longest episode the transformer's position embedding covers (ignored by the GRU)."""

    def __post_init__(self) -> None:
        check_fields(self, "policy.")
        if self.arch not in ("gru", "transformer"):
            raise ValueError(f"arch must be 'gru' or 'transformer'; got {self.arch!r}")
        for name in ("hidden", "embed", "layers", "heads", "max_rounds"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"policy {name} must be a positive int; got {value!r}")
        if self.arch == "transformer" and self.hidden % self.heads:
            raise ValueError(
                f"policy heads must divide hidden for the transformer; got hidden={self.hidden}, "
                f"heads={self.heads}"
            )


def feature_table(game: MatrixGame) -> torch.Tensor:
    """``(10, 8)`` features per input index ``seat * 5 + code``.

    Columns: one-hot of the code (5), previous own action one-hot (2; zeros at START), previous
    reward of that seat (1).
    """
    table = np.zeros((2, NUM_OBSERVATIONS, FEATURES), dtype=np.float32)
    for seat in (0, 1):
        for code in range(NUM_OBSERVATIONS):
            table[seat, code, code] = 1.0
            if code:
                table[seat, code, NUM_OBSERVATIONS + (code - 1) // 2] = 1.0
            table[seat, code, -1] = game.reward_table(seat)[code]
    return torch.from_numpy(table.reshape(2 * NUM_OBSERVATIONS, FEATURES))


class ActorCritic(nn.Module):
    """Shared input embedding and heads; subclasses supply the sequence model.

    Args:
        config: Network shape.
        game: The game (its payoffs give the previous-reward feature).
    """

    def __init__(self, config: PolicyConfig, game: MatrixGame) -> None:
        super().__init__()
        self.config = config
        self.game = game
        self.register_buffer("features", feature_table(game), persistent=False)
        self.obs_embed = nn.Linear(NUM_OBSERVATIONS, config.embed)
        self.action_embed = nn.Linear(2, config.embed)
        self.reward_embed = nn.Linear(1, config.embed)
        self.id_embed = nn.Linear(CO_PLAYER_ID_DIM, config.embed) if config.co_player_id else None
        self.policy_head = nn.Linear(config.hidden, 2)
        self.value_head = nn.Linear(config.hidden, 1)
        # A near-uniform first policy (common practice for policy-gradient agents).
        nn.init.orthogonal_(self.policy_head.weight, gain=0.01)
        nn.init.zeros_(self.policy_head.bias)

    def input_table(self) -> torch.Tensor:
        """``(10, embed)`` embedding of each input index (the three linear layers, summed)."""
        f = self.features
        return (
            self.obs_embed(f[:, :NUM_OBSERVATIONS])
            + self.action_embed(f[:, NUM_OBSERVATIONS : NUM_OBSERVATIONS + 2])
            + self.reward_embed(f[:, -1:])
        )

    def embed(self, index: torch.Tensor, ids: torch.Tensor | None) -> torch.Tensor:
        """Embed ``(T, B)`` input indices (plus the ``(B, 10)`` ID vectors) to ``(T, B, E)``."""
        x = self.input_table()[index]
        if self.id_embed is not None:
            if ids is None:
                raise ValueError("this policy embeds co-player IDs (co_player_id=True); got none")
            x = x + self.id_embed(ids)
        return x

    def heads(self, out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits ``(..., 2)`` and values ``(...)`` from sequence-model outputs."""
        out = nn.functional.silu(out)
        return self.policy_head(out), self.value_head(out).squeeze(-1)

    def forward(
        self, index: torch.Tensor, ids: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Replay whole episodes from their start.

        Args:
            index: ``(T, B)`` int64 input indices ``seat * 5 + code``.
            ids: ``(B, 10)`` co-player log-policies (ID ablation only).

        Returns:
            ``(logits (T, B, 2), values (T, B))``.
        """
        raise NotImplementedError

    def stepper(self, batch_size: int, ids: torch.Tensor | None = None) -> Stepper:
        """A no-grad, round-by-round actor for ``batch_size`` new episodes."""
        raise NotImplementedError


class Stepper:
    """Acts round by round for a batch of episodes (no gradients); made by ``policy.stepper``."""

    def logits(self, index: torch.Tensor) -> torch.Tensor:
        """``(B, 2)`` logits for this round's ``(B,)`` input indices; advances the state."""
        raise NotImplementedError


class GRUActorCritic(ActorCritic):
    """The paper's agent: embeddings -> GRU -> swish -> linear policy and value heads."""

    def __init__(self, config: PolicyConfig, game: MatrixGame) -> None:
        super().__init__(config, game)
        self.gru = nn.GRU(config.embed, config.hidden)

    def forward(
        self, index: torch.Tensor, ids: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Replay whole episodes; see :meth:`ActorCritic.forward`."""
        out, _ = self.gru(self.embed(index, ids))
        return self.heads(out)

    def stepper(self, batch_size: int, ids: torch.Tensor | None = None) -> GRUStepper:
        """A round-by-round actor (weights fused once per call)."""
        return GRUStepper(self, batch_size, ids)


class GRUStepper(Stepper):
    """One ``gru_cell`` per round on pre-embedded inputs."""

    def __init__(self, policy: GRUActorCritic, batch_size: int, ids: torch.Tensor | None) -> None:
        if policy.id_embed is not None and ids is None:
            raise ValueError("this policy embeds co-player IDs (co_player_id=True); got none")
        with torch.no_grad():
            self.table = policy.input_table()
            self.bias = policy.id_embed(ids) if policy.id_embed is not None else None
        gru = policy.gru
        self.weights = (gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0)
        self.head = policy.policy_head
        self.h = torch.zeros(batch_size, policy.config.hidden)

    @torch.inference_mode()
    def logits(self, index: torch.Tensor) -> torch.Tensor:
        """``(B, 2)`` logits of this round; advances the hidden state."""
        x = self.table.index_select(0, index)  # the same rows as table[index], cheaper
        if self.bias is not None:
            x = x + self.bias
        self.h = torch.gru_cell(x, self.h, *self.weights)
        return self.head(nn.functional.silu(self.h))


class TransformerActorCritic(ActorCritic):
    """A small pre-LN causal transformer over the rounds of the episode so far.

    Each round is one token (the same embedding as the GRU's input), plus a learned position
    embedding of the round (so, unlike the paper's GRU, it is told the time).
    """

    def __init__(self, config: PolicyConfig, game: MatrixGame) -> None:
        super().__init__(config, game)
        d = config.hidden
        self.project = nn.Linear(config.embed, d)
        self.position = nn.Embedding(config.max_rounds, d)
        self.blocks = nn.ModuleList(_Block(d, config.heads) for _ in range(config.layers))
        self.norm = nn.LayerNorm(d)

    def forward(
        self, index: torch.Tensor, ids: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Replay whole episodes with a causal mask; see :meth:`ActorCritic.forward`."""
        steps = index.shape[0]
        if steps > self.config.max_rounds:
            raise ValueError(
                f"episode of {steps} rounds is longer than the transformer's max_rounds="
                f"{self.config.max_rounds}"
            )
        x = self.project(self.embed(index, ids)).transpose(0, 1)  # (B, T, d)
        x = x + self.position.weight[:steps]
        for block in self.blocks:
            x = block(x)
        return self.heads(self.norm(x).transpose(0, 1))

    def stepper(self, batch_size: int, ids: torch.Tensor | None = None) -> TransformerStepper:
        """A round-by-round actor with a key/value cache."""
        return TransformerStepper(self, batch_size, ids)


class _Block(nn.Module):
    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def _split(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        b, t, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(d, dim=-1)
        shape = (b, t, self.heads, d // self.heads)
        return (z.view(shape).transpose(1, 2) for z in (q, k, v))  # (B, heads, T, d_head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self._split(x)
        att = nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.out(att.transpose(1, 2).reshape(x.shape))
        return x + self.mlp(self.norm2(x))

    def step(self, x: torch.Tensor, cache: list[torch.Tensor], t: int) -> torch.Tensor:
        """Token ``t`` of each sequence, ``(B, 1, d)``, attending to the cached keys/values.

        ``cache`` holds ``[keys, values]``, each ``(B, heads, max_rounds, d_head)``, allocated
        once per episode batch (extending them by concatenation each round copied the whole
        prefix: O(T^2) memory traffic, half the acting time at 100 rounds).
        """
        q, k, v = self._split(x)
        keys, values = cache
        keys[:, :, t : t + 1] = k
        values[:, :, t : t + 1] = v
        # One query per sequence: two batched matmuls beat the fused kernel here (measured).
        scores = torch.matmul(q * q.shape[-1] ** -0.5, keys[:, :, : t + 1].transpose(-1, -2))
        att = torch.matmul(scores.softmax(dim=-1), values[:, :, : t + 1])
        x = x + self.out(att.transpose(1, 2).reshape(x.shape))
        return x + self.mlp(self.norm2(x))


class TransformerStepper(Stepper):
    """Transformer acting with a key/value cache: one token per round."""

    def __init__(
        self, policy: TransformerActorCritic, batch_size: int, ids: torch.Tensor | None
    ) -> None:
        self.policy = policy
        if policy.id_embed is not None and ids is None:
            raise ValueError("this policy embeds co-player IDs (co_player_id=True); got none")
        with torch.no_grad():
            self.table = policy.project(policy.input_table())
            # project(e + z) = project(e) + W z: the ID part is a per-game bias.
            self.bias = None
            if policy.id_embed is not None:
                self.bias = policy.id_embed(ids) @ policy.project.weight.T
        config = policy.config
        shape = (batch_size, config.heads, config.max_rounds, config.hidden // config.heads)
        self.caches = [[torch.empty(shape), torch.empty(shape)] for _ in policy.blocks]
        self.t = 0

    @torch.inference_mode()
    def logits(self, index: torch.Tensor) -> torch.Tensor:
        """``(B, 2)`` logits of this round; extends the cache."""
        p = self.policy
        if self.t >= p.config.max_rounds:
            raise ValueError(f"episode is longer than max_rounds={p.config.max_rounds}")
        x = self.table[index]
        if self.bias is not None:
            x = x + self.bias
        x = (x + p.position.weight[self.t]).unsqueeze(1)
        for block, cache in zip(p.blocks, self.caches, strict=True):
            x = block.step(x, cache, self.t)
        self.t += 1
        logits, _ = p.heads(p.norm(x[:, 0]))
        return logits


def make_policy(config: PolicyConfig, game: MatrixGame) -> ActorCritic:
    """Build the policy network ``config`` describes for ``game``."""
    cls = GRUActorCritic if config.arch == "gru" else TransformerActorCritic
    return cls(config, game)


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def policy_config_dict(config: PolicyConfig) -> dict:
    """JSON-friendly form of a policy config."""
    return asdict(config)
