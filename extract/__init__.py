"""committee-papers: local-council committee papers in, a queryable dataset out.

The flow is the layout: ingest (read files into normalised text) -> structure -> facts ->
link -> write. `extract.batch.run_batch` runs it; `extract.cli.main` is the command line.
"""

__version__ = "0.1.0"
