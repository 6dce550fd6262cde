"""Drafting on real PostgreSQL, with writers meeting: many tables save a draft
at the same moment (each from a thread with its own connection, as the web
workers would) and every draft gets its own number; the chair's laptop and a
second device record a decision on one amendment at once, and it is decided
once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from recommendations.models import Amendment, Recommendation
from recommendations.models import RecommendationVersion as Version
from recommendations.services import drafting as services
from tests.conftest import Cast
from tests.recommendations.test_drafting import seated_table

WRITERS = 16


def test_drafts_saved_at_once_each_get_their_own_number(transactional_db: None, cast: Cast) -> None:
    table = seated_table(cast)

    def save(index: int) -> int:
        try:
            return services.recommendation_create(
                table=table, title=f"Voorstel {index}", text="Tekst.", actor=None
            ).number
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        numbers = list(pool.map(save, range(WRITERS)))
    assert sorted(numbers) == list(range(1, WRITERS + 1))
    assert Version.objects.filter(recommendation__assembly=cast.assembly).count() == WRITERS


def test_an_amendment_decided_from_two_places_at_once_is_decided_once(
    transactional_db: None, cast: Cast
) -> None:
    recommendation = services.recommendation_create(
        table=seated_table(cast), title="Les", text="Elke school.", actor=None
    )
    recommendation = services.recommendation_submit(recommendation=recommendation, actor=None)
    amendment = services.amendment_propose(
        recommendation=recommendation, proposed_text="Elke school en elk mbo.", actor=None
    )

    def decide(index: int) -> str:
        try:
            services.amendment_decide(
                amendment=amendment,
                accepted=index % 2 == 0,
                counts=services.Counts(
                    votes_for=90 if index % 2 == 0 else 20,
                    votes_against=20 if index % 2 == 0 else 90,
                ),
                actor=cast.users["chair"],
            )
            return "ok"
        except services.DraftingRefused as refused:
            return str(refused)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(decide, range(8)))
    assert outcomes.count("ok") == 1
    assert all("al besloten" in o for o in outcomes if o != "ok")
    amendment.refresh_from_db()
    recommendation.refresh_from_db()
    amended = Version.objects.filter(recommendation=recommendation, reason="amended").count()
    if amendment.status == Amendment.Status.ACCEPTED:
        assert (recommendation.status, amended) == (Recommendation.Status.AMENDED, 1)
    else:
        assert (recommendation.status, amended) == (Recommendation.Status.SUBMITTED, 0)


def test_one_edit_sent_twice_at_once_saves_once_and_refuses_neither(
    transactional_db: None, cast: Cast
) -> None:
    """A double click on "save": both requests come from version 1 with the
    same text. One saves version 2; the other finds that text already saved
    and is no "someone else changed it". A different text from version 1 at
    the same moment is refused, never written over version 2."""
    recommendation = services.recommendation_create(
        table=seated_table(cast), title="Les", text="Elke school.", actor=None
    )

    def save(index: int) -> str:
        text = "Elke school en elk mbo." if index < 6 else "Elke school en elke sportclub."
        try:
            services.recommendation_edit(
                recommendation=recommendation, title="Les", text=text, base_version=1, actor=None
            )
            return text
        except services.VersionConflict:
            return "conflict"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(save, range(8)))
    recommendation.refresh_from_db()
    assert Version.objects.filter(recommendation=recommendation).count() == 2
    # Every request that sent the saved text hears it is saved; the others are refused.
    saved = recommendation.text
    assert all(outcome in (saved, "conflict") for outcome in outcomes)
    assert outcomes.count(saved) == (6 if saved == "Elke school en elk mbo." else 2)
