r"""The PPI sequence model: a GRU over per-round tokens, trained by next-token prediction.

An episode from one player's side is the token sequence

    [ID]  START  a_0 o_1 r_0  a_1 o_2 r_1  ...  a_{T-1} o_T r_{T-1}

with ``a_t`` the player's own action, ``o_{t+1}`` the observation it produced (the joint action,
own move first: code ``1 + 2 a_t + b_t``) and ``r_t`` the player's reward. Each token type has its
own input embedding into a shared ``embed``-dim space (observation and action: lookup tables;
reward: a linear map of the scalar; the optional co-player ID of the opponent-ID ablation: a
linear map of the 10-number log-policy, as an extra first token), and its own head on the GRU's
(swish) output, predicting the *next* token:

- after START or ``r_{t-1}``: the own action ``a_t`` (cross-entropy) — the policy prior p(a|h);
- after ``a_t``: the observation ``o_{t+1}``, i.e. the co-player's move (cross-entropy);
- after ``o_{t+1}``: the reward ``r_t`` (mean squared error).

Weis et al. (2026, §3) list the per-round tokens as (observation, reward, action); this module
orders them *action, observation, reward* inside a round so that an imagined rollout samples the
co-player's move once (from the observation head) and then predicts the reward that goes with it:
the model never has to feed a reward that disagrees with the sampled move. The token set, the
embeddings, the heads and the losses are the paper's.

The games beyond 2x2 use the same token sequence with the sizes taken from the game: the own
action is one of the game's ``num_actions`` and the observation one token of the game's
vocabulary (:mod:`baselines.ppi.tokens`); their episodes are :class:`GameEpisodes`.

For planning, :class:`SequenceModel` exposes a stepping interface over a batch of hidden states
(:meth:`~SequenceModel.start`, ``feed_*``, ``*_logits``, :meth:`~SequenceModel.reward`), which
:mod:`baselines.ppi.planner` drives; any object with the same methods can be planned with (the
tests plug in an exact model of a memory-one co-player).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TypeVar

import numpy as np
import torch
from torch import nn

from baselines.configs import check_fields, check_nonnegative, check_positive
from coop_envs.core import CO_PLAYER_ID_DIM, NUM_OBSERVATIONS, START

TOKENS_PER_ROUND = 3


@dataclass(frozen=True)
class ModelConfig:
    """Shape and loss weights of the sequence model (defaults: the paper's)."""

    hidden: int = 128
    """GRU hidden units."""
    embed: int = 32
    """Width of the shared token embedding."""
    co_player_id: bool = False
    """Prepend the co-player's log-policy as a first token (the opponent-ID ablation)."""
    action_weight: float = 1.0
    """Weight of the own-action cross-entropy (the policy prior)."""
    observation_weight: float = 1.0
    """Weight of the next-observation cross-entropy (the co-player model)."""
    reward_weight: float = 1.0
    """Weight of the reward mean squared error."""

    def __post_init__(self) -> None:
        check_fields(self, "model.")
        for name in ("hidden", "embed"):
            check_positive(getattr(self, name), f"model.{name}", integer=True)
        for name in ("action_weight", "observation_weight", "reward_weight"):
            check_nonnegative(getattr(self, name), f"model.{name}")


_Batch = TypeVar("_Batch", bound="_EpisodeBatch")


class _EpisodeBatch:
    """What both kinds of episode batches share: indexing, concatenation, saving."""

    own: np.ndarray

    def _check_shapes(self, names: tuple[str, ...]) -> tuple[int, ...]:
        """Raise unless ``own`` is ``(N, T)`` and each of ``names`` has its shape; the shape."""
        shape = np.shape(self.own)
        if len(shape) != 2:
            raise ValueError(f"own actions must be (episodes, rounds); got shape {shape}")
        for name in names:
            if np.shape(getattr(self, name)) != shape:
                raise ValueError(
                    f"{name} must have the shape of own actions {shape}; "
                    f"got {np.shape(getattr(self, name))}"
                )
        return shape

    def __len__(self) -> int:
        return len(self.own)

    def __getitem__(self: _Batch, index: np.ndarray | slice) -> _Batch:
        return type(self)(*(getattr(self, k)[index] for k in self._fields()))

    @classmethod
    def concatenate(cls: type[_Batch], parts: list[_Batch]) -> _Batch:
        """One batch from several."""
        return cls(*(np.concatenate([getattr(p, k) for p in parts]) for k in cls._fields()))

    @classmethod
    def _fields(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def to_dict(self) -> dict[str, np.ndarray]:
        """Arrays by field name (for ``np.savez``)."""
        return {k: getattr(self, k) for k in self._fields()}


@dataclass
class Episodes(_EpisodeBatch):
    """A batch of episodes of a matrix game from one player's side (numpy, as stored).

    Attributes:
        own: ``(N, T) int8`` the player's actions.
        other: ``(N, T) int8`` the co-player's actions.
        rewards: ``(N, T) float32`` the player's rewards.
        ids: ``(N, 10) float32`` the co-player's log-policy (zeros when it has none).
    """

    own: np.ndarray
    other: np.ndarray
    rewards: np.ndarray
    ids: np.ndarray

    def __post_init__(self) -> None:
        shape = self._check_shapes(("other", "rewards"))
        if np.shape(self.ids) != (shape[0], CO_PLAYER_ID_DIM):
            raise ValueError(
                f"ids must have shape ({shape[0]}, {CO_PLAYER_ID_DIM}); got {np.shape(self.ids)}"
            )

    @property
    def codes(self) -> np.ndarray:
        """``(N, T) int64`` the observation each round produced: ``1 + 2 * own + other``."""
        return 1 + 2 * self.own.astype(np.int64) + self.other.astype(np.int64)


@dataclass
class GameEpisodes(_EpisodeBatch):
    """A batch of episodes of a game beyond 2x2 from one player's side (numpy, as stored).

    Attributes:
        own: ``(N, T) int8`` the player's actions.
        codes: ``(N, T) int64`` the observation token each round produced
            (:mod:`baselines.ppi.tokens`).
        rewards: ``(N, T) float32`` the player's rewards.
    """

    own: np.ndarray
    codes: np.ndarray
    rewards: np.ndarray

    ids = None
    """No co-player IDs: the opponent-ID ablation is the matrix games' only."""

    def __post_init__(self) -> None:
        self._check_shapes(("codes", "rewards"))


class SequenceModel(nn.Module):
    """GRU world model and policy prior over the token sequence (see the module docstring).

    Args:
        config: Widths, the ID ablation, loss weights.
        num_observations: Observation vocabulary, START included (the matrix games' 5 by
            default; a game beyond 2x2: :attr:`~baselines.ppi.tokens.PublicGoodsTokens.size`).
        num_actions: Own actions (the matrix games' 2 by default).

    Raises:
        ValueError: For a vocabulary below 2 tokens or fewer than 2 actions.
    """

    def __init__(
        self, config: ModelConfig, num_observations: int = NUM_OBSERVATIONS, num_actions: int = 2
    ) -> None:
        super().__init__()
        for value, name in ((num_observations, "num_observations"), (num_actions, "num_actions")):
            if isinstance(value, bool) or not isinstance(value, int) or value < 2:
                raise ValueError(f"{name} must be an integer >= 2; got {value!r}")
        self.config = config
        self.num_observations = num_observations
        self.num_actions = num_actions
        e, h = config.embed, config.hidden
        self.obs_embed = nn.Embedding(num_observations, e)
        self.action_embed = nn.Embedding(num_actions, e)
        self.reward_embed = nn.Linear(1, e)
        self.id_embed = nn.Linear(CO_PLAYER_ID_DIM, e) if config.co_player_id else None
        self.gru = nn.GRU(e, h)
        self.action_head = nn.Linear(h, num_actions)
        self.obs_head = nn.Linear(h, num_observations)
        self.reward_head = nn.Linear(h, 1)

    # ----------------------------------------------------------------- training (whole episodes)
    def embed_episodes(
        self,
        own: torch.Tensor,
        obs: torch.Tensor,
        rewards: torch.Tensor,
        ids: torch.Tensor | None,
    ) -> torch.Tensor:
        """``(L, B, E)`` input embeddings of ``(B, T)`` episodes (see the module docstring).

        ``obs`` are the observation tokens each round produced (the matrix games' joint-action
        codes).
        """
        batch, rounds = own.shape
        per_round = torch.stack(
            [
                self.action_embed(own),
                self.obs_embed(obs),
                self.reward_embed(rewards.unsqueeze(-1)),
            ],
            dim=2,
        )  # (B, T, 3, E)
        tokens = [self.obs_embed(torch.full((batch, 1), START, dtype=torch.long))]
        if self.id_embed is not None:
            if ids is None:
                raise ValueError("this model embeds co-player IDs (co_player_id=True); got none")
            tokens.insert(0, self.id_embed(ids).unsqueeze(1))
        tokens.append(per_round.reshape(batch, rounds * TOKENS_PER_ROUND, -1))
        return torch.cat(tokens, dim=1).transpose(0, 1)

    def losses(
        self, episodes: Episodes | GameEpisodes, reduce: bool = True
    ) -> dict[str, torch.Tensor]:
        """Next-token prediction losses of a batch; ``"loss"`` is their weighted sum.

        Args:
            episodes: The batch (its actions and tokens within the model's sizes).
            reduce: Average over rounds and episodes; ``False`` gives ``(T, B)`` per-token
                losses (and no total).

        Returns:
            ``{"loss", "action", "observation", "reward"}``: the total and the per-token-type
            cross-entropies (nats) and squared error.
        """
        own = torch.from_numpy(np.asarray(episodes.own, dtype=np.int64))
        codes = torch.from_numpy(np.asarray(episodes.codes, dtype=np.int64))
        rewards = torch.from_numpy(np.asarray(episodes.rewards, dtype=np.float32))
        ids = None
        if episodes.ids is not None:
            ids = torch.from_numpy(np.asarray(episodes.ids, dtype=np.float32))
        out, _ = self.gru(self.embed_episodes(own, codes, rewards, ids))
        out = nn.functional.silu(out)  # (L, B, H)
        first = 1 if self.id_embed is not None else 0  # position of START
        rounds = own.shape[1]
        at_action = first + 1 + TOKENS_PER_ROUND * torch.arange(rounds)  # a_t positions
        before_action = torch.cat([torch.tensor([first]), at_action[1:] - 1])  # START, r_{t-1}
        action_logits = self.action_head(out[before_action])  # (T, B, A)
        obs_logits = self.obs_head(out[at_action])  # (T, B, V)
        reward_pred = self.reward_head(out[at_action + 1]).squeeze(-1)  # (T, B)
        action = nn.functional.cross_entropy(
            action_logits.reshape(-1, self.num_actions), own.T.reshape(-1), reduction="none"
        ).view(rounds, -1)
        observation = nn.functional.cross_entropy(
            obs_logits.reshape(-1, self.num_observations),
            codes.T.reshape(-1),
            reduction="none",
        ).view(rounds, -1)
        reward = (reward_pred - rewards.T) ** 2
        if not reduce:
            return {"action": action, "observation": observation, "reward": reward}
        action, observation, reward = action.mean(), observation.mean(), reward.mean()
        c = self.config
        total = (
            c.action_weight * action + c.observation_weight * observation + c.reward_weight * reward
        )
        return {"loss": total, "action": action, "observation": observation, "reward": reward}

    # ------------------------------------------------------------- stepping (acting and planning)
    def _cell(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        g = self.gru
        return torch.gru_cell(x, h, g.weight_ih_l0, g.weight_hh_l0, g.bias_ih_l0, g.bias_hh_l0)

    @torch.no_grad()
    def start(self, batch_size: int, ids: torch.Tensor | None = None) -> torch.Tensor:
        """``(B, H)`` states of new episodes: [ID and] START read."""
        h = torch.zeros(batch_size, self.config.hidden)
        if self.id_embed is not None:
            if ids is None:
                raise ValueError("this model embeds co-player IDs (co_player_id=True); got none")
            h = self._cell(self.id_embed(ids), h)
        start = self.obs_embed.weight[START].expand(batch_size, -1)
        return self._cell(start, h)

    def _step(self, gi: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """One GRU cell from precomputed input gates ``gi``.

        The same as ``torch.gru_cell`` without its input projection: tokens come from small
        vocabularies (and the reward's gates are affine in it), so the projection is a lookup.
        """
        g, n = self.gru, self.config.hidden
        gh = torch.addmm(g.bias_hh_l0, h, g.weight_hh_l0.T)
        rz = torch.sigmoid(gi[:, : 2 * n] + gh[:, : 2 * n])
        new = torch.tanh(torch.addcmul(gi[:, 2 * n :], rz[:, :n], gh[:, 2 * n :]))
        return torch.lerp(new, h, rz[:, n:])

    def _gates(self, embedding: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.gru.bias_ih_l0, embedding, self.gru.weight_ih_l0.T)

    @torch.no_grad()
    def feed_action(self, h: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """Read the own actions ``(B,)``."""
        return self._step(self._gates(self.action_embed.weight)[actions], h)

    @torch.no_grad()
    def feed_observation(self, h: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """Read the observation codes ``(B,)``."""
        return self._step(self._gates(self.obs_embed.weight)[codes], h)

    @torch.no_grad()
    def feed_reward(self, h: torch.Tensor, rewards: torch.Tensor) -> torch.Tensor:
        """Read the rewards ``(B,)`` (the input gates are affine in the reward)."""
        slope = self.reward_embed.weight[:, 0] @ self.gru.weight_ih_l0.T  # (3H,)
        offset = self._gates(self.reward_embed.bias[None])  # (1, 3H)
        return self._step(torch.addmm(offset, rewards[:, None], slope[None]), h)

    @torch.no_grad()
    def action_logits(self, h: torch.Tensor) -> torch.Tensor:
        """``(B, A)`` policy-prior logits (after START or a reward)."""
        return self.action_head(nn.functional.silu(h))

    @torch.no_grad()
    def observation_logits(self, h: torch.Tensor) -> torch.Tensor:
        """``(B, V)`` next-observation logits (after an action)."""
        return self.obs_head(nn.functional.silu(h))

    @torch.no_grad()
    def reward(self, h: torch.Tensor) -> torch.Tensor:
        """``(B,)`` predicted reward (after an observation)."""
        return self.reward_head(nn.functional.silu(h)).squeeze(-1)

    @staticmethod
    def repeat(h: torch.Tensor, times: int) -> torch.Tensor:
        """Each state ``times`` times in a row: ``(B * times, H)``."""
        return h.repeat_interleave(times, dim=0)


def model_config_dict(config: ModelConfig) -> dict:
    """JSON-friendly form."""
    return asdict(config)
