"""Shared end-to-end fixtures: Debian's Chromium driving the live server, offline.

Use them from any ``tests/e2e/test_*.py``::

    pytestmark = [
        pytest.mark.browser,
        pytest.mark.postgres,
        pytest.mark.django_db(transaction=True),
    ]

    def test_a_researcher_signs_in(page, researcher, live_server):
        login(page, researcher)
        page.goto("/")                      # relative to live_server.url
        screenshot(page, "paper-list")      # docs/screenshots/paper-list.png

``page`` is a Playwright page on a fresh browser context (its own cookies, clipboard
permissions granted, ``base_url`` = the live server). ``browser_session`` is that
context with the list of outside requests it refused (``blocked_requests``), and
``new_session(**options)`` opens further contexts, e.g. one with
``java_script_enabled=False``. Every context aborts requests that would leave the machine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser import CHROMIUM_ARGS, BrowserSession, is_local_url, require_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# Personas in tests/conftest.py all use "<username>-password-1".
PASSWORD_PATTERN = "{username}-password-1"


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Launch headless Chromium for one test.

    Playwright's sync API keeps an asyncio loop running on this thread while it lives.
    Django then refuses ORM calls (they look async), and asgiref hands out database
    connections per context instead of per thread, so the connection a test uses is not
    the one its database fixtures set up. Hence: the async check is switched off only
    while the browser lives, the browser lives for one test (fixtures set up and flush the
    database with no loop running, so serialized_rollback works), and the connections
    opened meanwhile are closed before the loop stops.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
            )
            try:
                yield chromium
            finally:
                chromium.close()
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_session(browser: Browser, live_server) -> Iterator[Callable[..., BrowserSession]]:
    """Return a factory of fresh, offline browser contexts bound to the live server.

    Keyword arguments go to ``browser.new_context`` (``java_script_enabled=False``,
    ``viewport=PHONE``, ...). Every context made is closed after the test.
    """
    sessions: list[BrowserSession] = []

    def make(**options) -> BrowserSession:
        blocked: list[str] = []

        def guard(route: Route) -> None:
            url = route.request.url
            if is_local_url(url):
                route.continue_()
            else:
                blocked.append(url)
                route.abort("blockedbyclient")

        settings = {
            "base_url": live_server.url,
            "viewport": DESKTOP,
            "permissions": ["clipboard-read", "clipboard-write"],
            "service_workers": "block",
            **options,
        }
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        context.route("**/*", guard)
        session = BrowserSession(context=context, blocked_requests=blocked)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.context.close()


@pytest.fixture
def browser_session(new_session: Callable[..., BrowserSession]) -> BrowserSession:
    """Return a fresh desktop-sized context (JavaScript on, clipboard allowed)."""
    return new_session()


@pytest.fixture
def page(browser_session: BrowserSession) -> Page:
    """Return a new page in ``browser_session``; ``page.goto("/")`` opens the live server."""
    return browser_session.context.new_page()


def login(page: Page, user, password: str | None = None) -> None:
    """Sign ``user`` in through the real login form and wait until the site says so.

    ``password`` defaults to the personas' "<username>-password-1".
    """
    username = user.get_username()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or PASSWORD_PATTERN.format(username=username))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        raise AssertionError(f"signing in as {username!r} failed: still on {page.url}")


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save ``docs/screenshots/<name>.png`` of the page and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
    return path
