"""``python -m co_players``: print the table of all registered co-players (Markdown)."""

from co_players.registry import markdown_table

print(markdown_table(), end="")
