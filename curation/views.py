"""Pages: the paper list and the paper page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from curation import selectors

PAGE_SIZE = 20


def paper_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:500]
    papers = selectors.paper_list(q=q).order_by("-pub_date", "-pk")
    page = Paginator(papers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "curation/paper_list.html", {"page": page, "q": q})


def paper_detail(request: HttpRequest, pmid: int) -> HttpResponse:
    paper = get_object_or_404(selectors.paper_list(), pmid=pmid)
    return render(request, "curation/paper_detail.html", {"paper": paper})
