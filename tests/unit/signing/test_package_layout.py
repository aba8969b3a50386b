"""How :mod:`signing` is put together: an acyclic module graph, no web framework, a stable facade."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import signing

PACKAGE = Path(signing.__file__).parent
MODULES = {
    ("signing" if path.name == "__init__.py" else f"signing.{path.stem}"): path
    for path in sorted(PACKAGE.glob("*.py"))
}

#: ``from signing import X`` for each of these is what the service relies on.
FACADE = {
    "BsreAppearance": "signing.bsre",
    "BsreClient": "signing.bsre",
    "BsreUserStatus": "signing.bsre",
    "CertificateIssuer": "signing.issuing",
    "CscDocumentSigner": "signing.csc",
    "DevCaIssuer": "signing.issuing",
    "DevPki": "signing.pki",
    "DocumentSigner": "signing.signers",
    "FieldSpec": "signing.pdf",
    "HttpTsa": "signing.timestamps",
    "IssuedKey": "signing.issuing",
    "LocalTsa": "signing.timestamps",
    "P12Inspection": "signing.signers",
    "Pkcs11Session": "signing.signers",
    "Pkcs11Signer": "signing.signers",
    "Pkcs12Signer": "signing.signers",
    "SignatureField": "signing.pdf",
    "StampInfo": "signing.pdf",
    "Timestamper": "signing.timestamps",
    "TrustStore": "signing.trust",
    "ValidationReport": "signing.validation",
    "accept_remote_signature": "signing.remote",
    "add_validation_data": "signing.remote",
    "add_document_timestamp": "signing.pdf",
    "add_signature_fields": "signing.pdf",
    "add_footer_and_fields": "signing.pdf",
    "add_verification_footer": "signing.pdf",
    "approve": "signing.pdf",
    "create_dev_pki": "signing.pki",
    "inspect_p12": "signing.signers",
    "issue_signer_certificate": "signing.issuing",
    "load_dev_pki": "signing.pki",
    "new_signer": "signing.issuing",
    "new_signer_p12": "signing.issuing",
    "open_csc_signer": "signing.csc",
    "refresh_crls": "signing.issuing",
    "respond_to_tsa_request": "signing.timestamps",
    "revoke": "signing.issuing",
    "seal": "signing.pdf",
    "signature_fields": "signing.pdf",
    "stamp_png": "signing.stamp_image",
    "validate": "signing.validation",
}


def _imports(path: Path) -> list[tuple[str, ast.stmt]]:
    """Every imported module name in ``path`` (also under ``TYPE_CHECKING`` and in functions)."""
    found: list[tuple[str, ast.stmt]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node))
    return found


def test_module_graph_is_acyclic() -> None:
    graph = {
        name: {module for module, _ in _imports(path) if module.startswith("signing.")} - {name}
        for name, path in MODULES.items()
    }
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as e:
        pytest.fail(f"import cycle in signing/: {e.args[1]}")
    assert set(order) >= set(MODULES)


def test_submodules_do_not_import_the_facade() -> None:
    # The facade loads submodules lazily; a submodule importing it would close a loop.
    for name, path in MODULES.items():
        if name != "signing":
            assert "signing" not in {module for module, _ in _imports(path)}, name


@pytest.mark.parametrize("name", sorted(MODULES))
def test_nothing_of_flask_or_the_service(name: str) -> None:
    roots = {module.split(".")[0] for module, _ in _imports(MODULES[name])}
    assert not roots & {"flask", "werkzeug", "service"}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_function_local_imports(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    local = [
        f"{f.name}:{n.lineno}"
        for f in functions
        for n in ast.walk(f)
        if isinstance(n, ast.Import | ast.ImportFrom)
    ]
    assert local == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_declares_what_it_exports(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported, name
    assert len(set(exported)) == len(exported)
    missing = [symbol for symbol in exported if not hasattr(module, symbol)]
    assert missing == []


def test_facade_names_resolve_to_their_home() -> None:
    assert set(signing.__all__) == set(FACADE)
    for symbol, home in FACADE.items():
        assert getattr(signing, symbol) is getattr(importlib.import_module(home), symbol), symbol


def test_errors_load_without_pyhanko() -> None:
    # The web layer's error handlers import signing.errors at start-up.
    code = "import sys, signing.errors; print(sorted(m for m in sys.modules if m.startswith('pyhanko')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
