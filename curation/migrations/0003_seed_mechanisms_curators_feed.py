"""Seed the four mechanisms, the curators group and the default POF/POI stem-cell feed."""

import datetime as dt

from django.db import migrations

MECHANISMS = [
    (
        "gc_differentiation",
        "Granulosa-cell differentiation",
        "Stem cells becoming granulosa or granulosa-like cells, or regenerating granulosa "
        "cells (FSHR, CYP19A1, FOXL2, AMH expression; labelled cells homing into follicles).",
    ),
    (
        "immune_regulation",
        "Immune regulation",
        "T-cell subsets (Th1/Th2, Th17/Treg), macrophages, NK cells, immune cytokines "
        "(IL-, IFN-γ, TNF-α) or inflammation as part of the effect.",
    ),
    (
        "exosomes",
        "Exosomes and paracrine secretion",
        "Exosomes, extracellular vesicles, microvesicles, conditioned medium, secretome and "
        "secreted growth factors: paracrine action.",
    ),
    (
        "anti_apoptosis",
        "Anti-apoptosis",
        "Less apoptosis of granulosa, follicle or ovarian cells (TUNEL, caspases, Bax/Bcl-2), "
        "or apoptosis as a studied endpoint of the intervention.",
    ),
]

DEFAULT_FEED_NAME = "POF/POI and stem cells, MSCs, exosomes, secretome"
DEFAULT_FEED_QUERY = (
    '("primary ovarian insufficiency"[tiab] OR "premature ovarian insufficiency"[tiab] '
    'OR "premature ovarian failure"[tiab] OR "Primary Ovarian Insufficiency"[mh] '
    'OR "ovarian failure"[tiab] OR "diminished ovarian reserve"[tiab] '
    'OR "ovarian aging"[tiab] OR "ovarian ageing"[tiab]) '
    'AND ("stem cell*"[tiab] OR "Mesenchymal Stem Cells"[mh] OR "mesenchymal stromal"[tiab] '
    'OR MSC[tiab] OR MSCs[tiab] OR exosome*[tiab] OR "extracellular vesicle*"[tiab] '
    'OR "Extracellular Vesicles"[mh] OR secretome[tiab] OR "conditioned medium"[tiab])'
)


def seed(apps, schema_editor):
    Mechanism = apps.get_model("curation", "Mechanism")
    Feed = apps.get_model("curation", "Feed")
    Group = apps.get_model("auth", "Group")
    for position, (slug, name, description) in enumerate(MECHANISMS, start=1):
        Mechanism.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "position": position},
        )
    Group.objects.get_or_create(name="curators")
    Feed.objects.get_or_create(
        name=DEFAULT_FEED_NAME,
        defaults={"query": DEFAULT_FEED_QUERY, "refresh_interval": dt.timedelta(days=1)},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0002_search_vector_gin"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
