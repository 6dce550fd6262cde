"""Subgroup tables: the organiser's pages per weekend, and the table a member
or gespreksleider sees."""

from django.urls import URLPattern, path

from participants.views import tables as views

_BASE = "b/<slug:slug>/beheer/tafels/"
_WEEKEND = _BASE + "<whole:weekend>/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.tables_overview, name="tables_overview"),
    path(_WEEKEND, views.tables_weekend, name="tables_weekend"),
    path(f"{_WEEKEND}maken/", views.tables_make, name="tables_make"),
    path(f"{_WEEKEND}verplaatsen/", views.tables_move, name="tables_move"),
    path(f"{_WEEKEND}gespreksleider/", views.tables_facilitator, name="tables_facilitator"),
    path(f"{_WEEKEND}publiceren/", views.tables_publish, name="tables_publish"),
    path(f"{_WEEKEND}tafellijsten.pdf", views.tables_lists_pdf, name="tables_lists_pdf"),
    path(f"{_WEEKEND}naamkaartjes.pdf", views.tables_cards_pdf, name="tables_cards_pdf"),
    path("b/<slug:slug>/mijn/tafel/", views.my_table, name="my_table"),
]
