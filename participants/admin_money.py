"""Technical administration of allowances and claims (Django admin, for
is_staff users). Organisers use the site's own pages; the admin is for
looking things up, so the money rows are read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from assembly.models import AllowanceYear
from participants.models import ClaimEvent, DayAllowance, ExpenseClaim


@admin.register(AllowanceYear)
class AllowanceYearAdmin(admin.ModelAdmin[AllowanceYear]):
    list_display = [
        "year",
        "day_allowance",
        "hourly_cap",
        "hourly_cap_under_21",
        "monthly_cap",
        "yearly_cap",
        "km_rate",
        "source",
    ]
    ordering = ["-year"]


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DayAllowance)
class DayAllowanceAdmin(_ReadOnly):
    list_display = ["member", "day", "gross", "amount", "capped_by", "status"]
    list_filter = ["status", "capped_by", "member__assembly"]
    date_hierarchy = "day"


class ClaimEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ClaimEvent
    extra = 0
    fields = ("created_at", "action", "actor", "message")
    readonly_fields = ("created_at", "action", "actor", "message")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ExpenseClaim)
class ExpenseClaimAdmin(_ReadOnly):
    list_display = ["pk", "member", "day", "kind", "amount", "status", "created_at"]
    list_filter = ["status", "kind", "member__assembly"]
    # The receipt is served by the site's own view, after authorisation.
    exclude = ["receipt"]
    inlines = [ClaimEventInline]
