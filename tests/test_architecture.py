"""The house stays readable: small rooms, each package saying what it owns, and tests that
mirror the packages. (The import rules themselves are import-linter contracts in
pyproject.toml, run by `make test`: layers, independent tabs, no circles.)"""

import ast

from tests import paths

PACKAGE = paths.ROOT / "xinfang_desk"
MAX_MODULES = 15


def _packages():
    return sorted(p.parent for p in PACKAGE.rglob("__init__.py"))


def test_no_folder_of_the_package_holds_more_than_fifteen_modules():
    crowded = {str(p.relative_to(paths.ROOT)): n for p in _packages()
               if (n := len([m for m in p.glob("*.py") if m.name != "__init__.py"])) > MAX_MODULES}
    assert crowded == {}


def test_every_package_says_what_it_owns():
    silent = []
    for package in _packages():
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
        if not doc or len(doc.split()) < 5:
            silent.append(str(package.relative_to(paths.ROOT)))
    assert silent == []


def test_every_module_has_a_docstring():
    missing = [str(m.relative_to(paths.ROOT)) for m in PACKAGE.rglob("*.py")
               if m.name != "__main__.py"
               and not ast.get_docstring(ast.parse(m.read_text(encoding="utf-8")))]
    assert missing == []


def test_the_tests_mirror_the_packages():
    """tests/core/<package>/ and tests/ui/<package>/ exist only for packages that exist, and
    every package of the core and of the GUI has its tests."""
    tests = paths.ROOT / "tests"
    for side in ("core", "ui"):
        code = {p.name for p in (PACKAGE / side).iterdir() if (p / "__init__.py").exists()}
        tested = {p.name for p in (tests / side).iterdir()
                  if p.is_dir() and any(p.glob("test_*.py"))}
        assert tested == code, side
