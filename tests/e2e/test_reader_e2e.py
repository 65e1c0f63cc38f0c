"""A researcher's day in a real browser: search, facets, a paper, its citation, notes.

Headless Chromium (Debian's ``chromium``) drives the live server on PostgreSQL with the
demo papers loaded and tagged. The run saves the screenshots in docs/screenshots/ that
the README shows, and every test checks that no request left the site.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from curation import citations, services
from curation.models import Paper
from notes.models import Note
from tests.e2e.conftest import PHONE, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    # serialized_rollback: keep the mechanisms and the curators group the migrations seed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo(settings) -> list[Paper]:
    """Load the 15 demo papers and tag them, in this process (no broker, no worker)."""
    settings.CELERY_BROKER_URL = ""
    services.demo_load()
    services.papers_tag(paper_ids=list(Paper.objects.values_list("pk", flat=True)))
    return list(Paper.objects.order_by("-pub_date", "-pk"))


def _tagged_paper() -> Paper:
    """Return the demo paper with the most evidence sentences (a rich paper page)."""
    papers = Paper.objects.prefetch_related("tags", "authors")
    return max(papers, key=lambda p: (sum(len(t.evidence) for t in p.tags.all()), -p.pmid))


UNLABELLED_CONTROLS = """
() => [...document.querySelectorAll("input, select, textarea, button")]
  .filter((el) => el.type !== "hidden" && el.getClientRects().length > 0)
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
    && !el.getAttribute("aria-labelledby") && !(el.textContent || el.value || "").trim())
  .map((el) => el.outerHTML.slice(0, 120))
"""
LANDMARKS = """
() => ["header", "nav", "main", "footer"].filter((tag) => !document.querySelector(tag))
"""


def _assert_accessible_basics(page) -> None:
    """Every visible control is labelled, the landmarks exist, there is one h1."""
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(LANDMARKS) == []
    assert page.locator("h1").count() == 1


def _result_count(page) -> int:
    return int(re.match(r"(\d+)", page.locator("#result-count").inner_text()).group(1))


def test_a_researcher_searches_and_narrows_with_facets(page, browser_session, researcher, demo):
    login(page, researcher)
    page.goto("/")
    expect(page.locator("#result-count")).to_contain_text(f"{len(demo)} papers")
    _assert_accessible_basics(page)
    screenshot(page, "paper-list")

    page.get_by_label("Search titles, abstracts, keywords and MeSH terms").fill("exosomes")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"\?q=exosomes$"))
    searched = _result_count(page)
    assert 0 < searched < len(demo)
    expect(page.locator(".paper-item mark").first).to_have_text(re.compile("^exosom", re.I))

    option = page.locator('a.facet-link[data-facet="model"]').first
    value = option.get_attribute("data-value")
    expected = int(option.locator(".facet-count").inner_text().split()[0])
    option.click()
    page.wait_for_url(re.compile(rf"\?q=exosomes&model={value}$"))
    assert _result_count(page) == expected <= searched
    chosen = page.locator(f'a.facet-link[data-facet="model"][data-value="{value}"]')
    expect(chosen).to_have_attribute("aria-current", "true")
    expect(page.locator(".chips")).to_contain_text("Study model:")
    screenshot(page, "paper-search-facets")

    # The URL is the whole state: opening it afresh gives the same list.
    bookmarked = page.url
    page.goto("/")
    page.goto(bookmarked)
    assert _result_count(page) == expected
    assert browser_session.blocked_requests == []


def test_a_researcher_reads_a_paper_and_copies_its_citation(
    page, browser_session, researcher, demo
):
    paper = _tagged_paper()
    login(page, researcher)
    page.goto(paper.get_absolute_url())

    expect(page.locator("h1#paper-title")).to_be_visible()
    authors = page.locator('meta[name="citation_author"]')
    assert authors.count() == paper.authors.count() > 0
    assert page.locator('meta[name="citation_pmid"]').get_attribute("content") == str(paper.pmid)
    assert page.locator('meta[name="citation_title"]').get_attribute("content") == paper.title
    assert (
        page.locator('meta[name="citation_abstract_html_url"]').get_attribute("content")
        == page.url.split("#")[0]
    )
    assert re.fullmatch(
        r"\d{4}(/\d{2}){0,2}",
        page.locator('meta[name="citation_publication_date"]').get_attribute("content"),
    )
    expect(page.locator(".abstract mark.evidence").first).to_be_visible()
    _assert_accessible_basics(page)
    screenshot(page, "paper-page")

    page.get_by_role("button", name="Cite").click()
    dialog = page.get_by_role("dialog", name="Cite this paper")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Format").select_option("apa")
    dialog.get_by_role("button", name="Copy citation").click()
    expect(dialog.get_by_role("status")).to_contain_text("Copied APA citation")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == citations.cite_all(paper.to_record())["apa"]
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    assert browser_session.blocked_requests == []


def test_a_researcher_writes_edits_and_deletes_a_note(page, browser_session, researcher, demo):
    paper = demo[0]
    login(page, researcher)
    page.goto(paper.get_absolute_url())
    page.evaluate("window.__stayed = true")  # gone if the page reloads
    box = page.locator("#notes")
    textarea = box.get_by_label("Add a note")
    expect(textarea).to_have_attribute(
        "placeholder", "Knowledge, pearl, summary or comment to share?"
    )
    counter = box.locator("[data-note-counter]")
    expect(counter).to_have_text("300 characters remaining")

    textarea.fill("🧬α" * 5)
    expect(counter).to_have_text("290 characters remaining")

    body = "MSC *exosomes* cut apoptosis[^1](TUNEL at day 14)."
    textarea.fill(body)
    expect(counter).to_have_text(f"{300 - len(body)} characters remaining")
    preview = box.locator("[data-note-preview-body]")
    expect(preview.locator("em")).to_have_text("exosomes")
    expect(preview.locator("li#fn-preview-1")).to_contain_text("TUNEL at day 14")

    box.locator("summary", has_text="help").click()
    expect(box.locator(".note-help-text")).to_contain_text("For footnotes use")
    expect(box.locator(".note-help summary")).to_contain_text("hide")

    box.get_by_label("Every signed-in user (public)").check()
    box.get_by_role("button", name="Save note").click()
    expect(box.locator("[data-note-status]")).to_have_text("Note saved.")
    note = Note.objects.get()
    saved = box.locator(f"#note-{note.pk}")
    expect(saved.locator("em")).to_have_text("exosomes")
    expect(saved.locator(f"li#fn-{note.dom_key}-1")).to_contain_text("TUNEL at day 14")
    expect(saved.locator(f"sup#fnref-{note.dom_key}-1 a.footnote-ref")).to_have_text("1")
    expect(saved.locator("[data-note-visibility]")).to_have_text("Public")
    expect(textarea).to_have_value("")
    expect(counter).to_have_text("300 characters remaining")
    assert page.evaluate("window.__stayed") is True
    assert note.visibility == "public"
    screenshot(page, "notes-box")

    saved.get_by_role("link", name="Edit this note").click()
    editor = saved.get_by_label("Edit your note")
    expect(editor).to_have_value(body)
    editor.fill("Edited: **granulosa** cells.")
    saved.get_by_role("button", name="Save changes").click()
    expect(saved.locator("strong")).to_have_text("granulosa")
    note.refresh_from_db()
    assert note.body == "Edited: **granulosa** cells."
    assert note.revisions.get().body == body

    page.once("dialog", lambda dialog: dialog.accept())
    saved.get_by_role("button", name="Delete this note").click()
    expect(saved).to_have_count(0)
    expect(box.locator("[data-note-status]")).to_have_text("Note deleted.")
    assert not Note.objects.exists()

    textarea.fill("x" * 301)
    expect(counter).to_have_text("1 character too many")
    box.get_by_role("button", name="Save note").click()
    expect(box.locator("[data-note-error]")).to_contain_text(
        "Notes are limited to 300 characters; this one has 301."
    )
    assert not Note.objects.exists()
    assert page.evaluate("window.__stayed") is True
    assert browser_session.blocked_requests == []


def test_a_researcher_cannot_reach_curator_actions(page, browser_session, researcher, demo):
    login(page, researcher)
    page.goto("/")

    expect(page.get_by_role("link", name="Review queue")).to_have_count(0)
    expect(page.get_by_role("link", name="Feeds")).to_have_count(0)
    response = page.goto("/curate/queue/")
    assert response.status == 403
    response = page.goto("/curate/feeds/")
    assert response.status == 403
    assert browser_session.blocked_requests == []


def test_a_curator_finds_the_curator_pages(page, browser_session, curator, demo):
    login(page, curator, "cora-password-1")
    page.goto("/")

    page.get_by_role("link", name="Review queue").click()
    assert page.url.endswith("/curate/queue/")
    assert browser_session.blocked_requests == []


def test_anonymous_readers_are_asked_to_sign_in_for_notes(page, browser_session, demo):
    page.goto(demo[0].get_absolute_url())

    expect(page.get_by_role("link", name="Sign in to add notes")).to_be_visible()
    expect(page.locator("#notes textarea")).to_have_count(0)
    page.goto("/accounts/login/")
    _assert_accessible_basics(page)
    screenshot(page, "login")
    assert browser_session.blocked_requests == []


def test_reading_and_notes_work_without_javascript(new_session, researcher, demo):
    session = new_session(java_script_enabled=False)
    page = session.context.new_page()
    login(page, researcher)

    page.get_by_label("Search titles, abstracts, keywords and MeSH terms").fill("ovarian")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"\?q=ovarian$"))
    assert _result_count(page) > 0
    page.locator("a.facet-link").first.click()
    assert "&" in page.url
    page.locator(".paper-item-title a").first.click()
    expect(page.locator("h1#paper-title")).to_be_visible()

    page.locator("summary", has_text="Cite").click()
    expect(page.locator("#citation-nlm")).to_be_visible()
    expect(page.locator("#citation-mla")).to_be_visible()

    page.get_by_label("Add a note").fill("Read without *scripts*[^1](footnote).")
    page.get_by_role("button", name="Save note").click()
    note = Note.objects.get()
    assert page.url.endswith(f"#note-{note.pk}")
    expect(page.locator(f"#note-{note.pk} em")).to_have_text("scripts")
    expect(page.locator(f"#note-{note.pk} li#fn-{note.dom_key}-1")).to_contain_text("footnote")
    expect(page.get_by_role("status").first).to_contain_text("Note saved.")

    page.get_by_label("Add a note").fill("y" * 301)
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("[data-note-error]")).to_have_text(
        re.compile("Notes are limited to 300 characters; this one has 301.")
    )
    expect(page.get_by_label("Add a note")).to_have_value("y" * 301)
    assert Note.objects.count() == 1
    assert session.blocked_requests == []


def test_the_paper_page_fits_a_phone(new_session, researcher, demo):
    session = new_session(viewport=PHONE, is_mobile=True, has_touch=True)
    page = session.context.new_page()
    login(page, researcher)
    page.goto(_tagged_paper().get_absolute_url())

    expect(page.locator("h1#paper-title")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "paper-page-phone")
    page.goto("/?q=exosomes")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator("details[data-refine]")).not_to_have_attribute("open", "")
    assert session.blocked_requests == []
