"""Curators in a real browser: the review queue, feeds and runs, and the evidence map.

Headless Chromium against the live server on PostgreSQL, with the real demo papers tagged
by the real tagger. Every browser context refuses requests that would leave the machine,
and each test checks that none was attempted. Screenshots go to docs/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from curation import services
from curation.models import (
    Feed,
    ImportRun,
    Paper,
    RunStatus,
    Tag,
    TagAction,
    TagEvent,
    TagStatus,
)
from tests.e2e.conftest import PHONE, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    # serialized_rollback: keep the mechanisms, curators group and feed the migrations seed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ITEM = ".queue-item"


@pytest.fixture
def demo(settings) -> list[Tag]:
    """Load the bundled demo papers, tag them, and return the suggestions newest first.

    Tasks run in this process (no broker), so no message is left behind in Redis.
    """
    settings.CELERY_BROKER_URL = ""
    services.demo_load()
    services.papers_tag(paper_ids=list(Paper.objects.values_list("pk", flat=True)))
    suggestions = list(
        Tag.objects.filter(status=TagStatus.SUGGESTED)
        .select_related("paper", "mechanism")
        .order_by("-created_at", "-pk")
    )
    assert len(suggestions) >= 4, "the demo should give the queue a few suggestions"
    return suggestions


def _count(text: str) -> int:
    match = re.match(r"\s*(\d+)", text)
    assert match, text
    return int(match.group(1))


def mechanism_counts(page, query: str = "") -> dict[str, int]:
    """Read the paper list's mechanism facet: papers per mechanism for these filters."""
    page.goto(f"/{query}")
    counts = {}
    for link in page.locator('a[data-facet="mechanism"]').all():
        counts[link.get_attribute("data-value")] = _count(link.locator(".facet-count").inner_text())
    return counts


def _item_id(page) -> str:
    return page.evaluate("document.activeElement.closest('.queue-item')?.id || ''")


def test_a_curator_confirms_and_rejects_without_a_reload(
    page, browser_session, curator, demo, live_server
):
    confirmed_before = mechanism_counts(page, "?tag_status=confirmed")
    listed_before = mechanism_counts(page)
    login(page, curator)
    page.goto("/curate/queue/")
    items = page.locator(ITEM)
    ids = [items.nth(i).get_attribute("id") for i in range(items.count())]
    first, second, third, fourth = (items.nth(i) for i in range(4))
    picked = [
        (item.get_attribute("data-pmid"), item.get_attribute("data-mechanism"))
        for item in (first, second, third)
    ]
    page.evaluate("window.__stillTheSamePage = 'yes'")
    assert page.locator("#shortcuts").is_visible()
    assert first.locator("mark.evidence").count() >= 1

    # A click confirms; the item is done and focus moves on to the next suggestion.
    first.get_by_role("button", name="Confirm").click()
    page.wait_for_selector(f"#{ids[0]}.is-done")
    assert _item_id(page) == ids[1]
    assert "Confirmed by you" in first.locator("[data-status]").inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "review-queue", full_page=False)

    # A keyboard shortcut confirms the focused one.
    page.keyboard.press("c")
    page.wait_for_selector(f"#{ids[1]}.is-done.is-confirmed")
    assert _item_id(page) == ids[2]

    # j / k move between suggestions; typing in a field never fires a shortcut.
    page.keyboard.press("j")
    assert _item_id(page) == ids[3]
    fourth.get_by_label("Comment").fill("")
    fourth.get_by_label("Comment").press_sequentially("c r")
    assert "is-done" not in (fourth.get_attribute("class") or "")
    assert fourth.get_by_label("Comment").input_value() == "c r"
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == ids[3]
    page.keyboard.press("k")
    assert _item_id(page) == ids[2]

    # Reject with the keyboard too, then check the help toggles.
    page.keyboard.press("r")
    page.wait_for_selector(f"#{ids[2]}.is-done.is-rejected")
    page.keyboard.press("?")
    assert page.locator("#shortcuts").get_attribute("open") is None

    assert page.evaluate("window.__stillTheSamePage") == "yes", "the page reloaded"
    events = TagEvent.objects.filter(user=curator).order_by("created_at", "pk")
    assert [(str(e.paper.pmid), e.mechanism.slug, e.action) for e in events] == [
        (*picked[0], TagAction.CONFIRMED),
        (*picked[1], TagAction.CONFIRMED),
        (*picked[2], TagAction.REJECTED),
    ]

    # The paper list's facets follow: two more confirmed, one fewer listed.
    confirmed_after = mechanism_counts(page, "?tag_status=confirmed")
    listed_after = mechanism_counts(page)
    for pmid, slug in picked[:2]:
        expected = confirmed_before.get(slug, 0) + sum(1 for _, s in picked[:2] if s == slug)
        assert confirmed_after[slug] == expected, slug
        body = page.request.get(f"/api/papers/?mechanism={slug}&tag_status=confirmed").json()
        assert int(pmid) in [paper["pmid"] for paper in body["results"]]
    rejected_slug = picked[2][1]
    assert listed_after.get(rejected_slug, 0) == listed_before[rejected_slug] - 1
    assert browser_session.blocked_requests == []


def test_a_curator_adds_a_mechanism_from_the_keyboard(
    page, browser_session, curator, demo, live_server
):
    login(page, curator)
    page.goto("/curate/queue/")
    page.evaluate("window.__stillTheSamePage = 'yes'")
    first = page.locator(ITEM).first
    pmid = first.get_attribute("data-pmid")
    choice = first.locator(".add-form select").input_value()

    page.keyboard.press("j")
    page.keyboard.press("a")
    assert page.evaluate("document.activeElement.matches('.add-form select')")
    page.keyboard.press("Enter")

    page.wait_for_selector(f"{ITEM}:first-of-type [data-status]:has-text('Added')")
    assert "is-done" not in (first.get_attribute("class") or "")  # the suggestion still waits
    assert first.locator(f'.add-form option[value="{choice}"]').count() == 0
    assert first.locator(f'[data-other-tag="{choice}"]').inner_text().endswith("(confirmed)")
    event = TagEvent.objects.get(user=curator)
    assert (str(event.paper.pmid), event.mechanism.slug, event.action) == (
        pmid,
        choice,
        TagAction.ADDED,
    )
    assert page.evaluate("window.__stillTheSamePage") == "yes"
    assert browser_session.blocked_requests == []


def test_a_curator_decides_with_javascript_off(new_session, curator, demo, live_server):
    session = new_session(java_script_enabled=False)
    page = session.context.new_page()
    login(page, curator)
    page.goto("/curate/queue/?order=confidence")
    first = page.locator(ITEM).first
    pmid, slug = first.get_attribute("data-pmid"), first.get_attribute("data-mechanism")
    assert page.locator("#shortcuts").is_hidden()  # shortcuts need JavaScript

    first.get_by_role("button", name="Reject").click()

    page.wait_for_load_state()
    assert page.url.endswith("/curate/queue/?order=confidence")
    assert "Rejected" in page.locator(".messages").inner_text()
    tag = Tag.objects.get(paper__pmid=pmid, mechanism__slug=slug)
    assert (tag.status, tag.decided_by) == (TagStatus.REJECTED, curator)
    assert page.locator(f'{ITEM}[data-pmid="{pmid}"][data-mechanism="{slug}"]').count() == 0
    assert session.blocked_requests == []


def test_a_researcher_sees_no_curator_controls_and_is_refused(
    page, browser_session, researcher, demo, live_server
):
    login(page, researcher)
    pmid = demo[0].paper.pmid

    for path in ("/", f"/papers/{pmid}/", "/evidence/"):
        page.goto(path)
        assert page.locator('a[href^="/curate/"]').count() == 0, path
        assert page.locator('form[action^="/curate/"]').count() == 0, path
    response = page.goto("/curate/queue/")
    assert response.status == 403
    refused = page.evaluate(
        """async (pmid) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)?.[1] || "";
            const response = await fetch(`/api/papers/${pmid}/tags/`, {
                method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                body: JSON.stringify({mechanism: "exosomes", action: "add"}),
            });
            return response.status;
        }""",
        pmid,
    )
    assert refused == 403
    assert not TagEvent.objects.filter(user=researcher).exists()
    assert browser_session.blocked_requests == []


def test_the_evidence_map_links_each_cell_to_its_papers(page, browser_session, demo, live_server):
    page.goto("/evidence/")
    assert page.locator("svg.chart").count() >= 4
    cells = page.locator("table.matrix td.cell a")
    assert cells.count() >= 1
    screenshot(page, "evidence-map")
    cell = cells.first
    count = _count(cell.inner_text())
    href = cell.get_attribute("href")

    cell.click()

    page.wait_for_load_state()
    assert re.search(r"/\?mechanism=[\w_]+&cell_source=[\w_]+$", page.url), page.url
    assert page.url.endswith(href)
    assert _count(page.locator("#result-count").inner_text()) == count
    assert page.locator(".paper-list > li.paper-item, .paper-list > li").count() >= count
    assert browser_session.blocked_requests == []


def test_a_curator_watches_a_feed_run_update_live(
    page, browser_session, curator, live_server, demo
):
    feed = Feed.objects.get()  # the default POF/POI feed the migrations create
    ImportRun.objects.create(
        kind="feed", feed=feed, status=RunStatus.SUCCEEDED, created=15, unchanged=3
    )
    run = ImportRun.objects.create(
        kind="feed",
        feed=feed,
        status=RunStatus.RUNNING,
        source=feed.query,
        progress_done=120,
        progress_total=480,
        created=97,
        updated=11,
        unchanged=12,
        requests=4,
        started_by=curator,
    )
    login(page, curator)
    page.goto("/curate/feeds/")
    assert page.get_by_role("button", name=re.compile("Refresh now")).count() == 1
    screenshot(page, "feeds")

    page.goto(f"/curate/runs/{run.pk}/")
    page.evaluate("window.__stillTheSamePage = 'yes'")
    assert page.locator("#run-progress").get_attribute("value") == "120"
    screenshot(page, "feed-run")
    ImportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.PARTIAL,
        progress_done=480,
        created=301,
        failed=1,
        errors=[{"pmid": 39000001, "reason": "title is too long", "position": "efetch"}],
        missing_pmids=[39000002],
    )

    page.wait_for_selector('[data-run-field="status"].run-status-partial', timeout=8000)
    assert page.locator('[data-run-field="created"]').inner_text() == "301"
    assert page.locator("#run-progress").get_attribute("value") == "480"
    assert "title is too long" in page.locator('[data-run-list="errors"]').inner_text()
    assert "39000002" in page.locator('[data-run-list="missing"]').inner_text()
    assert page.evaluate("window.__stillTheSamePage") == "yes"
    assert browser_session.blocked_requests == []


def test_curator_pages_and_the_map_fit_a_phone(new_session, curator, demo, live_server):
    session = new_session(viewport=PHONE)
    page = session.context.new_page()
    login(page, curator)

    for path in ("/curate/queue/", "/curate/feeds/", "/curate/tagger/", "/evidence/"):
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)
    assert session.blocked_requests == []
