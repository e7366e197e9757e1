"""The version of the classification rules that stored answers were computed with.

Stored tiers, participant counts, conclusions (m008) and drug roles carry it
(`rules_version` in `articles` and `query_articles`, migration m004). Bump it whenever a
rule in tracker.classify changes what it answers for some record: the next `tracker run`,
or `tracker digest` if it comes first, recomputes every stored answer made with another
version, and "What changed" reports the ones a digest already showed
(tracker/ingest/rules.py).
"""

from __future__ import annotations

# "<year>.<n>": the n-th change of the rules that year. Only compared for equality.
RULES_VERSION = "2026.3"
