"""Human names for the facet values the tagger writes (cell sources, models, agents)."""

from __future__ import annotations

from curation.models import FacetKind

LABELS: dict[str, dict[str, str]] = {
    FacetKind.CELL_SOURCE: {
        "bone_marrow": "Bone marrow",
        "umbilical_cord": "Umbilical cord / Wharton's jelly",
        "adipose": "Adipose tissue",
        "menstrual_endometrium": "Menstrual blood / endometrium",
        "amniotic": "Amniotic fluid / epithelium / membrane",
        "placenta": "Placenta / chorion",
        "pluripotent": "iPSC / ESC",
        "other": "Other source",
    },
    FacetKind.MODEL: {
        "clinical": "Clinical (human)",
        "animal": "Animal model",
        "in_vitro": "In vitro",
        "review": "Review",
    },
    FacetKind.AGENT: {
        "cyclophosphamide": "Cyclophosphamide",
        "cisplatin": "Cisplatin",
        "busulfan": "Busulfan",
        "vcd": "4-vinylcyclohexene diepoxide (VCD)",
        "d_galactose": "D-galactose",
        "autoimmune": "Autoimmune (ZP3)",
        "tripterygium": "Tripterygium glycosides",
        "radiation": "Radiation",
        "ageing": "Natural ageing",
        "other_chemotherapy": "Other chemotherapy",
    },
}


def facet_label(kind: str, value: str) -> str:
    """Return the display name of a facet value, or the value itself when unknown."""
    return LABELS.get(kind, {}).get(value, value.replace("_", " ").capitalize())
