"""Django admin for experts and materials (technical administrators only).

Material versions are read-only here too: a released material is never
changed in place, not even by the admin.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from sessions.models import Expert, Material, MaterialVersion, Perspective


@admin.register(Perspective)
class PerspectiveAdmin(admin.ModelAdmin[Perspective]):
    list_display = ["name", "assembly", "position"]
    list_filter = ["assembly"]


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin[Expert]):
    list_display = ["name", "organisation", "perspective", "assembly"]
    list_filter = ["assembly", "perspective"]
    search_fields = ["name", "organisation"]
    raw_id_fields = ["user"]


class MaterialVersionInline(admin.TabularInline[MaterialVersion, Material]):
    model = MaterialVersion
    extra = 0
    fields = ("number", "file", "url", "size", "sha256", "note", "created_at")
    readonly_fields = ("number", "file", "url", "size", "sha256", "note", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Material | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Material | None = None) -> bool:
        return False


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin[Material]):
    list_display = ["title", "kind", "status", "weekend", "assembly", "released_at"]
    list_filter = ["assembly", "status", "kind"]
    search_fields = ["title"]
    raw_id_fields = ["weekend", "session", "expert", "created_by"]
    readonly_fields = [
        "released_at",
        "made_public_at",
        "release_notified_at",
        "update_notice_due_at",
        "update_notified_at",
        "created_at",
    ]
    inlines = [MaterialVersionInline]
