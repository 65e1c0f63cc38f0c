"""Drive Debian's Chromium with Playwright in end-to-end tests, offline by construction.

``chromium_session()`` launches the system Chromium (never a Playwright download) headless
with a fresh profile and aborts every request that would leave the machine, recording it,
so a test can also prove that a page makes no outside requests::

    from tests.browser import chromium_session, require_chromium

    @pytest.mark.browser
    def test_the_page_stays_offline(live_server):
        require_chromium()
        with chromium_session() as session:
            page = session.context.new_page()
            page.goto(live_server.url)
            assert session.blocked_requests == []

Browser tests are marked ``@pytest.mark.browser``. Without Chromium (or the Playwright
package) they skip, saying why, unless ``REQUIRE_SERVICES=1`` is set: then they fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Schemes that never reach the network; anything else must name a local host.
_OFFLINE_SCHEMES = frozenset({"about", "blob", "data", "chrome-error"})


@dataclass
class BrowserSession:
    """A running browser context and the outside requests it was stopped from making."""

    context: BrowserContext
    blocked_requests: list[str] = field(default_factory=list)


def chromium_path() -> str | None:
    """Return the Chromium executable to use, or None when there is none."""
    found = shutil.which("chromium")
    if found:
        return found
    return DEBIAN_CHROMIUM if os.access(DEBIAN_CHROMIUM, os.X_OK) else None


def services_required() -> bool:
    """Tell whether missing services must fail tests instead of skipping them."""
    return os.environ.get("REQUIRE_SERVICES") == "1"


def require_chromium() -> str:
    """Return Chromium's path; skip the test (or fail under REQUIRE_SERVICES=1) without it."""
    path = chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip_or_fail("the playwright package is not installed")
    if path is None:
        _skip_or_fail(f"Chromium not found (no `chromium` on PATH, no {DEBIAN_CHROMIUM})")
    return path


def _skip_or_fail(reason: str) -> NoReturn:
    if services_required():
        pytest.fail(f"{reason}, and REQUIRE_SERVICES=1")
    pytest.skip(reason)


def is_local_url(url: str) -> bool:
    """Tell whether a request for ``url`` stays on this machine."""
    parts = urlsplit(url)
    if parts.scheme in _OFFLINE_SCHEMES:
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@contextmanager
def chromium_session(*, executable_path: str | None = None) -> Iterator[BrowserSession]:
    """Launch headless Chromium with a throwaway profile that cannot reach the internet.

    Every request to a host other than 127.0.0.1, localhost or ::1 is aborted and its URL
    appended to ``session.blocked_requests``. The profile directory is deleted on exit.
    """
    from playwright.sync_api import Route, sync_playwright

    executable = executable_path or require_chromium()
    blocked: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if is_local_url(url):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    with (
        tempfile.TemporaryDirectory(prefix="pof-lit-chromium-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=Path(profile),
            executable_path=executable,
            headless=True,
            args=list(CHROMIUM_ARGS),
            service_workers="block",
        )
        try:
            context.route("**/*", guard)
            yield BrowserSession(context=context, blocked_requests=blocked)
        finally:
            context.close()
