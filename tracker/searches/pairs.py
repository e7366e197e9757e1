"""Drug × condition pairs: the PubMed term built from a drug and a condition.

Off-label work asks about one drug for one condition, so a saved search may name the two
instead of spelling out a term. Each becomes a block of OR-ed alternatives, and the
blocks are ANDed:

    ("Baclofen"[Mesh] OR baclofen[tiab] OR Lioresal[tiab] …)
    AND ("Restless Legs Syndrome"[Mesh] OR "restless legs"[tiab] …)

* `"Heading"[Mesh]` finds indexed records whatever words their authors used (and, unless
  written `[Mesh:NoExp]`, the narrower headings below it);
* the same name and every synonym and brand as `[tiab]` words find the records added in
  the last weeks, which carry no MeSH until NLM indexes them, and the ones never indexed.

Words that are not a single plain token (spaces, hyphens, apostrophes) are quoted, so
PubMed searches them as a phrase instead of splitting them; a trailing `*` truncates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# A bare PubMed token: letters, digits, and a trailing truncation star.
_PLAIN_WORD = re.compile(r"^[^\W_]+\*?$")
# Characters that would break out of a quoted phrase or a field tag.
FORBIDDEN_CHARACTERS = frozenset('"[]')


@dataclass(frozen=True)
class Concept:
    """A drug or a condition: MeSH headings plus free-text words."""

    name: str
    mesh: tuple[str, ...]  # MeSH headings; by default the name itself
    synonyms: tuple[str, ...] = ()  # other names: spellings, abbreviations, the enantiomer
    brands: tuple[str, ...] = ()  # trade names (drugs): case reports often use only these
    # Searched in titles only ([ti]): abbreviations such as RLS, too ambiguous for
    # abstracts, where they also stand for other things.
    title_only: tuple[str, ...] = ()

    @classmethod
    def named(
        cls,
        name: str,
        synonyms: Iterable[str] = (),
        brands: Iterable[str] = (),
        mesh: Iterable[str] | None = None,
        title_only: Iterable[str] = (),
    ) -> Concept:
        return cls(
            name=name.strip(),
            mesh=tuple(mesh) if mesh is not None else (name.strip(),),
            synonyms=tuple(synonyms),
            brands=tuple(brands),
            title_only=tuple(title_only),
        )

    @property
    def words(self) -> tuple[str, ...]:
        """Title/abstract words: the name, synonyms and brands, once each (any case)."""
        seen: dict[str, str] = {}
        for word in (self.name, *self.synonyms, *self.brands):
            seen.setdefault(word.strip().casefold(), word.strip())
        return tuple(seen.values())


@dataclass(frozen=True)
class Pair:
    drug: Concept
    condition: Concept


def phrase(word: str, tag: str, *, quote: bool = False) -> str:
    """`word[tag]`, quoted unless it is one plain token: `"restless legs"[tiab]`."""
    word = " ".join(word.split())
    if not quote and _PLAIN_WORD.match(word):
        return f"{word}[{tag}]"
    return f'"{word}"[{tag}]'


def alternatives(concept: Concept) -> list[str]:
    """One concept's alternatives: MeSH headings (always quoted, as NLM writes them)
    first, then the [tiab] words, then the title-only [ti] words."""
    headings = [phrase(h, "Mesh", quote=True) for h in concept.mesh]
    titles = [phrase(w, "ti") for w in concept.title_only]
    return headings + [phrase(w, "tiab") for w in concept.words] + titles


def concept_block(concept: Concept) -> str:
    """The OR-ed alternatives for one concept, in parentheses."""
    return "(" + " OR ".join(alternatives(concept)) + ")"


def build_term(pair: Pair) -> str:
    """The PubMed term for a pair, on one line."""
    return f"{concept_block(pair.drug)} AND {concept_block(pair.condition)}"


def format_pair_term(pair: Pair, width: int = 88) -> str:
    """The pair's term wrapped for reading: one block per concept, OR at line starts."""
    blocks = []
    for concept in (pair.drug, pair.condition):
        parts = alternatives(concept)
        lines: list[str] = []
        line = "(" + parts[0]
        for part in parts[1:]:
            piece = f"OR {part}"
            if len(line) + 1 + len(piece) > width:
                lines.append(line)
                line = "  " + piece
            else:
                line = f"{line} {piece}"
        lines.append(line + ")")
        blocks.append("\n".join(lines))
    return "\nAND\n".join(blocks)


def slug(text: str) -> str:
    """A saved-search name part: "Restless Legs Syndrome" → "restless-legs-syndrome"
    (ASCII only: the name becomes a file name and a report folder)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")


def pair_name(drug: str, condition: str) -> str:
    return f"{slug(drug)}-{slug(condition)}"[:64].strip("-")
