"""The one thing pyproject.toml cannot say stably: the optional C extensions (loops over
PDFium calls; page geometry over arrays).

A machine without a C compiler still installs (the extension is optional); the same loops
then run in Python (extract/ingest/pdfium_loops.py), with the same results, slower.
"""

import os

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "extract.ingest._pdfium_loops",
            ["extract/ingest/_pdfium_loops.c"],
            # the edges are computed as Python computes them: no fused multiply-add, which
            # rounds once where Python rounds twice (MSVC does not fuse by default)
            extra_compile_args=[] if os.name == "nt" else ["-ffp-contract=off"],
            optional=True,
        ),
        # page geometry over arrays (no PDFium calls): pdfplumber's ruled-table search over
        # those edges, text lines, and table characters to cells
        Extension(
            "extract.ingest._geometry",
            ["extract/ingest/_geometry.c"],
            extra_compile_args=[] if os.name == "nt" else ["-ffp-contract=off"],
            optional=True,
        ),
    ]
)
