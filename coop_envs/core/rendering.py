"""Text rendering of a game's history (the ``ansi`` render mode of every front end)."""

from __future__ import annotations

import numpy as np

from coop_envs.core.constants import ACTION_NAMES

_SYMBOLS = {-1: ".", 0: ACTION_NAMES[0], 1: ACTION_NAMES[1]}


def render_history(
    history: np.ndarray,
    t: int,
    returns: np.ndarray,
    game_name: str,
    names: tuple[str, str] = ("player_0", "player_1"),
    width: int = 50,
) -> str:
    """Render one game's moves so far as text.

    Args:
        history: ``(T, 2) int8`` moves of one game, -1 for rounds not yet played.
        t: Rounds played.
        returns: ``(2,)`` total rewards so far.
        game_name: Shown in the header.
        names: The players' names.
        width: Rounds per line.

    Returns:
        A multi-line string: a header, then the moves of both players in blocks of ``width``
        rounds (``C``, ``D``, ``.`` for unplayed), then the totals.

    Example:
        >>> h = np.array([[0, 1], [1, 1], [-1, -1]], dtype=np.int8)
        >>> print(render_history(h, 2, np.array([-1.0, 2.0]), "prisoners_dilemma"))
        prisoners_dilemma, round 2/3
        rounds 1-3
          player_0  CD.
          player_1  DD.
        total  player_0 -1  player_1 2
    """
    num_rounds = history.shape[0]
    label = max(len(n) for n in names)
    lines = [f"{game_name}, round {t}/{num_rounds}"]
    for start in range(0, num_rounds, width):
        stop = min(start + width, num_rounds)
        lines.append(f"rounds {start + 1}-{stop}")
        for p, name in enumerate(names):
            moves = "".join(_SYMBOLS[int(a)] for a in history[start:stop, p])
            lines.append(f"  {name:<{label}}  {moves}")
    lines.append("total  " + "  ".join(f"{n} {r:g}" for n, r in zip(names, returns, strict=True)))
    return "\n".join(lines)


# colours: cooperate green, defect red, not yet played light grey
_COLOURS = np.array([[46, 160, 67], [207, 34, 46], [222, 222, 222]], dtype=np.uint8)


def render_history_rgb(history: np.ndarray, cell: int = 6) -> np.ndarray:
    """Render one game's moves as an image: one row per player, one column per round.

    Args:
        history: ``(T, 2) int8`` moves, -1 for rounds not yet played.
        cell: Pixels per round and player.

    Returns:
        ``(2 * cell + 1, T * cell, 3) uint8``: green = cooperate, red = defect, grey = unplayed,
        with a one-pixel white line between the players.

    Example:
        >>> image = render_history_rgb(np.array([[0, 1], [-1, -1]], dtype=np.int8), cell=2)
        >>> image.shape, image.dtype.name, image[0, 0].tolist(), image[3, 0].tolist()
        ((5, 4, 3), 'uint8', [46, 160, 67], [207, 34, 46])
    """
    moves = np.where(history < 0, 2, history).astype(np.int64)  # (T, 2)
    rows = _COLOURS[moves.T]  # (2, T, 3)
    image = np.repeat(np.repeat(rows, cell, axis=0), cell, axis=1)  # (2 * cell, T * cell, 3)
    separator = np.full((1, image.shape[1], 3), 255, dtype=np.uint8)
    return np.concatenate([image[:cell], separator, image[cell:]], axis=0)
