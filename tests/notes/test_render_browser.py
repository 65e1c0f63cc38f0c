"""Render every XSS payload through the notes pipeline into real Chromium pages.

Payloads go in batches of a few hundred per page (``page.set_content``). Before any
payload's markup is parsed the page replaces ``alert``, ``confirm``, ``prompt``, ``print``
and ``console.*`` with recorders and records uncaught script errors; Playwright also
reports real dialogs (from any frame), page errors and console messages. After the page
has loaded, a DOM detector asks the browser itself for event-handler attributes, elements
that run or load code, and URLs whose scheme Chromium's own URL parser reads as anything
but http, https or mailto (the javascript: detector). Controls prove that the harness
fires on unsanitized payloads; then it must stay silent for every sanitized one.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from notes.render import render_note, sanitize_html
from tests import browser
from tests.browser import BrowserSession, chromium_session, require_chromium
from tests.notes.test_render_xss import as_note, load_payloads

if TYPE_CHECKING:
    from playwright.sync_api import Frame

pytestmark = pytest.mark.browser

BATCH_SIZE = 400
SETTLE_MS = 150  # time for timers, autofocus and image errors to fire after load

HOOKS = """
(() => {
  if (window.__xss) return;
  const hits = [];
  Object.defineProperty(window, "__xss", { value: hits });
  const recorder = (name) => function (...args) {
    hits.push(name + "(" + args.map(String).join(", ").slice(0, 120) + ")");
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = recorder(name);
  }
  for (const name of ["log", "info", "warn", "error", "debug", "trace", "dir", "table"]) {
    console[name] = recorder("console." + name);
  }
  // ErrorEvent means a script threw; a failed <img> load is a plain Event and is fine.
  window.addEventListener("error", (event) => {
    if (event instanceof ErrorEvent) hits.push("script error: " + event.message);
  }, true);
})();
"""

DOM_DETECTOR = """
() => {
  const found = [];
  const codeTags = new Set(["script", "iframe", "frame", "object", "embed", "base", "meta",
    "link", "style", "svg", "math", "form", "input", "button", "textarea", "select",
    "template", "portal", "applet", "video", "audio", "source", "track"]);
  const urlAttributes = new Set(["href", "src", "action", "formaction", "xlink:href", "data",
    "background", "poster", "srcset", "srcdoc", "ping", "manifest", "codebase", "cite"]);
  const safeProtocols = new Set(["http:", "https:", "mailto:"]);
  for (const el of document.body.querySelectorAll("*")) {
    const holder = el.closest("[data-i]");
    const where = holder ? holder.dataset.i : "page";
    const tag = el.localName;
    if (codeTags.has(tag)) found.push([where, "element <" + tag + ">"]);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) found.push([where, "handler " + name + " on <" + tag + ">"]);
      if (!urlAttributes.has(name)) continue;
      if (name === "href" && attr.value.startsWith("#")) continue;
      let protocol;
      try {
        protocol = new URL(attr.value, "https://notes.invalid/").protocol;
      } catch (error) {
        continue;  // a URL the browser cannot parse goes nowhere
      }
      if (!safeProtocols.has(protocol)) {
        found.push([where, name + "=" + JSON.stringify(attr.value.slice(0, 80))
          + " reads as " + protocol]);
      }
    }
  }
  return found;
}
"""


@dataclass
class PageReport:
    """What the detectors saw on one page."""

    dynamic: list[str] = field(default_factory=list)  # hooks, dialogs, errors, console
    static: list[tuple[str, str]] = field(default_factory=list)  # (fragment index, finding)

    @property
    def fired(self) -> bool:
        return bool(self.dynamic or self.static)


class Harness:
    """One page that renders batches of note HTML and reports what fired."""

    def __init__(self, session: BrowserSession) -> None:
        self.session = session
        self.page = session.context.new_page()
        self.page.add_init_script(HOOKS)
        self.events: list[str] = []
        self.page.on("dialog", self._on_dialog)
        self.page.on("pageerror", lambda error: self.events.append(f"page error: {error}"))
        self.page.on("console", self._on_console)
        self.page.on("popup", lambda popup: self.events.append(f"popup: {popup.url}"))
        self.page.on("framenavigated", self._on_navigation)

    def _on_dialog(self, dialog: object) -> None:
        self.events.append(f"dialog {dialog.type}: {dialog.message}")  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    def _on_console(self, message: object) -> None:
        text = message.text  # type: ignore[attr-defined]
        # Chromium's own report of a request the session blocked, not page script.
        if not text.startswith("Failed to load resource"):
            self.events.append(f"console: {text}")

    def _on_navigation(self, frame: object) -> None:
        url = frame.url  # type: ignore[attr-defined]
        if url not in ("about:blank", "") and not url.startswith("about:srcdoc"):
            self.events.append(f"navigation to {url}")

    def render(self, fragments: list[str]) -> PageReport:
        """Put fragments (already HTML) into a fresh document and run every detector."""
        # set_content keeps the window (document.open), so clear what the last batch left.
        self.page.evaluate("() => { if (window.__xss) window.__xss.length = 0; }")
        self.events.clear()
        body = "\n".join(
            f'<div data-i="{index}">{fragment}</div>' for index, fragment in enumerate(fragments)
        )
        document = (
            f'<!doctype html><html><head><meta charset="utf-8"><script>{HOOKS}</script>'
            f"</head><body>{body}</body></html>"
        )
        self.page.set_content(document, wait_until="load")
        self.page.wait_for_timeout(SETTLE_MS)
        hits = [hit for frame in self.page.frames for hit in _frame_hits(frame)]
        static = [tuple(item) for item in self.page.evaluate(DOM_DETECTOR)]
        return PageReport(dynamic=[*hits, *self.events], static=static)  # type: ignore[arg-type]

    def culprits(self, fragments: list[str], labels: list[str]) -> list[str]:
        """Describe the fragments that make a detector fire, rendering each on its own."""
        found = []
        for fragment, label in zip(fragments, labels, strict=True):
            report = self.render([fragment])
            if report.fired:
                found.append(f"{label}: {report.dynamic} {report.static}")
        return found


def _frame_hits(frame: Frame) -> list[str]:
    """Return what the hooks recorded in one frame (iframes have windows of their own)."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        hits = frame.evaluate("() => Array.from(window.__xss || [])")
    except PlaywrightError:  # the frame went away while we asked
        return []
    return [f"{hit} in frame {frame.url}" if frame.parent_frame else hit for hit in hits]


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    require_chromium()
    with chromium_session() as session:
        yield Harness(session)


def test_browser_tests_skip_without_chromium_but_fail_when_services_are_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(browser, "chromium_path", lambda: None)
    monkeypatch.delenv("REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium not found"):
        browser.require_chromium()
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_SERVICES=1"):
        browser.require_chromium()


# Unsanitized controls: each must set off the detectors, or a silent run proves nothing.
DYNAMIC_CONTROLS = (
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<script>alert(1)</script>",
    "<body onload=print()>",
    "<iframe srcdoc='<script>confirm(1)</script>'></iframe>",
    "<img src=x onerror=console.log(1)>",
    "<img src=x onerror=undefinedFunction()>",
)
STATIC_CONTROLS = (
    '<a href="javascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href=" &#x6A;avascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<img src="data:image/svg+xml,%3Csvg%3E">',
    "<p onmouseover=alert(1)>hover</p>",
)


@pytest.mark.parametrize("control", DYNAMIC_CONTROLS)
def test_the_hooks_fire_on_an_unsanitized_payload(harness: Harness, control: str) -> None:
    assert harness.render([control]).dynamic != []


@pytest.mark.parametrize("control", STATIC_CONTROLS)
def test_the_dom_detector_fires_on_an_unsanitized_payload(harness: Harness, control: str) -> None:
    assert harness.render([control]).static != []


def test_the_detectors_fire_on_a_raw_payload_hidden_in_a_full_batch(harness: Harness) -> None:
    fragments = [html.escape(p.text) for p in load_payloads()[:BATCH_SIZE]]
    fragments[BATCH_SIZE // 2] = DYNAMIC_CONTROLS[0]
    report = harness.render(fragments)
    assert report.dynamic != []
    assert (str(BATCH_SIZE // 2), "handler onerror on <img>") in report.static


def test_a_sanitized_control_stays_silent(harness: Harness) -> None:
    fragments = [sanitize_html(control) for control in DYNAMIC_CONTROLS + STATIC_CONTROLS]
    assert not harness.render(fragments).fired


def fragments_for_every_payload() -> Iterator[tuple[str, str]]:
    """Yield (label, sanitized HTML): each payload as a note and through the sanitizer alone."""
    for payload in load_payloads():
        yield (
            f"payload {payload.number} as a note",
            render_note(as_note(payload.text), namespace=f"p{payload.number}").html,
        )
        yield f"payload {payload.number} sanitized", sanitize_html(payload.text)


def test_no_sanitized_payload_runs_code_in_chromium(harness: Harness) -> None:
    items = list(fragments_for_every_payload())
    assert len(items) == 2 * len(load_payloads())
    failures: list[str] = []
    for start in range(0, len(items), BATCH_SIZE):
        batch = items[start : start + BATCH_SIZE]
        labels = [label for label, _ in batch]
        fragments = [fragment for _, fragment in batch]
        report = harness.render(fragments)
        if report.fired:
            failures.extend(harness.culprits(fragments, labels))
            if not failures:
                failures.append(f"batch from {labels[0]}: {report.dynamic} {report.static}")
    assert failures == [], json.dumps(failures[:20], indent=1, ensure_ascii=False)


def test_sanitized_pages_only_ever_request_http_images(harness: Harness) -> None:
    harness.session.blocked_requests.clear()
    notes = (
        '![x](https://images.example/a.png "t") [l](https://e.org)',
        "![y](javascript:alert(1)) ![z](data:image/png;base64,AA==) ![w](/local.png)",
    )
    fragments = [render_note(note, namespace=f"n{i}").html for i, note in enumerate(notes)]
    assert not harness.render(fragments).fired
    assert harness.session.blocked_requests == ["https://images.example/a.png"]
