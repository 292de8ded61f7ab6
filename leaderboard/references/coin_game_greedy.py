"""A reference entry of the coin_game suite, ``coin_game_greedy``.

Heads for the nearest coin of either colour.
Submitted by ``coop-leaderboard seed-references --game coin_game``.
"""

from leaderboard.game_suites import reference_agent


def make_agent():
    """The entry point the leaderboard calls."""
    return reference_agent("coin_game", "coin_greedy")
