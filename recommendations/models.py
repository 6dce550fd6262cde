"""Drafts, amendments, ballots, outcomes, minutes and the report to the Kamer."""
