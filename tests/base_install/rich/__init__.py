"""Stands in for rich in the tracker processes the tests start: a base install has no
rich (import-linter, a dev tool, brings it), and httpx imports its own command-line
client, which needs rich and pygments, whenever both are installed. Importing it fails
as if it were absent."""

raise ImportError("rich is not part of the base install")
