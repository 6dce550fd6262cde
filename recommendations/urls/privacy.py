"""Requests under the AVG: the organiser's page and the person's own copy."""

from django.urls import URLPattern, path, re_path

from recommendations.views import privacy as views

urlpatterns: list[URLPattern] = [
    path("b/<slug:slug>/beheer/privacy/", views.privacy_requests, name="privacy_requests"),
    re_path(
        r"^b/(?P<slug>[-\w]+)/beheer/privacy/download\.(?P<fmt>json|pdf)$",
        views.privacy_request_download,
        name="privacy_request_download",
    ),
    path(
        "b/<slug:slug>/beheer/privacy/wissen/",
        views.privacy_request_erase,
        name="privacy_request_erase",
    ),
    path("b/<slug:slug>/mijn/gegevens/", views.my_data, name="my_data"),
    re_path(
        r"^b/(?P<slug>[-\w]+)/mijn/gegevens/download\.(?P<fmt>json|pdf)$",
        views.my_data_download,
        name="my_data_download",
    ),
]
