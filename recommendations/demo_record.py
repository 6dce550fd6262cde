"""Demo content for the chair's record: approved minutes of the plenary
sessions of past weekends, one draft waiting for the chair, minority
statements on recommendations that were not carried unanimously, and the
government's responses (with an update) once the last weekend is over.

It reads what the drafting and ballot demos made (recommendations, closed
ballots and their results) and writes rows directly with fixed times, so a
rerun on the same day gives the same demo. Nothing is added twice.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from assembly.models import Assembly, User
from participants.models import CheckIn
from recommendations.models import GovernmentResponse, MinorityStatement, Minutes
from recommendations.selectors_results import assembly_results
from sessions.models import Session, Weekend

OPENING = """## Opening

De voorzitter heet iedereen welkom. Dit weekend zijn {present} deelnemers aanwezig.
De voorzitter legt uit wat we dit weekend doen en hoe we met elkaar praten:

- iedereen mag uitpraten;
- we luisteren naar elkaar, ook als we het oneens zijn;
- wat iemand aan tafel vertelt, blijft aan tafel.

## Wat we hoorden

{summary}

## Afspraken

- De vragen die nog open staan, gaan naar de deskundigen van het volgende weekend.
- Het secretariaat zet de presentaties op de website.
"""

SUMMARIES = {
    1: (
        "We bespraken de vraag van het burgerberaad: *is een drugsbeleid mogelijk met minder "
        "criminaliteit en minder gezondheidsrisico's?* Deelnemers vertelden waarom zij "
        "meedoen. Veel mensen noemden jongeren en veiligheid in de buurt."
    ),
    2: (
        "Deskundigen uit de verslavingszorg en de GGD vertelden over preventie en hulp. "
        "Deelnemers vroegen vooral naar wachtlijsten en naar voorlichting op school."
    ),
    3: (
        "Politie, het Openbaar Ministerie en een burgemeester vertelden over "
        "drugscriminaliteit en jonge aanwas. LEAP Nederland gaf een ander standpunt: "
        "regulering kan criminelen hun markt afnemen."
    ),
}
DEFAULT_SUMMARY = (
    "Deskundigen gaven uitleg en beantwoordden vragen. De tafels bespraken wat zij "
    "belangrijk vinden voor de aanbevelingen."
)
DRAFT = """## Afsluiting van het weekend

De tafels vertelden wat zij meenemen naar het volgende weekend.

- Tafel 1 wil meer weten over drugscontrole op feesten.
- Tafel 4 vraagt om cijfers over criminaliteit in de eigen regio.

*Concept: de voorzitter leest dit verslag nog na.*
"""

MINORITY_TEXTS = (
    "Een deel van de deelnemers vindt dat deze aanbeveling te ver gaat. Zij willen eerst "
    "een proef in een paar gemeenten, en pas daarna een besluit voor het hele land.",
    "Een groep deelnemers steunt het doel, maar vreest dat dit vooral geld kost en weinig "
    "oplevert. Zij willen dat geld naar de verslavingszorg gaat.",
    "Sommige deelnemers vinden dat ouders en scholen hier een grotere rol moeten krijgen "
    "dan de overheid.",
)
_S = GovernmentResponse.Status
RESPONSE_UPDATES = (
    (_S.ADOPTED, "Het kabinet neemt de aanbeveling over en begint in {year}."),
    (_S.PARTLY, "Het kabinet neemt een deel over: eerst een proef in vijf gemeenten."),
    (_S.REJECTED, "Het kabinet neemt de aanbeveling niet over. Eerst komt een evaluatie."),
    (_S.UNDER_STUDY, "Het onderzoek loopt nog. De uitkomst komt na de zomer."),
)
SOURCE_TITLE = "Kamerbrief: kabinetsreactie op het advies van het burgerberaad"
SOURCE_URL = "https://www.rijksoverheid.nl/documenten/kamerstukken"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _plenaries(weekend: Weekend) -> list[Session]:
    return list(
        Session.objects.filter(weekend=weekend, kind=Session.Kind.PLENARY).order_by(
            "starts_at", "position"
        )
    )


def _seed_minutes(assembly: Assembly, *, today: dt.date, chair: User, organiser: User) -> None:
    if Minutes.objects.filter(assembly=assembly).exists():
        return
    past = [
        w for w in Weekend.objects.filter(assembly=assembly).order_by("number") if w.ends_on < today
    ]
    for weekend in past:
        plenaries = _plenaries(weekend)
        opening = plenaries[0] if plenaries else None
        minutes = Minutes.objects.create(
            assembly=assembly,
            weekend=weekend,
            session=opening,
            title=f"Weekend {weekend.number}: {opening.title if opening else 'verslag'}",
            body=OPENING.format(
                # As many as the attendance list has for the weekend: the
                # report shows both.
                present=CheckIn.objects.filter(weekend=weekend)
                .values("member_id")
                .distinct()
                .count(),
                summary=SUMMARIES.get(weekend.number, DEFAULT_SUMMARY),
            ),
            written_by=chair,
            approved_by=chair,
            approved_at=_at(weekend.ends_on + dt.timedelta(days=3), 10),
        )
        # auto_now would stamp today; the demo keeps its own dates.
        Minutes.objects.filter(pk=minutes.pk).update(updated_at=_at(weekend.ends_on, 20))
    if past:
        last = past[-1]
        plenaries = _plenaries(last)
        closing = plenaries[-1] if len(plenaries) > 1 else None
        Minutes.objects.create(
            assembly=assembly,
            weekend=last,
            session=closing,
            title=f"Weekend {last.number}: afsluiting (concept)",
            body=DRAFT,
            written_by=organiser,
        )


def _seed_minority(assembly: Assembly, *, chair: User) -> None:
    results = assembly_results(assembly=assembly).recommendations
    ids = [r.recommendation_id for r in results]
    if MinorityStatement.objects.filter(recommendation_id__in=ids).exists():
        return
    contested = [r for r in results if r.ballot is not None and r.ballot.votes_against > 0]
    for index, result in enumerate(contested[::2]):
        assert result.ballot is not None
        MinorityStatement.objects.create(
            recommendation_id=result.recommendation_id,
            text=MINORITY_TEXTS[index % len(MINORITY_TEXTS)],
            supporters=max(1, result.ballot.votes_against * 2 // 3),
            recorded_by=chair,
        )


def _seed_responses(assembly: Assembly, *, today: dt.date, organiser: User) -> None:
    last = Weekend.objects.filter(assembly=assembly).order_by("-number").first()
    if last is None or last.ends_on >= today:
        return
    adopted = assembly_results(assembly=assembly).adopted
    ids = [r.recommendation_id for r in adopted]
    if GovernmentResponse.objects.filter(recommendation_id__in=ids).exists():
        return
    first_answer = last.ends_on + dt.timedelta(days=60)
    update = last.ends_on + dt.timedelta(days=180)
    for index, result in enumerate(adopted):
        if first_answer > today:
            break
        GovernmentResponse.objects.create(
            recommendation_id=result.recommendation_id,
            status=GovernmentResponse.Status.UNDER_STUDY,
            text=(
                "Het kabinet dankt het burgerberaad. Het laat uitzoeken wat deze aanbeveling "
                "kost en wie het kan uitvoeren."
            ),
            responded_on=first_answer,
            source_title=SOURCE_TITLE,
            source_url=SOURCE_URL,
            recorded_by=organiser,
        )
        if update <= today and index % 5 != 4:
            status, text = RESPONSE_UPDATES[index % len(RESPONSE_UPDATES)]
            GovernmentResponse.objects.create(
                recommendation_id=result.recommendation_id,
                status=status,
                text=text.format(year=update.year + 1),
                responded_on=update,
                source_title=SOURCE_TITLE,
                source_url=SOURCE_URL,
                recorded_by=organiser,
            )


def demo_record_seed(assembly: Assembly, *, today: dt.date, chair: User, organiser: User) -> None:
    """Minutes, minority statements and government responses for the demo.
    Run it after the drafting and ballot demos: it reads their results."""
    _seed_minutes(assembly, today=today, chair=chair, organiser=organiser)
    _seed_minority(assembly, chair=chair)
    _seed_responses(assembly, today=today, organiser=organiser)
