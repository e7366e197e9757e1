"""A Hugo leaf bundle: content/SECTION/SLUG/index.md with the chart and the "Cite these"
files beside it, so the Markdown's relative links resolve in the built site."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tracker.publish.common import (
    base_fields,
    body_without_title,
    copy_file,
    follow_up_text,
    front_matter,
    slug,
    write_text,
)
from tracker.publish.source import WrittenDigest


@dataclass(frozen=True)
class HugoOptions:
    section: str = "posts"
    layout: str | None = None  # Hugo picks the section's single layout when unset
    follow_up: bool = False


def publish_hugo(digest: WrittenDigest, site: Path, options: HugoOptions) -> list[Path]:
    bundle = site / "content" / options.section / slug(digest)
    fields = base_fields(digest)
    fields["summary"] = digest.front.get("summary")
    fields["draft"] = digest.draft
    fields["layout"] = options.layout
    index = bundle / "index.md"
    write_text(index, front_matter(fields) + body_without_title(digest.body))
    written = [index]
    for asset in digest.assets:
        copy_file(asset, bundle / asset.name)
        written.append(bundle / asset.name)
    if options.follow_up:
        starter = site / "content" / options.section / f"{slug(digest)}-follow-up" / "index.md"
        fields = {
            **base_fields(digest),
            "title": f"Follow-up: {fields['title']}",
            "draft": True,  # the author's words come first
        }
        write_text(starter, front_matter(fields) + follow_up_text(digest))
        written.append(starter)
    return written
