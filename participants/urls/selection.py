"""URLs of the lottery: selection runs, the public draw and the published record."""

from __future__ import annotations

from django.urls import URLPattern, path

from participants.views import selection as views

_BASE = "b/<slug:slug>/beheer/loting/"
_PUBLIC = "b/<slug:slug>/loting/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.selection_list, name="selection_list"),
    path(f"{_BASE}<whole:pk>/", views.selection_detail, name="selection_detail"),
    path(f"{_BASE}<whole:pk>/status/", views.selection_status, name="selection_status"),
    path(f"{_BASE}<whole:pk>/vastleggen/", views.selection_commit, name="selection_commit"),
    path(f"{_BASE}<whole:pk>/trekken/", views.selection_draw, name="selection_draw"),
    path(_PUBLIC, views.lottery_public, name="lottery_public"),
    path(f"{_PUBLIC}<whole:pk>/verslag.json", views.selection_record, name="selection_record"),
    path(f"{_PUBLIC}<whole:pk>/pool.csv", views.selection_pool_file, name="selection_pool_file"),
    path(f"{_PUBLIC}<whole:pk>/quota.csv", views.selection_quota_file, name="selection_quota_file"),
]
