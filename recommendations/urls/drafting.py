"""Drafting and the plenary: recommendations, their versions and amendments."""

from django.urls import URLPattern, path

from recommendations.views import drafting as views

_BASE = "b/<slug:slug>/aanbevelingen/"
_ONE = _BASE + "<whole:number>/"
_AMENDMENT = _ONE + "amendementen/<whole:amendment>/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.recommendation_list, name="list"),
    path(f"{_BASE}nieuw/", views.recommendation_create, name="create"),
    path(f"{_BASE}plenair/", views.plenary, name="plenary"),
    path(f"{_BASE}samenvoegen/", views.recommendation_merge, name="merge"),
    path(_ONE, views.recommendation_detail, name="detail"),
    path(f"{_ONE}aanpassen/", views.recommendation_edit, name="edit"),
    path(f"{_ONE}versies/", views.recommendation_compare, name="compare"),
    path(f"{_ONE}indienen/", views.recommendation_submit, name="submit"),
    path(f"{_ONE}intrekken/", views.recommendation_withdraw, name="withdraw"),
    path(f"{_ONE}terugkoppeling/", views.feedback_record, name="feedback"),
    path(f"{_ONE}definitief/", views.recommendation_finalise, name="finalise"),
    path(f"{_ONE}verplaatsen/", views.recommendation_move, name="move"),
    path(f"{_ONE}amendementen/nieuw/", views.amendment_propose, name="amendment_propose"),
    path(f"{_AMENDMENT}besluit/", views.amendment_decide, name="amendment_decide"),
    path(f"{_AMENDMENT}intrekken/", views.amendment_withdraw, name="amendment_withdraw"),
]
