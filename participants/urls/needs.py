"""What members need on a weekend: their own page and the organisers' overview."""

from __future__ import annotations

from django.urls import URLPattern, path

from participants.views import needs as views

urlpatterns: list[URLPattern] = [
    path("b/<slug:slug>/mijn/wat-ik-nodig-heb/", views.my_needs, name="my_needs"),
    path("b/<slug:slug>/beheer/deelnemers/behoeften/", views.needs_overview, name="needs_overview"),
    path(
        "b/<slug:slug>/beheer/deelnemers/behoeften.<str:fmt>",
        views.needs_export,
        name="needs_export",
    ),
]
