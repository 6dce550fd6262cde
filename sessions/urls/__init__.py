"""The programme's URLs, one module per capability."""

from sessions.urls import materials, schedule

app_name = "programme"

urlpatterns = [*schedule.urlpatterns, *materials.urlpatterns]
