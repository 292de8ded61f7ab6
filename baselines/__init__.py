"""Trainers for recurrent in-context agents (arrives with the baselines issue)."""
