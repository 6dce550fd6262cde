"""The check-in list's "X van Y aanwezig" counts the same members as the
weekend page and the chart: those taking part on the weekend's first day."""

from __future__ import annotations

import datetime as dt

import pytest

from participants import selectors_attendance as selectors
from participants.models import PanelMember
from participants.services import attendance as services
from tests.factories import AssemblyFactory
from tests.participants.test_attendance import _noon, _past_weekends, confirmed_members


@pytest.mark.django_db
def test_a_past_day_counts_the_members_of_its_weekend_not_of_today() -> None:
    assembly = AssemblyFactory()
    today = dt.date(2027, 9, 1)
    w1, _w2 = _past_weekends(assembly, 2, today)
    came, missed, also_missed, newcomer = confirmed_members(assembly, 4)
    PanelMember.objects.filter(pk__in=[came.pk, missed.pk, also_missed.pk]).update(
        responded_at=_noon(w1.starts_on - dt.timedelta(days=30))
    )
    services.check_in_record(member=came, day=w1.starts_on, actor=None, today=today)
    # Two missed weekend 1 and stopped after it; a replacement said yes before weekend 2.
    PanelMember.objects.filter(pk__in=[missed.pk, also_missed.pk]).update(
        status=PanelMember.Status.WITHDRAWN, withdrawn_at=_noon(w1.ends_on + dt.timedelta(days=3))
    )
    PanelMember.objects.filter(pk=newcomer.pk).update(
        responded_at=_noon(w1.ends_on + dt.timedelta(days=5))
    )

    weekend_page = selectors.attendance_per_weekend(assembly=assembly, today=today)
    assert len(weekend_page) == 2
    for shown in weekend_page:
        for day in shown.days:
            day_list = selectors.check_in_day_list(assembly=assembly, day=day.day)
            assert (day_list.present, day_list.expected) == (day.present, day.expected), day.day
    first_day = selectors.check_in_day_list(assembly=assembly, day=w1.starts_on)
    # Weekend 1: the one who came and the two who stopped later, not the replacement
    # (today's members would give "1 van 2").
    assert (first_day.present, first_day.expected) == (1, 3)
    # The list itself is of today's members: the ones the desk can still check in.
    assert {row.member.pk for row in first_day.rows} == {came.pk, newcomer.pk}
