"""URLs of the quota table and the pool check (organisers only)."""

from __future__ import annotations

from django.urls import URLPattern, path

from participants.views import quotas as views

_BASE = "b/<slug:slug>/beheer/quota/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.quota_list, name="quota_list"),
    path(f"{_BASE}inlezen/", views.quota_import, name="quota_import"),
    path(f"{_BASE}export.<str:fmt>/", views.quota_export, name="quota_export"),
    path(f"{_BASE}voorstel/", views.quota_propose, name="quota_propose"),
    path("b/<slug:slug>/beheer/pool/", views.pool_check, name="pool_check"),
]
