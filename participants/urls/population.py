from django.urls import URLPattern, path

from participants.views import population

urlpatterns: list[URLPattern] = [
    path("b/<slug:slug>/beheer/bevolking/", population.population, name="population"),
    path(
        "b/<slug:slug>/beheer/bevolking/<whole:pk>/",
        population.population_report,
        name="population_report",
    ),
    path(
        "b/<slug:slug>/beheer/bevolking/<whole:pk>/ongedaan-maken/",
        population.population_import_undo,
        name="population_import_undo",
    ),
    path(
        "b/<slug:slug>/beheer/bevolking/<whole:pk>/status.json",
        population.population_import_status,
        name="population_import_status",
    ),
]
