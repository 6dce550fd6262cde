"""The participants app's URLs, one module per capability."""

from participants.urls import (
    allowances,
    attendance,
    invitations,
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
    *population.urlpatterns,
    *invitations.urlpatterns,
    *registration.urlpatterns,
    *quotas.urlpatterns,
    *selection.urlpatterns,
    *panel.urlpatterns,
    *attendance.urlpatterns,
    *tables.urlpatterns,
    *allowances.urlpatterns,
    *payments.urlpatterns,
]
