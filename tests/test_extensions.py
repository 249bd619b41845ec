"""The optional C extensions are built wherever a C compiler is, and built from the source
in the tree.

They are optional so that a machine without a compiler still installs; the price is that
a source which fails to compile installs silently, the Python fallbacks run, and the tests
of the C code skip while the suite stays green. These tests turn that into a failure on
any machine that could have built them.
"""

from __future__ import annotations

import importlib
import shutil
import sysconfig
from pathlib import Path

import pytest

EXTENSIONS = ("extract.ingest._pdfium_loops", "extract.ingest._geometry")


def _compiler() -> str | None:
    """The C compiler setuptools would use, if it is on this machine."""
    cc = (sysconfig.get_config_var("CC") or "").split()
    return shutil.which(cc[0]) if cc else None


@pytest.mark.parametrize("name", EXTENSIONS)
def test_built_where_a_compiler_is(name):
    if _compiler() is None:
        pytest.skip("no C compiler here: the Python fallbacks run, as designed")
    try:
        importlib.import_module(name)
    except ImportError as error:
        pytest.fail(
            f"{name} was not built although a C compiler is here ({error}). "
            "Run `pip install -e .` and read its output: the source likely fails to compile."
        )


@pytest.mark.parametrize("name", EXTENSIONS)
def test_built_from_the_current_source(name):
    try:
        module = importlib.import_module(name)
    except ImportError:
        pytest.skip(f"{name} is not built (see test_built_where_a_compiler_is)")
    built = Path(module.__file__)
    source = Path(__file__).parents[1] / (name.replace(".", "/") + ".c")
    if not source.exists() or built.parent != source.parent:
        pytest.skip(f"{name} is installed, not built in this tree")
    assert built.stat().st_mtime >= source.stat().st_mtime, (
        f"{built.name} is older than {source.name}: the C source changed since it was "
        "built. Run `pip install -e .` (or `make test`, whose stamp depends on it)."
    )
