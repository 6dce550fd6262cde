"""Erasing a registration's personal details while its row stays.

A registration that became a member or an alternate cannot be deleted (the
panel, the counts and the books refer to it). Erasure keeps its quota answers,
for the composition counts, and an age that is the same on the first weekend;
it removes what reaches or describes the person: name, e-mail address, phone,
the postal address the member gave, birth date, access needs, diet and
availability. Used by erasure on request and retention
(recommendations.services.privacy) and by the pool purge for members who did
not take part.

The person also leaves the frozen pool of every lottery run not yet
committed, as on a withdrawal (participants.services.selection). Someone
still in the pool and never drawn leaves the pool altogether, exactly as on a
withdrawal (``registration_leave_pool``): the lottery must not draw a person
nobody can reach, and their opinion answers have no count left to serve.

A reason written when a replacement drawn in public was set aside stands on
the public lottery page. The check at writing refuses the names of that
replacement's own people only, so the erased person's name is taken out of
every such reason of the assembly too (and the pool purge does the same for
everyone it deletes).

The caller holds the assembly's lock and then the registration's, the order
of a withdrawal, a run start and the pool purge.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from assembly.outbox import ERASED_DOMAIN
from participants.models import (
    ADDRESS_FIELDS,
    ERASED_EMAIL_PREFIX,
    PanelMember,
    Registration,
    Replacement,
)
from participants.names import identifying_words
from participants.services.registration import registration_leave_pool
from participants.services.selection import selection_runs_remove_respondent


def same_age_birth_date(birth_date: dt.date, first_weekend: dt.date) -> dt.date:
    """A stand-in birth date with the same age on the first weekend as the real one."""
    age = (
        first_weekend.year
        - birth_date.year
        - ((first_weekend.month, first_weekend.day) < (birth_date.month, birth_date.day))
    )
    try:
        return first_weekend.replace(year=first_weekend.year - age) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return dt.date(first_weekend.year - age, 2, 28)


def registration_erase(registration: Registration, first_weekend: dt.date) -> None:
    # A member or an alternate (any status) keeps the row as it is: the panel's
    # composition counts need the quota answers, and a seat is only given up
    # through the panel's own steps.
    if (
        registration.status == Registration.Status.ACTIVE
        and not PanelMember.objects.filter(registration_id=registration.pk).exists()
    ):
        # Sends nothing: the address is being erased.
        registration_leave_pool(registration=registration, reason="erased")
    remove_names_from_published_reasons(
        assembly_id=registration.assembly_id, names=[registration.full_name]
    )
    registration.full_name = ""
    registration.email = f"{ERASED_EMAIL_PREFIX}{registration.pk}@{ERASED_DOMAIN}"
    registration.phone = ""
    # The address a member gave after moving (their own page).
    registration.street = ""
    registration.house_number = None
    registration.house_letter = ""
    registration.house_number_addition = ""
    registration.postcode = ""
    registration.city = ""
    registration.birth_date = same_age_birth_date(registration.birth_date, first_weekend)
    # Access needs may say something about health.
    registration.needs_mobility = False
    registration.needs_childcare = False
    registration.needs_language_help = False
    registration.diet = ""
    registration.needs_other = ""
    registration.save(
        update_fields=[
            "full_name", "email", "phone", *ADDRESS_FIELDS, "birth_date", "needs_mobility",
            "needs_childcare", "needs_language_help", "diet", "needs_other",
        ]
    )
    registration.available_weekends.clear()
    # Already done above for someone who left the pool; then this finds nothing.
    selection_runs_remove_respondent(
        assembly_id=registration.assembly_id, registration_id=registration.pk, reason="erased"
    )


# Stands where a name was taken out of a published reason: the same in any
# language, and shows that something was removed.
REMOVED_NAME = "[…]"


def remove_names_from_published_reasons(*, assembly_id: int, names: Iterable[str]) -> int:
    """Take these people's names out of every published reason of the assembly;
    the number of reasons changed.

    A whole name is matched in any case. Its parts (4 letters or more) only as
    the name writes them, with a capital: many Dutch surnames are also words
    ("de boer van het terrein", "de post"), and those must stay."""
    reasons = list(
        Replacement.objects.filter(assembly_id=assembly_id)
        .exclude(discard_reason="")
        .only("pk", "discard_reason")
    )
    whole = {name.strip() for name in names if name.strip()}
    if not reasons or not whole:
        return 0
    alternatives = [
        re.escape(word) if word not in whole else f"(?i:{re.escape(word)})"
        for word in identifying_words(whole)
        if word in whole or word[:1].isupper()
    ]
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")
    changed = 0
    for replacement in reasons:
        cleaned = pattern.sub(REMOVED_NAME, replacement.discard_reason)
        if cleaned != replacement.discard_reason:
            replacement.discard_reason = cleaned
            replacement.save(update_fields=["discard_reason"])
            changed += 1
    return changed
