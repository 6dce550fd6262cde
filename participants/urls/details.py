"""A member's contact details: their own page, and the secretariat's page per
member (phone number, postal address and needs)."""

from __future__ import annotations

from django.urls import URLPattern, path

from participants.views import details as views

urlpatterns: list[URLPattern] = [
    path(
        "b/<slug:slug>/mijn/adres-en-telefoon/",
        views.my_contact_details,
        name="my_contact_details",
    ),
    path(
        "b/<slug:slug>/beheer/deelnemers/<whole:pk>/gegevens/",
        views.member_details_by_organiser,
        name="member_details_by_organiser",
    ),
]
