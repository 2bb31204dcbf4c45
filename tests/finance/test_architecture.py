"""The shape of the two apps: banking never imports finance, and finance asks finance.access
(never an owner filter of its own) which accounts and transactions a user may see or change."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUERY_METHODS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "for_user"}


def python_files(app: str):
    return sorted((ROOT / app).rglob("*.py"))


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def is_owner_lookup(keyword: str) -> bool:
    """user=, user_id=, user__email=, item__user=, account__item__user_id=..."""
    parts = keyword.split("__")
    return "user" in parts or "user_id" in parts


def owner_filters(path: Path, root: Path = ROOT):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "for_user":
            yield f"{path.relative_to(root)}:{node.lineno} .for_user()"
        if name in QUERY_METHODS | {"Q", "get_object_or_404", "get_list_or_404"}:
            for kw in node.keywords:
                if kw.arg and is_owner_lookup(kw.arg):
                    yield f"{path.relative_to(root)}:{node.lineno} {kw.arg}="


def test_banking_never_imports_finance():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in python_files("banking")
        for module in imported_modules(path)
        if module == "finance" or module.startswith("finance.")
    ]
    assert offenders == []


def test_only_the_access_layer_filters_finance_rows_by_owner():
    access = ROOT / "finance" / "access.py"
    offenders = [
        hit for path in python_files("finance") if path != access for hit in owner_filters(path)
    ]
    assert offenders == []


def test_the_owner_filter_check_finds_one_when_there_is_one(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "Transaction.objects.filter(user=request.user)\n"
        "get_object_or_404(Account, item__user=user)\n"
        "Transaction.objects.for_user(user)\n"
        "selectors.recent_transactions(user=user)\n"
    )
    hits = list(owner_filters(sample, root=tmp_path))
    assert hits == ["sample.py:1 user=", "sample.py:2 item__user=", "sample.py:3 .for_user()"]
