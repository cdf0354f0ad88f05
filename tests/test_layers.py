"""The packages of tutor_app depend one way: a module imports only its own layer and the layers below it.

Low to high: core < engine < features < services < app, cli. Among the features accounts < studio <
learning < tutoring, and admin and lab (the prompt and model lab) use accounts only; app and cli do not use each other. Every module
under tutor_app/ is parsed, not imported, and every import counts, one inside a function too. An
import of a tutor_app module, or of a name from one, that does not exist fails as well. Imports by
string (importlib) and imports of other packages are not checked.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.paths import ROOT

PACKAGE = "tutor_app"
FEATURES = ("accounts", "studio", "learning", "tutoring", "admin", "lab")
# What each part may import, itself included. A part is a sub-package of tutor_app, or services.py.
MAY_IMPORT = {
    "core": {"core"},
    "engine": {"core", "engine"},
    "accounts": {"core", "engine", "accounts"},
    "studio": {"core", "engine", "accounts", "studio"},
    "learning": {"core", "engine", "accounts", "studio", "learning"},
    "tutoring": {"core", "engine", "accounts", "studio", "learning", "tutoring"},
    "admin": {"core", "engine", "accounts", "admin"},
    "lab": {"core", "engine", "accounts", "lab"},
    "services": {"core", "engine", *FEATURES, "services"},
    "app": {"core", "engine", *FEATURES, "services", "app"},
    "cli": {"core", "engine", *FEATURES, "services", "cli"},
}
LAYER = {"core": 0, "engine": 1, **dict.fromkeys(FEATURES, 2), "services": 3, "app": 4, "cli": 4}
# The root package holds only the version; ``python -m tutor_app`` runs the command line.
PART_OF_MODULE = {PACKAGE: "core", f"{PACKAGE}.__main__": "cli"}


@dataclass(frozen=True)
class Problem:
    importer: str
    imported: str
    line: int
    rule: str

    def __str__(self) -> str:
        return f"{self.importer} (line {self.line}) imports {self.imported}: {self.rule}"


@dataclass(frozen=True)
class Module:
    path: Path
    is_package: bool


def find_modules(src: Path) -> dict[str, Module]:
    """Every module of the package under ``src``, by dotted name."""
    found = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = Module(path, is_package)
    return found


def part_of(module: str) -> str:
    return PART_OF_MODULE.get(module) or module.split(".")[1]


def rule_broken(importer: str, imported: str) -> str | None:
    """Which rule an import from part ``importer`` of part ``imported`` breaks, or None."""
    if imported in MAY_IMPORT[importer]:
        return None
    if LAYER[imported] > LAYER[importer]:
        return (
            f"{importer} must not import {imported}: a lower layer never imports a higher one "
            "(core < engine < features < services < app, cli)"
        )
    if LAYER[importer] == LAYER[imported] == LAYER["app"]:
        return "app and cli must not import each other"
    return (
        f"{importer} must not import {imported}: features go accounts < studio < learning < tutoring; "
        "admin sits beside them and uses accounts only"
    )


def top_level_names(tree: ast.Module) -> set[str] | None:
    """The names a module binds outside functions and classes; None when it may bind any (``import *``)."""
    names: set[str] = set()
    statements = list(tree.body)
    while statements:
        node = statements.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == "__getattr__":
                return None
            names.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if any(alias.name == "*" for alias in node.names):
                return None
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.With)):
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            targets += [item.optional_vars for item in getattr(node, "items", [])]
            names |= {n.id for t in targets if t is not None for n in ast.walk(t) if isinstance(n, ast.Name)}
        for field in ("body", "orelse", "finalbody", "handlers"):  # if, try, with, for: still the top level
            statements += getattr(node, field, [])
    return names


def imports_of(name: str, module: Module, tree: ast.Module):
    """(line, module, names taken from it or None) for every import statement of module ``name``, at any depth."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                parts = name.split(".") if module.is_package else name.split(".")[:-1]
                target = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            yield node.lineno, target, [alias.name for alias in node.names]


def reached(target: str, names: list[str] | None, modules: dict[str, Module]) -> list[str]:
    """The modules an import loads: ``from pkg import sub`` reaches pkg.sub, ``from mod import name`` reaches mod."""
    return list(dict.fromkeys(f"{target}.{n}" if f"{target}.{n}" in modules else target for n in names or [""]))


def missing(target: str, names: list[str] | None, modules: dict[str, Module], trees: dict[str, ast.Module]) -> list[str]:
    """The names ``from target import ...`` asks for that are neither bound in target nor its submodules."""
    bound = top_level_names(trees[target])
    if bound is None:
        return []
    return [n for n in names or [] if n != "*" and n not in bound and f"{target}.{n}" not in modules]


def check(src: Path) -> list[Problem]:
    """Every import under ``src``/tutor_app that breaks a layer rule or names something that does not exist."""
    modules = find_modules(src)
    trees = {name: ast.parse(module.path.read_text(encoding="utf-8")) for name, module in modules.items()}
    problems = []
    for importer, module in modules.items():
        for line, target, names in imports_of(importer, module, trees[importer]):
            if target != PACKAGE and not target.startswith(PACKAGE + "."):
                continue
            if target not in modules:
                problems.append(Problem(importer, target, line, "no such module under tutor_app"))
                continue
            for name in missing(target, names, modules, trees):
                problems.append(Problem(importer, f"{target}.{name}", line, f"{target} has no {name}"))
            for imported in reached(target, names, modules):
                rule = rule_broken(part_of(importer), part_of(imported))
                if rule:
                    problems.append(Problem(importer, imported, line, rule))
    return problems


def test_no_module_imports_a_higher_layer_or_a_missing_module():
    problems = check(ROOT)
    assert not problems, "imports that break the layers:\n" + "\n".join(map(str, problems))


# --------------------------------------------------------------------------- the checker itself, on a made-up package


@pytest.fixture
def tiny(tmp_path):
    """A made-up tutor_app with one module per part; ``add(path, source)`` writes one more and returns the problems."""
    (tmp_path / PACKAGE).mkdir()
    (tmp_path / PACKAGE / "__init__.py").touch()
    for part in MAY_IMPORT.keys() - {"services"}:
        (tmp_path / PACKAGE / part).mkdir()
        (tmp_path / PACKAGE / part / "__init__.py").touch()
        (tmp_path / PACKAGE / part / f"{part}_base.py").write_text(f"def {part}_helper():\n    return 1\n", encoding="utf-8")
    (tmp_path / PACKAGE / "services.py").write_text("def build():\n    return 1\n", encoding="utf-8")

    def add(path: str, source: str) -> list[str]:
        (tmp_path / PACKAGE / path).write_text(source, encoding="utf-8")
        return [str(p) for p in check(tmp_path)]

    return add


def test_the_checker_catches_an_upward_import_inside_a_function(tiny):
    [problem] = tiny("core/low.py", "def f():\n    from tutor_app.app.app_base import app_helper\n    return app_helper()\n")
    assert problem.startswith("tutor_app.core.low (line 2) imports tutor_app.app.app_base: core must not import app")
    assert "a lower layer never imports a higher one" in problem


@pytest.mark.parametrize(
    "path,source,rule",
    [
        ("admin/x.py", "from tutor_app.learning import learning_base\n", "admin must not import learning"),
        ("studio/x.py", "import tutor_app.tutoring.tutoring_base\n", "features go accounts < studio < learning < tutoring"),
        ("cli/x.py", "from tutor_app.app.app_base import app_helper\n", "app and cli must not import each other"),
        ("engine/x.py", "from tutor_app import services\n", "engine must not import services"),
        ("engine/x.py", "from ..core import nowhere\n", "tutor_app.core has no nowhere"),
        ("engine/x.py", "from tutor_app.engine.missing import thing\n", "no such module under tutor_app"),
    ],
)
def test_the_checker_names_the_rule_an_import_breaks(tiny, path, source, rule):
    problems = tiny(path, source)
    assert len(problems) == 1 and rule in problems[0], problems


def test_the_checker_lets_a_module_import_its_own_layer_and_the_ones_below(tiny):
    assert (
        tiny(
            "app/x.py",
            "import tutor_app\nfrom tutor_app.services import build\nfrom tutor_app.core import core_base\n"
            "from . import app_base\nfrom tutor_app.tutoring.tutoring_base import tutoring_helper\n",
        )
        == []
    )
    assert tiny("learning/x.py", "from tutor_app.studio.studio_base import studio_helper\n") == []
