"""A member's own contact details: phone number and postal address."""

from __future__ import annotations

from django.urls import URLPattern, path

from participants.views import details as views

urlpatterns: list[URLPattern] = [
    path(
        "b/<slug:slug>/mijn/adres-en-telefoon/",
        views.my_contact_details,
        name="my_contact_details",
    ),
]
