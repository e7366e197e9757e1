"""A small Python API for notebooks: the collection as pandas DataFrames.

    from tracker.research.api import open_collection
    with open_collection("tracker.db") as c:
        articles = c.articles(search="baclofen-rls")   # one row per study
        harms = c.articles(search="baclofen-rls", role="harm")  # safety signals
        articles.groupby("pub_year").size().plot.bar()

JSON columns arrive as Python lists; dates stay ISO text (`pd.to_datetime` when needed).
The database is only read: nothing here writes to it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from tracker import store
from tracker.errors import UsageError
from tracker.research.find import fts_query, plain_words
from tracker.store import reads

try:
    import pandas as pd
except ImportError:  # an extra: the base install (and every tracker command) runs without it
    raise ImportError(
        "tracker.research.api needs pandas: pip install 'offlabel-tracker[notebook]'"
    ) from None


class CollectionError(UsageError, ValueError):
    """The database or the saved search asked for does not exist."""


class Collection:
    """The stored articles, authors and runs of one tracker database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def searches(self) -> list[str]:
        """Saved searches that have run against this database."""
        return reads.known_searches(self.db)

    def _check(self, search: str | None) -> None:
        if search is not None and search not in self.searches():
            raise CollectionError(f"no saved search named {search!r} (known: {self.searches()})")

    def articles(self, search: str | None = None, role: str | None = None) -> pd.DataFrame:
        """Articles (of one saved search, or all), newest first, indexed by PMID.

        A saved search's articles carry their drug role in it (drug_role: treatment,
        harm or other; drug_role_reason; drug_role_source); `role` keeps one of them."""
        self._check(search)
        rows = reads.article_rows(self.db, search=search)
        columns = reads.article_columns(self.db)
        if search is not None:
            columns += list(reads.ROLE_COLUMNS)
            if role is not None:
                rows = [r for r in rows if r["drug_role"] == role]
        elif role is not None:
            raise CollectionError("role: name the saved search too (a role belongs to one)")
        return _frame(rows, columns).set_index("pmid", drop=False)

    def authors(self, search: str | None = None) -> pd.DataFrame:
        """One row per author per article, in author order."""
        self._check(search)
        return _frame(reads.author_rows(self.db, search=search),
                      reads.columns_of(self.db, "authors"))  # fmt: skip

    def runs(self, search: str | None = None) -> pd.DataFrame:
        """Every run, oldest first."""
        self._check(search)
        return _frame(reads.run_rows(self.db, search=search),
                      reads.columns_of(self.db, "runs"))  # fmt: skip

    def find(self, text: str, search: str | None = None, limit: int = 50) -> pd.DataFrame:
        """Full-text search as `tracker find` does it, best match first."""
        self._check(search)
        query = fts_query(text)
        if not query.expression:
            return pd.DataFrame()
        try:
            rows = reads.find_articles(self.db, query.expression, search=search,
                                              limit=limit)  # fmt: skip
        except sqlite3.OperationalError:  # FTS5 refused it: search the plain words
            rows = reads.find_articles(
                self.db, plain_words(text).expression, search=search, limit=limit
            )
        return pd.DataFrame(rows)


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def open_collection(db_path: Path | str = "tracker.db") -> Collection:
    """Open an existing tracker database for reading."""
    path = Path(db_path)
    if not path.is_file():
        raise CollectionError(f"{path}: no such tracker database")
    return Collection(store.connect(path, check=False))
