from django.urls import URLPattern, path

from participants.views import invitations as views
from participants.views import registration_desk

_BASE = "b/<slug:slug>/beheer/uitnodigingen/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.invitation_hub, name="invitations"),
    path(f"{_BASE}trekking/", views.invitation_draw, name="invitation_draw"),
    path(
        f"{_BASE}trekking/<whole:draw_id>/status.json",
        views.invitation_draw_status,
        name="invitation_draw_status",
    ),
    path(
        f"{_BASE}trekking/<whole:draw_id>/start/",
        views.invitation_run_start,
        name="invitation_run_start",
    ),
    path(
        f"{_BASE}runs/<whole:run_id>/status.json",
        views.invitation_run_status,
        name="invitation_run_status",
    ),
    path(f"{_BASE}brieven/<whole:batch_id>.pdf", views.letter_batch_pdf, name="letter_batch_pdf"),
    path(f"{_BASE}export.csv", views.invitation_export, name="invitation_export"),
    path(f"{_BASE}opzoeken/", views.invitation_lookup, name="invitation_lookup"),
    path(f"{_BASE}<whole:pk>/brief.pdf", views.invitation_letter_pdf, name="invitation_letter_pdf"),
    path(
        f"{_BASE}<whole:pk>/aanmelden/",
        registration_desk.registration_on_behalf,
        name="registration_on_behalf",
    ),
    path(
        f"{_BASE}<whole:pk>/afmelden/",
        registration_desk.registration_withdraw_on_behalf,
        name="registration_withdraw_on_behalf",
    ),
    path(f"{_BASE}teruggekomen/", views.invitation_bounces, name="invitation_bounces"),
    path(f"{_BASE}herinneringen/", views.reminder_schedule, name="reminder_schedule"),
]
