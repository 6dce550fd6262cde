"""The public registration (under aanmelden/) and the organiser's counts page."""

from django.urls import URLPattern, path

from participants.views import registration as views

urlpatterns: list[URLPattern] = [
    path("aanmelden/", views.register_start, name="register_start"),
    path("aanmelden/stap/<slug:step>/", views.register_step, name="register_step"),
    path("aanmelden/controleren/", views.register_check, name="register_check"),
    path("aanmelden/klaar/", views.register_done, name="register_done"),
    path("aanmelden/niet-meedoen/", views.register_decline, name="register_decline"),
    path("aanmelden/link-sturen/", views.register_send_link, name="register_send_link"),
    path("aanmelden/wijzigen/<str:token>/", views.register_manage, name="register_manage"),
    path(
        "aanmelden/wijzigen/<str:token>/afmelden/",
        views.register_withdraw,
        name="register_withdraw",
    ),
    path(
        "aanmelden/wijzigen/<str:token>/<slug:step>/",
        views.register_manage_step,
        name="register_manage_step",
    ),
    path(
        "b/<slug:slug>/beheer/aanmeldingen/",
        views.registration_overview,
        name="registration_overview",
    ),
    path(
        "b/<slug:slug>/beheer/aanmeldingen/vragen/nieuw/",
        views.attitude_question_create,
        name="attitude_question_create",
    ),
    path(
        "b/<slug:slug>/beheer/aanmeldingen/vragen/<whole:pk>/",
        views.attitude_question_edit,
        name="attitude_question_edit",
    ),
]
