"""URLs of the programme: schedule."""

from django.urls import URLPattern, path

from sessions.views import schedule as views

_MANAGE = "b/<slug:slug>/beheer/programma/"
_WEEKEND = f"{_MANAGE}weekend/<whole:number>/"

urlpatterns: list[URLPattern] = [
    # organisers
    path(_MANAGE, views.weekend_list, name="weekend_list"),
    path(f"{_MANAGE}herinneringen/", views.reminder_schedule, name="reminder_schedule"),
    path(_WEEKEND, views.weekend_manage, name="weekend_manage"),
    path(f"{_WEEKEND}locatie/", views.weekend_venue, name="weekend_venue"),
    path(f"{_WEEKEND}publiceren/", views.weekend_publish, name="weekend_publish"),
    path(f"{_WEEKEND}onderdeel/nieuw/", views.session_add, name="session_add"),
    path(f"{_WEEKEND}onderdeel/<whole:session_id>/", views.session_edit, name="session_edit"),
    path(
        f"{_WEEKEND}onderdeel/<whole:session_id>/verwijderen/",
        views.session_delete,
        name="session_delete",
    ),
    path(
        f"{_WEEKEND}onderdeel/<whole:session_id>/terugzetten/",
        views.session_restore,
        name="session_restore",
    ),
    path(
        f"{_WEEKEND}onderdeel/<whole:session_id>/verplaatsen/",
        views.session_move,
        name="session_move",
    ),
    # members, the public, calendars
    path("b/<slug:slug>/programma/", views.my_programme, name="my_programme"),
    path(
        "b/<slug:slug>/programma/agenda-link/",
        views.calendar_link_renew,
        name="calendar_link_renew",
    ),
    path("b/<slug:slug>/programma/openbaar/", views.public_programme, name="public_programme"),
    path(
        "b/<slug:slug>/programma/weekend/<whole:number>.ics",
        views.weekend_ics,
        name="weekend_ics",
    ),
    path("b/<slug:slug>/agenda.ics", views.public_feed, name="public_feed"),
    path("b/<slug:slug>/agenda/<str:token>.ics", views.private_feed, name="private_feed"),
]
