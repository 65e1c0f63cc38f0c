from __future__ import annotations

from django.core.management.base import BaseCommand

from notes import services
from notes.render import RENDERER_VERSION


class Command(BaseCommand):
    help = "Re-render stored notes made by an older renderer (run after each deploy)."

    def handle(self, *args, **options) -> None:
        count = services.notes_rerender_stale()
        self.stdout.write(f"re-rendered {count} note(s) with renderer {RENDERER_VERSION}")
