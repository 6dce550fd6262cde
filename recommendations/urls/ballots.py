"""ballots URLs: the voting rule, the chair's ballot pages, members' votes and
receipts, and the public result."""

from django.urls import URLPattern, path

from recommendations.views import ballots as views

_RULE = "b/<slug:slug>/beheer/stemregel/"
_STAFF = "b/<slug:slug>/beheer/stemmingen/"
_BALLOT = _STAFF + "<whole:number>/"
_MEMBER = "b/<slug:slug>/stemmingen/"

urlpatterns: list[URLPattern] = [
    path(_RULE, views.ballot_rule, name="ballot_rule"),
    path(_STAFF, views.ballot_list, name="ballot_list"),
    path(f"{_STAFF}nieuw/", views.ballot_new, name="ballot_new"),
    path(f"{_STAFF}nieuw-voorkeur/", views.ballot_new_ranked, name="ballot_new_ranked"),
    path(_BALLOT, views.ballot_detail, name="ballot_detail"),
    path(f"{_BALLOT}stand.json", views.ballot_live, name="ballot_live"),
    path(f"{_BALLOT}intrekken/", views.ballot_cancel, name="ballot_cancel"),
    path(f"{_BALLOT}openen/", views.ballot_open, name="ballot_open"),
    path(f"{_BALLOT}sluiten/", views.ballot_close, name="ballot_close"),
    path(f"{_BALLOT}telling/", views.paper_count_enter, name="paper_count_enter"),
    path(
        f"{_BALLOT}telling/<whole:count_id>/controle/",
        views.paper_count_confirm,
        name="paper_count_confirm",
    ),
    path(f"{_BALLOT}uitslag-vastleggen/", views.ballot_record, name="ballot_record"),
    path(f"{_BALLOT}correctie/", views.ballot_correct, name="ballot_correct"),
    path(_MEMBER, views.vote_list, name="vote_list"),
    path(f"{_MEMBER}controle/", views.receipt_check, name="receipt_check"),
    path(f"{_MEMBER}<whole:number>/", views.vote, name="vote"),
    path(f"{_MEMBER}<whole:number>/stem/", views.vote_cast, name="vote_cast"),
    path(f"{_MEMBER}<whole:number>/uitslag/", views.ballot_result, name="ballot_result"),
]
