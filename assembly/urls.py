from django.urls import path

from assembly import views

app_name = "assembly"

urlpatterns = [
    path("beraden/nieuw/", views.assembly_create, name="create"),
    path("b/<slug:slug>/beheer/instellingen/", views.assembly_settings, name="settings"),
    path("b/<slug:slug>/beheer/rollen/", views.role_list, name="roles"),
    path(
        "b/<slug:slug>/beheer/rollen/<whole:role_id>/intrekken/",
        views.role_revoke,
        name="role_revoke",
    ),
    path("b/<slug:slug>/beheer/logboek/", views.audit_log, name="audit_log"),
    path("testpostbus/", views.mailbox, name="mailbox"),
    path("testpostbus/<whole:pk>/", views.mailbox_message, name="mailbox_message"),
]
