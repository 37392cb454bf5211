"""The code's shape: no import circles, imports at module level, and the dependency direction
that docs/ARCHITECTURE.md and articles/__init__.py write down."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("articles", "newsroom")
MAX_LINES = 400

# Which part of articles/ may import which (besides itself). A part not named here may import
# anything: the wiring at the top (apps, urls, the templates' helpers in jinja, management commands, demo).
ALLOWED = {
    "text": set(),
    "media": set(),
    "pagecache": set(),
    "querysets": set(),
    "models": {"text", "media", "querysets"},
    "editorial": {"models", "querysets", "text", "media"},
    "curation": {"models", "querysets", "editorial"},
    "search": {"models", "querysets", "text", "pagecache"},
    "portal": {"models", "querysets", "text", "media", "pagecache"},
    "audience": {"models", "querysets", "pagecache"},
    "reading": {
        "audience",
        "models",
        "querysets",
        "text",
        "media",
        "pagecache",
        "search",
        "curation",
        "portal",
    },
    "hugo": {
        "models",
        "querysets",
        "text",
        "media",
        "pagecache",
        "editorial",
        "curation",
        "portal",
    },
    "admin": {"models", "querysets", "text", "media", "editorial", "curation", "hugo", "portal"},
}


def project_modules():
    """{dotted name: path} of every project module but migrations."""
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = project_modules()


def _targets(node, module):
    """Project modules an import statement names (for `from x import y`, x and x.y if a module)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if not MODULES[module].name == "__init__.py":
                package = package[:-1]
            base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
        names = [base] + [f"{base}.{alias.name}" for alias in node.names]
    return [name for name in names if name in MODULES]


def imports(module):
    """(module-level targets, [(line, target) of imports inside functions])."""
    tree = ast.parse(MODULES[module].read_text())
    top, nested = set(), []

    def visit(node, *, in_function, in_ready):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                targets = _targets(child, module)
                if in_function and not in_ready:
                    nested.extend((child.lineno, target) for target in targets)
                elif not in_function:
                    top.update(targets)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                # AppConfig.ready() is where Django wants an app's start-up imports.
                visit(child, in_function=True, in_ready=in_ready or child.name == "ready")
            else:
                visit(child, in_function=in_function, in_ready=in_ready)

    visit(tree, in_function=False, in_ready=False)
    return top, nested


GRAPH = {module: imports(module)[0] - {module} for module in MODULES}


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def connect(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def part(module):
    pieces = module.split(".")
    return pieces[1] if pieces[0] == "articles" and len(pieces) > 1 else None


def test_no_import_circles():
    assert cycles(GRAPH) == []


def test_the_circle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_project_import_inside_a_function():
    nested = {module: found for module in MODULES if (found := imports(module)[1])}
    assert nested == {}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if part(m) in ALLOWED))
def test_imports_follow_the_dependency_direction(module):
    mine = part(module)
    wrong = sorted(
        target
        for target in GRAPH[module]
        if target.startswith("newsroom")
        or (part(target) not in (None, mine) and part(target) not in ALLOWED[mine])
    )
    assert wrong == [], f"{module} may import only {sorted(ALLOWED[mine])}"


def test_the_page_cache_imports_no_models():
    for module in MODULES:
        if part(module) == "pagecache":
            assert not any(part(target) == "models" for target in GRAPH[module]), module


def test_no_module_is_over_the_line_limit():
    long = {
        module: length
        for module, path in MODULES.items()
        if (length := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


PRIVATE_QUERYSET_API = {"_fetch_all", "_clone", "_chain", "_result_cache", "_iterable_class"}


def test_no_project_code_overrides_private_queryset_api():
    found = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            name = getattr(node, "name", None) or getattr(node, "attr", None)
            if name in PRIVATE_QUERYSET_API:
                found.append((module, node.lineno, name))
    assert found == []
