"""The citizen's registration, through the Django test client: every step, the
single write at the end, used and unknown codes, the rate limit, changing and
withdrawing with the private link, declining, and the e-mails."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from assembly.client_address import client_ip
from assembly.models import Assembly, OutboxEmail, Phase, Role, RoleKind
from participants.codes import ALPHABET, code_check_character, code_display
from participants.forms_registration import NeedsForm
from participants.letters import contact_address, letter_text
from participants.models import (
    AttitudeQuestion,
    Invitation,
    InvitationDraw,
    PanelMember,
    Registration,
    SelectionRun,
)
from participants.selectors_registration import registration_counts_for
from participants.services import panel as panel_services
from participants.services import registration as services
from participants.services import selection as selection_services
from tests.conftest import Cast, skip_or_fail
from tests.factories import AssemblyFactory
from tests.participants.test_panel import make_panel

START = "/aanmelden/"
CODE = "ABCD23EFGHF"  # passes the check (participants/codes.py)
OTHER_CODE = "QRST45UVWXQ"
STEP_KEYS = ["toestemming", "gegevens", "over-u", "mening", "weekenden", "hulp"]

CaptureCallbacks = Callable[..., Any]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def unknown_code(number: int) -> str:
    """A code that passes the check but that no invitation has: a guess."""
    body = "ZZZZZZZZ" + ALPHABET[number // len(ALPHABET)] + ALPHABET[number % len(ALPHABET)]
    return body + code_check_character(body)


def make_invitation(assembly: Assembly, code: str = CODE) -> Invitation:
    draw = InvitationDraw.objects.filter(assembly=assembly).first()
    if draw is None:
        draw = InvitationDraw.objects.create(
            assembly=assembly, seed="1", requested=10, eligible_households=10,
            eligible_residents=10, input_sha256="0" * 64, codes_have_check_character=True,
        )
    return Invitation.objects.create(assembly=assembly, draw=draw, code=code)


def open_sign_up_with_a_question(assembly: Assembly) -> None:
    """Sign-up open for another 30 days, with one opinion question."""
    assembly.registration_deadline = timezone.localdate() + dt.timedelta(days=30)
    assembly.save(update_fields=["registration_deadline"])
    AttitudeQuestion.objects.create(
        assembly=assembly, key="drugsbeleid", position=1,
        text="Moet het drugsbeleid strenger of soepeler?",
        choices="Veel strenger\nIets strenger\nZo laten\nIets soepeler\nVeel soepeler",
    )


@pytest.fixture
def invitation(cast: Cast) -> Invitation:
    open_sign_up_with_a_question(cast.assembly)
    return make_invitation(cast.assembly)


def answers_for(assembly: Assembly) -> dict[str, dict[str, Any]]:
    weekends = [str(pk) for pk in assembly.weekends.order_by("number").values_list("pk", flat=True)]
    return {
        "toestemming": {"consent": "on"},
        "gegevens": {"full_name": "Fatima de Vries", "email": "fatima@example.org",
                     "phone": "06 12345678"},
        "over-u": {"birth_date": "1980-05-17", "gender": "vrouw", "education": "midden",
                   "province": "Utrecht", "urbanisation": "sterk",
                   "migration_background": "buiten-europees"},
        "mening": {"q_drugsbeleid": "Iets soepeler"},
        "weekenden": {"weekends": weekends[:3]},
        "hulp": {"needs_childcare": "on", "diet": "halal", "needs_other": ""},
    }


def step_url(key: str) -> str:
    return reverse("participants:register_step", kwargs={"step": key})


def enter_code(client: Client, code: str = CODE, action: str = "continue") -> Any:
    return client.post(START, {"code": code, "action": action})


def fill_all_steps(client: Client, assembly: Assembly) -> None:
    assert enter_code(client, code_display(CODE).lower()).status_code == 302
    for key, data in answers_for(assembly).items():
        response = client.post(step_url(key), data)
        assert response.status_code == 302, (key, response.content.decode()[:2000])


def submit(client: Client, capture: CaptureCallbacks) -> Any:
    with capture(execute=True):
        return client.post(reverse("participants:register_check"))


def register(client: Client, assembly: Assembly, capture: CaptureCallbacks) -> Registration:
    fill_all_steps(client, assembly)
    response = submit(client, capture)
    assert response.status_code == 302
    assert response["Location"] == reverse("participants:register_done")
    return Registration.objects.get()


def manage_link(message_body: str) -> str:
    found = re.search(r"http://[^\s]+/aanmelden/wijzigen/[^\s]+/", message_body)
    assert found, message_body
    return found.group(0).split("127.0.0.1:8000", 1)[-1]


# --- the code page ---------------------------------------------------------------


def test_it_prefills_the_code_from_the_letters_qr_code(
    client: Client, invitation: Invitation
) -> None:
    response = client.get(START, {"code": "ABCD-23EF-GHF"})
    assert response.status_code == 200
    assert 'value="ABCD-23EF-GHF"' in response.content.decode()
    assert "Aanmelden voor het burgerberaad" in response.content.decode()


def test_the_code_from_the_qr_link_is_shown_in_the_letters_groups(
    client: Client, invitation: Invitation
) -> None:
    page = client.get(START, {"code": CODE}).content.decode()
    assert 'value="ABCD-23EF-GHF"' in page
    # Not a code (a link cut short): shown as it came, to be corrected.
    assert 'value="ABCD23EF"' in client.get(START, {"code": "ABCD23EF"}).content.decode()


def test_it_normalises_case_spaces_and_hyphens(client: Client, invitation: Invitation) -> None:
    response = enter_code(client, " abcd - 23ef ghf ")
    assert response.status_code == 302
    assert response["Location"] == step_url("toestemming")


def test_it_explains_an_unknown_code_without_saying_more(
    client: Client, invitation: Invitation
) -> None:
    response = enter_code(client, code_display(unknown_code(0)))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Deze code kennen wij niet" in page
    assert "staat in uw brief" in page  # where to find the contact details
    assert 'aria-describedby="id_code_error' in page


def test_it_locks_code_entry_after_ten_wrong_codes_from_one_address(
    client: Client, invitation: Invitation
) -> None:
    for attempt in range(services.WRONG_CODES_PER_IP - 1):
        assert enter_code(client, unknown_code(attempt)).status_code == 200
    locked = enter_code(client, unknown_code(99))
    assert locked.status_code == 429
    assert "Probeer het later nog eens" in locked.content.decode()
    # Even the right code is refused from that address for the rest of the hour.
    assert enter_code(client, CODE).status_code == 429
    other_address = Client(REMOTE_ADDR="10.1.2.3")
    assert enter_code(other_address, CODE).status_code == 302


def test_a_typing_error_is_named_and_does_not_count_against_the_address(
    client: Client, invitation: Invitation
) -> None:
    """People behind one address (a mobile network, a library's help desk)
    must not lock each other out with typing errors: a code that fails the
    check cannot be anyone's, so it tells a guesser nothing."""
    # One character wrong; two characters swapped.
    typos = [CODE[:7] + "B" + CODE[8:], CODE[:3] + CODE[4] + CODE[3] + CODE[5:]]
    for attempt in range(3 * services.WRONG_CODES_PER_IP):
        page = enter_code(client, code_display(typos[attempt % 2]))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Er zit een tikfout in de code" in text
        assert "Waarschijnlijk is er een letter of cijfer verkeerd getypt." in text
        assert f'href="mailto:{contact_address()}"' in text  # whom to ask
    # A character left out: as long as no draw of the old shape takes sign-ups.
    short = enter_code(client, CODE[:10]).content.decode()
    assert "De code heeft 11 tekens. U hebt er 10 ingevuld." in short
    assert "De code heeft 11 tekens. U hebt er 12 ingevuld." in enter_code(
        client, CODE + "Z"
    ).content.decode()
    assert "Vul de code uit uw brief in." in enter_code(client, " - - ").content.decode()
    assert enter_code(client, CODE).status_code == 302


def test_a_code_typed_in_wide_characters_is_the_code(
    client: Client, invitation: Invitation
) -> None:
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in CODE)  # a Japanese keyboard
    assert enter_code(client, wide).status_code == 302


def test_a_flood_of_typing_errors_is_stopped(
    client: Client, invitation: Invitation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "TYPING_ERRORS_PER_IP", 5)
    typo = CODE[:7] + "B" + CODE[8:]
    for _attempt in range(4):
        assert enter_code(client, typo).status_code == 200
    assert enter_code(client, typo).status_code == 429
    assert enter_code(client, CODE).status_code == 429
    assert enter_code(Client(REMOTE_ADDR="10.1.2.3"), CODE).status_code == 302


def test_a_code_that_passes_the_check_still_counts_as_a_guess(
    client: Client, invitation: Invitation
) -> None:
    page = enter_code(client, unknown_code(1)).content.decode()
    assert "Wij kennen deze code niet" in page and "tikfout" not in page
    for attempt in range(2, services.WRONG_CODES_PER_IP + 1):
        enter_code(client, unknown_code(attempt))
    assert enter_code(client, CODE).status_code == 429


def test_codes_of_draws_from_before_the_check_still_work_and_count(
    invitation: Invitation, cast: Cast
) -> None:
    """A draw made before codes had a check character (the migration marks
    it, and so does any draw not written by code_generate()): its codes of
    10 characters work in every phase, and while its assembly takes sign-ups
    an unknown code of that shape may be a guess at one of them."""
    other = AssemblyFactory()
    legacy_draw = InvitationDraw.objects.create(
        assembly=other, seed="0", requested=2, eligible_households=2, eligible_residents=2,
    )
    assert legacy_draw.codes_have_check_character is False  # the default
    Invitation.objects.create(assembly=other, draw=legacy_draw, code="ABCD23EFGH")
    Invitation.objects.create(
        assembly=other, draw=legacy_draw, code="QRST45UVWX", status=Invitation.Status.REGISTERED
    )
    assert enter_code(Client(), "abcd-23e-fgh").status_code == 302
    guesser = Client(REMOTE_ADDR="10.7.7.7")
    for _attempt in range(services.WRONG_CODES_PER_IP - 1):
        assert "Wij kennen deze code niet" in enter_code(guesser, "ZZZZZZZZZZ").content.decode()
    assert enter_code(guesser, "ZZZZZZZZZZ").status_code == 429
    # A typing error in a new code is still one, old draws or not.
    typo = CODE[:7] + "B" + CODE[8:]
    for _attempt in range(services.WRONG_CODES_PER_IP):
        assert "Er zit een tikfout" in enter_code(Client(), typo).content.decode()
    # Once that assembly no longer takes sign-ups, a code of 10 characters
    # is a new code with one left out, unless it is one of the old draw's:
    # a registered person still reaches the page that sends their link.
    other.phase = Phase.CLOSED
    other.save(update_fields=["phase"])
    cache.clear()
    for _attempt in range(services.WRONG_CODES_PER_IP):
        page = enter_code(guesser, "ZZZZZZZZZZ").content.decode()
        assert "De code heeft 11 tekens. U hebt er 10 ingevuld." in page
    used = enter_code(guesser, "QRST-45U-VWX").content.decode()
    assert "Deze code is al gebruikt" in used and "tikfout" not in used
    assert enter_code(guesser, CODE).status_code == 302


def test_it_locks_a_code_tried_too_often(client: Client, invitation: Invitation) -> None:
    for number in range(services.TRIES_PER_CODE - 1):
        assert enter_code(Client(REMOTE_ADDR=f"10.0.0.{number}")).status_code == 302
    assert enter_code(Client(REMOTE_ADDR="10.0.1.1")).status_code == 429


PROXY = "127.0.0.1"  # gunicorn on 127.0.0.1 behind the TLS proxy (README, Production)


def _typo_until_locked(client: Client) -> None:
    for attempt in range(services.WRONG_CODES_PER_IP):
        enter_code(client, unknown_code(attempt))
    assert enter_code(client, CODE).status_code == 429


def test_it_limits_each_visitor_behind_a_trusted_proxy_on_their_own(
    invitation: Invitation, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    _typo_until_locked(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7"))
    citizen = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert enter_code(citizen, CODE).status_code == 302


def test_a_visitor_cannot_escape_the_limit_by_writing_x_forwarded_for(
    invitation: Invitation, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    for attempt in range(services.WRONG_CODES_PER_IP):
        # Behind the proxy: the proxy appends the real address to what was sent.
        behind = Client(REMOTE_ADDR=PROXY,
                        HTTP_X_FORWARDED_FOR=f"10.9.9.{attempt}, 198.51.100.7")
        # Straight to the server: the header is not believed at all.
        direct = Client(REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR=f"10.8.8.{attempt}")
        enter_code(behind, unknown_code(attempt))
        enter_code(direct, unknown_code(100 + attempt))
    assert enter_code(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7"),
                      CODE).status_code == 429
    assert enter_code(Client(REMOTE_ADDR="198.51.100.8"), CODE).status_code == 429


def test_addresses_in_one_ipv6_64_share_a_limit(invitation: Invitation) -> None:
    for attempt in range(services.WRONG_CODES_PER_IP):
        enter_code(Client(REMOTE_ADDR=f"2001:db8:1:2::{attempt + 1:x}"), unknown_code(attempt))
    assert enter_code(Client(REMOTE_ADDR="2001:db8:1:2:ffff::1"), CODE).status_code == 429
    assert enter_code(Client(REMOTE_ADDR="2001:db8:1:3::1"), CODE).status_code == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("198.51.100.8", "10.0.0.1", "198.51.100.8"),  # no proxy: the header is ignored
        (PROXY, "", PROXY),  # the proxy itself (a health check)
        (PROXY, "198.51.100.7", "198.51.100.7"),
        (PROXY, "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the left part is the visitor's
        (PROXY, "198.51.100.7, 10.0.0.5", "198.51.100.7"),  # two proxies in a row
        (PROXY, "bogus, 198.51.100.7", "198.51.100.7"),
        (PROXY, "198.51.100.7, bogus", PROXY),  # a proxy that writes nonsense: no trust
        (PROXY, "2001:DB8::1", "2001:db8::1"),
        ("::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7"),  # IPv4 on a dual-stack socket
    ],
)
def test_it_reads_the_visitors_address_from_the_right_behind_trusted_proxies(
    rf: Any, settings: Any, remote: str, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXIES = [PROXY, "10.0.0.0/8"]
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_it_refuses_the_steps_without_a_code(client: Client, invitation: Invitation) -> None:
    for key in STEP_KEYS:
        assert client.get(step_url(key))["Location"] == START
    assert client.get(reverse("participants:register_check"))["Location"] == START
    assert client.get(reverse("participants:register_done"))["Location"] == START


def test_it_reads_little_on_the_busiest_pages(client: Client, invitation: Invitation) -> None:
    # Every letter's QR code leads here (bench/registration.py): one read finds
    # the code and whether it was used, the new session is written without a
    # look-up first, and a step reads the session and the invitation only.
    def reads(queries: CaptureQueriesContext) -> list[str]:
        return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]

    with CaptureQueriesContext(connection) as code_queries:
        assert enter_code(client).status_code == 302
    with CaptureQueriesContext(connection) as step_queries:
        assert client.get(step_url("toestemming")).status_code == 200
    assert len(reads(code_queries)) == 1
    assert len(reads(step_queries)) == 2


# --- the steps -------------------------------------------------------------------


def test_it_shows_the_step_indicator_and_the_consent_explanation(
    client: Client, invitation: Invitation
) -> None:
    enter_code(client)
    page = client.get(step_url("toestemming")).content.decode()
    assert "Stap 1 van 7" in page
    for heading in ("Wat bewaren wij?", "Waarom?", "Hoe lang?", "Wie ziet uw gegevens?",
                    "bijzonder persoonsgegeven", "intrekken"):
        assert heading in page
    assert services.CONSENT_VERSION in page
    # Withdrawing erases at once, except from a lottery already made public.
    assert "blijven uw antwoorden voor de loting daarin staan" in page
    enter_code(client)
    client.post(step_url("toestemming"), {"consent": "on"})
    assert "Stap 2 van 7" in client.get(step_url("gegevens")).content.decode()


def test_the_parts_rendered_once_follow_the_language_and_the_answers(
    client: Client, invitation: Invitation
) -> None:
    # The code page's texts, the consent explanation and the empty consent and
    # contact forms come from the per-process fragment cache: each language
    # has its own, and a form with answers is never taken from it.
    assert "Aanmelden voor het burgerberaad" in client.get(START).content.decode()
    enter_code(client)
    dutch = client.get(step_url("toestemming")).content.decode()
    assert "Wat bewaren wij?" in dutch and "Ik heb de uitleg gelezen" in dutch
    assert "Volgende" in dutch
    client.post("/i18n/setlang/", {"language": "en", "next": START})
    assert "Register for the citizens' assembly" in client.get(START).content.decode()
    english = client.get(step_url("toestemming")).content.decode()
    assert "What do we store?" in english and "I have read the explanation" in english
    assert "Wat bewaren wij?" not in english and "Ik heb de uitleg gelezen" not in english
    client.post("/i18n/setlang/", {"language": "nl", "next": START})

    refused = client.post(step_url("toestemming"), {}).content.decode()
    assert "Zonder toestemming kunt u zich niet aanmelden" in refused
    assert "Zonder toestemming" not in client.get(step_url("toestemming")).content.decode()
    client.post(step_url("toestemming"), {"consent": "on"})
    back = client.get(step_url("toestemming")).content.decode()
    assert re.search(r'<input type="checkbox" name="consent"[^>]* checked', back)
    empty_contact = client.get(step_url("gegevens")).content.decode()
    assert 'name="full_name"' in empty_contact and "Fatima" not in empty_contact
    client.post(step_url("gegevens"), answers_for(invitation.assembly)["gegevens"])
    assert 'value="Fatima de Vries"' in client.get(step_url("gegevens")).content.decode()
    # Someone else, on the same process, still gets the empty forms.
    other = Client()
    make_invitation(invitation.assembly, OTHER_CODE)
    enter_code(other, OTHER_CODE)
    unchecked = other.get(step_url("toestemming")).content.decode()
    assert 'name="consent"' in unchecked
    assert not re.search(r'name="consent"[^>]* checked', unchecked)
    other.post(step_url("toestemming"), {"consent": "on"})
    assert "Fatima" not in other.get(step_url("gegevens")).content.decode()


def test_it_requires_consent(client: Client, invitation: Invitation) -> None:
    enter_code(client)
    response = client.post(step_url("toestemming"), {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Zonder toestemming kunt u zich niet aanmelden" in page
    assert 'id="id_consent_error"' in page
    assert 'aria-describedby="id_consent_error"' in page
    # Skipping ahead sends the person back to the step they have not done.
    assert client.get(step_url("gegevens"))["Location"] == step_url("toestemming")


def test_it_refuses_an_email_address_longer_than_the_registration_can_keep(
    client: Client, invitation: Invitation
) -> None:
    def address(length: int) -> str:
        domain_end = "d" * (length - 196) + ".nl"
        return "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + domain_end

    enter_code(client)
    client.post(step_url("toestemming"), {"consent": "on"})
    too_long = client.post(step_url("gegevens"), {"full_name": "A", "email": address(255)})
    assert too_long.status_code == 200
    assert too_long.context["form"].errors["email"] == [
        "Dit e-mailadres is te lang. Het mag hoogstens 254 tekens hebben."
    ]
    ok = client.post(step_url("gegevens"), {"full_name": "A", "email": address(254)})
    assert ok["Location"] == step_url("over-u")


def test_it_validates_contact_details_per_field(client: Client, invitation: Invitation) -> None:
    enter_code(client)
    client.post(step_url("toestemming"), {"consent": "on"})
    response = client.post(step_url("gegevens"), {"full_name": "", "email": "geen-adres",
                                                  "phone": "bel me"})
    page = response.content.decode()
    assert "Vul uw naam in." in page
    assert "Vul een e-mailadres in zoals naam@voorbeeld.nl." in page
    assert "Vul een telefoonnummer in zoals 06 12345678." in page
    assert 'href="#id_email"' in page  # the error summary links to the field
    ok = client.post(step_url("gegevens"), {"full_name": "A", "email": "a@example.org"})
    assert ok["Location"] == step_url("over-u")


def test_it_refuses_someone_under_the_minimum_age_on_the_first_weekend(
    client: Client, invitation: Invitation, cast: Cast
) -> None:
    first = cast.assembly.first_weekend
    too_young = first.replace(year=first.year - cast.assembly.min_age) + dt.timedelta(days=1)
    just_old_enough = first.replace(year=first.year - cast.assembly.min_age)
    data = answers_for(cast.assembly)
    enter_code(client)
    client.post(step_url("toestemming"), data["toestemming"])
    client.post(step_url("gegevens"), data["gegevens"])
    refused = client.post(step_url("over-u"), {**data["over-u"],
                                               "birth_date": too_young.isoformat()})
    assert refused.status_code == 200
    assert "U bent te jong om mee te doen" in refused.content.decode()
    accepted = client.post(step_url("over-u"), {**data["over-u"],
                                                "birth_date": just_old_enough.isoformat()})
    assert accepted["Location"] == step_url("mening")


def test_it_requires_an_answer_to_every_quota_question(
    client: Client, invitation: Invitation, cast: Cast
) -> None:
    data = answers_for(cast.assembly)
    enter_code(client)
    client.post(step_url("toestemming"), data["toestemming"])
    client.post(step_url("gegevens"), data["gegevens"])
    page = client.post(step_url("over-u"), {"birth_date": "31-12-1980"}).content.decode()
    assert page.count("Kies een antwoord.") >= 2 * 4  # in the summary and at each field
    assert "Kies uw provincie." in page
    assert 'aria-describedby="id_gender_error"' in page  # the fieldset of the radio buttons


def give_the_question_in_english(assembly: Assembly) -> None:
    AttitudeQuestion.objects.filter(assembly=assembly, key="drugsbeleid").update(
        text_en="Should drug policy be stricter or less strict?",
        choices_en="Much stricter\nA bit stricter\nKeep as is\nA bit less strict\nMuch less strict",
    )


def opinion_page(client: Client, assembly: Assembly) -> str:
    """The opinion step, after the code and the steps before it."""
    data = answers_for(assembly)
    enter_code(client)
    for key in ("toestemming", "gegevens", "over-u"):
        client.post(step_url(key), data[key])
    return str(client.get(step_url("mening")).content.decode())


def test_it_asks_the_assemblys_own_attitude_questions(
    client: Client, invitation: Invitation, cast: Cast
) -> None:
    page = opinion_page(client, cast.assembly)
    assert "Moet het drugsbeleid strenger of soepeler?" in page
    assert page.count('type="radio"') == 5
    wrong = client.post(step_url("mening"), {"q_drugsbeleid": "Legaliseren"})
    assert "Kies een antwoord." in wrong.content.decode()


def test_it_asks_the_attitude_question_in_english_and_stores_the_dutch_answer(
    client: Client,
    invitation: Invitation,
    cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    give_the_question_in_english(cast.assembly)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = opinion_page(client, cast.assembly)
    assert "Should drug policy be stricter or less strict?" in page
    assert ">A bit less strict</label>" in page and ">Iets soepeler</label>" not in page
    # The value sent is the Dutch answer: quotas and counts do not depend on the language.
    assert 'value="Iets soepeler"' in page
    register(client, cast.assembly, django_capture_on_commit_callbacks)
    registration = Registration.objects.get()
    assert registration.attitude_answers == {"drugsbeleid": "Iets soepeler"}
    assert registration.language == "en"  # later e-mails are written in English


def test_it_shows_the_english_answer_on_the_check_page(
    client: Client, invitation: Invitation, cast: Cast
) -> None:
    give_the_question_in_english(cast.assembly)
    fill_all_steps(client, cast.assembly)
    dutch = client.get(reverse("participants:register_check")).content.decode()
    assert "Moet het drugsbeleid strenger of soepeler?" in dutch and "Iets soepeler" in dutch
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("participants:register_check")).content.decode()
    assert "Should drug policy be stricter or less strict?" in english
    assert "A bit less strict" in english


def test_it_offers_every_weekend(client: Client, invitation: Invitation, cast: Cast) -> None:
    data = answers_for(cast.assembly)
    enter_code(client)
    for key in ("toestemming", "gegevens", "over-u", "mening"):
        client.post(step_url(key), data[key])
    page = client.get(step_url("weekenden")).content.decode()
    assert page.count('type="checkbox"') == cast.assembly.weekends.count() == 7


def test_it_skips_the_opinion_step_when_the_assembly_has_no_questions(
    client: Client, invitation: Invitation, cast: Cast
) -> None:
    AttitudeQuestion.objects.all().delete()
    data = answers_for(cast.assembly)
    enter_code(client)
    client.post(step_url("toestemming"), data["toestemming"])
    assert "Stap 2 van 6" in client.get(step_url("gegevens")).content.decode()
    client.post(step_url("gegevens"), data["gegevens"])
    assert client.post(step_url("over-u"), data["over-u"])["Location"] == step_url("weekenden")


def test_it_shows_every_answer_on_the_check_page_and_writes_nothing_before(
    client: Client, invitation: Invitation, cast: Cast
) -> None:
    fill_all_steps(client, cast.assembly)
    page = client.get(reverse("participants:register_check")).content.decode()
    for shown in ("Fatima de Vries", "fatima@example.org", "17 mei 1980", "Vrouw",
                  "Havo, vwo, mbo 2 tot en met 4", "Utrecht", "Iets soepeler", "Weekend 3",
                  "Ik heb opvang nodig voor mijn kinderen.", "halal", "Stap 7 van 7"):
        assert shown in page, shown
    assert "Weekend 4" not in page
    assert Registration.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DRAWN


def test_it_returns_to_the_check_page_after_a_change(
    client: Client, invitation: Invitation, cast: Cast
) -> None:
    fill_all_steps(client, cast.assembly)
    response = client.post(step_url("gegevens") + "?terug=controleren",
                           {"full_name": "Fatima Jansen", "email": "fatima@example.org",
                            "terug": "controleren"})
    assert response["Location"] == reverse("participants:register_check")
    assert "Fatima Jansen" in client.get(response["Location"]).content.decode()


# --- the write at the end --------------------------------------------------------


def test_it_writes_the_registration_and_the_invitation_in_one_transaction(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    fill_all_steps(client, cast.assembly)
    with CaptureQueriesContext(connection) as queries:
        response = submit(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    sql = [q["sql"] for q in queries.captured_queries]
    # The outbox's send after the commit marks the e-mail sent: not part of it.
    writes = [i for i, s in enumerate(sql) if s.startswith(("INSERT", "UPDATE"))
              and "django_session" not in s
              and not s.startswith('UPDATE "assembly_outboxemail"')]
    assert any(s.startswith('INSERT INTO "assembly_outboxemail"') for s in sql)
    begins = [i for i, s in enumerate(sql) if s.startswith("SAVEPOINT")]
    releases = [i for i, s in enumerate(sql) if s.startswith("RELEASE SAVEPOINT")]
    assert writes, sql
    # Every write of the registration sits inside one savepoint (the atomic block).
    assert len(begins) >= 1 and begins[0] < min(writes) and max(writes) < releases[0]
    registration = Registration.objects.get()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REGISTERED
    assert registration.invitation == invitation
    assert registration.consent_version == services.CONSENT_VERSION
    assert registration.consent_at is not None
    assert registration.birth_date == dt.date(1980, 5, 17)
    assert registration.migration_background == "buiten-europees"
    assert registration.attitude_answers == {"drugsbeleid": "Iets soepeler"}
    assert registration.language == "nl"
    assert sorted(registration.available_weekends.values_list("number", flat=True)) == [1, 2, 3]
    assert registration.needs_childcare and not registration.needs_mobility
    assert registration.diet == "halal"


def test_it_rolls_back_everything_when_the_write_fails(
    invitation: Invitation, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_save(self: Invitation, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(Invitation, "save", broken_save)
    answers = {"full_name": "A", "email": "a@example.org", "birth_date": dt.date(1980, 1, 1),
               "gender": "man", "education": "laag", "province": "Zeeland",
               "urbanisation": "niet", "migration_background": "geen"}
    with pytest.raises(RuntimeError):
        services.registration_create(invitation_id=invitation.pk, consent_version="v",
                                     answers=answers, weekend_ids=[])
    assert Registration.objects.count() == 0


def test_it_sends_the_confirmation_email_with_a_private_link(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    register(client, cast.assembly, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["fatima@example.org"]
    assert "U bent aangemeld" in message.subject
    assert "/aanmelden/wijzigen/" in str(message.body)
    assert f"Hebt u vragen? Mail naar het secretariaat: {contact_address()}." in str(message.body)
    # The e-mail does not repeat the answers (special-category data).
    assert "Iets soepeler" not in str(message.body)
    done = client.get(reverse("participants:register_done")).content.decode()
    assert "U bent aangemeld" in done and "fatima@example.org" in done


def test_it_makes_a_second_registration_with_the_same_code_impossible(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    housemate = Client()
    fill_all_steps(housemate, cast.assembly)
    housemate.post(step_url("gegevens"), {"full_name": "Sem", "email": "sem@example.org"})
    register(client, cast.assembly, django_capture_on_commit_callbacks)
    # The housemate had filled in everything before the first one submitted.
    response = submit(housemate, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Deze code is al gebruikt" in page and "fatima@example.org" not in page
    assert Registration.objects.count() == 1
    with pytest.raises(services.RegistrationRefused):
        services.registration_create(invitation_id=invitation.pk, consent_version="v",
                                     answers={}, weekend_ids=[])


def test_it_explains_a_used_code_and_mails_the_link_without_showing_data(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    register(client, cast.assembly, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    stranger = Client()
    response = enter_code(stranger)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Deze code is al gebruikt" in page and "Stuur mij de link" in page
    assert "Fatima" not in page and "fatima@example.org" not in page
    with django_capture_on_commit_callbacks(execute=True):
        sent = stranger.post(reverse("participants:register_send_link"))
    assert "Kijk in uw e-mail" in sent.content.decode()
    assert "fatima@example.org" not in sent.content.decode()
    assert [m.to for m in mail.outbox] == [["fatima@example.org"]]
    # A few links an hour at most, so nobody can flood the respondent's mailbox.
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(services.LINKS_PER_REGISTRATION + 2):
            stranger.post(reverse("participants:register_send_link"))
    assert len(mail.outbox) == services.LINKS_PER_REGISTRATION


def test_it_refuses_registration_after_the_deadline(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    fill_all_steps(client, cast.assembly)
    Assembly.objects.filter(pk=cast.assembly.pk).update(
        registration_deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    response = submit(client, django_capture_on_commit_callbacks)
    assert "Aanmelden is gesloten" in response.content.decode()
    assert Registration.objects.count() == 0
    assert "Aanmelden is gesloten" in enter_code(Client()).content.decode()


@pytest.mark.django_db
def test_without_a_deadline_the_published_lottery_closes_registration() -> None:
    """The letter may say "as soon as possible" without a date; once the
    lottery is published its pool is frozen, so nobody joins or changes it."""
    from assembly.models import Phase
    from participants.models import SelectionRun
    from tests.participants.test_panel import make_panel

    panel = make_panel()
    assembly = panel.assembly
    Assembly.objects.filter(pk=assembly.pk).update(registration_deadline=None)
    assembly.refresh_from_db()
    SelectionRun.objects.filter(assembly=assembly).update(committed_at=None)
    assert services.registration_is_open(assembly=assembly)

    SelectionRun.objects.filter(assembly=assembly).update(committed_at=timezone.now())
    assert not services.registration_is_open(assembly=assembly)
    late = Invitation.objects.create(
        assembly=assembly, draw=panel.people[0].invitation.draw, code="QATE234567N"
    )
    assert "Aanmelden is gesloten" in enter_code(Client(), late.code).content.decode()
    with pytest.raises(services.RegistrationRefused):
        services.registration_update(registration_id=panel.people[0].pk, fields={"gender": "man"})

    SelectionRun.objects.filter(assembly=assembly).update(committed_at=None)
    Assembly.objects.filter(pk=assembly.pk).update(phase=Phase.CLOSED)
    assembly.refresh_from_db()
    assert not services.registration_is_open(assembly=assembly)


# --- changing and withdrawing ------------------------------------------------------


def test_it_lets_the_respondent_change_answers_until_the_deadline(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    registration = register(client, cast.assembly, django_capture_on_commit_callbacks)
    link = manage_link(str(mail.outbox[0].body))
    visitor = Client()
    page = visitor.get(link).content.decode()
    assert "Fatima de Vries" in page and "Wijzigen" in page
    token = services.registration_manage_token(registration_id=registration.pk)
    edit = reverse("participants:register_manage_step", kwargs={"token": token, "step": "mening"})
    form_page = visitor.get(edit).content.decode()
    assert re.search(r'<input[^>]*value="Iets soepeler"[^>]*checked', form_page), form_page
    response = visitor.post(edit, {"q_drugsbeleid": "Veel strenger"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.attitude_answers == {"drugsbeleid": "Veel strenger"}
    weekends = reverse("participants:register_manage_step",
                       kwargs={"token": token, "step": "weekenden"})
    all_weekends = [str(pk) for pk in cast.assembly.weekends.values_list("pk", flat=True)]
    visitor.post(weekends, {"weekends": all_weekends})
    assert registration.available_weekends.count() == 7

    Assembly.objects.filter(pk=cast.assembly.pk).update(
        registration_deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    closed = visitor.get(link).content.decode()
    assert "U kunt uw antwoorden niet meer wijzigen" in closed
    assert "Veel strenger" in closed  # still shown, read-only
    assert visitor.post(edit, {"q_drugsbeleid": "Zo laten"}).status_code == 302
    registration.refresh_from_db()
    assert registration.attitude_answers == {"drugsbeleid": "Veel strenger"}


def test_it_refuses_a_forged_or_tampered_link(client: Client, invitation: Invitation) -> None:
    for token in ("1:abc:def", "12345", services.registration_manage_token(registration_id=999)):
        response = client.get(reverse("participants:register_manage", kwargs={"token": token}))
        assert response.status_code == 404
        assert "Deze link werkt niet" in response.content.decode()


def test_it_lets_the_respondent_withdraw_at_any_time(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    registration = register(client, cast.assembly, django_capture_on_commit_callbacks)
    Assembly.objects.filter(pk=cast.assembly.pk).update(
        registration_deadline=timezone.localdate() - dt.timedelta(days=10)
    )
    token = services.registration_manage_token(registration_id=registration.pk)
    url = reverse("participants:register_withdraw", kwargs={"token": token})
    assert "Weet u het zeker?" in Client().get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(url)
    assert response.status_code == 302
    registration.refresh_from_db()
    invitation.refresh_from_db()
    assert registration.status == Registration.Status.WITHDRAWN
    assert registration.withdrawn_at is not None
    assert registration.attitude_answers == {} and not registration.needs_childcare
    assert registration.available_weekends.count() == 0
    assert invitation.status == Invitation.Status.DECLINED
    assert "U bent afgemeld" in mail.outbox[-1].subject
    # The code still cannot register a second time; the page says the
    # sign-up was withdrawn, not that someone else used the code.
    again = enter_code(Client()).content.decode()
    assert "U hebt zich afgemeld" in again and "Deze code is al gebruikt" not in again
    assert "Stuur mij de link" not in again
    assert f'href="mailto:{contact_address()}"' in again


def test_it_tells_where_to_find_only_the_contact_details_the_letter_gives(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks, settings: Any,
) -> None:
    settings.INVITATION_CONTACT_PHONE = ""
    letter = letter_text(cast.assembly)
    assert contact_address() in letter.contact  # the letter gives an e-mail address ...
    assert not re.search(r"(\+31|\b0)[\d\s-]{8,}", str(letter))  # ... and no phone number
    page = enter_code(Client(), unknown_code(0)).content.decode()
    assert f'<a href="mailto:{contact_address()}">{contact_address()}</a>' in page
    assert "telefoonnummer" not in page and "tel:" not in page
    registration = register(client, cast.assembly, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_withdraw(registration_id=registration.pk)
    withdrawn = mail.outbox[-1].body
    assert "telefoonnummer" not in withdrawn
    assert f"Mail dan naar het secretariaat: {contact_address()}." in withdrawn


def test_a_secretariat_phone_number_stands_in_the_letter_and_on_the_sign_up_pages(
    cast: Cast, settings: Any
) -> None:
    # A letter also reaches people who do not use e-mail: they can call.
    settings.INVITATION_CONTACT_PHONE = "070 123 45 67"
    letter = letter_text(cast.assembly)
    assert letter.contact.startswith(
        f"Hebt u vragen? Bel 070 123 45 67 of mail naar {contact_address()}."
    )
    page = enter_code(Client(), unknown_code(0)).content.decode()
    assert 'Of bel: <a href="tel:0701234567">070 123 45 67</a>.' in page
    with translation.override("en"):
        assert letter_text(cast.assembly).contact.startswith(
            f"Do you have questions? Call 070 123 45 67 or e-mail {contact_address()}."
        )


@pytest.mark.django_db
@pytest.mark.parametrize(("number", "answer"), [(0, True), (1, None), (4, None)])
def test_a_drawn_person_who_withdraws_by_the_private_link_leaves_the_panel(
    number: int, answer: bool | None
) -> None:
    # 0: a member who said yes; 1: a member who has not answered; 4: a waiting alternate.
    panel = make_panel()
    if answer is not None:
        panel_services.panel_member_respond(member=panel.member(number), accept=answer)
    user = panel.member(number).user
    services.registration_withdraw(registration_id=panel.people[number].pk)
    member = panel.member(number)
    assert member.status == PanelMember.Status.WITHDRAWN
    assert member.withdrawn_reason == "Afgemeld via de persoonlijke link"
    assert member.withdrawn_at is not None
    with pytest.raises(panel_services.PanelRefused):
        panel_services.panel_member_respond(member=member, accept=True)
    if member.kind == PanelMember.Kind.MEMBER:
        assert member in panel_services.open_seats(assembly=panel.assembly)
    if user is not None:
        assert not Role.objects.filter(user=user, kind=RoleKind.MEMBER).exists()


@pytest.mark.django_db
def test_a_withdrawal_by_link_leaves_a_member_who_already_said_no_as_they_were() -> None:
    panel = make_panel()
    panel_services.panel_member_respond(member=panel.member(1), accept=False)
    services.registration_withdraw(registration_id=panel.people[1].pk)
    assert panel.member(1).status == PanelMember.Status.DECLINED
    assert Registration.objects.get(pk=panel.people[1].pk).status == Registration.Status.WITHDRAWN


@pytest.mark.django_db
def test_a_drawn_person_who_withdraws_leaves_the_published_run_as_it_was() -> None:
    """The published draw is the verifiable record; a run computed later and
    never committed loses the person's row."""
    panel = make_panel()
    published = SelectionRun.objects.get(assembly=panel.assembly)
    later = SelectionRun.objects.create(
        assembly=panel.assembly,
        status=SelectionRun.Status.DONE,
        panel_size=4,
        quotas_csv=published.quotas_csv,
        pool_csv=published.pool_csv,
        record={"probabilities": {str(person.pk): 1 / 3 for person in panel.people}},
        min_probability=1 / 3,
    )
    frozen = SelectionRun.objects.values().get(pk=published.pk)

    services.registration_withdraw(registration_id=panel.people[0].pk)

    assert panel.member(0).status == PanelMember.Status.WITHDRAWN
    assert SelectionRun.objects.values().get(pk=published.pk) == frozen
    later.refresh_from_db()
    assert f"\n{panel.pid(0)}," not in later.pool_csv and later.record is None
    assert f"\n{panel.pid(1)}," in later.pool_csv
    assert selection_services.pool_changed(later)


@pytest.mark.django_db
def test_the_withdrawal_page_says_a_published_lottery_keeps_the_answers() -> None:
    panel = make_panel()
    token = services.registration_manage_token(registration_id=panel.people[8].pk)
    url = reverse("participants:register_withdraw", kwargs={"token": token})
    note = "de loting is al vastgelegd en openbaar gemaakt"

    assert note in Client().get(url).content.decode()
    # Someone who registered after the published run started is not in its pool.
    later = panel.people[10].pk
    later_url = reverse(
        "participants:register_withdraw",
        kwargs={"token": services.registration_manage_token(registration_id=later)},
    )
    run = SelectionRun.objects.get(assembly=panel.assembly, committed_at__isnull=False)
    run.pool_csv = "".join(
        line for line in run.pool_csv.splitlines(keepends=True) if not line.startswith(f"{later},")
    )
    run.save(update_fields=["pool_csv"])
    assert note not in Client().get(later_url).content.decode()
    SelectionRun.objects.filter(assembly=panel.assembly).update(committed_at=None)
    page = Client().get(url).content.decode()
    assert "Weet u het zeker?" in page and note not in page


PUBLISHED_NOTE = "De loting was al vastgelegd en openbaar gemaakt."


def _withdrawal_email(registration_id: int) -> str:
    return OutboxEmail.objects.get(
        kind="registration_withdrawn", ref=f"participants.Registration:{registration_id}"
    ).body


def test_the_withdrawal_email_can_say_a_published_lottery_keeps_the_answers() -> None:
    """The template, for the context ``_send_after_commit`` gives it."""
    registration = Registration(full_name="Anouk de Vries")
    context = {"registration": registration, "assembly": AssemblyFactory.build(),
               "contact": "secretariaat@example.nl"}
    template = "participants/email/registration_withdrawn.txt"
    published = render_to_string(template, {**context, "lottery_published": True})
    assert PUBLISHED_NOTE in published
    assert "met een nummer en zonder uw naam" in published
    assert PUBLISHED_NOTE not in render_to_string(template, context)
    with translation.override("en"):
        english = render_to_string(template, {**context, "lottery_published": True})
    assert "The lottery had already been recorded and made public." in english
    assert "under a number and without your name" in english


@pytest.mark.django_db
def test_the_withdrawal_email_says_a_published_lottery_keeps_the_answers() -> None:
    panel = make_panel()
    services.registration_withdraw(registration_id=panel.people[8].pk)
    body = _withdrawal_email(panel.people[8].pk)
    assert PUBLISHED_NOTE in body and "met een nummer en zonder uw naam" in body

    # Registered after the published run started: not in its pool, nothing stays.
    later = panel.people[10].pk
    run = SelectionRun.objects.get(assembly=panel.assembly, committed_at__isnull=False)
    run.pool_csv = "".join(
        line for line in run.pool_csv.splitlines(keepends=True) if not line.startswith(f"{later},")
    )
    run.save(update_fields=["pool_csv"])
    services.registration_withdraw(registration_id=later)
    assert PUBLISHED_NOTE not in _withdrawal_email(later)

    SelectionRun.objects.filter(assembly=panel.assembly).update(committed_at=None)
    services.registration_withdraw(registration_id=panel.people[9].pk)
    body = _withdrawal_email(panel.people[9].pk)
    assert "Wij hebben uw mening en wat u nodig hebt gewist." in body
    assert PUBLISHED_NOTE not in body


def test_it_lets_an_invitee_decline(client: Client, invitation: Invitation) -> None:
    response = enter_code(client, action="decline")
    assert response["Location"] == reverse("participants:register_decline")
    assert "ABCD-23EF-GHF" in client.get(response["Location"]).content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DRAWN  # not before confirming
    done = client.post(reverse("participants:register_decline"))
    assert "U krijgt geen herinneringen meer" in done.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED


def test_it_does_not_let_a_registered_invitee_decline_from_the_code_page(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    register(client, cast.assembly, django_capture_on_commit_callbacks)
    response = enter_code(Client(), action="decline")
    assert "Deze code is al gebruikt" in response.content.decode()
    assert Registration.objects.get().status == Registration.Status.ACTIVE


# --- the organiser ---------------------------------------------------------------------


def test_it_shows_the_organiser_counts_but_no_names(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    register(client, cast.assembly, django_capture_on_commit_callbacks)
    declined = make_invitation(cast.assembly, OTHER_CODE)
    services.invitation_decline(invitation_id=declined.pk)
    organiser = Client()
    organiser.force_login(cast.users["organiser"])
    response = organiser.get(reverse("participants:registration_overview",
                                     kwargs={"slug": cast.assembly.slug}))
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"Aangemeld</th><td>1<", page)
    assert re.search(r"Doet niet mee</th><td>1<", page)
    assert re.search(r"<td>Iets soepeler</td><td>1</td>", page)
    assert re.search(r"<td>Vrouw</td><td>1</td>", page)
    for private in ("Fatima", "fatima@example.org", "1980", "halal"):
        assert private not in page


def test_it_counts_a_withdrawal_once_as_withdrawn_and_not_also_as_declined(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    registration = register(client, cast.assembly, django_capture_on_commit_callbacks)
    services.registration_withdraw(registration_id=registration.pk)
    services.invitation_decline(invitation_id=make_invitation(cast.assembly, OTHER_CODE).pk)
    counts = registration_counts_for(assembly=cast.assembly)
    assert (counts.invited, counts.registered, counts.withdrawn, counts.declined) == (2, 0, 1, 1)


def test_it_lets_the_organiser_add_and_edit_attitude_questions(cast: Cast) -> None:
    organiser = Client()
    organiser.force_login(cast.users["organiser"])
    slug = cast.assembly.slug
    create = reverse("participants:attitude_question_create", kwargs={"slug": slug})
    refused = organiser.post(create, {"key": "klimaat", "text": "Vraag?", "choices": "Ja",
                                      "position": 1})
    assert "Geef minstens twee antwoorden" in refused.content.decode()
    organiser.post(create, {"key": "klimaat", "text": "Vraag?", "choices": "Ja\nNee\n\n",
                            "position": 1})
    question = AttitudeQuestion.objects.get(assembly=cast.assembly, key="klimaat")
    assert question.choice_list() == ["Ja", "Nee"]
    edit = reverse("participants:attitude_question_edit", kwargs={"slug": slug, "pk": question.pk})
    organiser.post(edit, {"key": "klimaat", "text": "Nieuwe vraag?", "choices": "Ja\nNee",
                          "position": 2})
    question.refresh_from_db()
    assert question.text == "Nieuwe vraag?"
    duplicate = organiser.post(create, {"key": "klimaat", "text": "X", "choices": "a\nb",
                                        "position": 3})
    assert "al in gebruik" in duplicate.content.decode()
    uneven = organiser.post(edit, {"key": "klimaat", "text": "Vraag?", "choices": "Ja\nNee",
                                   "text_en": "Question?", "choices_en": "Yes", "position": 2})
    assert "Geef evenveel Engelse als Nederlandse antwoorden (2)" in uneven.content.decode()
    organiser.post(edit, {"key": "klimaat", "text": "Vraag?", "choices": "Ja\nNee",
                          "text_en": "Question?", "choices_en": "Yes\nNo\n", "position": 2})
    question.refresh_from_db()
    assert (question.text_en, question.choices_en) == ("Question?", "Yes\nNo")


def test_it_keeps_names_and_answers_out_of_the_logs(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG", logger="participants")
    register(client, cast.assembly, django_capture_on_commit_callbacks)
    logged = caplog.text
    assert "registration created" in logged
    for private in ("Fatima", "fatima@example.org", CODE, "Iets soepeler", "1980"):
        assert private not in logged


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_simultaneous_submissions_through(cast: Cast) -> None:
    """Two tabs submit at the same moment: the row lock on the invitation lets one
    write, and the other, once it gets the lock, finds the invitation registered."""
    import threading

    from django.db import close_old_connections

    if connection.vendor != "postgresql":
        # SQLite's in-memory test database answers a second writer with "table
        # is locked" instead of waiting: row locks need PostgreSQL.
        skip_or_fail("needs PostgreSQL (DATABASE_URL) for row locks", "REQUIRE_SERVICES")
    invitation = make_invitation(cast.assembly)
    answers = {"full_name": "A", "email": "a@example.org", "birth_date": dt.date(1980, 1, 1),
               "gender": "man", "education": "laag", "province": "Zeeland",
               "urbanisation": "niet", "migration_background": "geen"}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def tab() -> None:
        barrier.wait()
        try:
            services.registration_create(invitation_id=invitation.pk, consent_version="v",
                                         answers=answers, weekend_ids=[])
            outcomes.append("registered")
        except services.RegistrationRefused as refused:
            outcomes.append(refused.reason)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["registered", "used"]
    assert Registration.objects.filter(invitation=invitation).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["run start", "withdrawal"])
def test_a_run_started_at_the_moment_someone_withdraws_does_not_keep_them(first: str) -> None:
    """The run start and the withdrawal take the assembly's lock: a run either
    waits and no longer finds the person, or commits first and loses the row."""
    import threading
    import time

    from django.db import close_old_connections, transaction

    from tests.participants.test_selection import lottery_assembly

    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL (DATABASE_URL) for row locks", "REQUIRE_SERVICES")
    assembly = lottery_assembly(slug="tegelijk")
    person = Registration.objects.filter(assembly=assembly).order_by("pk").first()
    assert person is not None
    holding = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def start() -> None:
        selection_services.selection_run_start(assembly=assembly, actor=None)

    def withdraw() -> None:
        services.registration_withdraw(registration_id=person.pk)

    steps = {"run start": start, "withdrawal": withdraw}
    second = "withdrawal" if first == "run start" else "run start"

    def holder() -> None:
        try:
            with transaction.atomic():
                steps[first]()
                holding.set()
                release.wait(timeout=20)
        except BaseException as error:
            errors.append(error)
        finally:
            holding.set()
            close_old_connections()

    def waiter() -> None:
        try:
            holding.wait(timeout=20)
            steps[second]()
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    for thread in threads:
        thread.start()
    holding.wait(timeout=20)
    time.sleep(0.5)  # the second one now waits for the first one's lock
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    run = SelectionRun.objects.get(assembly=assembly)
    assert f"\n{person.pk}," not in run.pool_csv
    assert Registration.objects.get(pk=person.pk).status == Registration.Status.WITHDRAWN


def test_the_login_limits_read_the_visitor_behind_the_proxy_too(settings: Any) -> None:
    """allauth limits login-code requests per address: the same reading."""
    from django.test import RequestFactory

    from assembly.adapters import AccountAdapter

    settings.TRUSTED_PROXIES = [PROXY]
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert AccountAdapter(request).get_client_ip(request) == "203.0.113.7"
    spoofed = RequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert AccountAdapter(spoofed).get_client_ip(spoofed) == "198.51.100.8"


# --- a person who goes back, waits too long, or presses twice ----------------------


def test_the_back_button_after_finishing_shows_the_confirmation_again(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    # Not the empty code page: entering the code again would say "someone
    # already registered with this code".
    register(client, cast.assembly, django_capture_on_commit_callbacks)
    done = reverse("participants:register_done")
    assert client.get(reverse("participants:register_check"))["Location"] == done
    assert client.get(step_url("hulp"))["Location"] == done
    assert client.post(reverse("participants:register_check"))["Location"] == done
    assert Registration.objects.count() == 1 and len(mail.outbox) == 1


def test_a_second_press_on_send_at_the_same_moment_shows_the_confirmation(
    client: Client, invitation: Invitation, cast: Cast,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    """The second request of a double click read the session before the first
    one finished: it is refused by the invitation's lock, and must not tell the
    person that someone else used their code."""
    fill_all_steps(client, cast.assembly)
    before = dict(client.session.items())
    register_response = submit(client, django_capture_on_commit_callbacks)
    assert register_response["Location"] == reverse("participants:register_done")
    session = client.session
    for key, value in before.items():
        session[key] = value
    session.pop("registration_done", None)
    session.save()
    second = submit(client, django_capture_on_commit_callbacks)
    assert second.status_code == 302
    assert second["Location"] == reverse("participants:register_done")
    assert "fatima@example.org" in client.get(second["Location"]).content.decode()
    assert Registration.objects.count() == 1 and len(mail.outbox) == 1


def test_it_explains_that_answers_were_cleared_after_two_idle_hours(
    client: Client, invitation: Invitation, cast: Cast
) -> None:
    data = answers_for(cast.assembly)
    enter_code(client)
    client.post(step_url("toestemming"), data["toestemming"])
    session = client.session
    session.pop("registration")  # what the session holds once it has expired
    session.save()
    response = client.post(step_url("gegevens"), data["gegevens"], follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == START
    assert "Dan zijn uw antwoorden gewist" in page
    # Someone who opens the code page fresh is not told anything was lost.
    assert "antwoorden gewist" not in Client().get(START).content.decode()


# --- every error names its field ---------------------------------------------------


def test_every_error_in_the_summary_names_its_field(
    client: Client, invitation: Invitation, cast: Cast
) -> None:
    data = answers_for(cast.assembly)
    enter_code(client)
    client.post(step_url("toestemming"), data["toestemming"])
    contact = client.post(step_url("gegevens"), {"full_name": "x" * 201, "email": "a@b.nl",
                                                 "phone": "0" * 31})
    errors = contact.context["form"].errors
    assert errors["full_name"] == ["Uw naam is te lang. Gebruik hoogstens 200 tekens."]
    assert errors["phone"] == ["Vul een telefoonnummer in zoals 06 12345678."]
    client.post(step_url("gegevens"), data["gegevens"])
    about = client.post(step_url("over-u"), {**data["over-u"], "birth_date": "31-02-1980",
                                             "province": "Atlantis"})
    errors = about.context["form"].errors
    assert errors["birth_date"] == ["Vul uw geboortedatum in zoals 31-12-1980."]
    assert errors["province"] == ["Kies uw provincie."]
    future = client.post(step_url("over-u"), {**data["over-u"], "birth_date": "2999-01-01"})
    assert future.context["form"].errors["birth_date"] == [
        "Deze geboortedatum kan niet kloppen. Kijk of het jaar goed is."
    ]
    needs = NeedsForm({"diet": "x" * 201, "needs_other": "y" * 2001})
    assert needs.errors == {
        "diet": ["Dit is te lang. Gebruik hoogstens 200 tekens."],
        "needs_other": ["Dit is te lang. Gebruik hoogstens 2000 tekens."],
    }


def test_the_check_page_points_out_that_no_weekend_was_chosen(
    client: Client, invitation: Invitation, cast: Cast
) -> None:
    fill_all_steps(client, cast.assembly)
    check = reverse("participants:register_check")
    page = client.get(check).content.decode()
    assert "U hebt geen weekend gekozen." not in page
    assert client.post(step_url("weekenden"), {}).status_code == 302  # no weekend ticked
    page = client.get(check).content.decode()
    assert "U hebt geen weekend gekozen." in page
    assert f'href="{step_url("weekenden")}?terug=controleren"' in page


def test_the_assembly_page_the_letter_names_says_how_to_sign_up_while_one_can(
    cast: Cast,
) -> None:
    """The letter says "or look at <the assembly's page>": someone who lost
    the code page's address finds the way in, and whom to ask."""
    Assembly.objects.filter(pk=cast.assembly.pk).update(is_public=True)
    about = reverse("about", kwargs={"slug": cast.assembly.slug})
    before = Client().get(about).content.decode()
    assert "Hebt u een brief gekregen?" not in before  # nobody invited yet
    cast.assembly.refresh_from_db()
    cast.assembly.registration_deadline = timezone.localdate() + dt.timedelta(days=30)
    cast.assembly.save(update_fields=["registration_deadline"])
    make_invitation(cast.assembly)
    page = Client().get(about).content.decode()
    assert "Hebt u een brief gekregen?" in page
    assert page.index("Hebt u een brief gekregen?") < page.index("De vraag")  # first, on a phone
    assert f'href="{START}"' in page
    assert f'href="mailto:{contact_address()}"' in page
    Assembly.objects.filter(pk=cast.assembly.pk).update(
        registration_deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    assert "Hebt u een brief gekregen?" not in Client().get(about).content.decode()
