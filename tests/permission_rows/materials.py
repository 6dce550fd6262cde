"""Permission rows for experts, balance and materials: organisers manage; an
expert sees only their own page; downloads follow the material's status."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sessions.models import Expert, Material, Perspective, Weekend
from tests.conftest import PERSONAS, Cast
from tests.permission import ALL, IN_ASSEMBLY, SLUG, Row, staff_only
from tests.sessions_materials.helpers import make_expert, make_material, make_pdf, make_session

ORGANISER = staff_only({"organiser"})
ORGANISER_POST = staff_only({"organiser"}, status=302)


def _perspective(cast: Cast) -> dict[str, Any]:
    number = Perspective.objects.count()
    perspective = Perspective.objects.create(assembly=cast.assembly, name=f"P{number}")
    return {"slug": cast.assembly.slug, "pk": perspective.pk}


def _expert(cast: Cast) -> Expert:
    return make_expert(cast.assembly, email="deskundige-matrix@example.org")


def _expert_kwargs(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "pk": _expert(cast).pk}


def _weekend(cast: Cast) -> Weekend:
    return Weekend.objects.filter(assembly=cast.assembly).order_by("number").first()  # type: ignore[return-value]


def _assign_data(cast: Cast) -> dict[str, Any]:
    return {"session": make_session(_weekend(cast)).pk}


def _unassign_kwargs(cast: Cast) -> dict[str, Any]:
    expert = _expert(cast)
    session = make_session(_weekend(cast))
    session.experts.add(expert)
    return {"slug": cast.assembly.slug, "pk": expert.pk, "session_id": session.pk}


def _material(cast: Cast, status: str = Material.Status.DRAFT) -> Material:
    return make_material(
        cast.assembly, cast.users["organiser"], weekend=_weekend(cast), status=status
    )


def _material_kwargs(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "pk": _material(cast).pk}


def _released_kwargs(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "pk": _material(cast, Material.Status.RELEASED).pk}


def _download(status: str) -> Any:
    def kwargs(cast: Cast) -> dict[str, Any]:
        return {"slug": cast.assembly.slug, "pk": _material(cast, status).pk, "number": 1}

    return kwargs


def _own_expert(cast: Cast) -> dict[str, Any]:
    Expert.objects.get_or_create(
        assembly=cast.assembly, user=cast.users["expert"], defaults={"name": "Eigen deskundige"}
    )
    return {"slug": cast.assembly.slug}


def _own_material(cast: Cast) -> dict[str, Any]:
    """A draft the expert sent themselves and the secretariat has not dealt with."""
    expert, _created = Expert.objects.get_or_create(
        assembly=cast.assembly, user=cast.users["expert"], defaults={"name": "Eigen deskundige"}
    )
    material = make_material(
        cast.assembly, cast.users["expert"], expert=expert, kind=Material.Kind.LINK
    )
    return {"slug": cast.assembly.slug, "pk": material.pk}


EXPERT_ONLY = staff_only({"expert"})
# A draft: organisers (and its own expert, tested in test_materials); others are refused.
# Someone not logged in is sent to the login page (then to the file, if allowed).
DRAFT = {**dict.fromkeys(PERSONAS, 403), "anonymous": 302, "organiser": 200}
RELEASED = {**dict.fromkeys(PERSONAS, 403), "anonymous": 302, **dict.fromkeys(IN_ASSEMBLY, 200)}

DOWNLOAD_BY_STATUS = {
    Material.Status.DRAFT: DRAFT,
    Material.Status.RELEASED: RELEASED,
    Material.Status.PUBLIC: ALL,
}

ROWS: dict[str, Row] = {
    "programme:perspectives": Row(ORGANISER, kwargs=SLUG),
    "programme:perspective_edit": Row(ORGANISER, kwargs=_perspective),
    "programme:perspective_delete": Row(ORGANISER_POST, kwargs=_perspective, method="post"),
    "programme:experts": Row(ORGANISER, kwargs=SLUG),
    "programme:expert_create": Row(ORGANISER, kwargs=SLUG),
    "programme:expert_edit": Row(ORGANISER, kwargs=_expert_kwargs),
    "programme:expert_invite": Row(ORGANISER_POST, kwargs=_expert_kwargs, method="post"),
    "programme:expert_assign": Row(
        ORGANISER_POST, kwargs=_expert_kwargs, method="post", data=_assign_data
    ),
    "programme:expert_unassign": Row(ORGANISER_POST, kwargs=_unassign_kwargs, method="post"),
    "programme:balance": Row(ORGANISER, kwargs=SLUG),
    "programme:material_list": Row(ORGANISER, kwargs=SLUG),
    "programme:material_create": Row(ORGANISER, kwargs=SLUG),
    "programme:material_detail": Row(ORGANISER, kwargs=_material_kwargs),
    "programme:material_edit": Row(ORGANISER, kwargs=_material_kwargs),
    "programme:material_version_add": Row(
        ORGANISER_POST,
        kwargs=_material_kwargs,
        method="post",
        data=lambda cast: {"file": SimpleUploadedFile("v.pdf", make_pdf()), "note": "x"},
    ),
    "programme:material_release": Row(ORGANISER_POST, kwargs=_material_kwargs, method="post"),
    "programme:material_release_cancel": Row(
        ORGANISER_POST, kwargs=_material_kwargs, method="post"
    ),
    "programme:material_publish": Row(ORGANISER_POST, kwargs=_released_kwargs, method="post"),
    "programme:material_members_only": Row(
        ORGANISER_POST,
        kwargs=_released_kwargs,
        method="post",
        data=lambda cast: {"reason": "Vertrouwelijk."},
    ),
    # Released material here; drafts and public material in DOWNLOAD_BY_STATUS
    # (tests/sessions_materials/test_materials.py walks those).
    "programme:material_download": Row(RELEASED, kwargs=_download(Material.Status.RELEASED)),
    "programme:materials": Row(staff_only(IN_ASSEMBLY), kwargs=SLUG),
    "programme:materials_public": Row(ALL, kwargs=SLUG),
    "programme:experts_public": Row(ALL, kwargs=SLUG),
    "programme:expert_home": Row(EXPERT_ONLY, kwargs=_own_expert),
    "programme:expert_upload": Row(
        staff_only({"expert"}, status=200),
        kwargs=_own_expert,
        method="post",
        data=lambda cast: {"kind": "link", "title": "T", "summary": "S"},
    ),
    # Another expert's material, or one of another assembly, is not found
    # (tests/sessions_materials/test_expert_own_materials.py).
    "programme:expert_material_edit": Row(EXPERT_ONLY, kwargs=_own_material),
    # The question first; the POST that withdraws is tested beside the edit.
    "programme:expert_material_withdraw": Row(EXPERT_ONLY, kwargs=_own_material),
}
