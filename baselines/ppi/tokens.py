r"""Observation tokens of the games beyond 2x2: one discrete index per round, sized by the game.

PPI's sequence model reads and predicts the observation a round produced as one token of a
small vocabulary (the matrix games: the joint-action code, 5 values with START). For a game of
the general contract (:class:`~coop_envs.core.contract.BatchedGame`) :func:`observation_tokens`
builds the vocabulary from the game's spec, and :meth:`PublicGoodsTokens.encode` turns the
game's own per-player observations — what an agent sees from its seat — into token indices.

Public goods (:class:`~coop_envs.core.public_goods.PublicGoodsGame`, N players, A = 2 or 4
actions), token 0 is START (before the first round), and a played round is

- ``observation="summary"``: own action ``a`` x others who punish ``p`` x others who keep ``k``,
  ``1 + a N P + p N + k`` with ``P = N`` with punishment (else 1, ``p = 0``): ``1 + A N P``
  tokens in all (9 for N = 4 without punishment, 65 with);
- ``observation="full"``: every seat's action from one's own, base A, own seat first:
  ``1 + a_0 A^{N-1} + a_1 A^{N-2} + ... + a_{N-1}``: ``1 + A^N`` tokens (17 and 257 for N = 4).

Others are counted by *keeping* and *punishing* (the action's bits), so with N = 2 both layouts
give the matrix games' code ``1 + 2 a + b`` (own move first). The round's reward is a function of
the observation (:meth:`~coop_envs.core.public_goods.PublicGoodsSpec.reward`): an agent reads
its previous reward off what it sees, as the game pays it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coop_envs.core.public_goods import PublicGoodsSpec

START_TOKEN = 0
"""The token before the first round (the matrix games' ``START``)."""
MAX_VOCABULARY = 4097
"""The largest observation vocabulary accepted (``full`` with N = 12 and two actions):
beyond it the one-token observation head is no longer small; play the ``summary`` layout."""


class PublicGoodsTokens:
    """The observation tokens of one public goods game (layouts in the module docstring).

    Args:
        spec: The game's spec (:attr:`PublicGoodsGame.spec`).

    Raises:
        TypeError: If ``spec`` is not a public goods spec.
        ValueError: If the vocabulary would exceed :data:`MAX_VOCABULARY`.
    """

    def __init__(self, spec: PublicGoodsSpec) -> None:
        if not isinstance(spec, PublicGoodsSpec):
            raise TypeError(f"PublicGoodsTokens needs a PublicGoodsSpec; got {type(spec).__name__}")
        self.spec = spec
        self.num_players = n = spec.num_players
        self.num_actions = a = spec.num_actions
        self.layout = spec.layout
        self.punishment = spec.punishment
        per_round = a * n * (n if spec.punishment else 1) if self.layout == "summary" else a**n
        self.size = 1 + per_round
        """Vocabulary size, START included."""
        if self.size > MAX_VOCABULARY:
            raise ValueError(
                f"public goods with N = {n}, {a} actions and observation={self.layout!r} has "
                f"{self.size:,} observation tokens; PPI accepts at most {MAX_VOCABULARY:,} "
                "(play observation='summary', whose vocabulary grows as N^2)"
            )
        self.observation_size = spec.observation_shape[0]

    @property
    def key(self) -> dict[str, Any]:
        """What fixes the vocabulary (kept in agent files, compared when they are loaded)."""
        return {
            "game": self.spec.name,
            "num_players": self.num_players,
            "num_actions": self.num_actions,
            "layout": self.layout,
            "size": self.size,
        }

    def from_joint(self, joint: np.ndarray, seat: int) -> np.ndarray:
        """``(...,)`` int64 tokens of played rounds from ``seat``'s side.

        Args:
            joint: ``(..., N)`` integer joint actions (column ``p``: player ``p``).
            seat: The observer.
        """
        joint = np.asarray(joint).astype(np.int64)
        own = joint[..., seat]
        n, a = self.num_players, self.num_actions
        if self.layout == "full":
            rotated = np.roll(joint, -seat, axis=-1)
            return 1 + rotated @ (a ** np.arange(n - 1, -1, -1, dtype=np.int64))
        keepers = (joint & 1).sum(axis=-1) - (own & 1)
        if not self.punishment:
            return 1 + own * n + keepers
        punishers = (joint >> 1).sum(axis=-1) - (own >> 1)
        return 1 + own * n * n + punishers * n + keepers

    def encode(self, obs: np.ndarray) -> np.ndarray:
        """``(B,)`` int64 tokens of ``(B, D)`` observations of the game (START is 0).

        Raises:
            ValueError: If ``obs`` is not ``(B, D)`` with the game's D, or holds a value that no
                observation of this layout has (the message names the first such row).
        """
        obs = np.asarray(obs, dtype=np.float32)
        if obs.ndim != 2 or obs.shape[1] != self.observation_size:
            raise ValueError(
                f"{self.layout} observations of public goods with N = {self.num_players} must "
                f"have shape (B, {self.observation_size}); got {obs.shape}"
            )
        n, a = self.num_players, self.num_actions
        others = n - 1
        if self.layout == "full":
            flags = obs[:, 1 : 1 + (2 if self.punishment else 1) * n]
        else:  # the shares of others, scaled to counts
            flags = obs[:, 1:].copy()
            flags[:, 1::2] *= others
        whole = np.rint(flags)
        off = (np.abs(flags - whole) > 1e-3).any(axis=1) | (obs < -1e-4).any(axis=1)
        off |= (obs > 1 + 1e-4).any(axis=1) | np.isnan(obs).any(axis=1)
        if off.any():
            row = int(np.flatnonzero(off)[0])
            raise ValueError(
                f"not {self.layout} observations of public goods with N = {n}: entries must be "
                f"0/1 flags and shares of the {others} others in [0, 1] (multiples of "
                f"1/{others}); got row {row}: {obs[row].tolist()}"
            )
        whole = whole.astype(np.int64)
        if self.layout == "full":
            # an action is its keep bit + 2 x its punish bit; the observation holds "contributed"
            actions = 1 - whole[:, :n]
            if self.punishment:
                actions = actions + 2 * whole[:, n:]
            codes = 1 + actions @ (a ** np.arange(n - 1, -1, -1, dtype=np.int64))
        else:
            own, keepers = 1 - whole[:, 0], others - whole[:, 1]
            if self.punishment:
                own = own + 2 * whole[:, 2]
                codes = 1 + own * n * n + whole[:, 3] * n + keepers
            else:
                codes = 1 + own * n + keepers
        start = obs[:, 0] > 0.5
        return np.where(start, START_TOKEN, codes)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """``(B, D) float32`` the observations of ``(B,)`` tokens (the inverse of :meth:`encode`).

        Raises:
            ValueError: For a token outside ``0 .. size - 1``.
        """
        codes = np.asarray(codes).astype(np.int64)
        if codes.size and (codes.min() < 0 or codes.max() >= self.size):
            raise ValueError(f"tokens must be in 0..{self.size - 1}; got {codes.tolist()}")
        n, a = self.num_players, self.num_actions
        out = np.zeros((len(codes), self.observation_size), dtype=np.float32)
        start = codes == START_TOKEN
        c = np.maximum(codes - 1, 0)
        if self.layout == "full":
            actions = (c[:, None] // a ** np.arange(n - 1, -1, -1)) % a  # (B, N), own seat first
            out[:, 1 : 1 + n] = (actions & 1) == 0
            if self.punishment:
                out[:, 1 + n : 1 + 2 * n] = (actions >> 1) == 1
        else:
            p_size = n if self.punishment else 1
            own, rest = c // (n * p_size), c % (n * p_size)
            punishers, keepers = rest // n, rest % n
            out[:, 1] = (own & 1) == 0
            out[:, 2] = (n - 1 - keepers) / (n - 1)
            if self.punishment:
                out[:, 3] = own >> 1
                out[:, 4] = punishers / (n - 1)
        out[start] = 0.0
        out[start, 0] = 1.0
        return out

    def reward(self, obs: np.ndarray) -> np.ndarray:
        """``(B,) float32`` the observer's reward in the round ``obs`` shows (0 at the start)."""
        return self.spec.reward(obs).astype(np.float32)


def observation_tokens(spec: Any) -> PublicGoodsTokens:
    """The observation tokens of the game ``spec`` describes.

    Raises:
        ValueError: For a game PPI does not tokenise (the message names the games it does).
    """
    if isinstance(spec, PublicGoodsSpec):
        return PublicGoodsTokens(spec)
    name = getattr(spec, "name", type(spec).__name__)
    raise ValueError(
        f"PPI tokenises the observations of public_goods (and the 2x2 matrix games); got {name!r}"
    )
