"""Stands in for pygments in the tracker processes the tests start: a base install has
no pygments (pytest brings it), and httpx imports its own command-line client, which
needs it, whenever it is installed. Importing it fails as if it were absent."""

raise ImportError("pygments is not part of the base install")
