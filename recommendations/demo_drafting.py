"""The demo's recommendations: what the tables drafted on the weekends behind
the assembly, and what the plenary did with them.

For every past weekend with tables, each table drafts one recommendation and
every third table a second one, from a catalogue of realistic advice on drug
policy (care and safety, prevention, regulation, harm reduction, "jonge
aanwas"). Drafts of weekends before the last past one went to the plenary
on the next weekend: most are submitted, a draft on an idea another table of
the same weekend submitted is merged into it, a draft on an idea already in
the plenary is withdrawn by its table (now and then with an amendment to the
earlier one), some got amendments (accepted or rejected, with a count) and
feedback. The last past weekend's drafts are still with their tables. When
every weekend is over, the plenary finished: each remaining recommendation
has a final text (about forty, as in real assemblies), ready for the ballots.

The history follows the rules of recommendations/services/drafting.py
(versions with their reasons, decided amendments with counts that agree) but
is written in bulk: the services' per-row locks and audit lines would make
seven weekends of 25 tables take many seconds. Deterministic (no randomness:
choices follow from the order of weekends and tables) and idempotent: an
assembly that has recommendations keeps them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from assembly.models import Assembly, Role, RoleKind, User
from assembly.services import audit_record
from participants.models import Table, TableRound, TableSeat
from recommendations.models import Amendment, PlenaryFeedback, Recommendation
from recommendations.models import RecommendationVersion as Version
from sessions.models import Weekend

Status = Recommendation.Status
ORDERED = (Status.SUBMITTED, Status.AMENDED, Status.FINAL)


@dataclass(frozen=True)
class Idea:
    topic: str
    title: str
    text: str
    rationale: str
    # A sentence the table added in a later version.
    addition: str


CATALOGUE: tuple[Idea, ...] = (
    Idea(
        "preventie",
        "Les over drugs op elke middelbare school",
        "Elke middelbare school geeft vanaf de tweede klas les over alcohol en drugs. "
        "De lessen komen van mensen met kennis, zoals de GGD of de verslavingszorg.",
        "Jongeren horen nu vooral verhalen van vrienden en op internet. Goede informatie op "
        "school helpt hen een betere keuze te maken.",
        "Ouders krijgen ook een avond met uitleg.",
    ),
    Idea(
        "preventie",
        "Ouders helpen praten over drugs",
        "Gemeenten bieden ouders gratis hulp om met hun kinderen over drugs te praten. "
        "Dat kan via het consultatiebureau, de school of online.",
        "Veel ouders weten niet hoe zij het gesprek moeten beginnen. Ouders zijn wel de "
        "belangrijkste voorbeelden voor kinderen.",
        "De hulp is er ook in andere talen dan Nederlands.",
    ),
    Idea(
        "zorg",
        "Sneller hulp bij verslaving",
        "Iemand die hulp zoekt bij verslaving, krijgt binnen vier weken een eerste gesprek. "
        "De wachtlijsten in de verslavingszorg moeten daarom korter.",
        "Wie lang moet wachten, haakt vaak af. Dan wordt het probleem groter en duurder.",
        "Tot het eerste gesprek is er een telefoonnummer voor steun.",
    ),
    Idea(
        "zorg",
        "Meer geld voor de verslavingszorg",
        "Het kabinet geeft de verslavingszorg de komende vijf jaar elk jaar meer geld. "
        "Dat geld gaat naar behandeling en naar nazorg.",
        "De verslavingszorg heeft te weinig mensen en te weinig plekken. Goede zorg "
        "voorkomt later kosten voor politie en justitie.",
        "De Tweede Kamer hoort elk jaar waar het geld naartoe is gegaan.",
    ),
    Idea(
        "schadebeperking",
        "Drugs laten testen moet overal kunnen",
        "In elke provincie kunnen mensen hun drugs anoniem laten testen. "
        "Het testen gebeurt via het Drugs Informatie en Monitoring Systeem.",
        "Testen laat zien of er gevaarlijke stoffen in drugs zitten. Zo worden mensen "
        "minder vaak ziek.",
        "Waarschuwingen over gevaarlijke pillen gaan ook via sociale media.",
    ),
    Idea(
        "schadebeperking",
        "Veilig uitgaan met hulp op feesten",
        "Grote feesten en festivals hebben altijd een EHBO-post met kennis van drugs. "
        "Er is ook een rustige plek voor mensen die zich niet goed voelen.",
        "Op feesten wordt veel gebruikt. Snelle hulp voorkomt ziekenhuisopnames en erger.",
        "De gemeente maakt dit een voorwaarde voor de vergunning.",
    ),
    Idea(
        "veiligheid",
        "Jongeren uit de drugscriminaliteit houden",
        "Gemeenten, scholen en politie werken samen om jongeren te beschermen tegen "
        "criminelen die hen ronselen. Jongeren die al meedoen, krijgen een begeleider.",
        "Criminelen zoeken jongeren voor klusjes met drugs. Eén keer meedoen kan al een "
        "leven veranderen.",
        "Het werk en geld voor deze aanpak blijft minstens tien jaar.",
    ),
    Idea(
        "veiligheid",
        "Meer politie en recherche tegen drugsbendes",
        "De politie krijgt meer rechercheurs om grote drugsbendes op te sporen. "
        "Het doel is de top van de bendes, niet de gebruiker.",
        "De grote criminelen verdienen het meeste geld. Hen aanpakken helpt het meest tegen "
        "geweld.",
        "Ook de douane in de havens krijgt meer mensen.",
    ),
    Idea(
        "veiligheid",
        "Criminele winst afpakken",
        "Justitie pakt vaker het geld en de bezittingen van drugscriminelen af. "
        "Een deel van dat geld gaat naar preventie in de wijken.",
        "Criminelen doen het voor het geld. Als misdaad niet loont, stopt het eerder.",
        "Bewoners van de wijk praten mee over hoe het geld wordt besteed.",
    ),
    Idea(
        "regulering",
        "Onderzoek naar regels voor cannabis",
        "Het kabinet onderzoekt hoe de teelt en verkoop van cannabis met regels kan, "
        "zoals bij alcohol. Het gebruikt daarbij de uitkomsten van het experiment gesloten "
        "coffeeshopketen.",
        "Nu is de verkoop in coffeeshops gedoogd maar de inkoop verboden. Dat is voor veel "
        "mensen niet uit te leggen.",
        "Het onderzoek is klaar voor het einde van de kabinetsperiode.",
    ),
    Idea(
        "regulering",
        "De achterdeur van de coffeeshop regelen",
        "Coffeeshops mogen hun cannabis kopen bij telers met een vergunning. "
        "De overheid controleert de kwaliteit.",
        "Zo gaat er minder geld naar criminelen en weten gebruikers wat zij kopen.",
        "Gemeenten bepalen zelf of zij meedoen.",
    ),
    Idea(
        "regulering",
        "Geen straf voor bezit voor eigen gebruik",
        "Wie een kleine hoeveelheid drugs bij zich heeft voor eigen gebruik, krijgt geen "
        "strafblad. Hij krijgt wel een gesprek met de zorg aangeboden.",
        "Een strafblad maakt werk en wonen moeilijker. Het helpt niet om minder te gebruiken.",
        "De politie blijft wel optreden bij overlast.",
    ),
    Idea(
        "voorlichting",
        "Eerlijke voorlichting over risico's",
        "De overheid geeft eerlijke informatie over de risico's van alle drugs, ook van "
        "alcohol. De informatie is in gewone taal en staat op één website.",
        "Mensen vertrouwen voorlichting die alleen bang maakt niet. Eerlijke informatie "
        "wordt beter gelezen.",
        "Jongeren helpen mee om de teksten te maken.",
    ),
    Idea(
        "voorlichting",
        "Campagne over de schade van drugs voor anderen",
        "Het kabinet maakt een campagne over wat drugsgebruik betekent voor anderen: "
        "geweld, uitbuiting en afval in de natuur.",
        "Veel gebruikers weten niet wat er achter hun pil of lijntje zit.",
        "De campagne is te zien waar jongeren zijn: online en op festivals.",
    ),
    Idea(
        "zorg",
        "Hulp voor mensen met verslaving en schulden",
        "Mensen met een verslaving krijgen ook hulp bij schulden, wonen en werk. "
        "Eén hulpverlener houdt het overzicht.",
        "Verslaving komt zelden alleen. Wie ook schulden heeft, valt snel terug.",
        "Het Zorg- en Veiligheidshuis helpt bij de moeilijkste situaties.",
    ),
    Idea(
        "zorg",
        "Ervaringsdeskundigen in de zorg",
        "In elk team van de verslavingszorg werkt ten minste één ervaringsdeskundige. "
        "Deze mensen krijgen een goede opleiding en een eerlijk loon.",
        "Mensen die zelf verslaafd waren, worden beter vertrouwd. Zij weten wat werkt.",
        "Zij praten ook mee over het beleid van de instelling.",
    ),
    Idea(
        "veiligheid",
        "Drugsafval sneller opruimen",
        "Het Rijk betaalt het opruimen van gedumpt drugsafval, niet de boer of de gemeente. "
        "Er komt één meldpunt voor drugsafval.",
        "Boeren en natuurbeheerders draaien nu op voor de kosten van criminelen. Dat is oneerlijk.",
        "Het meldpunt is dag en nacht bereikbaar.",
    ),
    Idea(
        "veiligheid",
        "Havens beter beveiligen",
        "De havens van Rotterdam, Amsterdam en Vlissingen krijgen meer scanners en "
        "controles. Havenpersoneel wordt beter beschermd tegen omkoping.",
        "Veel cocaïne komt via de havens binnen. Medewerkers worden bedreigd of omgekocht.",
        "Nederland werkt hierin samen met België en andere landen.",
    ),
    Idea(
        "preventie",
        "Sport en vrije tijd voor jongeren in de wijk",
        "Gemeenten zorgen voor betaalbare sport en activiteiten voor jongeren in wijken "
        "met veel drugscriminaliteit. Jongerenwerkers zijn 's avonds op straat.",
        "Jongeren die iets te doen hebben en een vertrouwd persoon kennen, zijn minder "
        "makkelijk te ronselen.",
        "Jongeren kiezen zelf mee welke activiteiten er komen.",
    ),
    Idea(
        "preventie",
        "Preventie op het werk",
        "Werkgevers krijgen hulp om drugs- en alcoholgebruik op het werk bespreekbaar te "
        "maken. Werknemers met een probleem krijgen hulp in plaats van ontslag.",
        "Veel volwassenen gebruiken. Het werk is een goede plek om problemen vroeg te zien.",
        "Kleine bedrijven krijgen deze hulp gratis.",
    ),
    Idea(
        "onderzoek",
        "Beleid meten en bijsturen",
        "Het kabinet laat elk jaar onafhankelijk meten of het drugsbeleid werkt: "
        "voor gezondheid en voor veiligheid. De uitkomsten zijn openbaar.",
        "Nu weet niemand goed wat werkt. Zonder cijfers kan de politiek niet goed kiezen.",
        "Het Trimbos-instituut en het WODC doen dit samen.",
    ),
    Idea(
        "onderzoek",
        "Leren van andere landen",
        "Nederland onderzoekt wat andere landen doen, zoals Portugal en Zwitserland. "
        "Het kabinet stuurt daarover een verslag naar de Tweede Kamer.",
        "Andere landen hebben ervaring met nieuwe regels. Daar kunnen we van leren.",
        "Deelnemers van het burgerberaad lezen het verslag mee.",
    ),
    Idea(
        "zorg",
        "Gebruiksruimtes in grote steden",
        "Grote steden mogen gebruiksruimtes openen waar mensen onder toezicht gebruiken. "
        "Daar is ook hulp van een verpleegkundige.",
        "Gebruik op straat is gevaarlijk en geeft overlast. Een gebruiksruimte maakt "
        "contact met de zorg mogelijk.",
        "Omwonenden praten mee over de plek.",
    ),
    Idea(
        "veiligheid",
        "Bescherming van burgemeesters en advocaten",
        "Mensen die drugscriminaliteit bestrijden, zoals burgemeesters, rechters, "
        "advocaten en journalisten, krijgen goede bescherming.",
        "Bedreiging van deze mensen raakt de rechtsstaat. Zij moeten hun werk veilig kunnen doen.",
        "Er is één loket waar zij terechtkunnen.",
    ),
    Idea(
        "preventie",
        "Minder verkoop van alcohol aan jongeren",
        "Winkels en horeca controleren beter op leeftijd bij de verkoop van alcohol. "
        "Wie vaak aan jongeren verkoopt, verliest de vergunning.",
        "Alcohol is vaak het eerste middel. Later beginnen met drinken geeft minder problemen.",
        "Gemeenten doen vaker controles met mystery shoppers.",
    ),
    Idea(
        "voorlichting",
        "Informatie over nieuwe drugs",
        "Er komt een snelle waarschuwing als er nieuwe of extra sterke drugs op de markt "
        "zijn. Zorg, politie en uitgaanslocaties krijgen de waarschuwing direct.",
        "Nieuwe stoffen zoals sterke opioïden kunnen snel veel slachtoffers maken.",
        "De waarschuwing komt ook in een app.",
    ),
    Idea(
        "veiligheid",
        "Online verkoop van drugs aanpakken",
        "Politie en justitie krijgen meer mensen en middelen om de verkoop van drugs via "
        "internet en apps te stoppen.",
        "Jongeren kopen steeds vaker drugs via sociale media. Dat is makkelijk en moeilijk "
        "te zien voor ouders.",
        "Bedrijven achter de apps moeten meewerken.",
    ),
    Idea(
        "regulering",
        "Lachgas blijft verboden",
        "Het verbod op lachgas voor plezier blijft. Het kabinet onderzoekt hoe het verbod "
        "beter wordt gehandhaafd in het verkeer.",
        "Lachgas geeft zenuwschade en gevaarlijke ongelukken op de weg.",
        "Er komt een test voor lachgas bij bestuurders.",
    ),
    Idea(
        "zorg",
        "Betere zorg voor jongeren met problemen",
        "Jongeren met problemen door drugs krijgen zorg die bij hun leeftijd past. "
        "School en jeugdzorg werken daarbij samen.",
        "De zorg is nu vaak gemaakt voor volwassenen. Jongeren haken dan af.",
        "Jongeren kunnen ook anoniem een chat beginnen.",
    ),
    Idea(
        "schadebeperking",
        "Naloxon voor noodgevallen",
        "Hulpverleners, politie en daklozenopvang hebben naloxon bij zich. "
        "Dat middel helpt bij een overdosis van opioïden.",
        "Een overdosis kan binnen minuten dodelijk zijn. Met naloxon is iemand te redden.",
        "Ook mensen rond gebruikers kunnen een training krijgen.",
    ),
    Idea(
        "veiligheid",
        "Samenwerking tegen ondermijning",
        "Gemeenten, politie, Belastingdienst en het Openbaar Ministerie delen sneller "
        "informatie over criminele bedrijven. De RIEC's krijgen vast geld.",
        "Criminelen gebruiken gewone bedrijven om geld wit te wassen. Alleen samen zie je dat.",
        "De privacy van gewone burgers blijft beschermd.",
    ),
    Idea(
        "preventie",
        "Gezonde school en studentenleven",
        "Hogescholen en universiteiten maken een plan om drugs- en alcoholgebruik onder "
        "studenten te verminderen. Studentenverenigingen doen mee.",
        "Studenten gebruiken meer dan andere jongeren. Prestatiedruk speelt daarbij een rol.",
        "Studenten weten waar zij zonder oordeel hulp vinden.",
    ),
    Idea(
        "voorlichting",
        "Burgerberaad over drugs blijft terugkomen",
        "Het kabinet vraagt over vijf jaar opnieuw een burgerberaad om het drugsbeleid "
        "te bekijken.",
        "Beleid verandert en de drugsmarkt ook. Inwoners moeten kunnen blijven meepraten.",
        "Het nieuwe burgerberaad leest eerst wat er met dit advies is gedaan.",
    ),
    Idea(
        "zorg",
        "Nazorg na een behandeling",
        "Na een behandeling voor verslaving krijgt iedereen minstens een jaar nazorg. "
        "Die nazorg is dicht bij huis.",
        "Terugval komt vaak in het eerste jaar. Met steun houden mensen het langer vol.",
        "Zelfhulpgroepen krijgen daarvoor geld van de gemeente.",
    ),
    Idea(
        "veiligheid",
        "Minder drugsoverlast in woonwijken",
        "Gemeenten krijgen meer mogelijkheden om drugspanden te sluiten en dealers uit "
        "de wijk te weren.",
        "Bewoners voelen zich onveilig door handel in hun straat.",
        "Bewoners kunnen anoniem melden via Meld Misdaad Anoniem.",
    ),
    Idea(
        "regulering",
        "Kwaliteitseisen voor drugs die gedoogd worden",
        "Voor cannabis in coffeeshops gelden duidelijke eisen: een etiket met de sterkte "
        "en een waarschuwing.",
        "Gebruikers weten nu niet hoe sterk hun cannabis is. Sterke cannabis geeft meer "
        "kans op psychische problemen.",
        "De eisen gelden ook voor eetbare producten.",
    ),
    Idea(
        "preventie",
        "Vroeg signaleren door de huisarts",
        "Huisartsen en praktijkondersteuners vragen vaker naar alcohol en drugs. "
        "Zij krijgen daar tijd en training voor.",
        "De huisarts ziet veel mensen voordat het misgaat. Een kort gesprek helpt vaak al.",
        "Apothekers helpen mee bij medicijnen met verslavingsrisico.",
    ),
    Idea(
        "zorg",
        "Zorg voor gevangenen met een verslaving",
        "Gevangenen met een verslaving krijgen in de gevangenis behandeling en na vrijlating "
        "direct hulp.",
        "Zonder hulp vallen mensen na hun straf snel terug in gebruik en misdaad.",
        "De reclassering regelt de overdracht naar de zorg.",
    ),
    Idea(
        "veiligheid",
        "Internationale aanpak van drugshandel",
        "Nederland werkt in Europa samen met andere landen om drugshandel en geldstromen "
        "aan te pakken. Het kabinet zet dit hoog op de Europese agenda.",
        "Drugshandel houdt niet op bij de grens. Alleen samen kunnen landen de handel raken.",
        "Ook landen waar de drugs vandaan komen, krijgen steun.",
    ),
    Idea(
        "voorlichting",
        "Aandacht voor gokken, gamen en drugs samen",
        "Voorlichting op school gaat ook over gokken en gamen, omdat die verslaving vaak "
        "samengaat met drugsgebruik.",
        "Jongeren die gokken, gebruiken vaker drugs. Dat vraagt één aanpak.",
        "Ouders krijgen dezelfde informatie.",
    ),
    Idea(
        "schadebeperking",
        "Veilig vervoer na het uitgaan",
        "Na grote feesten is er 's nachts genoeg openbaar vervoer. "
        "Zo hoeft niemand onder invloed te rijden.",
        "Rijden onder invloed van drugs geeft ernstige ongelukken.",
        "De politie controleert vaker met speekseltests.",
    ),
    Idea(
        "onderzoek",
        "Inwoners met ervaring praten mee",
        "Bij nieuw drugsbeleid praten gebruikers, ouders en buurtbewoners mee. "
        "Hun ervaring telt bij de keuzes.",
        "Beleid werkt beter als de mensen voor wie het is, meedenken.",
        "De gemeente organiseert dit elk jaar.",
    ),
    Idea(
        "regulering",
        "Apotheek als verkooppunt onderzoeken",
        "Het kabinet onderzoekt of sommige middelen, zoals cannabis, via de apotheek "
        "verkocht kunnen worden met advies erbij.",
        "In de apotheek krijgen mensen uitleg en is er controle op leeftijd.",
        "Het onderzoek kijkt ook naar de kosten.",
    ),
    Idea(
        "zorg",
        "Psychische hulp en verslavingszorg samen",
        "Mensen met psychische problemen en een verslaving krijgen zorg van één team. "
        "Zij worden niet meer van de ene naar de andere instelling gestuurd.",
        "Veel mensen hebben beide problemen. Ze vallen nu tussen wal en schip.",
        "Zorgverzekeraars betalen deze zorg samen.",
    ),
)

# The chair's feedback, as the plenary gave it (one line per discussed draft).
FEEDBACK = (
    "De zaal steunt het doel. Maak duidelijker wie dit moet betalen.",
    "Veel steun. Een paar deelnemers vragen om een datum waarop het klaar moet zijn.",
    "Vragen over de uitvoering door gemeenten. De tafel kijkt nog naar de tekst.",
    "De zaal wil weten wat deskundigen hiervan vinden. Graag terug in het volgende weekend.",
    "Brede steun. Let op dat de tekst ook voor jongeren duidelijk is.",
)
# What amendments propose: a sentence the plenary adds to the text.
AMENDMENT_ADDITIONS = (
    "Het kabinet laat binnen twee jaar zien wat het resultaat is.",
    "Dit geldt in het hele land, niet alleen in de grote steden.",
    "Mensen met ervaring praten mee over de uitvoering.",
    "Het geld hiervoor komt niet uit het budget van de politie.",
)
AMENDMENT_REASONS = (
    "Zonder datum gebeurt er te weinig.",
    "Ook in dorpen zijn deze problemen.",
    "Wie het zelf heeft meegemaakt, weet wat werkt.",
    "Veiligheid en zorg moeten allebei genoeg geld houden.",
)
# About as many final recommendations as real assemblies adopt or reject.
FINAL_TARGET = 40


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _first_user(assembly: Assembly, kind: str) -> User | None:
    role = (
        Role.objects.filter(assembly=assembly, kind=kind).select_related("user").order_by("pk")
    ).first()
    return role.user if role else None


def _counts(present: int, accepted: bool, salt: int) -> tuple[int, int, int]:
    """A plausible count (for, against, abstain) that agrees with the decision."""
    present = max(present, 10)
    abstain = present // 15 + salt % 3
    rest = present - abstain
    share = 0.62 + (salt % 4) * 0.04 if accepted else 0.30 + (salt % 3) * 0.05
    votes_for = round(rest * share)
    return votes_for, rest - votes_for, abstain


@dataclass
class _Plan:
    """One recommendation with its history, built in memory and written in bulk."""

    recommendation: Recommendation
    idea: int
    weekend: Weekend
    versions: list[Version] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)
    feedback: list[PlenaryFeedback] = field(default_factory=list)
    merged_into: _Plan | None = None

    def version(self, reason: str, author: User | None, note: str = "") -> None:
        r = self.recommendation
        self.versions.append(
            Version(
                number=len(self.versions) + 1,
                title=r.title,
                text=r.text,
                rationale=r.rationale,
                reason=reason,
                note=note,
                author=author,
            )
        )


@dataclass
class _Context:
    assembly: Assembly
    chair: User | None
    organiser: User | None
    plans: list[_Plan] = field(default_factory=list)
    position: int = 0
    amendments_made: int = 0

    def next_position(self) -> int:
        self.position += 1
        return self.position


def _draft(
    context: _Context,
    weekend: Weekend,
    tables: list[Table],
    member_users: dict[int, User],
) -> list[_Plan]:
    """Each table drafts one idea, every third table a second; some drafts get
    a second version (and a few a third) by a member of the table."""
    drafted: list[_Plan] = []
    for table in tables:
        for extra in range(2 if table.number % 3 == 0 else 1):
            index = len(context.plans)
            # Every tenth draft takes up the idea of a table a little earlier:
            # similar drafts from different tables, for the plenary to merge.
            idea_index = (index - 5 if index % 10 == 6 else index) % len(CATALOGUE)
            idea = CATALOGUE[idea_index]
            author = table.facilitator or member_users.get(table.pk)
            editor = member_users.get(table.pk) or author
            plan = _Plan(
                Recommendation(
                    assembly=context.assembly,
                    number=index + 1,
                    title=idea.title,
                    text=idea.text,
                    rationale=idea.rationale,
                    topic=idea.topic,
                    table=table,
                    weekend=weekend,
                    created_by=author,
                ),
                idea_index,
                weekend,
            )
            plan.version(Version.Reason.DRAFTED, author)
            if (table.number + extra) % 3 == 1:
                plan.recommendation.text = f"{idea.text} {idea.addition}"
                plan.version(
                    Version.Reason.EDITED, editor, "Zin toegevoegd na het gesprek aan tafel."
                )
                if table.number % 4 == 1:
                    plan.recommendation.rationale = (
                        f"{idea.rationale} Dit hoorden wij ook van de deskundigen."
                    )
                    plan.version(Version.Reason.EDITED, author, "Toelichting aangevuld.")
            context.plans.append(plan)
            drafted.append(plan)
    return drafted


def _amend(
    context: _Context, plan: _Plan, *, table: Table | None, present: int, when: dt.date
) -> None:
    """An amendment on `plan`, decided by the plenary with a count."""
    salt = context.amendments_made
    context.amendments_made += 1
    recommendation = plan.recommendation
    addition = AMENDMENT_ADDITIONS[salt % len(AMENDMENT_ADDITIONS)]
    accepted = salt % 3 != 2
    votes_for, votes_against, votes_abstain = _counts(present, accepted, salt)
    plan.amendments.append(
        Amendment(
            number=len(plan.amendments) + 1,
            table=table,
            proposed_text=f"{recommendation.text} {addition}",
            rationale=AMENDMENT_REASONS[salt % len(AMENDMENT_REASONS)],
            status=Amendment.Status.ACCEPTED if accepted else Amendment.Status.REJECTED,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            decided_by=context.chair,
            decided_at=_at(when, 16),
        )
    )
    if accepted:
        recommendation.text = f"{recommendation.text} {addition}"
        recommendation.status = Status.AMENDED
        plan.version(
            Version.Reason.AMENDED,
            context.chair,
            f"Amendement {len(plan.amendments)}",
        )


def _withdraw(plan: _Plan, reason: str) -> None:
    plan.recommendation.status = Status.WITHDRAWN
    plan.recommendation.withdrawn_reason = reason
    for amendment in plan.amendments:
        if amendment.status == Amendment.Status.PROPOSED:
            amendment.status = Amendment.Status.WITHDRAWN


def _plenary(
    context: _Context,
    drafted: list[_Plan],
    *,
    live: dict[int, _Plan],
    present: int,
    plenary_day: dt.date,
    finish: bool,
) -> None:
    """The plenary on one weekend's drafts: most are submitted; a draft on an
    idea another table of the same weekend submitted is merged into it; a
    draft on an idea already in the plenary from an earlier weekend is
    withdrawn by its table (now and then with an amendment to the earlier
    one instead); feedback and amendments on some."""
    submitted: dict[int, list[_Plan]] = {}
    for index, plan in enumerate(drafted):
        recommendation = plan.recommendation
        if not finish and index % 9 == 8:
            continue  # not ready: stays with its table
        earlier = live.get(plan.idea)
        if earlier is not None:
            if index % 4 == 0:
                _amend(
                    context, earlier, table=recommendation.table, present=present, when=plenary_day
                )
            _withdraw(
                plan,
                f"Onze tafel sluit zich aan bij aanbeveling {earlier.recommendation.number}.",
            )
            continue
        recommendation.status = Status.SUBMITTED
        recommendation.submitted_at = _at(plan.weekend.ends_on, 15)
        recommendation.position = context.next_position()
        submitted.setdefault(plan.idea, []).append(plan)
    survivors: list[_Plan] = []
    for group in submitted.values():
        target, merged = group[0], group[1:]
        survivors.append(target)
        if not merged:
            continue
        numbers = ", ".join(str(p.recommendation.number) for p in group)
        target.version(
            Version.Reason.MERGED, context.organiser, f"Samengevoegd uit aanbeveling {numbers}"
        )
        for plan in merged:
            plan.recommendation.status = Status.MERGED
            plan.merged_into = target
            plan.version(
                Version.Reason.MERGED,
                context.organiser,
                f"Samengevoegd in aanbeveling {target.recommendation.number}",
            )
    survivors.sort(key=lambda p: p.recommendation.number)
    for index, plan in enumerate(survivors):
        live[plan.idea] = plan
        if index % 2 == 0:
            plan.feedback.append(
                PlenaryFeedback(text=FEEDBACK[index % len(FEEDBACK)], recorded_by=context.chair)
            )
        if index % 3 == 0:
            table = drafted[(index + 1) % len(drafted)].recommendation.table
            _amend(context, plan, table=table, present=present, when=plenary_day)
    if not finish and len(survivors) > 6:
        _withdraw(
            survivors[5], "De tafel trekt dit voorstel in: het staat al in een andere aanbeveling."
        )


def _finish(context: _Context, live: dict[int, _Plan], last: Weekend) -> None:
    """The end of the assembly: each recommendation still in the plenary gets
    its final text, about forty in all; a few were withdrawn along the way."""
    remaining = sorted(
        (p for p in live.values() if p.recommendation.status in (Status.SUBMITTED, Status.AMENDED)),
        key=lambda p: p.recommendation.number,
    )
    for index, plan in enumerate(remaining):
        if index >= FINAL_TARGET + 2:
            _withdraw(plan, "Dit onderwerp is al opgenomen in andere aanbevelingen.")
        elif index in (7, 23):
            _withdraw(plan, "De tafel vindt dat de deskundigen een beter voorstel deden.")
        else:
            plan.recommendation.status = Status.FINAL
            plan.recommendation.finalised_at = _at(last.ends_on, 14)
            plan.version(Version.Reason.FINALISED, context.chair)


def _write(context: _Context) -> None:
    """Everything in a handful of queries, then ordered as the plenary would."""
    Recommendation.objects.bulk_create([p.recommendation for p in context.plans])
    merged = [p for p in context.plans if p.merged_into is not None]
    for plan in merged:
        assert plan.merged_into is not None
        plan.recommendation.merged_into = plan.merged_into.recommendation
    Recommendation.objects.bulk_update([p.recommendation for p in merged], ["merged_into"])
    ordered = sorted(
        (p.recommendation for p in context.plans if p.recommendation.status in ORDERED),
        key=lambda r: r.position,
    )
    for position, recommendation in enumerate(ordered, start=1):
        recommendation.position = position
    Recommendation.objects.bulk_update(ordered, ["position"])
    versions, amendments, feedback = [], [], []
    for plan in context.plans:
        for item in plan.versions:
            item.recommendation = plan.recommendation
            versions.append(item)
        for amendment in plan.amendments:
            amendment.recommendation = plan.recommendation
            amendments.append(amendment)
        for line in plan.feedback:
            line.recommendation = plan.recommendation
            feedback.append(line)
    Version.objects.bulk_create(versions)
    Amendment.objects.bulk_create(amendments)
    PlenaryFeedback.objects.bulk_create(feedback)


def _backdate(assembly: Assembly, weekends: list[Weekend]) -> None:
    """Dates as they would have been (auto_now_add gave today): drafted on the
    Saturday, edited later that day, submitted on Sunday; the plenary's work
    on the next weekend's Saturday. A few updates per weekend."""
    following = {w.pk: weekends[i + 1] for i, w in enumerate(weekends[:-1])}
    early = (Version.Reason.DRAFTED, Version.Reason.EDITED)
    for weekend in weekends:
        later = following.get(weekend.pk, weekend)
        mine = Recommendation.objects.filter(assembly=assembly, weekend=weekend)
        mine.update(created_at=_at(weekend.starts_on, 11))
        versions = Version.objects.filter(recommendation__in=mine)
        for number in range(1, 4):
            versions.filter(reason__in=early, number=number).update(
                created_at=_at(weekend.starts_on, 10 + number)
            )
        versions.exclude(reason__in=early).update(created_at=_at(later.starts_on, 15))
        Amendment.objects.filter(recommendation__in=mine).update(
            created_at=_at(later.starts_on, 13)
        )
        PlenaryFeedback.objects.filter(recommendation__in=mine).update(
            created_at=_at(later.starts_on, 14)
        )


@transaction.atomic
def demo_drafting_seed(assembly: Assembly, *, today: dt.date) -> list[Recommendation]:
    """Seed the recommendations of the weekends before `today`; returns them in
    number order. An assembly with recommendations is left as it is."""
    existing = list(Recommendation.objects.filter(assembly=assembly).order_by("number"))
    if existing:
        return existing
    weekends = list(Weekend.objects.filter(assembly=assembly).order_by("starts_on", "number"))
    rounds = {r.weekend_id: r for r in TableRound.objects.filter(weekend__assembly=assembly)}
    past = [w for w in weekends if w.ends_on < today and w.pk in rounds]
    if not past:
        return []
    all_over = all(w.ends_on < today for w in weekends)
    context = _Context(
        assembly=assembly,
        chair=_first_user(assembly, RoleKind.CHAIR),
        organiser=_first_user(assembly, RoleKind.ORGANISER),
    )
    tables_by_round: dict[int, list[Table]] = defaultdict(list)
    for table in (
        Table.objects.filter(round__in=[rounds[w.pk] for w in past])
        .select_related("facilitator")
        .order_by("round_id", "number")
    ):
        tables_by_round[table.round_id].append(table)
    member_users: dict[int, User] = {}
    present: Counter[int] = Counter()
    for seat in (
        TableSeat.objects.filter(round__in=[rounds[w.pk] for w in past])
        .select_related("member__user")
        .order_by("member_id")
    ):
        present[seat.round_id] += 1
        if seat.member.user is not None:
            member_users.setdefault(seat.table_id, seat.member.user)
    drafted_by_weekend = [
        (w, _draft(context, w, tables_by_round[rounds[w.pk].pk], member_users)) for w in past
    ]
    following = {w.pk: weekends[i + 1] for i, w in enumerate(weekends[:-1])}
    # The plenary discusses a weekend's drafts on the next weekend; the last
    # past weekend's drafts wait for it, unless the assembly is over.
    discussed = drafted_by_weekend if all_over else drafted_by_weekend[:-1]
    live: dict[int, _Plan] = {}
    for weekend, drafted in discussed:
        if drafted:
            _plenary(
                context,
                drafted,
                live=live,
                present=present[rounds[weekend.pk].pk],
                plenary_day=following.get(weekend.pk, weekend).starts_on,
                finish=all_over,
            )
    if all_over:
        _finish(context, live, weekends[-1])
    _write(context)
    _backdate(assembly, weekends)
    audit_record(
        action="recommendation.demo_seeded",
        assembly=assembly,
        detail={
            "recommendations": len(context.plans),
            "amendments": context.amendments_made,
            "weekends": [w.number for w in past],
        },
    )
    return list(
        Recommendation.objects.filter(assembly=assembly)
        .select_related("weekend", "table")
        .order_by("number")
    )
