"""Reads about the programme: weekends, their sessions and what to read.

The programme pages prefetch everything they show in a fixed number of
queries, whatever the number of sessions and materials (tests/sessions/test_queries.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assembly.models import Assembly, Role, RoleKind, User
from sessions.models import CalendarLink, Expert, Material, Session, Weekend, WeekendChange

# What members may read: released to them, or public already.
MEMBER_MATERIAL_STATUSES = (Material.Status.RELEASED, Material.Status.PUBLIC)
PUBLIC_MATERIAL_STATUSES = (Material.Status.PUBLIC,)


def weekend_list_for(*, assembly: Assembly) -> QuerySet[Weekend]:
    return Weekend.objects.filter(assembly=assembly).order_by("starts_on")


def weekend_next_for(*, assembly: Assembly, today: dt.date) -> Weekend | None:
    return weekend_list_for(assembly=assembly).filter(ends_on__gte=today).first()


def weekend_get(*, assembly: Assembly, number: int) -> Weekend:
    return get_object_or_404(Weekend, assembly=assembly, number=number)


def weekend_change_waiting(*, weekend: Weekend) -> WeekendChange | None:
    """The change of the weekend's dates or venue whose e-mail has not gone yet."""
    return WeekendChange.objects.filter(weekend=weekend, notified_at__isnull=True).first()


def session_get(*, weekend: Weekend, session_id: int) -> Session:
    return get_object_or_404(Session, pk=session_id, weekend=weekend)


def _sessions_prefetch(statuses: Iterable[str] | None) -> list[Any]:
    sessions = Session.objects.order_by("starts_at", "position", "pk").prefetch_related(
        Prefetch("experts", queryset=Expert.objects.select_related("perspective").order_by("name"))
    )
    prefetches: list[Any] = []
    if statuses is not None:
        materials = Material.objects.filter(status__in=list(statuses)).order_by("title", "pk")
        sessions = sessions.prefetch_related(Prefetch("materials", queryset=materials))
        prefetches.append(Prefetch("materials", queryset=materials, to_attr="readable_materials"))
    prefetches.insert(0, Prefetch("sessions", queryset=sessions))
    return prefetches


def programme_for(
    *,
    assembly: Assembly,
    published_only: bool,
    material_statuses: Iterable[str] | None = MEMBER_MATERIAL_STATUSES,
) -> list[Weekend]:
    """The weekends with their sessions (and experts), and the material one may read.

    Each weekend gets ``readable_materials`` (attached to the weekend itself)
    when ``material_statuses`` is given; each session keeps its materials of
    those statuses in ``session.materials.all()``.
    """
    weekends = weekend_list_for(assembly=assembly)
    if published_only:
        weekends = weekends.filter(published_at__isnull=False)
    return list(weekends.prefetch_related(*_sessions_prefetch(material_statuses)))


def weekend_with_sessions(*, weekend_id: int, published_only: bool = False) -> Weekend:
    weekends = Weekend.objects.filter(pk=weekend_id)
    if published_only:
        weekends = weekends.filter(published_at__isnull=False)
    return weekends.prefetch_related(*_sessions_prefetch(None)).get()


def session_counts(weekend: Weekend) -> tuple[int, int]:
    """How many of the weekend's sessions take place, and how many are cancelled
    (from a ``programme_for`` list: the sessions are there already)."""
    sessions = weekend.sessions.all()
    cancelled = sum(1 for session in sessions if session.is_cancelled)
    return len(sessions) - cancelled, cancelled


def next_weekend_in(weekends: list[Weekend], *, today: dt.date) -> Weekend | None:
    return next((weekend for weekend in weekends if weekend.ends_on >= today), None)


def materials_to_read(weekend: Weekend) -> list[Material]:
    """The material for a weekend from a ``programme_for`` list: on the weekend or a session."""
    seen: set[int] = set()
    found: list[Material] = []
    own: list[Material] = getattr(weekend, "readable_materials", [])
    for material in [*own, *(m for s in weekend.sessions.all() for m in s.materials.all())]:
        if material.pk not in seen:
            seen.add(material.pk)
            found.append(material)
    return found


def member_users_for(*, assembly: Assembly) -> QuerySet[User]:
    """The people with the member role in the assembly (they get programme e-mails)."""
    member_ids = Role.objects.filter(assembly=assembly, kind=RoleKind.MEMBER).values("user_id")
    return User.objects.filter(pk__in=member_ids, is_active=True).order_by("pk")


def user_has_role_in(*, user_id: int, assembly: Assembly) -> bool:
    return Role.objects.filter(user_id=user_id, assembly=assembly, user__is_active=True).exists()


def calendar_link_generation(*, user_id: int, assembly: Assembly) -> int:
    """The generation of the person's private calendar link that works now (0: never renewed)."""
    generation = (
        CalendarLink.objects.filter(user_id=user_id, assembly=assembly)
        .values_list("generation", flat=True)
        .first()
    )
    return generation or 0


def programme_day_bounds(*, assembly: Assembly) -> dict[dt.date, tuple[dt.time, dt.time]]:
    """Per day of the assembly's weekends, when its programme starts and ends,
    in local time (cancelled sessions left out): the day a late arrival or an
    early leave is measured against."""
    bounds: dict[dt.date, tuple[dt.time, dt.time]] = {}
    sessions = Session.objects.filter(
        weekend__assembly=assembly, cancelled_at__isnull=True
    ).values_list("starts_at", "ends_at")
    for starts_at, ends_at in sessions:
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        day = start.date()
        # A session past midnight ends the day at its last minute.
        end_time = end.time() if end.date() == day else dt.time(23, 59)
        first, last = bounds.get(day, (start.time(), end_time))
        bounds[day] = (min(first, start.time()), max(last, end_time))
    return bounds
