"""The evidence map: papers per mechanism per year, and a mechanism × cell-source matrix.

Public, like the paper list. Charts are SVG drawn on the server (curation.charts), each
with a data table beside it, so the page needs no script and no outside request.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from curation import charts, curator_selectors
from curation.facets import facet_label
from curation.models import FacetKind, Mechanism


@dataclass(frozen=True)
class Cell:
    """One matrix cell: a count, the filtered list it opens, and its share of the maximum."""

    count: int
    url: str
    heat: float
    label: str


@dataclass(frozen=True)
class MatrixRow:
    mechanism: Mechanism
    cells: list[Cell]
    total: int
    url: str


@dataclass(frozen=True)
class MechanismChart:
    mechanism: Mechanism
    svg: SafeString
    total: int
    undated: int


def paper_list_url(**params: str) -> str:
    """Return the paper list filtered by these GET parameters (the API's names)."""
    return f"{reverse('curation:paper-list')}?{urlencode(params)}"


def _papers(count: int) -> str:
    return f"{count} paper{'' if count == 1 else 's'}"


def _describe(name: str, years: list[int], counts: dict[int, int], total: int) -> str:
    if not total:
        return f"No papers tagged {name} yet."
    dated = sum(counts.values())
    if not dated:
        return f"{_papers(total)} tagged {name}, none with a publication year."
    peak = max(years, key=lambda year: (counts.get(year, 0), year))
    first = min(year for year in years if counts.get(year))
    return (
        f"{_papers(total)} tagged {name}; {dated} dated from {first} to {years[-1]}, "
        f"most in {peak} ({counts[peak]})."
    )


def _charts(data: curator_selectors.EvidenceMap) -> list[MechanismChart]:
    charts_out = []
    for mechanism in data.mechanisms:
        counts = data.by_year.get(mechanism.pk, {})
        total = data.totals.get(mechanism.pk, 0)
        bars = [
            charts.Bar(
                label=str(year),
                value=counts.get(year, 0),
                tooltip=f"{year}: {_papers(counts.get(year, 0))}",
            )
            for year in data.years
        ]
        svg = charts.bar_chart(
            chart_id=f"chart-{mechanism.slug}",
            title=f"{mechanism.name}: papers per year",
            description=_describe(mechanism.name, data.years, counts, total),
            bars=bars,
            y_max=data.year_max,
        )
        charts_out.append(
            MechanismChart(
                mechanism=mechanism,
                # charts.bar_chart escapes every piece of text it is given.
                svg=mark_safe(svg),
                total=total,
                undated=data.undated.get(mechanism.pk, 0),
            )
        )
    return charts_out


def _matrix(data: curator_selectors.EvidenceMap) -> list[MatrixRow]:
    top = data.matrix_max or 1
    rows = []
    for mechanism in data.mechanisms:
        cells = []
        for source in data.cell_sources:
            count = data.matrix.get((mechanism.pk, source), 0)
            label = facet_label(FacetKind.CELL_SOURCE, source)
            cells.append(
                Cell(
                    count=count,
                    url=paper_list_url(mechanism=mechanism.slug, cell_source=source),
                    heat=round(count / top, 3),
                    label=f"{_papers(count)}: {mechanism.name}, {label}",
                )
            )
        rows.append(
            MatrixRow(
                mechanism=mechanism,
                cells=cells,
                total=data.totals.get(mechanism.pk, 0),
                url=paper_list_url(mechanism=mechanism.slug),
            )
        )
    return rows


@require_GET
def evidence_map(request: HttpRequest) -> HttpResponse:
    """Show how much evidence there is for each mechanism, by year and by cell source."""
    data = curator_selectors.evidence_map()
    sources = [
        {
            "value": source,
            "label": facet_label(FacetKind.CELL_SOURCE, source),
            "url": paper_list_url(cell_source=source),
        }
        for source in data.cell_sources
    ]
    year_table = [
        (year, [data.by_year.get(m.pk, {}).get(year, 0) for m in data.mechanisms])
        for year in data.years
    ]
    return render(
        request,
        "curation/evidence/map.html",
        {
            "data": data,
            "charts": _charts(data),
            "matrix": _matrix(data),
            "sources": sources,
            "year_table": year_table,
            "undated": [data.undated.get(m.pk, 0) for m in data.mechanisms],
        },
    )
