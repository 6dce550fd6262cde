from django.contrib import admin
from django.urls import include, path

from assembly.views import language_switch, my_account
from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("gezond/", views.health, name="health"),
    path("b/<slug:slug>/", views.about, name="about"),
    path("b/<slug:slug>/mijn/", views.dashboard, name="dashboard"),
    # Participants first: its registration pages are the busiest of the site
    # (every letter's QR code opens one), and Django tries patterns in order.
    path("", include("participants.urls")),
    path("", include("assembly.urls")),
    path("", include("sessions.urls")),
    path("", include("recommendations.urls")),
    path("i18n/setlang/", language_switch, name="set_language"),
    # Before allauth's own: see my_account.
    path("accounts/email/", my_account, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "config.views.server_error"
