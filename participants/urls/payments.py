"""Payments: the organiser's batches, files, confirmations and yearly
statements; a member's bank account, payments and own statement."""

from django.urls import URLPattern, path

from participants.views import payments as views

_BASE = "b/<slug:slug>/beheer/betalingen/"
_BATCH = _BASE + "batch/<whole:number>/"
_MINE = "b/<slug:slug>/mijn/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.payments_overview, name="payments_overview"),
    path(f"{_BASE}maken/", views.payments_batch_fill, name="payments_batch_fill"),
    path(f"{_BASE}bevestigingen/", views.payments_confirmations, name="payments_confirmations"),
    path(f"{_BASE}jaaroverzichten/", views.payments_statements, name="payments_statements"),
    path(
        f"{_BASE}jaaroverzichten/<whole:member>/<whole:year>.pdf",
        views.payments_statement_pdf,
        name="payments_statement_pdf",
    ),
    path(_BATCH, views.payments_batch, name="payments_batch"),
    path(f"{_BATCH}uit-batch/", views.payments_item_remove, name="payments_item_remove"),
    path(f"{_BATCH}exporteren/", views.payments_batch_export, name="payments_batch_export"),
    path(f"{_BATCH}betaald/", views.payments_batch_paid, name="payments_batch_paid"),
    path(f"{_BATCH}betaling-betaald/", views.payments_item_paid, name="payments_item_paid"),
    path(f"{_BATCH}sepa.xml", views.payments_batch_sepa, name="payments_batch_sepa"),
    path(f"{_BATCH}betalingen.csv", views.payments_batch_csv, name="payments_batch_csv"),
    path(f"{_BATCH}betalingen.xlsx", views.payments_batch_xlsx, name="payments_batch_xlsx"),
    path(
        f"{_BASE}deelnemer/<whole:member>/bankrekening/",
        views.member_bank_account_by_organiser,
        name="member_bank_account_by_organiser",
    ),
    path(f"{_MINE}bankrekening/", views.my_bank_account, name="my_bank_account"),
    path(
        f"{_MINE}bankrekening/bevestigen/<str:token>/",
        views.my_bank_account_confirm,
        name="my_bank_account_confirm",
    ),
    path(f"{_MINE}betalingen/", views.my_payments, name="my_payments"),
    path(f"{_MINE}jaaroverzicht/<whole:year>.pdf", views.my_statement_pdf, name="my_statement_pdf"),
]
