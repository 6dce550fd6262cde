"""The demo's pool: about 600 synthetic registrations for the lottery.

Each registration has the chain the real site builds (resident → invitation
→ registration), written with bulk_create so the demo seeds in seconds. The
spread is seeded, so every demo has the same pool; it leans the way real
sign-ups lean (more older and more highly educated people), and some
respondents share a household, so the household rule has work to do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from assembly.models import Assembly
from participants.codes import code_generate
from participants.models import (
    AttitudeQuestion,
    Education,
    Gender,
    Invitation,
    InvitationDraw,
    MigrationBackground,
    PopulationImport,
    Province,
    Registration,
    Resident,
    Urbanisation,
)
from participants.services.registration import CONSENT_VERSION
from sessions.models import Weekend

POOL_FILE_NAME = "demo-aanmelders (synthetisch)"
POOL_SIZE = 600
SEED = 20270110
T = TypeVar("T")
# Every SHARED_EVERY-th pair of profiles has a household of two (see demo_people).
SHARED_EVERY = 3
# Respondents are drawn from this many answer profiles. Respondents with the
# same answers are one "type" in the engine (LOTTERY.md, point 1); with a few
# repeats the demo's LEXIMIN for a panel of 175 takes seconds, not minutes.
PROFILES = 120

# (band, low, high, weight): older people sign up more often than young ones.
AGE_BANDS = [
    ("16-24", 16, 24, 0.10),
    ("25-34", 25, 34, 0.14),
    ("35-44", 35, 44, 0.14),
    ("45-54", 45, 54, 0.16),
    ("55-64", 55, 64, 0.19),
    ("65-74", 65, 74, 0.17),
    ("75+", 75, 89, 0.10),
]
GENDERS = [(Gender.WOMAN, 0.51), (Gender.MAN, 0.48), (Gender.OTHER, 0.01)]
EDUCATION = [(Education.LOW, 0.22), (Education.MIDDLE, 0.36), (Education.HIGH, 0.42)]
# (province, weight, municipality, postcode prefix, urbanisation weights
# zeer sterk/sterk/matig/weinig/niet)
PROVINCES = [
    (Province.GRONINGEN, 0.034, "Groningen", 97, (0.3, 0.1, 0.2, 0.2, 0.2)),
    (Province.FRIESLAND, 0.037, "Leeuwarden", 89, (0.0, 0.2, 0.2, 0.3, 0.3)),
    (Province.DRENTHE, 0.028, "Assen", 94, (0.0, 0.1, 0.3, 0.3, 0.3)),
    (Province.OVERIJSSEL, 0.066, "Zwolle", 80, (0.1, 0.3, 0.2, 0.2, 0.2)),
    (Province.FLEVOLAND, 0.026, "Almere", 13, (0.1, 0.4, 0.2, 0.2, 0.1)),
    (Province.GELDERLAND, 0.118, "Arnhem", 68, (0.1, 0.3, 0.2, 0.2, 0.2)),
    (Province.UTRECHT, 0.079, "Utrecht", 35, (0.4, 0.3, 0.1, 0.1, 0.1)),
    (Province.NOORD_HOLLAND, 0.166, "Amsterdam", 10, (0.45, 0.25, 0.1, 0.1, 0.1)),
    (Province.ZUID_HOLLAND, 0.214, "Rotterdam", 30, (0.4, 0.3, 0.1, 0.1, 0.1)),
    (Province.ZEELAND, 0.022, "Middelburg", 43, (0.0, 0.1, 0.3, 0.3, 0.3)),
    (Province.NOORD_BRABANT, 0.147, "Eindhoven", 56, (0.15, 0.3, 0.2, 0.2, 0.15)),
    (Province.LIMBURG, 0.063, "Maastricht", 62, (0.1, 0.3, 0.2, 0.2, 0.2)),
]
URBANISATION = [
    Urbanisation.VERY_STRONG,
    Urbanisation.STRONG,
    Urbanisation.MODERATE,
    Urbanisation.LOW,
    Urbanisation.NONE,
]
MIGRATION = [
    (MigrationBackground.NONE, 0.75),
    (MigrationBackground.EUROPEAN, 0.1),
    (MigrationBackground.NON_EUROPEAN, 0.15),
]
GIVEN_NAMES = [
    "Anouk",
    "Daan",
    "Fatima",
    "Henk",
    "Ingrid",
    "Jan",
    "Lotte",
    "Mohammed",
    "Noor",
    "Priya",
    "Sem",
    "Thijs",
    "Yasmina",
    "Zoë",
    "Kees",
    "Özlem",
]
SURNAMES = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Yilmaz",
    "El Amrani",
    "Nguyen",
    "Mulder",
    "de Boer",
    "Kaya",
]
STREETS = ["Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Julianalaan", "Lindelaan"]


def _pick(rng: random.Random, weighted: list[tuple[T, float]]) -> T:
    return rng.choices([item for item, _ in weighted], [w for _, w in weighted])[0]


Band = tuple[str, int, int, float]
Place = tuple[Province, float, str, int, tuple[float, ...]]


def _band(rng: random.Random) -> Band:
    return rng.choices(AGE_BANDS, [b[3] for b in AGE_BANDS])[0]


def _birth_date(rng: random.Random, band: Band, first_weekend: dt.date) -> dt.date:
    _name, low, high, _weight = band
    age = rng.randint(low, high)
    # a birthday between (age + 1) years and age years before the first weekend
    latest = first_weekend.replace(year=first_weekend.year - age)
    if latest.month == 2 and latest.day == 29:
        latest = latest.replace(day=28)
    return latest - dt.timedelta(days=rng.randint(1, 364))


def _spread(rng: random.Random, weighted: list[tuple[T, float]], count: int) -> list[T]:
    """``count`` items in proportion to the weights (largest remainder, each at
    least once), shuffled: a sample without the lumps of independent draws."""
    total = sum(weight for _item, weight in weighted)
    exact = [weight / total * count for _item, weight in weighted]
    numbers = [max(1, int(value)) for value in exact]
    order = sorted(range(len(exact)), key=lambda i: int(exact[i]) - exact[i])
    for index in order[: max(0, count - sum(numbers))]:
        numbers[index] += 1
    items = [item for (item, _w), n in zip(weighted, numbers, strict=True) for _ in range(n)]
    rng.shuffle(items)
    return items[:count]


@dataclass(frozen=True)
class DemoPerson:
    household: int
    band: Band
    gender: str
    education: str
    place: Place
    urbanisation: str


DEMO_DIETS = ("vegetarisch", "halal", "geen noten", "veganistisch", "glutenvrij")


def _demo_needs(rng: random.Random) -> dict[str, object]:
    """About one in five needs something: food most often, then help."""
    return {
        "diet": rng.choice(DEMO_DIETS) if rng.random() < 0.15 else "",
        "needs_mobility": rng.random() < 0.03,
        "needs_childcare": rng.random() < 0.04,
        "needs_language_help": rng.random() < 0.02,
    }


def demo_people(rng: random.Random, size: int = POOL_SIZE) -> list[DemoPerson]:
    """The pool without the database: PROFILES answer profiles, each shared by
    size / PROFILES respondents. Profiles come in pairs living in the same
    place; every SHARED_EVERY-th pair has one household with a person of each."""
    pairs = PROFILES // 2
    places = _spread(rng, [(p, p[1]) for p in PROVINCES], pairs)
    urban = [rng.choices(URBANISATION, place[4])[0] for place in places]
    bands = _spread(rng, [(b, b[3]) for b in AGE_BANDS], PROFILES)
    genders = _spread(rng, GENDERS, PROFILES)
    education = _spread(rng, EDUCATION, PROFILES)
    each = size // PROFILES
    people: list[DemoPerson] = []
    household = 0
    for pair in range(pairs):
        members = [(2 * pair + side, n) for side in (0, 1) for n in range(each)]
        shared = pair % SHARED_EVERY == 0
        for position, (profile, _n) in enumerate(members):
            # in a shared pair, the last of one profile and the first of the other live together
            if not (shared and position == each):
                household += 1
            people.append(
                DemoPerson(
                    household,
                    bands[profile],
                    genders[profile],
                    education[profile],
                    places[pair],
                    urban[pair],
                )
            )
    return people


@transaction.atomic
def seed_pool(assembly: Assembly, size: int = POOL_SIZE) -> int:
    """Create the demo pool unless this assembly has it already; the pool's size."""
    existing = PopulationImport.objects.filter(assembly=assembly, file_name=POOL_FILE_NAME)
    if existing.exists():
        return Registration.objects.filter(
            assembly=assembly, invitation__resident__population_import__in=existing
        ).count()
    rng = random.Random(SEED)
    extract = PopulationImport.objects.create(
        assembly=assembly,
        file_name=POOL_FILE_NAME,
        file_sha256=hashlib.sha256(f"{POOL_FILE_NAME}:{SEED}:{size}".encode()).hexdigest(),
        status=PopulationImport.Status.IMPORTED,
        rows_total=size,
        rows_imported=size,
    )
    residents: list[Resident] = []
    answers: list[dict[str, object]] = []
    question_choices = {
        q.key: q.choice_list() for q in AttitudeQuestion.objects.filter(assembly=assembly)
    }
    people = demo_people(rng, size)
    # Needs from a random stream of their own: the lottery's draws stay as
    # they were, and the organisers' needs page has something to show.
    needs_rng = random.Random(f"{SEED}-needs")
    for index, person in enumerate(people, start=1):
        household = person.household
        province, _w, municipality, prefix, _urban = person.place
        postcode = f"{prefix}{household % 100:02d}{'ABCDEFGHJK'[household % 10]}X"
        number = 1 + household // 100
        given, surname = rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)
        residents.append(
            Resident(
                assembly=assembly,
                population_import=extract,
                person_ref=f"DP{index:06d}",
                given_names=given,
                surname=surname,
                street=rng.choice(STREETS),
                house_number=number,
                house_letter="D",
                postcode=postcode,
                city=municipality,
                municipality=municipality,
                birth_date=_birth_date(rng, person.band, assembly.first_weekend),
                household_key=f"{postcode}-{number}-D",
            )
        )
        answers.append(
            {
                "province": province,
                "urbanisation": person.urbanisation,
                "gender": person.gender,
                "education": person.education,
                "migration_background": _pick(rng, MIGRATION),
                "attitude_answers": {
                    k: rng.choice(choices) for k, choices in question_choices.items() if choices
                },
                **_demo_needs(needs_rng),
            }
        )
    residents = Resident.objects.bulk_create(residents)
    draw = InvitationDraw.objects.create(
        assembly=assembly,
        seed=f"demo-{SEED}",
        requested=len(residents),
        eligible_households=len({person.household for person in people}),
        eligible_residents=len(residents),
        input_sha256=extract.file_sha256,
        codes_have_check_character=True,
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(
            assembly=assembly,
            draw=draw,
            resident=resident,
            code=code_generate(),
            status=Invitation.Status.REGISTERED,
        )
        for resident in residents
    )
    now = timezone.now()
    registrations = Registration.objects.bulk_create(
        Registration(
            invitation=invitation,
            assembly=assembly,
            consent_at=now,
            consent_version=CONSENT_VERSION,
            full_name=f"{r.given_names} {r.surname}",
            email=f"{r.person_ref.lower()}@example.org",
            birth_date=r.birth_date,
            **extra,
        )
        for invitation, r, extra in zip(invitations, residents, answers, strict=True)
    )
    weekends = list(Weekend.objects.filter(assembly=assembly).values_list("pk", flat=True))
    through = Registration.available_weekends.through
    through.objects.bulk_create(
        through(registration_id=registration.pk, weekend_id=weekend)
        for registration in registrations
        for weekend in weekends
        if rng.random() < 0.9
    )
    return len(registrations)
