"""Escaping and excerpts used by every digest template."""

from tracker.digest.render import conclusion_excerpt, md, short_authors, yaml_str


def test_markdown_escaping_shows_text_and_nothing_more():
    # Crafted hostile title (not a PubMed record).
    title = "<script>alert(1)</script> *bold* [link](javascript:x) # heading\n- item"
    assert md(title) == (
        "&lt;script>alert(1)&lt;/script> \\*bold\\* \\[link\\]\\(javascript:x) # heading - item"
    )
    assert md("# heading") == "\\# heading"
    assert md("- item") == "\\- item"
    assert md("12. item") == "12\\. item"


def test_markdown_escaping_leaves_ordinary_punctuation_alone():
    text = "A meta-analysis (sample data): 10.1037/prj0000481, p < 0.05, R&D, snake_case."
    assert md(text) == text
    assert md("{{ x }} {% y %} a|b &amp; _em_ ~~s~~") == (
        "&#123;&#123; x &#125;&#125; &#123;% y %&#125; a\\|b &amp;amp; \\_em\\_ \\~\\~s\\~\\~"
    )


def test_yaml_string_is_quoted_and_escaped():
    assert yaml_str('Title: "quoted" \\ end') == '"Title: \\"quoted\\" \\\\ end"'


def test_short_authors_follow_pubmed_summary_form():
    authors = [
        {"last_name": "Smith", "initials": "JA"},
        {"collective_name": "RLS Study Group"},
        {"last_name": "Doe", "initials": None},
        {"last_name": "Roe", "initials": "C"},
    ]
    assert short_authors(authors) == "Smith JA, RLS Study Group, Doe, et al."
    assert short_authors(authors[:2]) == "Smith JA, RLS Study Group"
    assert short_authors([]) == "No authors listed"


def test_conclusion_prefers_the_labelled_section():
    sections = [
        {"label": "BACKGROUND", "nlm_category": "BACKGROUND", "text": "Why."},
        {"label": "INTERPRETATION", "nlm_category": "CONCLUSIONS", "text": "It works."},
    ]
    assert conclusion_excerpt(sections, None) == "It works."


def test_conclusion_falls_back_to_last_two_sentences():
    abstract = "First sentence. Second one here. Third: 3.5 mg was used. Fourth ends it."
    assert conclusion_excerpt([], abstract) == "Third: 3.5 mg was used. Fourth ends it."
    assert conclusion_excerpt([], None) == ""
