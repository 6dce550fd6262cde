"""After the draw: the member list, notifications, drop-outs, replacements, the
member's own answer page (a signed link) and the purge of the pool."""

from __future__ import annotations

from django.urls import URLPattern, path

from participants.views import panel as views

_BASE = "b/<slug:slug>/beheer/"

urlpatterns: list[URLPattern] = [
    path(f"{_BASE}deelnemers/", views.panel_list, name="panel_list"),
    path(f"{_BASE}deelnemers/berichten/", views.panel_notify, name="panel_notify"),
    path(f"{_BASE}deelnemers/brieven.pdf", views.panel_letters, name="panel_letters"),
    path(
        f"{_BASE}deelnemers/programma-weekend-<whole:number>.pdf",
        views.programme_letters,
        name="programme_letters",
    ),
    path(
        f"{_BASE}deelnemers/<whole:pk>/stoppen/",
        views.panel_member_withdraw,
        name="panel_member_withdraw",
    ),
    path(
        f"{_BASE}deelnemers/<whole:pk>/antwoord/",
        views.panel_member_answer,
        name="panel_member_answer",
    ),
    path(
        f"{_BASE}deelnemers/<whole:pk>/e-mailadres/",
        views.panel_member_email_add,
        name="panel_member_email_add",
    ),
    path(f"{_BASE}vervanging/nieuw/", views.replacement_request, name="replacement_request"),
    path(f"{_BASE}vervanging/<whole:pk>/", views.replacement_detail, name="replacement_detail"),
    path(
        f"{_BASE}vervanging/<whole:pk>/status.json",
        views.replacement_status,
        name="replacement_status",
    ),
    path(
        f"{_BASE}vervanging/<whole:pk>/trekken/",
        views.replacement_draw,
        name="replacement_draw",
    ),
    path(
        f"{_BASE}vervanging/<whole:pk>/bevestigen/",
        views.replacement_confirm,
        name="replacement_confirm",
    ),
    path(
        f"{_BASE}vervanging/<whole:pk>/wegleggen/",
        views.replacement_discard,
        name="replacement_discard",
    ),
    path(f"{_BASE}pool/wissen/", views.pool_purge_view, name="pool_purge"),
    path("b/<slug:slug>/deelnemen/<str:token>/", views.panel_respond, name="panel_respond"),
]
