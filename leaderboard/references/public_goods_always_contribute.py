"""A reference entry of the public_goods suite, ``public_goods_always_contribute``.

Always contributes.
Submitted by ``coop-leaderboard seed-references --game public_goods``.
"""

from leaderboard.game_suites import reference_agent


def make_agent():
    """The entry point the leaderboard calls."""
    return reference_agent("public_goods", "always_contribute")
