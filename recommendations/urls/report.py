"""report URLs: the overview, the final report (HTML, PDF, ZIP), the progress
reports per weekend, and a member's consent to be named."""

from django.urls import URLPattern, path

from recommendations.views import report as views

_REPORT = "b/<slug:slug>/rapport/"
_PROGRESS = _REPORT + "voortgang/<whole:weekend>/"
_WRITE = "b/<slug:slug>/beheer/voortgang/<whole:weekend>/"

urlpatterns: list[URLPattern] = [
    path("b/<slug:slug>/beheer/overzicht/", views.report_overview, name="report_overview"),
    path(_REPORT, views.report_final, name="report_final"),
    path(f"{_REPORT}eindrapport.pdf", views.report_final_pdf, name="report_final_pdf"),
    path(f"{_REPORT}open-data.zip", views.report_final_zip, name="report_final_zip"),
    path(f"{_REPORT}voortgang/", views.report_progress_list, name="report_progress_list"),
    path(_PROGRESS, views.report_progress, name="report_progress"),
    path(f"{_PROGRESS}voortgang.pdf", views.report_progress_pdf, name="report_progress_pdf"),
    path(f"{_PROGRESS}voortgang.zip", views.report_progress_zip, name="report_progress_zip"),
    path(_WRITE, views.report_progress_edit, name="report_progress_edit"),
    path(f"{_WRITE}delen/", views.report_progress_publish, name="report_progress_publish"),
    path(
        "b/<slug:slug>/mijn/naam-in-rapport/", views.report_name_consent, name="report_name_consent"
    ),
]
