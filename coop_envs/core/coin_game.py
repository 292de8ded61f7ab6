r"""The Coin Game: two players collect red and blue coins on a small toroidal grid, B games at once.

The game of Lerer & Peysakhovich (2017), made popular by LOLA (Foerster et al., 2018) and ported to
JAX by pax and JaxMARL (``jaxmarl/environments/coin_game/coin_game.py``), written here once for a
batch of B games in NumPy. :class:`CoinGame` implements
:class:`~coop_envs.core.contract.BatchedGame`; :func:`coin_grid` holds the grid's lookup tables
(moves, torus distances, re-centring), which the scripted co-players of :mod:`co_players.coin_game`
share.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from coop_envs.core.contract import GameSpec, check_joint_actions, check_player
from coop_envs.core.validation import MAX_HISTORY_CELLS, check_batch, check_bool, check_int

RIGHT: int = 0
"""Move one column right (JaxMARL's action 0, ``(d_row, d_col) = (0, +1)``)."""
LEFT: int = 1
"""Move one column left (``(0, -1)``)."""
UP: int = 2
"""Move one row up (``(+1, 0)``; row 0 is the bottom row of :meth:`CoinGame.render_rgb`)."""
DOWN: int = 3
"""Move one row down (``(-1, 0)``)."""
STAY: int = 4
"""Stay in place (``(0, 0)``)."""
COIN_GAME_ACTIONS: tuple[str, ...] = ("RIGHT", "LEFT", "UP", "DOWN", "STAY")
MOVES: np.ndarray = np.array([[0, 1], [0, -1], [1, 0], [-1, 0], [0, 0]], dtype=np.int64)
"""``(5, 2)`` ``(d_row, d_col)`` of each action, in JaxMARL's and pax's order."""
MOVES.setflags(write=False)

OWN: int = 0
"""Observation channel of the observer's own position."""
OTHER: int = 1
"""Observation channel of the other player's position."""
OWN_COIN: int = 2
"""Observation channel of the observer's coin (red for player 0, blue for player 1)."""
OTHER_COIN: int = 3
"""Observation channel of the other player's coin."""
NUM_CHANNELS: int = 4

DEFAULT_COIN_GAME_ROUNDS: int = 16
"""Rounds per episode: pax's and JaxMARL's coin-game configs play 16 inner steps."""
DEFAULT_GRID_SIZE: int = 3
"""Grid side in every anchor (Lerer & Peysakhovich 2017; pax; JaxMARL)."""
MIN_GRID_SIZE: int = 2
"""Two players and two coins need four distinct cells at reset."""
MAX_GRID_SIZE: int = 16
OWN_COIN_REWARD: float = 1.0
"""Reward for picking up any coin."""
PENALTY: float = -2.0
"""Reward to a player whose coin the other picks up."""


@dataclass(frozen=True, eq=False)
class CoinGrid:
    """Lookup tables of a ``size x size`` torus; cell ``c`` is row ``c // size``, col ``c % size``.

    Attributes:
        size: G, the side of the grid.
        next_cell: ``(G*G, 5) int64``: the cell an action leads to from each cell (wrapping).
        distance: ``(G*G, G*G) int64``: shortest number of moves between two cells on the torus.
        centred: ``(G*G, G*G) int64``: ``centred[a, b]`` is cell ``b`` in a frame that moves
            cell ``a`` to the centre ``(G // 2, G // 2)`` (the egocentric view).
    """

    size: int
    next_cell: np.ndarray
    distance: np.ndarray
    centred: np.ndarray

    @property
    def num_cells(self) -> int:
        """G * G."""
        return self.size * self.size

    @property
    def centre(self) -> int:
        """The cell an egocentric observer sees itself in: ``(G // 2, G // 2)``."""
        return (self.size // 2) * self.size + self.size // 2


@lru_cache(maxsize=16)
def coin_grid(size: int) -> CoinGrid:
    """The lookup tables of a ``size x size`` torus (cached, read-only).

    Raises:
        TypeError: If ``size`` is not an int.
        ValueError: If it is outside ``MIN_GRID_SIZE .. MAX_GRID_SIZE``.

    Example:
        >>> grid = coin_grid(3)
        >>> int(grid.next_cell[2, RIGHT]), int(grid.next_cell[0, DOWN]), int(grid.distance[0, 8])
        (0, 6, 2)
    """
    size = check_int(size, "grid_size", MIN_GRID_SIZE, MAX_GRID_SIZE)
    rows, cols = np.divmod(np.arange(size * size), size)
    next_rows = (rows[:, None] + MOVES[:, 0]) % size
    next_cols = (cols[:, None] + MOVES[:, 1]) % size
    next_cell = next_rows * size + next_cols
    d_rows = np.abs(rows[:, None] - rows[None, :])
    d_cols = np.abs(cols[:, None] - cols[None, :])
    distance = np.minimum(d_rows, size - d_rows) + np.minimum(d_cols, size - d_cols)
    half = size // 2
    centred = ((rows[None, :] - rows[:, None] + half) % size) * size + (
        (cols[None, :] - cols[:, None] + half) % size
    )
    for table in (next_cell, distance, centred):
        table.setflags(write=False)
    return CoinGrid(size, next_cell, distance, centred)


def uniform_free_cells(
    rng: np.random.Generator, occupied: np.ndarray, num_cells: int
) -> np.ndarray:
    """One cell per row drawn uniformly among the cells that row does not list.

    Args:
        rng: The generator to draw from.
        occupied: ``(n, k) int64`` cells taken in each row (repeats allowed), ``k < num_cells``.
        num_cells: Cells of the grid.

    Returns:
        ``(n,) int64`` a free cell per row.

    Example:
        >>> cells = uniform_free_cells(np.random.default_rng(0), np.array([[0, 1, 1]] * 500), 4)
        >>> sorted(set(cells.tolist()))
        [2, 3]
    """
    taken = np.sort(occupied, axis=1)
    repeat = np.zeros(taken.shape, dtype=bool)
    repeat[:, 1:] = taken[:, 1:] == taken[:, :-1]
    taken[repeat] = num_cells  # a repeat is counted once: it becomes a cell past the grid
    taken.sort(axis=1)
    free = num_cells - (taken.shape[1] - repeat.sum(axis=1))
    cell = rng.integers(0, free)
    # the u-th free cell: step past each taken cell at or below it, in increasing order
    for j in range(taken.shape[1]):
        cell += cell >= taken[:, j]
    return cell


class CoinGame:
    r"""The Coin Game: B two-player games on a toroidal grid, stepped in lockstep.

    **Description.** Two players, red (player 0) and blue (player 1), move on a
    ``grid_size x grid_size`` grid whose edges wrap around (a torus). One red and one blue coin
    lie on the grid. A player who moves onto a coin picks it up; the coin then reappears on a
    free cell. Picking up any coin pays +1, but picking up the other player's colour costs that
    player 2, so greedy play by both pays 0 on average while collecting only one's own colour
    pays both: a sequential social dilemma (Lerer & Peysakhovich 2017; Foerster et al. 2018).

    **Actions.** ``Discrete(5)``, the order of pax and JaxMARL:

    ======  =======  ==============================
    action  name     move ``(d_row, d_col)``
    ======  =======  ==============================
    0       RIGHT    ``(0, +1)``
    1       LEFT     ``(0, -1)``
    2       UP       ``(+1, 0)``
    3       DOWN     ``(-1, 0)``
    4       STAY     ``(0, 0)``
    ======  =======  ==============================

    JaxMARL 0.2.0 and pax both have the STAY action (their ``MOVES`` table and ``Discrete(5)``);
    the original game had four moves. We keep STAY so that action indices and policies carry
    over from the anchors. Players may share a cell.

    **Observations.** ``(4 * G * G,) float32`` in ``{0, 1}`` (``flatten=True``, the default: 36
    numbers, what MLP and recurrent policies and SB3 take), or the grid ``(4, G, G)`` with
    ``flatten=False`` (the flat vector is this grid in C order). From the observer's own seat:
    each player sees itself as "own", as in JaxMARL, which swaps the channels for player 1.

    =======  ==========  ==========================================
    channel  constant    a single 1 at
    =======  ==========  ==========================================
    0        OWN         the observer's position
    1        OTHER       the other player's position
    2        OWN_COIN    the observer's coin (red for player 0)
    3        OTHER_COIN  the other player's coin
    =======  ==========  ==========================================

    With ``egocentric=True`` the grid is re-centred on the observer: it is always at
    ``(G // 2, G // 2)`` and every other object is shifted by the same offset, wrapping (JaxMARL's
    ``egocentric``). JaxMARL also flattens to 36 numbers unless ``cnn``, but lays the channels
    last; ours are channels-first, the PyTorch layout.

    **Rewards.** Per round, for player ``p``: +1 for each coin ``p`` picks up (either colour),
    and -2 if the other player picks up ``p``'s coin. Both players may step onto the same coin
    in the same round: both get +1 and the coin's owner also gets -2 (as in JaxMARL). One
    player's reward per round lies in ``[-2, 1]`` (coins never share a cell, so no one picks two).

    =========================  ===============  ===================
    this round                 red's reward     blue's reward
    =========================  ===============  ===================
    red picks the red coin     +1               0
    red picks the blue coin    +1               -2
    blue picks the blue coin   0                +1
    blue picks the red coin    -2               +1
    =========================  ===============  ===================

    (the rows add up when several happen at once).

    **Chance.** At :meth:`reset` the two players and two coins are put on four distinct cells,
    uniformly; a picked coin reappears uniformly on a cell that holds neither player nor the
    other coin. (JaxMARL and pax draw every position uniformly over all 9 cells, so their coins
    can start or reappear under a player or on the other coin; we respawn on free cells so that
    a coin is only ever picked up by a move and the observation never hides an object.) All
    chance is drawn from the generator given to :meth:`reset`.

    **Episode end.** Every game ends after ``num_rounds`` rounds (default 16, the anchors'
    inner episode); there is no other termination.

    **Cooperation measure.** :meth:`cooperation_rate` is the share of the coins a player picked
    up that were its own colour; a player that picked up no coin yet has rate 0 (a passive player
    is not counted as cooperating; :attr:`own_coins` and :attr:`other_coins` give the counts).

    Args:
        batch_size: B, the number of games played at once.
        num_rounds: T, rounds per game.
        grid_size: G, the side of the grid (2 .. 16).
        egocentric: Re-centre each observation on the observer.
        flatten: Observations as ``(4 * G * G,)`` vectors (else ``(4, G, G)`` grids).

    Attributes:
        spec: The :class:`~coop_envs.core.contract.GameSpec` (``"coin_game"``, 2 players,
            5 actions, observation ``(4 * G * G,)`` or ``(4, G, G)``).
        t: Rounds played so far.

    **Vectorised use.** One object steps all B games: state is a ``(4, B)`` array of cells, a
    step is a few table lookups over it, and respawns are drawn for the games that need one in
    a single call; there is no Python loop over games.

    **Version history.** v0: first version (JaxMARL's moves and rewards; coins reappear on free
    cells; 16 rounds).

    Example:
        >>> game = CoinGame(batch_size=1)
        >>> game.reset(np.random.default_rng(0))
        >>> game.set_positions([[0, 4, 1, 8]])  # red at (0, 0), blue at (1, 1), coins at 1 and 8
        >>> rewards, done = game.step([[RIGHT, STAY]])  # red steps onto its own coin
        >>> rewards.tolist(), game.own_coins.tolist(), done
        ([[1.0, 0.0]], [[1, 0]], False)
    """

    def __init__(
        self,
        batch_size: int = 1,
        num_rounds: int = DEFAULT_COIN_GAME_ROUNDS,
        grid_size: int = DEFAULT_GRID_SIZE,
        egocentric: bool = False,
        flatten: bool = True,
    ) -> None:
        self.batch_size, self.num_rounds = check_batch(batch_size, num_rounds)
        self.grid = coin_grid(grid_size)
        self.egocentric = check_bool(egocentric, "egocentric")
        self.flatten = check_bool(flatten, "flatten")
        size = self.grid.size
        cells = NUM_CHANNELS * self.grid.num_cells
        if self.batch_size * cells > MAX_HISTORY_CELLS:
            raise ValueError(
                f"batch_size x 4 x grid_size^2 = {self.batch_size:,} x {cells:,} observation "
                f"entries would be allocated per player; at most {MAX_HISTORY_CELLS:,} are accepted"
            )
        self.spec = GameSpec(
            name="coin_game",
            num_players=2,
            num_actions=len(COIN_GAME_ACTIONS),
            observation_shape=(cells,) if self.flatten else (NUM_CHANNELS, size, size),
            observation_low=0.0,
            observation_high=1.0,
            num_rounds=self.num_rounds,
            action_meanings=COIN_GAME_ACTIONS,
            reward_range=(PENALTY, OWN_COIN_REWARD),
        )
        self._next_flat = self.grid.next_cell.reshape(-1)
        # cells of [player 0, player 1, coin 0 (red), coin 1 (blue)], object-major
        self._cells = np.zeros((4, self.batch_size), dtype=np.int64)
        self._own = np.zeros((2, self.batch_size), dtype=np.int64)
        self._other = np.zeros((2, self.batch_size), dtype=np.int64)
        self._returns = np.zeros((2, self.batch_size), dtype=np.float64)
        # flat index of channel k of game b in a (B, 4, G*G) block: b * 4 * G*G + k * G*G
        self._offsets = (
            np.arange(NUM_CHANNELS)[:, None] * self.grid.num_cells
            + np.arange(self.batch_size)[None, :] * cells
        )
        self._rng = np.random.default_rng()
        self.t = 0
        self._started = False

    def __repr__(self) -> str:
        return (
            f"CoinGame(batch_size={self.batch_size}, num_rounds={self.num_rounds}, "
            f"grid_size={self.grid.size}, egocentric={self.egocentric})"
        )

    def reset(self, rng: np.random.Generator | None = None) -> None:
        """Start all B games: players and coins on four distinct cells, drawn from ``rng``.

        Args:
            rng: The generator every chance event of the episode is drawn from (kept until the
                next reset); None: a fresh unseeded one.

        Raises:
            TypeError: If ``rng`` is not a ``numpy.random.Generator``.
        """
        if rng is None:
            rng = np.random.default_rng()
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng must be a numpy.random.Generator (np.random.default_rng(seed)) or None; "
                f"got {type(rng).__name__}"
            )
        self._rng = rng
        cells, n = self._cells, self.grid.num_cells
        cells[0] = rng.integers(0, n, self.batch_size)
        for k in range(1, 4):
            cells[k] = uniform_free_cells(rng, cells[:k].T, n)
        self._own.fill(0)
        self._other.fill(0)
        self._returns.fill(0.0)
        self.t = 0
        self._started = True

    def step(self, actions: Any, validate: bool = True) -> tuple[np.ndarray, bool]:
        """Play one round in every game.

        Args:
            actions: ``(B, 2)`` integer actions in ``0..4``, column ``p`` for player ``p``.
            validate: Check the actions (shape, dtype, range); trainers may pass ``False``.

        Returns:
            ``(rewards, done)``: ``(B, 2) float32`` this round's rewards, and whether the games
            have now ended.

        Raises:
            ValueError: If :meth:`reset` was not called, the games already ended, or the actions
                have the wrong shape or an out-of-range value (the message names the first).
            TypeError: If the actions are not integers.
        """
        self._check_running()
        if validate:
            actions = check_joint_actions(actions, self.batch_size, self.spec)
        else:
            actions = np.asarray(actions)
        cells = self._cells
        num_actions = len(COIN_GAME_ACTIONS)
        red, blue = cells[2], cells[3]
        new = [np.take(self._next_flat, cells[p] * num_actions + actions[:, p]) for p in (0, 1)]
        red_by_0, blue_by_0 = new[0] == red, new[0] == blue
        red_by_1, blue_by_1 = new[1] == red, new[1] == blue
        rewards = np.empty((2, self.batch_size), dtype=np.float32)
        np.add(red_by_0, blue_by_0, out=rewards[0], dtype=np.float32)
        rewards[0] += PENALTY * red_by_1
        np.add(red_by_1, blue_by_1, out=rewards[1], dtype=np.float32)
        rewards[1] += PENALTY * blue_by_0
        self._own[0] += red_by_0
        self._other[0] += blue_by_0
        self._own[1] += blue_by_1
        self._other[1] += red_by_1
        self._returns += rewards
        cells[0], cells[1] = new
        # A picked coin reappears off both players and off the other coin; red first, then blue
        # avoiding red's new cell (if both were picked, blue's old cell holds a player anyway).
        for coin, picked in ((2, red_by_0 | red_by_1), (3, blue_by_0 | blue_by_1)):
            rows = np.flatnonzero(picked)
            if rows.size:
                others = cells[[0, 1, 5 - coin]][:, rows].T
                cells[coin, rows] = uniform_free_cells(self._rng, others, self.grid.num_cells)
        self.t += 1
        return rewards.T.copy(), self.t >= self.num_rounds

    def observation(self, player: int) -> np.ndarray:
        """What ``player`` sees now: see the class docstring's table.

        Args:
            player: 0 (red) or 1 (blue).

        Returns:
            ``(B, 4 * G * G) float32`` (``flatten``) or ``(B, 4, G, G) float32``, a new array.
        """
        player = check_player(player, 2)
        order = (0, 1, 2, 3) if player == 0 else (1, 0, 3, 2)
        cells = self._cells[list(order)]
        if self.egocentric:
            cells = self.grid.centred[cells[OWN], cells]
        size = self.grid.size
        out = np.zeros((self.batch_size, NUM_CHANNELS, size, size), dtype=np.float32)
        np.put(out, self._offsets + cells, 1.0)
        return out.reshape(self.batch_size, -1) if self.flatten else out

    @property
    def done(self) -> bool:
        """Whether all rounds have been played (all games end together)."""
        return self.t >= self.num_rounds

    @property
    def returns(self) -> np.ndarray:
        """``(B, 2) float64`` sum of each player's rewards so far."""
        return self._returns.T.copy()

    @property
    def own_coins(self) -> np.ndarray:
        """``(B, 2) int64`` coins of its own colour each player picked up so far."""
        return self._own.T.copy()

    @property
    def other_coins(self) -> np.ndarray:
        """``(B, 2) int64`` coins of the other's colour each player picked up so far."""
        return self._other.T.copy()

    @property
    def positions(self) -> np.ndarray:
        """``(B, 4) int64`` cells of player 0, player 1, coin 0 (red), coin 1 (blue).

        Cell ``c`` is row ``c // grid_size``, column ``c % grid_size`` (absolute, not re-centred).
        """
        return self._cells.T.copy()

    def cooperation_rate(self) -> np.ndarray:
        """Share of the coins each player picked up that were its own colour.

        Returns:
            ``(B, 2) float64`` in [0, 1]; 0 for a player that has picked up no coin.
        """
        picked = self._own + self._other
        rate = np.divide(self._own, picked, out=np.zeros(picked.shape), where=picked > 0)
        return rate.T

    def set_positions(self, positions: Any) -> None:
        """Place players and coins by hand (tests, demonstrations); call after :meth:`reset`.

        Args:
            positions: ``(B, 4)`` cells of player 0, player 1, coin 0, coin 1 in
                ``0 .. G*G - 1``. Players may share a cell; coins may not share one with each
                other or with a player.

        Raises:
            ValueError: If the shape or a cell is out of range, or a coin shares a cell.
            TypeError: If the cells are not integers.
        """
        self._check_running()
        cells = np.asarray(positions)
        shape = (self.batch_size, 4)
        if cells.shape != shape:
            raise ValueError(f"positions must have shape (B, 4) = {shape}; got {cells.shape}")
        if cells.dtype.kind not in "iu":
            raise TypeError(f"positions must be integer cells; got dtype {cells.dtype}")
        n = self.grid.num_cells
        if ((cells < 0) | (cells >= n)).any():
            raise ValueError(f"positions must be cells in 0..{n - 1}; got {cells.tolist()}")
        coins_clash = (cells[:, 2:] == cells[:, :1]) | (cells[:, 2:] == cells[:, 1:2])
        if coins_clash.any() or (cells[:, 2] == cells[:, 3]).any():
            raise ValueError(
                f"a coin may not share a cell with the other coin or a player; got {cells.tolist()}"
            )
        self._cells[:] = cells.T

    def render_text(self, row: int = 0, names: tuple[str, str] = ("player_0", "player_1")) -> str:
        """One game as text: the grid (top row first), the round and the totals.

        ``R``/``B`` are the red and blue players (``*`` both), ``r``/``b`` the coins.

        Example:
            >>> game = CoinGame()
            >>> game.reset(np.random.default_rng(0))
            >>> game.set_positions([[0, 4, 1, 8]])
            >>> print(game.render_text())
            coin_game, round 0/16
            . . b
            . B .
            R r .
            total  player_0 (red) 0  player_1 (blue) 0
        """
        b = self._check_row(row)
        size = self.grid.size
        symbols = np.full(self.grid.num_cells, ".", dtype="<U1")
        p0, p1, c0, c1 = (int(c) for c in self._cells[:, b])
        symbols[c0], symbols[c1] = "r", "b"
        symbols[p0], symbols[p1] = "R", "B"
        if p0 == p1:
            symbols[p0] = "*"
        grid = symbols.reshape(size, size)[::-1]
        lines = [f"coin_game, round {self.t}/{self.num_rounds}"]
        lines += [" ".join(line) for line in grid]
        totals = self._returns[:, b]
        lines.append(f"total  {names[0]} (red) {totals[0]:g}  {names[1]} (blue) {totals[1]:g}")
        return "\n".join(lines)

    def render_rgb(self, row: int = 0, cell: int = 16) -> np.ndarray:
        """One game as an image, row 0 at the bottom (so UP moves up).

        Args:
            row: Which game of the batch.
            cell: Pixels per grid cell (at least 8).

        Returns:
            ``(G * cell, G * cell, 3) uint8``: players as large squares, coins as small squares
            in a lighter shade of their colour, on a light grey board with white grid lines.
        """
        b = self._check_row(row)
        cell = check_int(cell, "cell", 8)
        size = self.grid.size
        image = np.full((size * cell, size * cell, 3), 230, dtype=np.uint8)
        image[::cell, :] = 255
        image[:, ::cell] = 255
        colours = ((200, 30, 30), (30, 60, 200), (245, 140, 140), (140, 170, 245))
        p0, p1 = (int(c) for c in self._cells[:2, b])
        for k, (inset, split) in enumerate(((2, 0), (2, 1), (cell // 3, 0), (cell // 3, 0))):
            r, c = divmod(int(self._cells[k, b]), size)
            top = (size - 1 - r) * cell + inset
            left, right = c * cell + inset, (c + 1) * cell - inset
            if p0 == p1 and k < 2:  # two players on one cell: left half red, right half blue
                middle = c * cell + cell // 2
                left, right = (left, middle) if split == 0 else (middle, right)
            image[top : (size - r) * cell - inset, left:right] = colours[k]
        return image

    def _check_running(self) -> None:
        if not self._started:
            raise ValueError("call reset() before step() or set_positions()")
        if self.t >= self.num_rounds:
            raise ValueError(
                f"all {self.num_rounds} rounds were played; call reset() before stepping again"
            )

    def _check_row(self, row: int) -> int:
        return check_int(row, f"row (a game in 0..{self.batch_size - 1})", 0, self.batch_size - 1)
