"""URLs of the programme: perspectives, experts, balance and materials."""

from django.urls import URLPattern, path

from sessions.views import materials as views

_MANAGE = "b/<slug:slug>/beheer/"
_MATERIAL = f"{_MANAGE}stukken/<whole:pk>/"
_EXPERT = f"{_MANAGE}deskundigen/<whole:pk>/"

urlpatterns: list[URLPattern] = [
    # Organisers
    path(f"{_MANAGE}perspectieven/", views.perspectives, name="perspectives"),
    path(f"{_MANAGE}perspectieven/<whole:pk>/", views.perspective_edit, name="perspective_edit"),
    path(
        f"{_MANAGE}perspectieven/<whole:pk>/verwijderen/",
        views.perspective_delete,
        name="perspective_delete",
    ),
    path(f"{_MANAGE}deskundigen/", views.experts, name="experts"),
    path(f"{_MANAGE}deskundigen/nieuw/", views.expert_create, name="expert_create"),
    path(_EXPERT, views.expert_edit, name="expert_edit"),
    path(f"{_EXPERT}uitnodigen/", views.expert_invite, name="expert_invite"),
    path(f"{_EXPERT}onderdelen/", views.expert_assign, name="expert_assign"),
    path(
        f"{_EXPERT}onderdelen/<whole:session_id>/weg/",
        views.expert_unassign,
        name="expert_unassign",
    ),
    path(f"{_MANAGE}balans/", views.balance, name="balance"),
    path(f"{_MANAGE}stukken/", views.material_list, name="material_list"),
    path(f"{_MANAGE}stukken/nieuw/", views.material_create, name="material_create"),
    path(_MATERIAL, views.material_detail, name="material_detail"),
    path(f"{_MATERIAL}wijzigen/", views.material_edit, name="material_edit"),
    path(f"{_MATERIAL}versie/", views.material_version_add, name="material_version_add"),
    path(f"{_MATERIAL}vrijgeven/", views.material_release, name="material_release"),
    path(
        f"{_MATERIAL}vrijgeven/intrekken/",
        views.material_release_cancel,
        name="material_release_cancel",
    ),
    path(f"{_MATERIAL}openbaar/", views.material_publish, name="material_publish"),
    path(
        f"{_MATERIAL}alleen-deelnemers/",
        views.material_members_only,
        name="material_members_only",
    ),
    # Members, experts and the public
    path("b/<slug:slug>/stukken/", views.materials, name="materials"),
    path("b/<slug:slug>/stukken/openbaar/", views.materials_public, name="materials_public"),
    path(
        "b/<slug:slug>/stukken/<whole:pk>/v<whole:number>/",
        views.material_download,
        name="material_download",
    ),
    path("b/<slug:slug>/deskundigen/", views.experts_public, name="experts_public"),
    path("b/<slug:slug>/deskundige/", views.expert_home, name="expert_home"),
    path("b/<slug:slug>/deskundige/stuk/", views.expert_upload, name="expert_upload"),
    path(
        "b/<slug:slug>/deskundige/stuk/<whole:pk>/",
        views.expert_material_edit,
        name="expert_material_edit",
    ),
    path(
        "b/<slug:slug>/deskundige/stuk/<whole:pk>/intrekken/",
        views.expert_material_withdraw,
        name="expert_material_withdraw",
    ),
]
