"""The chair's record and the government's responses: staff pages under
beheer/verslag/, public pages for results, minutes and the response tracker."""

from django.urls import URLPattern, path

from recommendations.views import record as views

_STAFF = "b/<slug:slug>/beheer/verslag/"
_RESULTS = "b/<slug:slug>/uitkomsten/"
_MINUTES = "b/<slug:slug>/verslagen/"
_TRACKER = "b/<slug:slug>/reacties/"

urlpatterns: list[URLPattern] = [
    path(_STAFF, views.record_overview, name="record_overview"),
    path(
        f"{_STAFF}weekend/<whole:weekend>/nieuw/",
        views.record_minutes_new,
        name="record_minutes_new",
    ),
    path(f"{_STAFF}<whole:pk>/", views.record_minutes_edit, name="record_minutes_edit"),
    path(
        f"{_STAFF}<whole:pk>/goedkeuren/",
        views.record_minutes_approve,
        name="record_minutes_approve",
    ),
    path(
        f"{_STAFF}aanbeveling/<whole:number>/minderheid/",
        views.record_minority,
        name="record_minority",
    ),
    path(
        f"{_STAFF}minderheid/<whole:pk>/verwijderen/",
        views.record_minority_delete,
        name="record_minority_delete",
    ),
    path(
        f"{_STAFF}aanbeveling/<whole:number>/reactie/",
        views.record_response,
        name="record_response",
    ),
    path(
        f"{_STAFF}reactie/<whole:pk>/verbeteren/",
        views.record_response_correct,
        name="record_response_correct",
    ),
    path(
        f"{_STAFF}reactie/<whole:pk>/intrekken/",
        views.record_response_withdraw,
        name="record_response_withdraw",
    ),
    path(_RESULTS, views.record_results, name="record_results"),
    path(f"{_RESULTS}uitkomsten.csv", views.record_results_csv, name="record_results_csv"),
    path(f"{_RESULTS}uitkomsten.json", views.record_results_json, name="record_results_json"),
    path(_MINUTES, views.record_minutes_list, name="record_minutes_list"),
    path(f"{_MINUTES}<whole:pk>/", views.record_minutes_detail, name="record_minutes_detail"),
    path(_TRACKER, views.record_tracker, name="record_tracker"),
    path(f"{_TRACKER}<whole:number>/", views.record_tracker_detail, name="record_tracker_detail"),
]
