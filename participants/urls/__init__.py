"""The participants app's URLs, one module per capability."""

from participants.urls import invitations, population, registration

app_name = "participants"

urlpatterns = [*population.urlpatterns, *invitations.urlpatterns, *registration.urlpatterns]
