"""Stands in for pandas in the tracker processes the tests start (tests/helpers.py puts
this folder first on their PYTHONPATH): a base install has no pandas, and sqlite-utils
imports it whenever it is installed. Importing it fails as if it were absent."""

raise ImportError("pandas is not part of the base install")
