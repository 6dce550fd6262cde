"""The participants app's URLs, one module per capability."""

from participants.urls import (
    allowances,
    attendance,
    details,
    invitations,
    needs,
    panel,
    payments,
    population,
    quotas,
    registration,
    selection,
    tables,
)

app_name = "participants"

urlpatterns = [
    *registration.urlpatterns,  # first: the busiest pages (config/urls.py)
    *population.urlpatterns,
    *invitations.urlpatterns,
    *quotas.urlpatterns,
    *selection.urlpatterns,
    *panel.urlpatterns,
    *needs.urlpatterns,
    *details.urlpatterns,
    *attendance.urlpatterns,
    *tables.urlpatterns,
    *allowances.urlpatterns,
    *payments.urlpatterns,
]
