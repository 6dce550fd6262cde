"""Allowances and expense claims: the member's own page, claim and receipts;
the organisers' allowances per weekend, rules, settings and claims queue."""

from django.urls import URLPattern, path

from participants.views import allowances as views

_MINE = "b/<slug:slug>/mijn/vergoeding/"
_BASE = "b/<slug:slug>/beheer/vergoedingen/"
_CLAIMS = "b/<slug:slug>/beheer/declaraties/"

urlpatterns: list[URLPattern] = [
    path(_MINE, views.my_allowance, name="my_allowance"),
    path(f"{_MINE}declareren/", views.my_claim_new, name="my_claim_new"),
    path(f"{_MINE}declaratie/<whole:pk>/", views.my_claim_edit, name="my_claim_edit"),
    path(
        f"{_MINE}declaratie/<whole:pk>/intrekken/",
        views.my_claim_withdraw,
        name="my_claim_withdraw",
    ),
    path("b/<slug:slug>/declaratie/<whole:pk>/bon/", views.claim_receipt, name="claim_receipt"),
    path(_BASE, views.allowances_overview, name="allowances_overview"),
    path(f"{_BASE}berekenen/", views.allowances_compute, name="allowances_compute"),
    path(f"{_BASE}weekend/<whole:weekend>/", views.allowances_weekend, name="allowances_weekend"),
    path(
        f"{_BASE}weekend/<whole:weekend>/goedkeuren/",
        views.allowances_approve,
        name="allowances_approve",
    ),
    path(f"{_BASE}instellingen/", views.allowance_settings, name="allowance_settings"),
    path(f"{_BASE}regels/", views.allowance_rules, name="allowance_rules"),
    path(f"{_BASE}regels/nieuw/", views.allowance_rule_new, name="allowance_rule_new"),
    path(f"{_BASE}regels/<whole:year>/", views.allowance_rule_edit, name="allowance_rule_edit"),
    path(_CLAIMS, views.claims_queue, name="claims_queue"),
    path(
        f"{_CLAIMS}deelnemer/<whole:member>/nieuw/",
        views.member_claim_by_organiser,
        name="member_claim_by_organiser",
    ),
    path(f"{_CLAIMS}<whole:pk>/", views.claim_detail, name="claim_detail"),
    path(f"{_CLAIMS}<whole:pk>/goedkeuren/", views.claim_approve, name="claim_approve"),
    path(f"{_CLAIMS}<whole:pk>/afwijzen/", views.claim_reject, name="claim_reject"),
    path(f"{_CLAIMS}<whole:pk>/vragen/", views.claim_ask, name="claim_ask"),
]
