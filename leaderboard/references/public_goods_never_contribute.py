"""A reference entry of the public_goods suite, ``public_goods_never_contribute``.

Never contributes (free-rides).
Submitted by ``coop-leaderboard seed-references --game public_goods``.
"""

from leaderboard.game_suites import reference_agent


def make_agent():
    """The entry point the leaderboard calls."""
    return reference_agent("public_goods", "never_contribute")
