"""The balance between perspectives: counts per topic and weekend, and a warning
in words when one perspective dominates a topic or is the only one."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from sessions.models import Session, Weekend
from sessions.selectors_materials import balance_for
from tests.conftest import Cast
from tests.sessions_materials.helpers import make_expert, make_perspective, make_session


def _setup(cast: Cast) -> dict[str, object]:
    care = make_perspective(cast.assembly, "Zorg", 1)
    safety = make_perspective(cast.assembly, "Veiligheid", 2)
    lived = make_perspective(cast.assembly, "Ervaring", 3)
    doctor = make_expert(cast.assembly, name="Arts", perspective=care)
    nurse = make_expert(cast.assembly, name="Verpleegkundige", perspective=care)
    police = make_expert(cast.assembly, name="Agent", perspective=safety)
    user = make_expert(cast.assembly, name="Ervaringsdeskundige", perspective=lived)
    w1 = Weekend.objects.get(assembly=cast.assembly, number=1)
    w2 = Weekend.objects.get(assembly=cast.assembly, number=2)
    # "Preventie": care 3 of 4 appearances (75 %) → dominated.
    for n, experts in enumerate([[doctor], [nurse], [doctor, police]]):
        make_session(w1, topic="Preventie", n=n).experts.set(experts)
    # "Handel": safety only → one perspective.
    make_session(w1, topic="Handel", n=5, kind=Session.Kind.QUESTIONS).experts.set([police])
    # "Gebruik": balanced, in weekend 2.
    make_session(w2, topic="Gebruik", n=1).experts.set([doctor, police, user])
    # Not a briefing: does not count.
    make_session(w2, topic="Gebruik", n=3, kind=Session.Kind.PLENARY).experts.set([doctor])
    return {"care": care, "safety": safety, "w1": w1, "w2": w2}


def test_it_counts_briefings_per_perspective_and_topic(cast: Cast) -> None:
    _setup(cast)
    balance = balance_for(assembly=cast.assembly)
    topics = {topic.topic: topic for topic in balance.scope.topics}
    assert topics["Preventie"].counts == [3, 1, 0]
    assert topics["Preventie"].dominant == "Zorg" and topics["Preventie"].dominant_share == 75
    assert topics["Handel"].single == "Veiligheid"
    assert not topics["Gebruik"].warning
    assert balance.scope.totals == [4, 3, 1]
    assert balance.scope.briefings == 5
    assert [line.briefings for line in balance.weekends[:2]] == [4, 1]
    assert [line.warnings for line in balance.weekends[:2]] == [2, 0]


def test_a_weekend_scope_counts_only_that_weekend(cast: Cast) -> None:
    parts = _setup(cast)
    balance = balance_for(assembly=cast.assembly, weekend=parts["w2"])  # type: ignore[arg-type]
    assert [topic.topic for topic in balance.scope.topics] == ["Gebruik"]
    assert balance.scope.warnings == []


def test_the_page_warns_in_words_and_has_a_chart_with_a_table(cast: Cast) -> None:
    _setup(cast)
    client = Client()
    client.force_login(cast.users["organiser"])
    page = client.get(
        reverse("programme:balance", kwargs={"slug": cast.assembly.slug})
    ).content.decode()
    assert "Waarschuwing: 2 onderwerpen zijn niet in balans" in page
    assert "Preventie: Zorg heeft 75% van de uitleg." in page
    assert "Handel: alleen het perspectief Veiligheid." in page
    assert "<svg" in page and 'role="img"' in page and "<table" in page
    assert "style=" not in page
    weekend_page = client.get(
        reverse("programme:balance", kwargs={"slug": cast.assembly.slug}) + "?weekend=2"
    ).content.decode()
    assert "Geen enkel onderwerp wordt door één perspectief beheerst." in weekend_page
