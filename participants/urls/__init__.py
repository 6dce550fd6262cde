"""The participants app's URLs, one module per capability."""

from participants.urls import (
    invitations,
    panel,
    population,
    quotas,
    registration,
    selection,
)

app_name = "participants"

urlpatterns = [
    *population.urlpatterns,
    *invitations.urlpatterns,
    *registration.urlpatterns,
    *quotas.urlpatterns,
    *selection.urlpatterns,
    *panel.urlpatterns,
]
