"""A Jekyll post: _posts/YYYY-MM-DD-SLUG.md (Jekyll skips any other name) with its files
under assets/SEARCH/STEM/, linked through `relative_url` so a site's baseurl holds.
Drafts get `published: false` (Jekyll ignores `draft:`). What Hugo calls a section is a
category in Jekyll: `categories:` in the front matter, which Jekyll's default permalink
(`/:categories/:year/:month/:day/:title:output_ext`) puts at the front of the URL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tracker.publish.common import (
    base_fields,
    body_without_title,
    copy_file,
    follow_up_text,
    front_matter,
    relink,
    write_text,
)
from tracker.publish.source import WrittenDigest


@dataclass(frozen=True)
class JekyllOptions:
    layout: str = "post"
    category: str | None = None  # --section
    follow_up: bool = False


def publish_jekyll(digest: WrittenDigest, site: Path, options: JekyllOptions) -> list[Path]:
    stem = digest.markdown.stem
    folder = f"assets/{digest.search}/{stem}"
    name = f"{digest.day.isoformat()}-{digest.search}{stem[10:]}.md"
    categories = [options.category] if options.category else None
    fields = {"layout": options.layout, **base_fields(digest), "categories": categories}
    fields["description"] = digest.front.get("summary")
    fields["published"] = not digest.draft
    links = {a.name: f"{{{{ '/{folder}/{a.name}' | relative_url }}}}" for a in digest.assets}
    post = site / "_posts" / name
    write_text(post, front_matter(fields) + relink(body_without_title(digest.body), links))
    written = [post]
    for asset in digest.assets:
        copy_file(asset, site / folder / asset.name)
        written.append(site / folder / asset.name)
    if options.follow_up:
        # _drafts/ is built only with `jekyll build --drafts`: the author publishes it.
        starter = site / "_drafts" / f"{digest.search}-{stem}-follow-up.md"
        fields = {
            "layout": options.layout,
            **base_fields(digest),
            "categories": categories,
            "title": f"Follow-up: {fields['title']}",
        }
        write_text(starter, front_matter(fields) + follow_up_text(digest))
        written.append(starter)
    return written
