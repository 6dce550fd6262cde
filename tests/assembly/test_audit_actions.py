"""Every action the project writes to the audit log has words for people."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

from django.utils import translation

from assembly.audit_actions import ACTION_LABELS, action_label

ROOT = Path(__file__).resolve().parents[2]
APPS = ("assembly", "config", "participants", "recommendations", "sessions")


def _sources() -> list[tuple[str, ast.Module]]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found.append((module, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _called(node: ast.Call, name: str) -> bool:
    function = node.func
    return (isinstance(function, ast.Name) and function.id == name) or (
        isinstance(function, ast.Attribute) and function.attr == name
    )


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def _module_constant(module: str, name: str) -> str:
    value = getattr(importlib.import_module(module), name)
    assert isinstance(value, str), f"{module}.{name} is not a string"
    return value


def _recorded_actions() -> tuple[set[str], set[str]]:
    """(codes written as they are, prefixes of codes built with an f-string)."""
    codes: set[str] = set()
    prefixes: set[str] = set()
    for module, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _called(node, "audit_record")):
                continue
            action = _keyword(node, "action")
            if isinstance(action, ast.Constant):
                codes.add(action.value)
            elif isinstance(action, ast.Name):
                codes.add(_module_constant(module, action.id))
            elif isinstance(action, ast.IfExp):
                for branch in (action.body, action.orelse):
                    assert isinstance(branch, ast.Constant), f"{module}: a code in a branch"
                    codes.add(branch.value)
            elif isinstance(action, ast.JoinedStr):
                first = action.values[0]
                assert isinstance(first, ast.Constant)
                prefixes.add(first.value)
            elif action is not None:
                raise AssertionError(f"{module}: an audit action this test cannot read")
    return codes, prefixes


def _claim_actions() -> set[str]:
    """``claims._event(claim, SUBMITTED, …)`` writes ``claims.submitted``."""
    module = "participants.services.claims"
    tree = ast.parse(inspect.getsource(importlib.import_module(module)))
    names = {
        node.args[1].id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _called(node, "_event")
        and isinstance(node.args[1], ast.Name)
    }
    return {"claims." + _module_constant(module, name) for name in names}


def _quota_actions() -> set[str]:
    """``quota_table_replace(action=…)`` writes ``quota.<action>``; its default too."""
    from participants.services.quotas import quota_table_replace

    default = inspect.signature(quota_table_replace).parameters["action"].default
    actions = {f"quota.{default}"}
    for _module, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node, "quota_table_replace"):
                action = _keyword(node, "action")
                if isinstance(action, ast.Constant):
                    actions.add(f"quota.{action.value}")
    return actions


def test_every_recorded_action_has_words() -> None:
    codes, prefixes = _recorded_actions()
    # The two codes built from a variable; a new one needs its own expansion here.
    assert prefixes == {"claims.", "quota."}
    codes |= _claim_actions() | _quota_actions()
    assert len(codes) > 100
    assert sorted(codes - set(ACTION_LABELS)) == []


def test_no_words_for_an_action_nobody_records() -> None:
    codes, _prefixes = _recorded_actions()
    codes |= _claim_actions() | _quota_actions()
    assert sorted(set(ACTION_LABELS) - codes) == []


def test_the_words_follow_the_language_and_an_unknown_code_shows_as_itself() -> None:
    with translation.override("nl"):
        assert action_label("panel.confirmed") == "Meedoen bevestigd"
    with translation.override("en"):
        assert action_label("panel.confirmed") == "Confirmed taking part"
    assert action_label("old.renamed_action") == "old.renamed_action"
