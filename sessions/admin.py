from django.contrib import admin

from sessions.models import Weekend


@admin.register(Weekend)
class WeekendAdmin(admin.ModelAdmin[Weekend]):
    list_display = ["assembly", "number", "starts_on", "ends_on", "city"]
    list_filter = ["assembly"]
