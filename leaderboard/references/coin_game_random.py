"""A reference entry of the coin_game suite, ``coin_game_random``.

A uniformly random move each round.
Submitted by ``coop-leaderboard seed-references --game coin_game``.
"""

from leaderboard.game_suites import reference_agent


def make_agent():
    """The entry point the leaderboard calls."""
    return reference_agent("coin_game", "random")
