"""Deliberation and its outcomes. ``drafting``: recommendations, their
versions, plenary feedback and amendments. ``ballots``: the assembly's voting
rule, ballots, secret electronic votes, paper counts and closed results.
``record``: minority statements, minutes and the government's responses.
``reporting``: the griffie's progress reports per weekend."""

from recommendations.models.ballots import (
    Ballot,
    BallotOption,
    BallotResult,
    ElectronicVote,
    PaperCount,
    VoterMark,
    VotingRule,
)
from recommendations.models.drafting import (
    Amendment,
    PlenaryFeedback,
    Recommendation,
    RecommendationVersion,
)
from recommendations.models.record import GovernmentResponse, MinorityStatement, Minutes
from recommendations.models.reporting import ProgressReport

__all__ = [
    "Amendment",
    "Ballot",
    "BallotOption",
    "BallotResult",
    "ElectronicVote",
    "GovernmentResponse",
    "MinorityStatement",
    "Minutes",
    "PaperCount",
    "PlenaryFeedback",
    "ProgressReport",
    "Recommendation",
    "RecommendationVersion",
    "VoterMark",
    "VotingRule",
]
