"""The tag index covers the paper column, so a mechanism filter reads the index only."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('curation', '0012_facet_index_covers_paper'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='tag',
            index=models.Index(fields=['mechanism', 'status', 'paper'], name='tag_mechanism_status_paper_idx'),
        ),
        migrations.RemoveIndex(
            model_name='tag',
            name='tag_mechanism_status_idx',
        ),
    ]
