"""The recommendations app's URLs, one module per capability."""

from recommendations.urls import ballots, drafting, privacy, record, report

app_name = "recommendations"

urlpatterns = [
    *drafting.urlpatterns,
    *ballots.urlpatterns,
    *record.urlpatterns,
    *report.urlpatterns,
    *privacy.urlpatterns,
]
