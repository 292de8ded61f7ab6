"""A reference entry of the coin_game suite, ``coin_game_own_coin``.

Heads for its own coin and never steps onto the other's.
Submitted by ``coop-leaderboard seed-references --game coin_game``.
"""

from leaderboard.game_suites import reference_agent


def make_agent():
    """The entry point the leaderboard calls."""
    return reference_agent("coin_game", "coin_own_coin")
