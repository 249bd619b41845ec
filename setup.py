"""The one thing pyproject.toml cannot say stably: the optional C loops over PDFium calls.

A machine without a C compiler still installs (the extension is optional); the same loops
then run in Python (extract/ingest/pdfium_loops.py), with the same results, slower.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "extract.ingest._pdfium_loops",
            ["extract/ingest/_pdfium_loops.c"],
            optional=True,
        )
    ]
)
