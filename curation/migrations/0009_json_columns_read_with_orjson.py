"""JSON columns read with orjson (pof_lit.lib.fastjson.JSONDecoder): no change in the database."""

import pof_lit.lib.fastjson
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('curation', '0008_paper_search_vector_trigger'),
    ]

    operations = [
        migrations.AlterField(
            model_name='author',
            name='affiliations',
            field=models.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='paper',
            name='abstract_sections',
            field=models.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='paper',
            name='comments_corrections',
            field=models.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='paper',
            name='keywords',
            field=models.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='paper',
            name='languages',
            field=models.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='paper',
            name='mesh_headings',
            field=models.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='paperfacet',
            name='evidence',
            field=models.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
        migrations.AlterField(
            model_name='tag',
            name='evidence',
            field=models.JSONField(blank=True, decoder=pof_lit.lib.fastjson.JSONDecoder, default=list),
        ),
    ]
