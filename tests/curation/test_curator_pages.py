"""The curator pages: review queue, tagger precision, feeds and runs, as each persona sees them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from curation import curator_selectors
from curation.models import (
    Feed,
    ImportRun,
    Mechanism,
    Paper,
    RunStatus,
    Tag,
    TagAction,
    TagEvent,
    TagSource,
    TagStatus,
)
from curation.records import AbstractSection
from tests.factories import make_paper, make_papers, paper_record

pytestmark = pytest.mark.django_db

SENTENCE = (
    "Transplantation of human umbilical cord mesenchymal stem cells (hUC-MSCs) into "
    "cyclophosphamide-induced POI rats reduced granulosa cell apoptosis, lowering "
    "TUNEL-positive cells and cleaved caspase-3."
)


def mechanism(slug: str = "anti_apoptosis") -> Mechanism:
    return Mechanism.objects.get(slug=slug)


def suggest(
    paper: Paper,
    slug: str = "anti_apoptosis",
    *,
    score: float = 0.8,
    created_at: dt.datetime | None = None,
    evidence: list[dict] | None = None,
    status: str = TagStatus.SUGGESTED,
) -> Tag:
    """Write a tagger suggestion the way services.papers_tag stores one."""
    if evidence is None:
        start = paper.abstract.find(SENTENCE)
        evidence = (
            [
                {
                    "sentence": SENTENCE,
                    "start": start,
                    "end": start + len(SENTENCE),
                    "field": "abstract",
                }
            ]
            if start >= 0
            else []
        )
    return Tag.objects.create(
        paper=paper,
        mechanism=mechanism(slug),
        source=TagSource.AUTO,
        status=status,
        score=score,
        evidence=evidence,
        tagger_version="test",
        created_at=created_at or timezone.now(),
    )


@pytest.fixture
def feed() -> Feed:
    return Feed.objects.create(
        name="MSC and POI", query="msc AND poi", refresh_interval=dt.timedelta(hours=6)
    )


@pytest.fixture
def run(feed) -> ImportRun:
    return ImportRun.objects.create(kind="feed", feed=feed, status=RunStatus.SUCCEEDED, created=3)


@pytest.fixture
def world(feed, run) -> dict:
    paper = make_paper()
    suggest(paper)
    return {"pmid": paper.pmid, "feed": feed.pk, "run": run.pk}


def _signed_in(client: Client, user) -> Client:
    if user is not None:
        client.force_login(user)
    return client


PAGES = [
    "/curate/queue/",
    "/curate/tagger/",
    "/curate/feeds/",
    "/curate/feeds/add/",
    "/curate/feeds/{feed}/",
    "/curate/feeds/{feed}/edit/",
    "/curate/runs/",
    "/curate/runs/{run}/",
]
ACTIONS = [
    ("/curate/papers/{pmid}/decide/", {"mechanism": "anti_apoptosis", "action": "confirm"}),
    ("/curate/feeds/{feed}/refresh/", {}),
    ("/curate/feeds/add/", {"name": "New", "query": "msc", "every": "1", "unit": "days"}),
    (
        "/curate/feeds/{feed}/edit/",
        {"name": "Renamed", "query": "msc", "every": "1", "unit": "days"},
    ),
]


# --- Who may see and do what ------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, path):
    url = path.format(**world)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("path", PAGES)
def test_researchers_are_refused_curator_pages(client, world, researcher, path):
    response = _signed_in(client, researcher).get(path.format(**world))

    assert response.status_code == 403


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("persona", ["curator", "admin"])
def test_curators_and_admins_open_every_curator_page(client, world, path, persona, request):
    user = request.getfixturevalue(persona)

    response = _signed_in(client, user).get(path.format(**world))

    assert response.status_code == 200
    assert b'aria-label="Curator pages"' in response.content


@pytest.mark.parametrize(("path", "data"), ACTIONS)
@pytest.mark.parametrize("persona", [None, "researcher"])
def test_curator_actions_are_refused_to_everyone_else(client, world, path, data, persona, request):
    user = request.getfixturevalue(persona) if persona else None
    before = (TagEvent.objects.count(), ImportRun.objects.count(), list(Feed.objects.values()))

    response = _signed_in(client, user).post(path.format(**world), data)

    if user is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 403
    after = (TagEvent.objects.count(), ImportRun.objects.count(), list(Feed.objects.values()))
    assert after == before


def test_an_anonymous_decision_signs_in_and_comes_back_to_the_queue(client, world):
    response = client.post(
        f"/curate/papers/{world['pmid']}/decide/",
        {"mechanism": "anti_apoptosis", "action": "confirm", "next": "/curate/queue/?page=2"},
    )

    assert response["Location"] == "/accounts/login/?next=/curate/queue/%3Fpage%3D2"


def test_a_researcher_sees_no_curator_controls_on_the_evidence_map(client, researcher):
    html = _signed_in(client, researcher).get("/evidence/").content.decode()

    assert "/curate/" not in html


def _csrf_client(user) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/curate/queue/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    return client, token.group(1) if token else ""


@pytest.mark.parametrize(("path", "data"), ACTIONS)
def test_curator_forms_are_refused_without_the_csrf_token(world, curator, path, data):
    client, _ = _csrf_client(curator)
    before = (TagEvent.objects.count(), ImportRun.objects.count(), list(Feed.objects.values()))

    response = client.post(path.format(**world), data)

    assert response.status_code == 403
    after = (TagEvent.objects.count(), ImportRun.objects.count(), list(Feed.objects.values()))
    assert after == before


def test_a_decision_with_the_page_csrf_token_goes_through(world, curator):
    client, token = _csrf_client(curator)

    response = client.post(
        f"/curate/papers/{world['pmid']}/decide/",
        {"mechanism": "anti_apoptosis", "action": "confirm", "csrfmiddlewaretoken": token},
    )

    assert token
    assert response.status_code == 302
    assert Tag.objects.get(paper__pmid=world["pmid"]).status == TagStatus.CONFIRMED


@pytest.mark.parametrize("path", ["/curate/papers/{pmid}/decide/", "/curate/feeds/{feed}/refresh/"])
def test_actions_do_not_answer_get(client, world, curator, path):
    response = _signed_in(client, curator).get(path.format(**world))

    assert response.status_code == 405


# --- The review queue -------------------------------------------------------------------


def _queue_pmids(client: Client, **params) -> list[int]:
    html = client.get("/curate/queue/", params).content.decode()
    return [int(pmid) for pmid in re.findall(r'data-pmid="(\d+)"', html)]


def test_the_queue_lists_newest_suggestions_first(client, curator):
    old, new, middle = make_papers(paper_record(), paper_record(), paper_record())
    now = timezone.now()
    suggest(old, created_at=now - dt.timedelta(days=3))
    suggest(new, created_at=now)
    suggest(middle, created_at=now - dt.timedelta(days=1))

    pmids = _queue_pmids(_signed_in(client, curator))

    assert pmids == [new.pmid, middle.pmid, old.pmid]


def test_the_queue_lists_least_confident_suggestions_first(client, curator):
    sure, unsure, middling = make_papers(paper_record(), paper_record(), paper_record())
    suggest(sure, score=0.95)
    suggest(unsure, score=0.51)
    suggest(middling, score=0.7)

    pmids = _queue_pmids(_signed_in(client, curator), order="confidence")

    assert pmids == [unsure.pmid, middling.pmid, sure.pmid]


def test_the_queue_filters_by_mechanism(client, curator):
    first, second = make_papers(paper_record(), paper_record())
    suggest(first, "exosomes")
    suggest(second, "anti_apoptosis")

    pmids = _queue_pmids(_signed_in(client, curator), mechanism="exosomes")

    assert pmids == [first.pmid]


def test_the_queue_ignores_an_unknown_mechanism_and_says_so(client, curator):
    suggest(make_paper())

    response = _signed_in(client, curator).get("/curate/queue/", {"mechanism": "nope"})

    assert response.status_code == 200
    assert "There is no such mechanism" in response.content.decode()
    assert response.content.decode().count('class="queue-item"') == 1


def test_the_queue_holds_only_undecided_suggestions_on_active_papers(client, curator):
    waiting, decided, deleted = make_papers(paper_record(), paper_record(), paper_record())
    suggest(waiting)
    suggest(decided, status=TagStatus.CONFIRMED)
    suggest(deleted)
    Paper.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())

    pmids = _queue_pmids(_signed_in(client, curator))

    assert pmids == [waiting.pmid]


def test_the_queue_marks_the_evidence_inside_the_abstract(client, curator):
    paper = make_paper()
    suggest(paper)

    html = _signed_in(client, curator).get("/curate/queue/").content.decode()

    assert f"{SENTENCE}</mark>" in html
    assert re.search(
        r'<strong class="abstract-label">RESULTS:</strong> <mark[^>]*class="evidence"', html
    )
    assert "Premature ovarian insufficiency (POI) causes infertility in young women." in html


def test_the_queue_escapes_abstract_text_around_the_evidence(client, curator):
    hostile = "<script>alert(1)</script> & POI"
    paper = make_paper(
        abstract_sections=(
            AbstractSection(label="", text=f"{hostile} {SENTENCE}", html=f"{hostile} {SENTENCE}"),
        )
    )
    suggest(paper)

    html = _signed_in(client, curator).get("/curate/queue/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; POI " in html
    assert f"{SENTENCE}</mark>" in html


def test_the_queue_lists_the_other_tags_and_offers_only_untagged_mechanisms(client, curator):
    paper = make_paper()
    suggest(paper, "anti_apoptosis")
    suggest(paper, "exosomes", status=TagStatus.REJECTED)

    html = _signed_in(client, curator).get("/curate/queue/").content.decode()

    assert "Exosomes and paracrine secretion (rejected)" in html
    add_menu = html[html.index('name="mechanism" aria-keyshortcuts="a"') :]
    add_menu = add_menu[: add_menu.index("</select>")]
    assert 'value="gc_differentiation"' in add_menu
    assert 'value="immune_regulation"' in add_menu
    assert 'value="exosomes"' not in add_menu
    assert 'value="anti_apoptosis"' not in add_menu


def test_the_queue_shows_the_keyboard_shortcuts_and_loads_its_script(client, curator):
    suggest(make_paper())

    html = _signed_in(client, curator).get("/curate/queue/").content.decode()

    assert "<kbd>j</kbd>" in html
    assert "<kbd>c</kbd>" in html
    assert "/static/js/review.js" in html
    assert 'aria-live="polite"' in html


def test_the_queue_paginates(client, curator):
    papers = make_papers(*(paper_record() for _ in range(25)))
    for paper in papers:
        suggest(paper)
    signed_in = _signed_in(client, curator)

    first = _queue_pmids(signed_in)
    second = _queue_pmids(signed_in, page=2)

    assert len(first) == 20
    assert len(second) == 5
    assert not set(first) & set(second)


def _queue_queries(client: Client, count: int) -> int:
    papers = make_papers(*(paper_record() for _ in range(count)))
    for index, paper in enumerate(papers):
        suggest(paper, score=0.5 + index / 100)
        suggest(paper, "exosomes", status=TagStatus.CONFIRMED)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/curate/queue/")
    assert response.status_code == 200
    return len(queries)


def test_the_queue_runs_the_same_queries_for_5_or_25_suggestions(client, curator):
    signed_in = _signed_in(client, curator)
    few = _queue_queries(signed_in, 5)
    Tag.objects.all().delete()
    Paper.objects.all().delete()

    many = _queue_queries(signed_in, 25)

    assert few == many
    assert many <= 10


def test_an_empty_queue_says_there_is_nothing_to_review(client, curator):
    html = _signed_in(client, curator).get("/curate/queue/").content.decode()

    assert "Nothing to review" in html


# --- Decisions from plain forms ---------------------------------------------------------


def test_a_plain_form_confirmation_records_who_and_when(client, curator):
    paper = make_paper()
    tag = suggest(paper)
    before = timezone.now()

    response = _signed_in(client, curator).post(
        f"/curate/papers/{paper.pmid}/decide/",
        {
            "mechanism": "anti_apoptosis",
            "action": "confirm",
            "comment": "TUNEL and caspase-3 both shown.",
            "next": "/curate/queue/?order=confidence",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/curate/queue/?order=confidence"
    tag.refresh_from_db()
    assert tag.status == TagStatus.CONFIRMED
    assert tag.decided_by == curator
    event = TagEvent.objects.get(paper=paper, user__isnull=False)
    assert event.action == TagAction.CONFIRMED
    assert (event.from_status, event.to_status) == ("suggested", "confirmed")
    assert event.user == curator
    assert before <= event.created_at <= timezone.now()
    assert event.comment == "TUNEL and caspase-3 both shown."


def test_a_plain_form_rejection_leaves_the_queue(client, curator):
    paper = make_paper()
    suggest(paper)
    signed_in = _signed_in(client, curator)

    response = signed_in.post(
        f"/curate/papers/{paper.pmid}/decide/",
        {"mechanism": "anti_apoptosis", "action": "reject", "next": "/curate/queue/"},
        follow=True,
    )

    html = response.content.decode()
    assert "Rejected “Anti-apoptosis” on PMID" in html
    assert "Nothing to review" in html
    assert Tag.objects.get(paper=paper).status == TagStatus.REJECTED


def test_a_plain_form_adds_a_mechanism_the_tagger_missed(client, curator):
    paper = make_paper()
    suggest(paper)

    _signed_in(client, curator).post(
        f"/curate/papers/{paper.pmid}/decide/", {"mechanism": "immune_regulation", "action": "add"}
    )

    added = Tag.objects.get(paper=paper, mechanism__slug="immune_regulation")
    assert (added.source, added.status, added.decided_by) == ("curator", "confirmed", curator)
    assert TagEvent.objects.get(paper=paper, action=TagAction.ADDED).user == curator


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            {"mechanism": "anti_apoptosis", "action": "approve"},
            "action: Select a valid choice. approve is not one of the available choices.",
        ),
        ({"mechanism": "no_such_thing", "action": "confirm"}, "no mechanism “no_such_thing”"),
        ({"action": "confirm"}, "mechanism: This field is required."),
    ],
)
def test_a_bad_decision_records_nothing_and_says_why(client, curator, data, problem):
    paper = make_paper()
    tag = suggest(paper)

    response = _signed_in(client, curator).post(
        f"/curate/papers/{paper.pmid}/decide/", data, follow=True
    )

    html = response.content.decode()
    assert response.redirect_chain == [("/curate/queue/", 302)]
    assert problem in html
    assert 'class="message message-error"' in html
    assert not TagEvent.objects.filter(user__isnull=False).exists()
    tag.refresh_from_db()
    assert tag.status == TagStatus.SUGGESTED


def test_a_decision_never_redirects_off_the_site(client, curator):
    paper = make_paper()
    suggest(paper)

    response = _signed_in(client, curator).post(
        f"/curate/papers/{paper.pmid}/decide/",
        {"mechanism": "anti_apoptosis", "action": "confirm", "next": "https://evil.example/"},
    )

    assert response["Location"] == "/curate/queue/"


def test_a_decision_on_an_unknown_paper_is_404(client, curator):
    response = _signed_in(client, curator).post(
        "/curate/papers/1/decide/", {"mechanism": "anti_apoptosis", "action": "confirm"}
    )

    assert response.status_code == 404


# --- Evidence in the queue -------------------------------------------------------------


def _queue_html(client: Client, user) -> str:
    return _signed_in(client, user).get("/curate/queue/").content.decode()


def test_the_queue_finds_the_evidence_when_its_offsets_moved(client, curator):
    paper = make_paper()
    suggest(paper, evidence=[{"sentence": SENTENCE, "start": 0, "end": 12, "field": "abstract"}])

    html = _queue_html(client, curator)

    assert f"{SENTENCE}</mark>" in html
    assert "Evidence no longer in the record" not in html


def test_the_queue_shows_evidence_the_abstract_no_longer_holds(client, curator):
    paper = make_paper()
    gone = "MSCs restored estradiol levels in every treated rat."
    suggest(paper, evidence=[{"sentence": gone, "start": 10, "end": 61, "field": "abstract"}])

    html = _queue_html(client, curator)

    assert "<mark" not in html
    assert f"Evidence no longer in the record: <q>{gone}</q>" in html


def test_the_queue_marks_title_evidence_and_keeps_the_italics(client, curator):
    paper = make_paper(
        title="Exosomes from hUC-MSCs protect granulosa cells in vivo.",
        title_html="Exosomes from hUC-MSCs protect granulosa cells <i>in vivo</i>.",
    )
    title = paper.title
    suggest(
        paper,
        "exosomes",
        evidence=[{"sentence": title, "start": 0, "end": len(title), "field": "title"}],
    )

    html = _queue_html(client, curator)

    heading = html[html.index('class="queue-paper-link"') :]
    heading = heading[: heading.index("</a>")]
    assert heading.count('class="evidence"') >= 2
    assert re.search(r"<i><mark[^>]*>in vivo</mark></i>", heading)


def test_a_suggestion_without_evidence_says_so(client, curator):
    suggest(make_paper(), evidence=[])

    html = _queue_html(client, curator)

    assert "The tagger kept no evidence sentence" in html


# --- The tagger's precision -------------------------------------------------------------


def test_the_tagger_page_computes_precision_from_decisions(client, curator):
    papers = make_papers(*(paper_record() for _ in range(6)))
    for paper in papers[:3]:
        suggest(paper, status=TagStatus.CONFIRMED)
    suggest(papers[3], status=TagStatus.REJECTED)
    suggest(papers[4])
    Tag.objects.create(
        paper=papers[5],
        mechanism=mechanism(),
        source=TagSource.CURATOR,
        status=TagStatus.CONFIRMED,
    )

    html = _signed_in(client, curator).get("/curate/tagger/").content.decode()

    row = html[html.index('data-mechanism="anti_apoptosis"') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', row, re.S)
    assert [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells] == ["1", "3", "1", "75%", "1"]
    assert "(n = 4)" in row


def test_the_api_reports_the_same_precision_as_the_page(client, curator):
    papers = make_papers(*(paper_record() for _ in range(3)))
    suggest(papers[0], status=TagStatus.CONFIRMED)
    suggest(papers[1], status=TagStatus.REJECTED)
    suggest(papers[2])

    body = client.get("/api/mechanisms/anti_apoptosis/").json()

    assert body["auto_tags"] == {"suggested": 1, "confirmed": 1, "rejected": 1, "precision": 0.5}


def test_a_mechanism_without_decisions_has_no_precision_yet():
    rows = {row.mechanism.slug: row for row in curator_selectors.tagger_precision()}

    assert rows["exosomes"].precision is None
    assert rows["exosomes"].interval is None


def test_the_wilson_interval_is_honest_about_small_samples():
    low, high = curator_selectors.wilson_interval(2, 2)
    many_low, _ = curator_selectors.wilson_interval(200, 200)

    assert 0.3 < low < 0.4
    assert high == 1.0
    assert many_low > 0.98


def test_the_tagger_page_lists_recent_decisions_with_who(client, curator):
    paper = make_paper()
    suggest(paper)
    signed_in = _signed_in(client, curator)
    signed_in.post(
        f"/curate/papers/{paper.pmid}/decide/",
        {"mechanism": "anti_apoptosis", "action": "reject", "comment": "Review, not data."},
    )

    html = signed_in.get("/curate/tagger/").content.decode()

    decisions = html[html.index("Recent decisions") :]
    assert "cora" in decisions
    assert "rejected" in decisions
    assert f"PMID {paper.pmid}" in decisions
    assert "Review, not data." in decisions


# --- Feeds ------------------------------------------------------------------------------


def _feed_data(**overrides) -> dict:
    return {
        "name": "Exosomes",
        "query": "exosome AND poi",
        "every": "12",
        "unit": "hours",
        "is_active": "on",
        **overrides,
    }


def test_a_curator_adds_a_feed(client, curator):
    response = _signed_in(client, curator).post("/curate/feeds/add/", _feed_data())

    feed = Feed.objects.get(name="Exosomes")
    assert response.status_code == 302
    assert response["Location"] == f"/curate/feeds/{feed.pk}/"
    assert feed.query == "exosome AND poi"
    assert feed.refresh_interval == dt.timedelta(hours=12)
    assert feed.is_active
    assert feed.created_by == curator


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"every": "4", "unit": "minutes"}, "Refresh at most every 5 minutes"),
        ({"every": "0"}, "greater than or equal to 1"),
        ({"every": "400", "unit": "days"}, "at least once a year"),
        ({"query": "   "}, "This field is required"),
        ({"name": ""}, "This field is required"),
        ({"unit": "fortnights"}, "Select a valid choice"),
    ],
)
def test_a_feed_form_refuses_bad_values(client, curator, overrides, message):
    response = _signed_in(client, curator).post("/curate/feeds/add/", _feed_data(**overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "The feed was not saved" in html
    assert 'aria-invalid="true"' in html
    assert not Feed.objects.filter(name="Exosomes").exists()


def test_five_minutes_is_the_shortest_interval_allowed(client, curator):
    _signed_in(client, curator).post("/curate/feeds/add/", _feed_data(every="5", unit="minutes"))

    assert Feed.objects.get(name="Exosomes").refresh_interval == dt.timedelta(minutes=5)


def test_a_feed_name_must_be_unique(client, curator, feed):
    response = _signed_in(client, curator).post("/curate/feeds/add/", _feed_data(name=feed.name))

    assert "already exists" in response.content.decode()
    assert Feed.objects.filter(name=feed.name).count() == 1


def test_the_edit_form_shows_the_interval_in_its_largest_whole_unit(client, curator, feed):
    html = _signed_in(client, curator).get(f"/curate/feeds/{feed.pk}/edit/").content.decode()

    assert re.search(r'name="every" value="6"', html)
    assert re.search(r'<option value="hours" selected>', html)
    assert "msc AND poi" in html


def test_a_curator_edits_a_feed(client, curator, feed):
    response = _signed_in(client, curator).post(
        f"/curate/feeds/{feed.pk}/edit/",
        _feed_data(name="Renamed", query=" msc[tiab] ", every="2", unit="days", is_active=""),
    )

    feed.refresh_from_db()
    assert response.status_code == 302
    assert (feed.name, feed.query, feed.refresh_interval) == (
        "Renamed",
        "msc[tiab]",
        dt.timedelta(days=2),
    )
    assert not feed.is_active


def test_a_failed_edit_keeps_the_saved_name_in_the_heading(client, curator, feed):
    response = _signed_in(client, curator).post(
        f"/curate/feeds/{feed.pk}/edit/", _feed_data(name="Half-typed", every="1", unit="minutes")
    )

    html = response.content.decode()
    assert "Edit “MSC and POI”" in html
    feed.refresh_from_db()
    assert feed.name == "MSC and POI"


def test_the_feed_list_shows_the_last_run_and_its_counts(client, curator, feed):
    ImportRun.objects.create(kind="feed", feed=feed, status=RunStatus.SUCCEEDED, created=1)
    latest = ImportRun.objects.create(
        kind="feed", feed=feed, status=RunStatus.PARTIAL, created=7, updated=2, failed=1
    )

    html = _signed_in(client, curator).get("/curate/feeds/").content.decode()

    assert f'href="/curate/runs/{latest.pk}/"' in html
    assert "finished with errors" in html
    assert "created 7, updated 2, unchanged 0, failed 1" in html
    assert "every 6 hours" in html
    assert "msc AND poi" in html


def test_refresh_now_queues_a_run_and_opens_it(client, curator, feed, settings):
    response = _signed_in(client, curator).post(f"/curate/feeds/{feed.pk}/refresh/")

    run = ImportRun.objects.get(feed=feed)
    assert response.status_code == 302
    assert response["Location"] == f"/curate/runs/{run.pk}/"
    assert run.status == RunStatus.QUEUED
    assert run.started_by == curator


def test_a_second_refresh_while_one_is_open_says_so(client, curator, feed):
    signed_in = _signed_in(client, curator)
    signed_in.post(f"/curate/feeds/{feed.pk}/refresh/")

    response = signed_in.post(f"/curate/feeds/{feed.pk}/refresh/", follow=True)

    open_run = ImportRun.objects.get(feed=feed)
    assert response.redirect_chain[-1][0] == f"/curate/runs/{open_run.pk}/"
    assert "already being refreshed" in response.content.decode()
    assert ImportRun.objects.filter(feed=feed).count() == 1


def test_the_feed_page_lists_its_runs(client, curator, feed, run):
    html = _signed_in(client, curator).get(f"/curate/feeds/{feed.pk}/").content.decode()

    assert f'href="/curate/runs/{run.pk}/"' in html
    assert "Refresh now" in html
    assert "every 6 hours" in html


# --- Runs -------------------------------------------------------------------------------


def test_the_run_page_shows_progress_counts_errors_and_missing_pmids(client, curator, feed):
    run = ImportRun.objects.create(
        kind="feed",
        feed=feed,
        status=RunStatus.RUNNING,
        progress_done=40,
        progress_total=120,
        created=30,
        updated=8,
        failed=2,
        errors=[{"pmid": 123, "reason": "title is <b>too</b> long", "position": "efetch"}],
        missing_pmids=[456, 789],
    )

    html = _signed_in(client, curator).get(f"/curate/runs/{run.pk}/").content.decode()

    assert '<progress id="run-progress" max="120" value="40">' in html
    assert "40 of 120 records" in html
    assert '<dd data-run-field="created">30</dd>' in html
    assert '<dd data-run-field="updated">8</dd>' in html
    assert "title is &lt;b&gt;too&lt;/b&gt; long" in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/456/"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/789/"' in html
    assert f'data-api-url="/api/runs/{run.pk}/"' in html
    assert 'data-open="true"' in html
    assert 'http-equiv="refresh"' in html  # inside <noscript>: reloads without JavaScript


def test_a_finished_run_stops_refreshing_and_shows_its_error(client, curator, feed):
    run = ImportRun.objects.create(
        kind="feed", feed=feed, status=RunStatus.FAILED, error="PubMed answered 500 three times."
    )

    html = _signed_in(client, curator).get(f"/curate/runs/{run.pk}/").content.decode()

    assert 'data-open="false"' in html
    assert 'http-equiv="refresh"' not in html
    assert "PubMed answered 500 three times." in html
    assert "failed" in html


def test_the_run_page_lists_at_most_200_errors(client, curator, feed):
    errors = [{"pmid": n, "reason": f"bad {n}", "position": ""} for n in range(1, 251)]
    run = ImportRun.objects.create(kind="feed", feed=feed, status=RunStatus.PARTIAL, errors=errors)

    html = _signed_in(client, curator).get(f"/curate/runs/{run.pk}/").content.decode()

    assert "bad 200<" in html
    assert "bad 201<" not in html
    assert "50 more not shown" in html


def test_the_runs_page_filters_by_kind(client, curator, feed, run):
    sync = ImportRun.objects.create(kind="sync", status=RunStatus.SUCCEEDED, source="poi")

    html = _signed_in(client, curator).get("/curate/runs/", {"kind": "sync"}).content.decode()

    assert f'href="/curate/runs/{sync.pk}/"' in html
    assert f'href="/curate/runs/{run.pk}/"' not in html


def test_an_unknown_run_is_404(client, curator):
    assert _signed_in(client, curator).get("/curate/runs/999999/").status_code == 404
