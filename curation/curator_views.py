"""Curator pages: the review queue, the tagger's precision, feeds and their runs.

Every view here checks the role on the server: anonymous visitors are sent to sign in,
signed-in researchers get 403. The pages work without JavaScript (plain forms that post
and redirect back); review.js turns the queue's forms into calls to the tags API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from curation import curator_selectors, selectors, services
from curation.models import Feed, ImportRun, Mechanism, Paper, RunKind, RunStatus
from curation.permissions import IsCurator, is_curator
from curation.services import DecisionAction

QUEUE_PAGE_SIZE = 20
RUN_ERRORS_SHOWN = 200
RUNS_LISTED = 50
MIN_INTERVAL = dt.timedelta(minutes=5)
MAX_INTERVAL = dt.timedelta(days=365)


def curator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let curators through; send anonymous visitors to sign in and refuse everyone else."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            # After signing in, a form's target cannot be opened with GET: go back instead.
            if request.method == "GET":
                return redirect_to_login(request.get_full_path())
            return redirect_to_login(_safe_next(request) or reverse("curate:queue"))
        if not is_curator(request.user):
            raise PermissionDenied(IsCurator.message)
        return view(request, *args, **kwargs)

    return wrapped


def _safe_next(request: HttpRequest) -> str:
    """Return the form's ``next`` when it is a path on this site, else ""."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to the form's ``next`` when it is a path on this site, else to ``fallback``."""
    return redirect(_safe_next(request) or fallback)


# --- The review queue -------------------------------------------------------------------


class DecisionForm(forms.Form):
    mechanism = forms.SlugField()
    action = forms.ChoiceField(choices=DecisionAction.choices)
    comment = forms.CharField(required=False, max_length=2000, strip=True)


@require_GET
@curator_required
def queue(request: HttpRequest) -> HttpResponse:
    """List the tagger's suggestions, newest or least confident first, to confirm or reject."""
    mechanisms = list(Mechanism.objects.all())
    order = request.GET.get("order", "")
    if order not in curator_selectors.QUEUE_ORDERS:
        order = curator_selectors.DEFAULT_QUEUE_ORDER
    slug = request.GET.get("mechanism", "")
    chosen = next((m for m in mechanisms if m.slug == slug), None)
    tags = curator_selectors.tag_queue(order=order, mechanism=chosen)
    page = Paginator(tags, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"order": order, **({"mechanism": chosen.slug} if chosen else {})}
    return render(
        request,
        "curation/curator/queue.html",
        {
            "page": page,
            "items": curator_selectors.queue_items(page.object_list, mechanisms=mechanisms),
            "mechanisms": mechanisms,
            "order": order,
            "orders": [("newest", "Newest first"), ("confidence", "Least confident first")],
            "chosen": chosen,
            "unknown_mechanism": bool(slug) and chosen is None,
            "filter_query": urlencode(filters),
        },
    )


_DONE = {
    DecisionAction.CONFIRM: "Confirmed",
    DecisionAction.REJECT: "Rejected",
    DecisionAction.ADD: "Added",
}


@require_POST
@curator_required
def decide(request: HttpRequest, pmid: int) -> HttpResponse:
    """Record a confirm, reject or add decision from a plain form, then go back."""
    paper = get_object_or_404(Paper.objects.active(), pmid=pmid)
    form = DecisionForm(request.POST)
    fallback = reverse("curate:queue")
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        messages.error(request, f"Nothing was recorded for PMID {pmid} ({problems}).")
        return _back(request, fallback)
    mechanism = Mechanism.objects.filter(slug=form.cleaned_data["mechanism"]).first()
    if mechanism is None:
        messages.error(
            request, f"There is no mechanism “{form.cleaned_data['mechanism']}”; nothing recorded."
        )
        return _back(request, fallback)
    action = form.cleaned_data["action"]
    services.tag_decide(
        paper=paper,
        mechanism=mechanism,
        action=action,
        user=request.user,
        comment=form.cleaned_data["comment"],
    )
    messages.success(request, f"{_DONE[action]} “{mechanism.name}” on PMID {paper.pmid}.")
    return _back(request, fallback)


# --- The tagger's record ----------------------------------------------------------------


@require_GET
@curator_required
def tagger(request: HttpRequest) -> HttpResponse:
    """Show per-mechanism precision of the tagger's suggestions and the latest decisions."""
    return render(
        request,
        "curation/curator/tagger.html",
        {
            "rows": curator_selectors.tagger_precision(),
            "decisions": curator_selectors.recent_decisions(),
        },
    )


# --- Feeds and runs ---------------------------------------------------------------------

_UNITS = {
    "minutes": dt.timedelta(minutes=1),
    "hours": dt.timedelta(hours=1),
    "days": dt.timedelta(days=1),
}


class FeedForm(forms.ModelForm):
    """A saved PubMed search; the interval is typed as a number and a unit.

    Name and query are stripped, so blank ones are refused as missing.
    """

    every = forms.IntegerField(
        label="Refresh every",
        min_value=1,
        help_text="At least every 5 minutes; once a day suits most searches.",
    )
    unit = forms.ChoiceField(
        label="Unit", choices=[(name, name) for name in _UNITS], initial="days"
    )

    class Meta:
        model = Feed
        fields = ["name", "query", "is_active"]
        labels = {"query": "PubMed query", "is_active": "Refresh on schedule"}
        help_texts = {
            "query": "Exactly as typed in PubMed's search box, field tags included.",
            "is_active": "Inactive feeds refresh only when you press “Refresh now”.",
        }
        widgets = {"query": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        interval = self.instance.refresh_interval if self.instance.pk else dt.timedelta(days=1)
        for name in ("days", "hours", "minutes"):
            if interval % _UNITS[name] == dt.timedelta(0):
                self.initial.setdefault("every", interval // _UNITS[name])
                self.initial.setdefault("unit", name)
                break

    def clean(self) -> dict:
        cleaned = super().clean()
        every, unit = cleaned.get("every"), cleaned.get("unit")
        if every is not None and unit in _UNITS:
            interval = every * _UNITS[unit]
            if interval < MIN_INTERVAL:
                self.add_error("every", "Refresh at most every 5 minutes: NCBI limits requests.")
            elif interval > MAX_INTERVAL:
                self.add_error("every", "Refresh at least once a year.")
            else:
                self.instance.refresh_interval = interval
        return cleaned


def interval_label(interval: dt.timedelta) -> str:
    """Return a refresh interval in words: "1 day", "6 hours", "1 day 12 hours"."""
    minutes = int(interval.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if n
    ]
    return " ".join(parts) or "less than a minute"


@require_GET
@curator_required
def feed_list(request: HttpRequest) -> HttpResponse:
    """List the saved searches with their last run."""
    feeds = list(selectors.feeds_with_last_run_id())
    runs = ImportRun.objects.in_bulk([f.last_run_id for f in feeds if f.last_run_id])
    for feed in feeds:
        feed.last_run = runs.get(feed.last_run_id)
        feed.interval_label = interval_label(feed.refresh_interval)
    return render(request, "curation/curator/feed_list.html", {"feeds": feeds})


@curator_required
def feed_add(request: HttpRequest) -> HttpResponse:
    """Save a new PubMed search."""
    form = FeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        feed = form.save()
        messages.success(request, f"Saved the feed “{feed.name}”.")
        return redirect("curate:feed-detail", pk=feed.pk)
    return render(request, "curation/curator/feed_form.html", {"form": form, "feed": None})


@curator_required
def feed_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a feed's name, query, interval or schedule."""
    feed = get_object_or_404(Feed, pk=pk)
    # The form writes into ``feed`` while validating; the heading keeps the saved name.
    saved_name = feed.name
    form = FeedForm(request.POST or None, instance=feed)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved the feed “{feed.name}”.")
        return redirect("curate:feed-detail", pk=feed.pk)
    return render(
        request,
        "curation/curator/feed_form.html",
        {"form": form, "feed": feed, "saved_name": saved_name},
    )


@require_GET
@curator_required
def feed_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one feed and its run history."""
    feed = get_object_or_404(Feed.objects.select_related("created_by"), pk=pk)
    runs = feed.runs.order_by("-created_at", "-pk")[:RUNS_LISTED]
    feed.interval_label = interval_label(feed.refresh_interval)
    return render(request, "curation/curator/feed_detail.html", {"feed": feed, "runs": runs})


@require_POST
@curator_required
def feed_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a refresh now and go to its run; say so when one is already open."""
    feed = get_object_or_404(Feed, pk=pk)
    run = services.feed_refresh_start(feed=feed, user=request.user)
    if run is None:
        open_run = feed.runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()
        messages.warning(
            request,
            f"“{feed.name}” is already being refreshed; no second refresh was queued. "
            "Its progress is below.",
        )
        if open_run is not None:
            return redirect("curate:run-detail", pk=open_run.pk)
        return redirect("curate:feed-detail", pk=feed.pk)
    messages.success(request, f"Refresh of “{feed.name}” queued.")
    return redirect("curate:run-detail", pk=run.pk)


@require_GET
@curator_required
def run_list(request: HttpRequest) -> HttpResponse:
    """List recent imports, syncs, feed refreshes and tagging runs."""
    kind = request.GET.get("kind", "")
    runs = ImportRun.objects.select_related("feed").order_by("-created_at", "-pk")
    if kind in RunKind.values:
        runs = runs.filter(kind=kind)
    else:
        kind = ""
    return render(
        request,
        "curation/curator/run_list.html",
        {"runs": runs[:RUNS_LISTED], "kind": kind, "kinds": RunKind.choices},
    )


@require_GET
@curator_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one run's progress, counts, errors and missing PMIDs (live with JavaScript)."""
    run = get_object_or_404(ImportRun.objects.select_related("feed", "started_by"), pk=pk)
    return render(
        request,
        "curation/curator/run_detail.html",
        {
            "run": run,
            "errors": run.errors[:RUN_ERRORS_SHOWN],
            "errors_hidden": max(len(run.errors) - RUN_ERRORS_SHOWN, 0),
            "errors_shown": RUN_ERRORS_SHOWN,
        },
    )
