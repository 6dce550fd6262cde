from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from assembly.forms import MANY_TO_MANY_IN_RANGE
from assembly.models import Assembly, AuditEvent, MailboxMessage, OutboxEmail, Role, User

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    formfield_overrides = MANY_TO_MANY_IN_RANGE


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    formfield_overrides = MANY_TO_MANY_IN_RANGE
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        (_("Rechten"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class RoleInline(admin.TabularInline[Role, Assembly]):
    model = Role
    extra = 0
    raw_id_fields = ["user", "created_by"]


@admin.register(Assembly)
class AssemblyAdmin(admin.ModelAdmin[Assembly]):
    list_display = ["name", "slug", "phase", "first_weekend", "members_target"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoleInline]


@admin.register(MailboxMessage)
class MailboxMessageAdmin(admin.ModelAdmin[MailboxMessage]):
    list_display = ["subject", "to", "sent_at"]
    readonly_fields = ["to", "subject", "body", "html_body", "sent_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the log is written by services, never edited by hand."""

    list_display = ["created_at", "assembly", "action", "target", "actor"]
    list_filter = ["action"]
    readonly_fields = ["created_at", "assembly", "actor", "action", "target", "detail"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin[OutboxEmail]):
    """Read-only: what waits, what went out, what was refused."""

    list_display = ["created_at", "kind", "ref", "sent_at", "failed_at", "attempts", "last_error"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
