"""The advisor's use-cases as plain Python: each takes a session and returns results."""
