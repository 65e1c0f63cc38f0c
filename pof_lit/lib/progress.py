"""A progress bar for management commands: drawn on a terminal, silent otherwise."""

from __future__ import annotations

from typing import IO

from tqdm import tqdm


def progress_bar(*, total: int | None, unit: str, stream: IO[str], desc: str = "") -> tqdm:
    """Return a tqdm bar on ``stream`` that is disabled when ``stream`` is not a terminal."""
    is_terminal = hasattr(stream, "isatty") and stream.isatty()
    return tqdm(
        total=total,
        unit=f" {unit}",
        desc=desc,
        file=stream,
        disable=not is_terminal,
        dynamic_ncols=True,
        leave=False,
    )
