"""Full programmes for the demo assembly on drug policy: seven weekends,
Saturday and Sunday from 10:00 to 17:00, with plenaries, expert briefings,
questions to experts, table work, breaks and, on the last weekend, the vote.

Deterministic and idempotent: running it again gives the same programme and
keeps the sessions' ids (each is found by weekend and place in the day), so
material attached to a session stays attached. Demo content only: it is
data, not interface text, so it is in Dutch with its English beside it in
the models' English fields (ENGLISH, VENUES_EN), not in the locale files.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from assembly.models import Assembly
from sessions.models import Expert, Session, Weekend
from sessions.services.schedule import reminder_schedule_ensure

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
K = Session.Kind

PLENARY_ROOM = "Plenaire zaal"
TABLE_ROOM = "Tafelzalen"
FOYER = "Foyer"
RESTAURANT = "Restaurant"
# Positions from here on are for sessions added on top of this programme (the
# completed demo's deep dives, in seed_demo): the fill leaves them alone.
EXTRA_POSITION = 100

VENUES: dict[str, tuple[str, str, str, str]] = {
    # venue name: (address, route, accessibility, hotel)
    "Jaarbeurs": (
        "Jaarbeursplein 6, 3521 AL Utrecht",
        "Met de trein: vanaf Utrecht Centraal loopt u in 5 minuten naar de ingang aan de "
        "Jaarbeurszijde. Volg de borden ‘Burgerberaad’.\n"
        "Met de auto: parkeer in garage P1 Jaarbeurs. Wij betalen het parkeren; vraag een "
        "uitrijkaart bij de ontvangst.",
        "Alle zalen zijn met de lift te bereiken. Er zijn toiletten voor rolstoelgebruikers. "
        "In de plenaire zaal is een ringleiding. Er is een stille ruimte als u even rust nodig "
        "heeft.",
        "U slaapt in het hotel naast de Jaarbeurs (2 minuten lopen). Uw kamer is geregeld en "
        "betaald. Inchecken kan op zaterdag vanaf 17:00. Ontbijt is vanaf 7:30.",
    ),
    "De Eenhoorn": (
        "Hogeweg 2, 3814 CE Amersfoort",
        "Met de trein: vanaf station Amersfoort Centraal neemt u bus 2 of 3 tot halte "
        "Eemplein (10 minuten). Daarna 3 minuten lopen.\n"
        "Met de auto: parkeer op het eigen terrein. Parkeren is gratis.",
        "De ingang en alle zalen zijn gelijkvloers. Er zijn toiletten voor rolstoelgebruikers "
        "en een ringleiding in de grote zaal. Er is een stille ruimte.",
        "U slaapt in een hotel in het centrum van Amersfoort. Een pendelbus rijdt om 17:15 van "
        "De Eenhoorn naar het hotel en om 9:15 terug. Uw kamer is geregeld en betaald.",
    ),
    "Spoorwegmuseum": (
        "Maliebaanstation 16, 3581 XW Utrecht",
        "Met de trein: vanaf Utrecht Centraal rijdt een pendeltrein naar station "
        "Utrecht Maliebaan, naast de ingang. U kunt ook 20 minuten lopen.\n"
        "Met de auto: parkeer op het terrein van het museum. Wij betalen het parkeren.",
        "De zalen zijn met de lift te bereiken. Er zijn toiletten voor rolstoelgebruikers. "
        "In de plenaire zaal is een ringleiding. In het museum kan het druk en luid zijn: er "
        "is een stille ruimte op de eerste verdieping.",
        "U slaapt in het hotel naast de Jaarbeurs. Een bus rijdt om 17:15 naar het hotel en om "
        "9:15 terug. Uw kamer is geregeld en betaald.",
    ),
    "Tweede Kamer": (
        "Bezuidenhoutseweg 67, 2594 AC Den Haag",
        "Met de trein: vanaf station Den Haag Centraal loopt u in 10 minuten naar de ingang. "
        "Neem een geldig identiteitsbewijs mee: bij de ingang is een controle.\n"
        "Met de auto: parkeer in garage Malieveld. Wij betalen het parkeren.",
        "Het gebouw is helemaal toegankelijk met een rolstoel. Er zijn ringleidingen in de "
        "zalen. Er is een stille ruimte. Laat ons vooraf weten wat u nodig heeft.",
        "U slaapt in een hotel vlak bij station Den Haag Centraal. Uw kamer is geregeld en "
        "betaald. Inchecken kan op zaterdag vanaf 17:00.",
    ),
}


# The same venue texts for English readers (venue name: route, accessibility, hotel).
VENUES_EN: dict[str, tuple[str, str, str]] = {
    "Jaarbeurs": (
        "By train: from Utrecht Centraal it is a 5-minute walk to the entrance on the "
        "Jaarbeurs side. Follow the signs ‘Burgerberaad’.\n"
        "By car: park in garage P1 Jaarbeurs. We pay for parking; ask for an exit card at "
        "the reception.",
        "All rooms can be reached by lift. There are toilets for wheelchair users. The "
        "plenary room has a hearing loop. There is a quiet room if you need a rest.",
        "You sleep in the hotel next to the Jaarbeurs (2 minutes' walk). Your room is booked "
        "and paid for. Check-in on Saturday from 17:00. Breakfast from 7:30.",
    ),
    "De Eenhoorn": (
        "By train: from Amersfoort Centraal take bus 2 or 3 to the stop Eemplein (10 "
        "minutes), then walk 3 minutes.\n"
        "By car: park on the venue's own grounds. Parking is free.",
        "The entrance and all rooms are on the ground floor. There are toilets for wheelchair "
        "users and a hearing loop in the large room. There is a quiet room.",
        "You sleep in a hotel in the centre of Amersfoort. A shuttle bus leaves De Eenhoorn "
        "for the hotel at 17:15 and comes back at 9:15. Your room is booked and paid for.",
    ),
    "Spoorwegmuseum": (
        "By train: from Utrecht Centraal a shuttle train runs to Utrecht Maliebaan station, "
        "next to the entrance. You can also walk (20 minutes).\n"
        "By car: park on the museum's grounds. We pay for parking.",
        "The rooms can be reached by lift. There are toilets for wheelchair users. The "
        "plenary room has a hearing loop. The museum can be busy and loud: there is a quiet "
        "room on the first floor.",
        "You sleep in the hotel next to the Jaarbeurs. A bus leaves for the hotel at 17:15 "
        "and comes back at 9:15. Your room is booked and paid for.",
    ),
    "Tweede Kamer": (
        "By train: from Den Haag Centraal it is a 10-minute walk to the entrance. Bring a "
        "valid ID: there is a check at the entrance.\n"
        "By car: park in garage Malieveld. We pay for parking.",
        "The building is fully wheelchair accessible. The rooms have hearing loops. There is "
        "a quiet room. Tell us beforehand what you need.",
        "You sleep in a hotel close to Den Haag Centraal station. Your room is booked and "
        "paid for. Check-in on Saturday from 17:00.",
    ),
}


@dataclass(frozen=True)
class Item:
    start: str
    end: str
    kind: str
    title: str
    room: str = PLENARY_ROOM
    topic: str = ""
    description: str = ""


# Per weekend: the three briefings (title, topic, what members hear).
BRIEFINGS: dict[int, list[tuple[str, str, str]]] = {
    1: [
        (
            "Hoe werkt een burgerberaad?",
            "Werkwijze",
            "Wat doen we in zeven weekenden, en wat gebeurt er met ons advies?",
        ),
        (
            "Drugs in Nederland: de feiten",
            "Feiten en cijfers",
            "Wie gebruikt welke drugs? Hoeveel mensen krijgen problemen? Wat kost het?",
        ),
        (
            "Twee manieren van kijken: zorg en veiligheid",
            "Zorg en veiligheid",
            "De zorg wil gebruik en schade voorkomen. Politie en justitie willen misdaad "
            "bestrijden. Hoe werken ze samen?",
        ),
    ],
    2: [
        (
            "Verslavingszorg in de praktijk",
            "Zorg",
            "Wie komt in de verslavingszorg terecht, en wat helpt?",
        ),
        (
            "Preventie op school en in het uitgaansleven",
            "Preventie",
            "Voorlichting, testen van pillen en hulp op festivals.",
        ),
        ("Schade beperken", "Zorg", "Gebruiksruimtes, vervangende middelen en wat die opleveren."),
    ],
    3: [
        (
            "Georganiseerde drugscriminaliteit",
            "Veiligheid",
            "Hoe werken criminele netwerken, en wat doen politie en Openbaar Ministerie?",
        ),
        (
            "Jonge aanwas: jongeren in de criminaliteit",
            "Veiligheid",
            "Hoe raken jongeren betrokken bij drugshandel, en hoe voorkom je dat?",
        ),
        (
            "Handhaving in de wijk",
            "Veiligheid",
            "De burgemeester, de wijkagent en overlast door drugs.",
        ),
    ],
    4: [
        (
            "Leven met verslaving",
            "Ervaring",
            "Mensen vertellen over hun gebruik, hun herstel en wat hen hielp.",
        ),
        (
            "Ouders en jongerenwerkers",
            "Preventie",
            "Wat zien zij thuis en op straat? Wat hebben zij nodig?",
        ),
        (
            "Wat werkt in preventie?",
            "Preventie",
            "Wat zegt onderzoek over campagnes, lessen op school en hulp in de buurt?",
        ),
    ],
    5: [
        (
            "Verbieden, gedogen, reguleren",
            "Regulering",
            "Drie modellen voor drugsbeleid, met hun voor- en nadelen.",
        ),
        (
            "Ervaringen uit het buitenland",
            "Regulering",
            "Portugal, Canada, Zwitserland en Zweden: wat deden zij, en wat gebeurde er?",
        ),
        (
            "De wet en de verdragen",
            "Veiligheid",
            "Wat mag Nederland zelf beslissen, en wat spreken landen samen af?",
        ),
    ],
    6: [
        (
            "Van ideeën naar aanbevelingen",
            "Werkwijze",
            "Hoe schrijft u een aanbeveling die duidelijk en uitvoerbaar is?",
        ),
        (
            "Haalbaar en betaalbaar?",
            "Feiten en cijfers",
            "Deskundigen lezen mee met de concept-aanbevelingen.",
        ),
        (
            "Concept-aanbevelingen toelichten",
            "Werkwijze",
            "Elke tafel licht zijn concept-aanbevelingen toe.",
        ),
    ],
    7: [
        (
            "Uitleg over het stemmen",
            "Werkwijze",
            "Hoe stemmen we, en wanneer is een aanbeveling aangenomen (75 procent steun)?",
        ),
        (
            "Laatste toelichting door deskundigen",
            "Zorg en veiligheid",
            "Korte reacties op de aanbevelingen uit de zorg en de veiligheid.",
        ),
        (
            "Het advies aan de Tweede Kamer",
            "Werkwijze",
            "Hoe gaat het advies naar de Kamer, en wat gebeurt er daarna?",
        ),
    ],
}


# The English of every programme text above and below (Dutch text: English),
# for English readers of the demo: session titles and what members hear.
ENGLISH: dict[str, str] = {
    # The same items every weekend.
    "Welkom": "Welcome",
    "Welkom terug en terugblik": "Welcome back and a look back",
    "De voorzitter opent het weekend en vertelt wat we gaan doen.": (
        "The chair opens the weekend and tells you what we are going to do."
    ),
    "Pauze": "Break",
    "Lunch": "Lunch",
    "Vragen aan de deskundigen": "Questions for the experts",
    "U stelt uw vragen over de uitleg van vanochtend.": (
        "You ask your questions about this morning's talk."
    ),
    "Tafelgesprek": "Talk at your table",
    "Aan uw tafel praat u met een gespreksleider over wat u hoorde.": (
        "At your table, you talk with a facilitator about what you heard."
    ),
    "Tafelgesprek: wat vinden wij?": "Talk at your table: what do we think?",
    "Wat hebben de tafels besproken?": "What did the tables talk about?",
    "Elke tafel vertelt kort wat er uit het gesprek kwam.": (
        "Each table says in short what came out of their talk."
    ),
    "Opening van de dag": "Opening of the day",
    "Tafelgesprek: ideeën voor het advies": "Talk at your table: ideas for the advice",
    "Wat nemen we mee?": "What do we take with us?",
    "Afsluiting en hoe vond u het?": "Closing: what did you think?",
    "Vooruitblik op het volgende weekend en een korte evaluatie.": (
        "A look ahead at the next weekend, and a short evaluation."
    ),
    # The last Sunday.
    "Stemming over de aanbevelingen": "Vote on the recommendations",
    "U stemt over elke aanbeveling. Een aanbeveling is aangenomen met ten minste 75 procent "
    "steun.": (
        "You vote on each recommendation. A recommendation is accepted when at least 75 "
        "percent support it."
    ),
    "De uitslag": "The result",
    "De voorzitter maakt de uitslag van de stemming bekend.": (
        "The chair tells you the result of the vote."
    ),
    "Afsluiting en bedankt": "Closing and thank you",
    # Weekend 1.
    "Hoe werkt een burgerberaad?": "How does a citizens' assembly work?",
    "Wat doen we in zeven weekenden, en wat gebeurt er met ons advies?": (
        "What do we do in seven weekends, and what happens to our advice?"
    ),
    "Drugs in Nederland: de feiten": "Drugs in the Netherlands: the facts",
    "Wie gebruikt welke drugs? Hoeveel mensen krijgen problemen? Wat kost het?": (
        "Who uses which drugs? How many people get problems? What does it cost?"
    ),
    "Twee manieren van kijken: zorg en veiligheid": "Two ways of looking: care and safety",
    "De zorg wil gebruik en schade voorkomen. Politie en justitie willen misdaad "
    "bestrijden. Hoe werken ze samen?": (
        "Care wants to prevent drug use and harm. Police and justice want to fight crime. "
        "How do they work together?"
    ),
    # Weekend 2.
    "Verslavingszorg in de praktijk": "Addiction care in practice",
    "Wie komt in de verslavingszorg terecht, en wat helpt?": (
        "Who ends up in addiction care, and what helps?"
    ),
    "Preventie op school en in het uitgaansleven": "Prevention at school and in nightlife",
    "Voorlichting, testen van pillen en hulp op festivals.": (
        "Information, testing pills and help at festivals."
    ),
    "Schade beperken": "Reducing harm",
    "Gebruiksruimtes, vervangende middelen en wat die opleveren.": (
        "Rooms where people can use drugs safely, replacement drugs, and what they bring."
    ),
    # Weekend 3.
    "Georganiseerde drugscriminaliteit": "Organised drug crime",
    "Hoe werken criminele netwerken, en wat doen politie en Openbaar Ministerie?": (
        "How do criminal networks work, and what do the police and the public prosecutor do?"
    ),
    "Jonge aanwas: jongeren in de criminaliteit": "New recruits: young people in crime",
    "Hoe raken jongeren betrokken bij drugshandel, en hoe voorkom je dat?": (
        "How do young people get involved in drug dealing, and how can we prevent it?"
    ),
    "Handhaving in de wijk": "Enforcing the law in the neighbourhood",
    "De burgemeester, de wijkagent en overlast door drugs.": (
        "The mayor, the local police officer and trouble caused by drugs."
    ),
    # Weekend 4.
    "Leven met verslaving": "Living with addiction",
    "Mensen vertellen over hun gebruik, hun herstel en wat hen hielp.": (
        "People talk about their drug use, their recovery and what helped them."
    ),
    "Ouders en jongerenwerkers": "Parents and youth workers",
    "Wat zien zij thuis en op straat? Wat hebben zij nodig?": (
        "What do they see at home and on the street? What do they need?"
    ),
    "Wat werkt in preventie?": "What works in prevention?",
    "Wat zegt onderzoek over campagnes, lessen op school en hulp in de buurt?": (
        "What does research say about campaigns, lessons at school and help in the neighbourhood?"
    ),
    # Weekend 5.
    "Verbieden, gedogen, reguleren": "Ban, tolerate, regulate",
    "Drie modellen voor drugsbeleid, met hun voor- en nadelen.": (
        "Three models for drug policy, with their pros and cons."
    ),
    "Ervaringen uit het buitenland": "Experiences from other countries",
    "Portugal, Canada, Zwitserland en Zweden: wat deden zij, en wat gebeurde er?": (
        "Portugal, Canada, Switzerland and Sweden: what did they do, and what happened?"
    ),
    "De wet en de verdragen": "The law and the treaties",
    "Wat mag Nederland zelf beslissen, en wat spreken landen samen af?": (
        "What can the Netherlands decide by itself, and what do countries agree together?"
    ),
    # Weekend 6.
    "Van ideeën naar aanbevelingen": "From ideas to recommendations",
    "Hoe schrijft u een aanbeveling die duidelijk en uitvoerbaar is?": (
        "How do you write a recommendation that is clear and can be carried out?"
    ),
    "Haalbaar en betaalbaar?": "Can it be done, and can we pay for it?",
    "Deskundigen lezen mee met de concept-aanbevelingen.": (
        "Experts read the draft recommendations and give their view."
    ),
    "Concept-aanbevelingen toelichten": "Explaining the draft recommendations",
    "Elke tafel licht zijn concept-aanbevelingen toe.": (
        "Each table explains its draft recommendations."
    ),
    # Weekend 7.
    "Uitleg over het stemmen": "How the vote works",
    "Hoe stemmen we, en wanneer is een aanbeveling aangenomen (75 procent steun)?": (
        "How do we vote, and when is a recommendation accepted (75 percent support)?"
    ),
    "Laatste toelichting door deskundigen": "Last words from the experts",
    "Korte reacties op de aanbevelingen uit de zorg en de veiligheid.": (
        "Short reactions to the recommendations from experts in care and in safety."
    ),
    "Het advies aan de Tweede Kamer": "The advice to the House of Representatives",
    "Hoe gaat het advies naar de Kamer, en wat gebeurt er daarna?": (
        "How does the advice get to the House, and what happens after that?"
    ),
}


def english(dutch: str) -> str:
    """The English of a programme text ("" for no text). A Dutch text missing
    from ENGLISH fails the seed here, so no demo session goes without English."""
    return ENGLISH[dutch] if dutch else ""


def _saturday(number: int) -> list[Item]:
    first, second, _third = BRIEFINGS[number]
    welcome = "Welkom" if number == 1 else "Welkom terug en terugblik"
    return [
        Item(
            "10:00",
            "10:30",
            K.PLENARY,
            welcome,
            description="De voorzitter opent het weekend en vertelt wat we gaan doen.",
        ),
        Item("10:30", "11:15", K.BRIEFING, first[0], topic=first[1], description=first[2]),
        Item("11:15", "11:30", K.BREAK, "Pauze", room=FOYER),
        Item(
            "11:30",
            "12:15",
            K.QUESTIONS,
            "Vragen aan de deskundigen",
            topic=first[1],
            description="U stelt uw vragen over de uitleg van vanochtend.",
        ),
        Item("12:15", "13:15", K.BREAK, "Lunch", room=RESTAURANT),
        Item("13:15", "14:00", K.BRIEFING, second[0], topic=second[1], description=second[2]),
        Item(
            "14:00",
            "15:15",
            K.TABLES,
            "Tafelgesprek",
            room=TABLE_ROOM,
            description="Aan uw tafel praat u met een gespreksleider over wat u hoorde.",
        ),
        Item("15:15", "15:30", K.BREAK, "Pauze", room=FOYER),
        Item("15:30", "16:30", K.TABLES, "Tafelgesprek: wat vinden wij?", room=TABLE_ROOM),
        Item(
            "16:30",
            "17:00",
            K.PLENARY,
            "Wat hebben de tafels besproken?",
            description="Elke tafel vertelt kort wat er uit het gesprek kwam.",
        ),
    ]


def _sunday(number: int) -> list[Item]:
    third = BRIEFINGS[number][2]
    items = [
        Item("10:00", "10:15", K.PLENARY, "Opening van de dag"),
        Item("10:15", "11:00", K.BRIEFING, third[0], topic=third[1], description=third[2]),
        Item("11:00", "11:45", K.QUESTIONS, "Vragen aan de deskundigen", topic=third[1]),
        Item("11:45", "12:00", K.BREAK, "Pauze", room=FOYER),
        Item("12:00", "13:00", K.TABLES, "Tafelgesprek", room=TABLE_ROOM),
        Item("13:00", "14:00", K.BREAK, "Lunch", room=RESTAURANT),
    ]
    if number == 7:
        items += [
            Item(
                "14:00",
                "15:30",
                K.VOTE,
                "Stemming over de aanbevelingen",
                description="U stemt over elke aanbeveling. Een aanbeveling is aangenomen "
                "met ten minste 75 procent steun.",
            ),
            Item("15:30", "15:45", K.BREAK, "Pauze", room=FOYER),
            Item(
                "15:45",
                "16:30",
                K.PLENARY,
                "De uitslag",
                description="De voorzitter maakt de uitslag van de stemming bekend.",
            ),
            Item("16:30", "17:00", K.PLENARY, "Afsluiting en bedankt"),
        ]
    else:
        items += [
            Item(
                "14:00", "15:15", K.TABLES, "Tafelgesprek: ideeën voor het advies", room=TABLE_ROOM
            ),
            Item("15:15", "15:30", K.BREAK, "Pauze", room=FOYER),
            Item("15:30", "16:30", K.PLENARY, "Wat nemen we mee?"),
            Item(
                "16:30",
                "17:00",
                K.PLENARY,
                "Afsluiting en hoe vond u het?",
                description="Vooruitblik op het volgende weekend en een korte evaluatie.",
            ),
        ]
    return items


def _at(day: dt.date, clock: str) -> dt.datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMS)


def _experts_by_turn(assembly: Assembly) -> list[Expert]:
    """The assembly's experts interleaved by perspective, so each briefing mixes views."""
    experts = list(
        Expert.objects.filter(assembly=assembly)
        .select_related("perspective")
        .order_by("perspective__position", "perspective_id", "name", "pk")
    )
    groups: dict[int | None, list[Expert]] = {}
    for expert in experts:
        groups.setdefault(expert.perspective_id, []).append(expert)
    interleaved: list[Expert] = []
    lists = list(groups.values())
    for index in range(max((len(group) for group in lists), default=0)):
        interleaved += [group[index] for group in lists if index < len(group)]
    return interleaved


@transaction.atomic
def programme_demo_fill(*, assembly: Assembly, publish: bool = True) -> int:
    """Fill the assembly's weekends 1–7 with the demo programme; returns the number of sessions.

    Published (unless ``publish=False``), with the default reminder schedule.
    Weekends that do not exist are skipped. Experts already in the assembly
    are put on the briefings, two per briefing from different perspectives
    where there are, and the same experts answer the questions after it.
    """
    experts = _experts_by_turn(assembly)
    turn = 0
    total = 0
    for weekend in Weekend.objects.filter(assembly=assembly, number__in=BRIEFINGS).order_by(
        "number"
    ):
        address, route, accessibility, hotel = VENUES.get(weekend.venue_name, ("", "", "", ""))
        weekend.venue_address, weekend.route = address, route
        weekend.accessibility, weekend.hotel = accessibility, hotel
        weekend.route_en, weekend.accessibility_en, weekend.hotel_en = VENUES_EN.get(
            weekend.venue_name, ("", "", "")
        )
        fields = ["venue_address", "route", "accessibility", "hotel"]
        fields += ["route_en", "accessibility_en", "hotel_en"]
        if publish and weekend.published_at is None:
            weekend.published_at = timezone.now()
            fields.append("published_at")
        weekend.save(update_fields=fields)

        days = [
            (weekend.starts_on, _saturday(weekend.number)),
            (weekend.starts_on + dt.timedelta(days=1), _sunday(weekend.number)),
        ]
        positions = list(Session.objects.filter(weekend=weekend).values_list("position", flat=True))
        if len(positions) != len(set(positions)):
            # Positions not unique (sessions made by hand): start this weekend afresh.
            Session.objects.filter(weekend=weekend).delete()
        position = 0
        kept: list[int] = []
        for day, items in days:
            last_briefing: list[Expert] = []
            for item in items:
                session, _created = Session.objects.update_or_create(
                    weekend=weekend,
                    position=position,
                    defaults={
                        "title": item.title,
                        "title_en": english(item.title),
                        "kind": item.kind,
                        "starts_at": _at(day, item.start),
                        "ends_at": _at(day, item.end),
                        "room": item.room,
                        "topic": item.topic,
                        "description": item.description,
                        "description_en": english(item.description),
                    },
                )
                chosen: list[Expert] = []
                if experts and item.kind == K.BRIEFING:
                    count = min(2, len(experts))
                    chosen = [experts[(turn + n) % len(experts)] for n in range(count)]
                    turn += 2
                    last_briefing = chosen
                elif item.kind == K.QUESTIONS:
                    chosen = last_briefing
                session.experts.set(chosen)
                kept.append(session.pk)
                position += 1
        Session.objects.filter(weekend=weekend, position__lt=EXTRA_POSITION).exclude(
            pk__in=kept
        ).delete()
        total += len(kept)
    if publish:
        reminder_schedule_ensure(assembly=assembly)
    return total
