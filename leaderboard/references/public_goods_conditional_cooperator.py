"""A reference entry of the public_goods suite, ``public_goods_conditional_cooperator``.

Contributes first, then iff a majority of the others contributed last round.
Submitted by ``coop-leaderboard seed-references --game public_goods``.
"""

from leaderboard.game_suites import reference_agent


def make_agent():
    """The entry point the leaderboard calls."""
    return reference_agent("public_goods", "conditional_cooperator")
