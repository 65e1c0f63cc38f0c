"""The facet index covers the paper column, so a cell-source or model filter reads the index only."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('curation', '0010_paper_search_vector_inline'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='paperfacet',
            index=models.Index(fields=['kind', 'value', 'paper'], name='facet_kind_value_paper_idx'),
        ),
        migrations.RemoveIndex(
            model_name='paperfacet',
            name='facet_kind_value_idx',
        ),
    ]
