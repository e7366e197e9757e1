"""Off-label literature tracker: PubMed saved searches → SQLite → digests."""

__version__ = "0.1.0"
