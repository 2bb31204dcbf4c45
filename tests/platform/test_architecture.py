"""The shape of the connection engine (banking/): no import inside a function, no import circle,
no module past MAX_LINES, no comment pointing outside the repository, every task registered."""

import ast
import importlib
import io
import re
import tokenize
from pathlib import Path

from celery import current_app

from banking import task_names

ROOT = Path(__file__).resolve().parents[2]
BANKING = ROOT / "banking"
MAX_LINES = 420


def modules():
    """{dotted name: path} of every banking module, migrations included."""
    found = {}
    for path in sorted(BANKING.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def is_package(path):
    return path.name == "__init__.py"


def imported_modules(name, path, known):
    """The banking modules `name` imports at module level."""
    tree = ast.parse(path.read_text())
    package = name if is_package(path) else name.rsplit(".", 1)[0]
    targets = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            submodules = {f"{source}.{alias.name}" for alias in node.names} & set(known)
            targets |= submodules
            # A package this module belongs to is already being imported: importing its
            # submodules from it is safe, reading its other names is not (they may not exist
            # yet).
            ancestor = name == source or name.startswith(source + ".")
            if not ancestor or len(submodules) < len(node.names):
                targets.add(source)
    return {target for target in targets if target in known and target != name}


def function_imports(path):
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            # Django's place for start-up registration (system checks, Celery tasks).
            if path.name == "apps.py" and node.name == "ready":
                continue
            found += [
                f"{path.relative_to(ROOT)}:{inner.lineno}"
                for inner in ast.walk(node)
                if isinstance(inner, ast.Import | ast.ImportFrom)
            ]
    return found


def cycles(graph):
    """Every strongly connected group of more than one module (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return groups


def test_no_banking_module_imports_inside_a_function():
    found = [line for path in modules().values() for line in function_imports(path)]
    assert found == []


def test_banking_modules_import_each_other_without_a_circle():
    known = modules()
    graph = {name: imported_modules(name, path, known) for name, path in known.items()}
    assert cycles(graph) == []


def test_the_circle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_banking_module_is_longer_than_the_limit():
    long = {
        str(path.relative_to(ROOT)): n
        for path in modules().values()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_banking_comment_points_at_an_issue_or_a_person():
    pointer = re.compile(r"\bissues?\s*#?\d|\(issue\b|\bsee @\w", re.IGNORECASE)
    found = []
    for path in modules().values():
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
        for token in tokens:
            if token.type == tokenize.COMMENT and pointer.search(token.string):
                found.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert found == []


def beat_task_names():
    migration = importlib.import_module("banking.migrations.0002_default_schedules")
    return {task for _, task, _, _ in migration.DEFAULT_SCHEDULES}


def enqueued_task_names():
    """Task names written as strings in send_task(...) calls, and every name services enqueue
    through banking.task_names."""
    names = {
        value for key, value in vars(task_names).items() if key.isupper() and isinstance(value, str)
    }
    for path in [
        *ROOT.glob("banking/**/*.py"),
        *ROOT.glob("accounts/**/*.py"),
        *ROOT.glob("config/*.py"),
    ]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "send_task"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(node.args[0].value)
    return names


def test_every_task_in_a_beat_schedule_or_an_enqueue_is_registered_with_celery():
    wanted = beat_task_names() | enqueued_task_names()
    assert "banking.tasks.sync_item" in wanted
    assert wanted - set(current_app.tasks) == set()


def test_every_banking_task_has_a_pinned_name_services_can_use():
    registered = {name for name in current_app.tasks if name.startswith("banking.")}
    assert registered == enqueued_task_names() - {"config.beat_heartbeat"}


def test_only_the_client_ip_helper_reads_the_peer_address_or_x_forwarded_for():
    """Every throttle and audit record takes the client from config.client_ip: one reading
    REMOTE_ADDR itself would put everyone behind the proxy in one bucket."""
    readers = []
    for path in [
        *ROOT.glob("banking/**/*.py"),
        *ROOT.glob("finance/**/*.py"),
        *ROOT.glob("accounts/**/*.py"),
        *ROOT.glob("config/*.py"),
    ]:
        if path == ROOT / "config" / "client_ip.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in (
                "REMOTE_ADDR",
                "HTTP_X_FORWARDED_FOR",
                "X-Forwarded-For",
            ):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert readers == []
