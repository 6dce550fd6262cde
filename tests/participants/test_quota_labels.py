"""Pages after the lottery name quota categories and values in words, in the
page's language, as the pool check does: never the keys of the frozen files
("geslacht", "vrouw", "woonomgeving", "niet", "Friesland")."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from participants.models import Replacement
from participants.selectors_selection import quota_labels
from participants.services import panel as services
from tests.conftest import Cast
from tests.participants.test_panel import Panel, make_panel

QUOTAS_CSV = (
    "category,name,min,max\n"
    "geslacht,vrouw,2,2\n"
    "geslacht,man,2,2\n"
    "leeftijd,45-54,0,4\n"
    "opleiding,laag,0,4\n"
    "provincie,Friesland,0,4\n"
    "woonomgeving,niet,0,4\n"
)
RAW_KEYS = ("geslacht", "vrouw", "leeftijd", "opleiding", "laag", "provincie", "Friesland")
RAW_KEYS += ("woonomgeving", "niet")
WORDS = {
    "nl": (
        "Geslacht",
        "Vrouw",
        "Leeftijd",
        "45-54",
        "Opleiding",
        "Basisschool, vmbo, mbo 1",
        "Provincie",
        "Fryslân",
        "Woonomgeving",
        "Platteland, buitengebied",
    ),
    "en": (
        "Gender",
        "Woman",
        "Age",
        "45-54",
        "Education",
        "Primary school, vmbo, mbo 1",
        "Province",
        "Fryslân",
        "Where you live",
        "Countryside, rural area",
    ),
}


def _panel(cast: Cast) -> Panel:
    """The panel of test_panel, its frozen pool with five categories and a run record."""
    panel = make_panel(cast.assembly, quotas_csv=QUOTAS_CSV)
    run = panel.draw.run
    run.pool_csv = "id,geslacht,leeftijd,opleiding,provincie,woonomgeving,huishouden\n" + "".join(
        f"{p.pk},{p.gender},45-54,laag,Friesland,niet,h{p.pk}\n" for p in panel.people
    )
    share = run.panel_size / len(panel.people)
    run.record = {
        "probabilities": {str(p.pk): share for p in panel.people},
        "min_probability": share,
    }
    run.save(update_fields=["pool_csv", "record"])
    return panel


def _page(cast: Cast, url: str, language: str) -> str:
    client = Client()
    client.force_login(cast.users["organiser"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _assert_words_not_keys(page: str, language: str) -> None:
    for word in WORDS[language]:
        assert f">{word}<" in page, word
    for key in RAW_KEYS:
        assert f">{key}<" not in page, key


def test_the_lottery_result_names_categories_and_values_in_words(cast: Cast) -> None:
    panel = _panel(cast)
    url = reverse(
        "participants:selection_detail",
        kwargs={"slug": cast.assembly.slug, "pk": panel.draw.run.pk},
    )
    for language in ("nl", "en"):
        _assert_words_not_keys(_page(cast, url, language), language)


def test_the_member_list_names_categories_and_values_in_words(cast: Cast) -> None:
    _panel(cast)
    url = reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug})
    for language in ("nl", "en"):
        _assert_words_not_keys(_page(cast, url, language), language)


def test_the_replacement_names_categories_and_values_in_words(cast: Cast) -> None:
    panel = _panel(cast)
    services.panel_member_withdraw(member=panel.member(0), reason="verhuisd", actor=None)
    replacement = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(0)], actor=None
    )
    assert replacement.status == Replacement.Status.PROPOSED
    url = reverse(
        "participants:replacement_detail",
        kwargs={"slug": cast.assembly.slug, "pk": replacement.pk},
    )
    for language in ("nl", "en"):
        _assert_words_not_keys(_page(cast, url, language), language)


def test_a_key_the_assembly_does_not_know_is_shown_as_it_is(cast: Cast) -> None:
    labels = quota_labels(assembly=cast.assembly)
    with translation.override("nl"):
        assert str(labels.category("geslacht")) == "Geslacht"
        assert str(labels.value("woonomgeving", "zeer sterk")) == "Grote stad, heel druk"
    assert labels.category("vraag-weg") == "vraag-weg"
    assert labels.value("vraag-weg", "eens") == "eens"
    assert labels.value("leeftijd", "16-24") == "16-24"
