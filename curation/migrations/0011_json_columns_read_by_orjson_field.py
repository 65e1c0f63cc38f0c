"""JSON columns read by orjson from the column (pof_lit.lib.fields): no change in PostgreSQL."""

import pof_lit.lib.fastjson
import pof_lit.lib.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('curation', '0010_paper_search_vector_inline'),
    ]

    operations = [
        migrations.AlterField(
            model_name='author',
            name='affiliations',
            field=pof_lit.lib.fields.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='paper',
            name='abstract_sections',
            field=pof_lit.lib.fields.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='paper',
            name='comments_corrections',
            field=pof_lit.lib.fields.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='paper',
            name='keywords',
            field=pof_lit.lib.fields.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='paper',
            name='languages',
            field=pof_lit.lib.fields.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='paper',
            name='mesh_headings',
            field=pof_lit.lib.fields.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='paperfacet',
            name='evidence',
            field=pof_lit.lib.fields.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='tag',
            name='evidence',
            field=pof_lit.lib.fields.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
    ]
