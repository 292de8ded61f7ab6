"""Leaderboard: scores submitted agents on cooperation and exploitability (to come)."""
