/*
 * Curator pages: the review queue and a run's live progress.
 *
 * Review queue: each suggestion's forms post to a curator view when JavaScript is off.
 * With it on, a submit becomes POST /api/papers/<pmid>/tags/ {mechanism, action, comment}
 * with the form's CSRF token; the suggestion is marked done and focus moves to the next
 * one. Shortcuts: j/k move, c confirm, r reject, a add, o open, ? help. They never fire
 * while typing in a field (Esc leaves the field) or with Ctrl, Alt or Meta held.
 *
 * Run page: while a run is queued or running, GET /api/runs/<id>/ every 2 seconds and
 * update the progress bar, counts, errors and missing PMIDs in place.
 */
(function () {
  "use strict";

  var queue = document.getElementById("queue");
  var help = document.getElementById("shortcuts");
  var announcer = document.getElementById("review-announcer");
  var remaining = document.querySelector("#queue-count [data-remaining]");
  var pageDone = document.getElementById("queue-page-done");
  if (!queue) {
    return;
  }
  if (help) {
    help.hidden = false;
  }

  var ACTION_WORDS = { confirm: "Confirmed", reject: "Rejected", add: "Added" };

  function items() {
    return Array.prototype.slice.call(queue.querySelectorAll(".queue-item"));
  }

  function isDone(item) {
    return item.classList.contains("is-done");
  }

  function announce(text) {
    if (!announcer) {
      return;
    }
    // Clearing first makes screen readers repeat an identical message.
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 50);
  }

  function markCurrent(item) {
    items().forEach(function (other) {
      other.classList.toggle("is-current", other === item);
    });
  }

  function focusItem(item) {
    if (!item) {
      return;
    }
    markCurrent(item);
    item.focus();
  }

  function current() {
    var active = document.activeElement;
    var item = active && active.closest ? active.closest(".queue-item") : null;
    return item || queue.querySelector(".queue-item.is-current");
  }

  function move(step) {
    var all = items();
    if (!all.length) {
      return;
    }
    var here = current();
    var index = here ? all.indexOf(here) + step : step > 0 ? 0 : all.length - 1;
    focusItem(all[Math.max(0, Math.min(all.length - 1, index))]);
  }

  function nextPending(from) {
    var all = items();
    var start = all.indexOf(from);
    for (var offset = 1; offset <= all.length; offset += 1) {
      var candidate = all[(start + offset) % all.length];
      if (!isDone(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  function setBusy(form, busy) {
    Array.prototype.forEach.call(form.elements, function (element) {
      element.disabled = busy;
    });
  }

  function setStatus(item, text, kind) {
    var status = item.querySelector("[data-status]");
    status.textContent = text;
    status.className = "decision-status" + (kind ? " decision-status-" + kind : "");
  }

  function clock() {
    var now = new Date();
    return String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
  }

  function sameMechanism(badge, slug) {
    return badge.getAttribute("data-other-tag") === slug;
  }

  /* Show the new state of (pmid, mechanism) wherever the page lists that paper's tags. */
  function updateOtherTags(pmid, slug, name, status) {
    items().forEach(function (item) {
      if (item.getAttribute("data-pmid") !== pmid || item.getAttribute("data-mechanism") === slug) {
        return;
      }
      var label = name + " (" + status + ")";
      var badges = Array.prototype.slice.call(item.querySelectorAll("[data-other-tag]"));
      var badge = badges.filter(function (b) { return sameMechanism(b, slug); })[0];
      if (!badge) {
        var line = item.querySelector(".other-tags");
        if (!line) {
          line = document.createElement("p");
          line.className = "other-tags";
          line.textContent = "Other tags on this paper: ";
          item.querySelector(".queue-item-header").appendChild(line);
        }
        badge = document.createElement("span");
        badge.setAttribute("data-other-tag", slug);
        line.appendChild(badge);
      }
      badge.className = "badge badge-" + status;
      badge.textContent = label;
      // Whatever is on the paper now can no longer be added to it.
      item.querySelectorAll(".add-form select option").forEach(function (option) {
        if (option.value === slug) {
          option.remove();
        }
      });
      pruneAddForm(item);
    });
  }

  function pruneAddForm(item) {
    var form = item.querySelector(".add-form");
    if (form && !form.querySelector("option")) {
      form.remove();
    }
  }

  function decrementRemaining() {
    if (!remaining) {
      return;
    }
    var left = Math.max(0, parseInt(remaining.getAttribute("data-remaining"), 10) - 1);
    remaining.setAttribute("data-remaining", String(left));
    remaining.textContent = String(left);
  }

  function onDecided(item, form, action, tag) {
    var name = item.getAttribute("data-mechanism-name");
    var pmid = item.getAttribute("data-pmid");
    item.classList.add("is-done", action === "reject" ? "is-rejected" : "is-confirmed");
    item.setAttribute("data-decision", tag.status);
    var badge = item.querySelector(".queue-suggestion .badge");
    if (badge) {
      badge.className = "badge badge-" + tag.status;
    }
    form.hidden = true;
    setStatus(item, ACTION_WORDS[action] + " by you at " + clock() + ".", action);
    updateOtherTags(pmid, tag.mechanism, name, tag.status);
    decrementRemaining();
    var next = nextPending(item);
    announce(ACTION_WORDS[action] + " " + name + " on PMID " + pmid + "." +
      (next ? "" : " Every suggestion on this page is decided."));
    if (next) {
      focusItem(next);
    } else if (pageDone) {
      pageDone.hidden = false;
      pageDone.setAttribute("tabindex", "-1");
      pageDone.focus();
    }
  }

  function onAdded(item, form, tag) {
    var pmid = item.getAttribute("data-pmid");
    var select = form.querySelector("select");
    var option = select.querySelector('option[value="' + CSS.escape(tag.mechanism) + '"]');
    if (option) {
      option.remove();
    }
    setBusy(form, false);
    // Every suggestion of this paper, this one included, now lists the added tag.
    updateOtherTags(pmid, tag.mechanism, tag.mechanism_name, tag.status);
    pruneAddForm(item);
    setStatus(item, "Added " + tag.mechanism_name + " at " + clock() + ".", "add");
    announce("Added " + tag.mechanism_name + " to PMID " + pmid + ".");
    focusItem(item);
  }

  function errorText(response, body) {
    if (response.status === 403) {
      return "Not recorded: you are signed out or no longer a curator. Sign in again and retry.";
    }
    var detail = body && (body.detail || JSON.stringify(body.fields || body));
    return "Not recorded (" + response.status + ")" + (detail ? ": " + detail : ".");
  }

  function decide(item, form, action) {
    if (item.getAttribute("aria-busy") === "true") {
      return;
    }
    var comment = form.elements.comment ? form.elements.comment.value : "";
    var payload = { mechanism: form.elements.mechanism.value, action: action, comment: comment };
    item.setAttribute("aria-busy", "true");
    setBusy(form, true);
    setStatus(item, "Saving…", "");
    fetch(item.getAttribute("data-api-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": form.elements.csrfmiddlewaretoken.value
      },
      body: JSON.stringify(payload)
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () { return null; })
          .then(function (body) { return { response: response, body: body }; });
      })
      .then(function (result) {
        item.removeAttribute("aria-busy");
        if (!result.response.ok) {
          setBusy(form, false);
          var message = errorText(result.response, result.body);
          setStatus(item, message, "error");
          announce(message);
          return;
        }
        if (action === "add") {
          onAdded(item, form, result.body);
        } else {
          onDecided(item, form, action, result.body);
        }
      })
      .catch(function () {
        item.removeAttribute("aria-busy");
        setBusy(form, false);
        var message = "The server could not be reached; nothing was recorded. Try again.";
        setStatus(item, message, "error");
        announce(message);
      });
  }

  queue.addEventListener("submit", function (event) {
    var form = event.target;
    var item = form.closest(".queue-item");
    if (!item) {
      return;
    }
    event.preventDefault();
    var action = form.getAttribute("data-kind") === "add"
      ? "add"
      : event.submitter && event.submitter.value;
    if (action) {
      decide(item, form, action);
    }
  });

  queue.addEventListener("focusin", function (event) {
    var item = event.target.closest(".queue-item");
    if (item) {
      markCurrent(item);
    }
  });

  // Enter on the "add a mechanism" list adds it, as a shortcut user expects.
  queue.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches(".add-form select")) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });

  function act(action) {
    var item = current() || items().filter(function (i) { return !isDone(i); })[0];
    if (!item) {
      return;
    }
    if (isDone(item)) {
      announce("This suggestion is already decided; press j for the next one.");
      return;
    }
    var form = item.querySelector('form[data-kind="decide"]');
    focusItem(item);
    decide(item, form, action);
  }

  function startAdd() {
    var item = current() || items()[0];
    var select = item && item.querySelector(".add-form select");
    if (select) {
      markCurrent(item);
      select.focus();
    } else if (item) {
      announce("Every mechanism is already on this paper.");
    }
  }

  function toggleHelp() {
    if (help) {
      help.open = !help.open;
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) {
      return;
    }
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") {
        var owner = target.closest(".queue-item");
        if (owner) {
          event.preventDefault();
          focusItem(owner);
        }
      }
      return;
    }
    var handlers = {
      j: function () { move(1); },
      k: function () { move(-1); },
      c: function () { act("confirm"); },
      r: function () { act("reject"); },
      a: startAdd,
      o: function () {
        var item = current();
        var link = item && item.querySelector(".queue-paper-link");
        if (link) {
          window.location.assign(link.href);
        }
      },
      "?": toggleHelp
    };
    var handler = handlers[event.key];
    if (handler) {
      event.preventDefault();
      handler();
    }
  });
})();

(function () {
  "use strict";

  var run = document.getElementById("run");
  if (!run || run.getAttribute("data-open") !== "true") {
    return;
  }
  var url = run.getAttribute("data-api-url");
  var shown = parseInt(run.getAttribute("data-errors-shown"), 10) || 200;
  var progress = document.getElementById("run-progress");
  var live = run.querySelector("[data-run-live]");
  var PERIOD = 2000;
  var STATUS_LABELS = {
    queued: "queued",
    running: "running",
    succeeded: "succeeded",
    partial: "finished with errors",
    failed: "failed"
  };
  var failures = 0;

  function field(name) {
    return run.querySelector('[data-run-field="' + name + '"]');
  }

  function setText(name, text) {
    var element = field(name);
    if (element) {
      element.textContent = text;
    }
  }

  function stamp(iso) {
    return iso ? new Date(iso).toISOString().slice(0, 19).replace("T", " ") + " UTC" : "–";
  }

  function pubmedLink(pmid) {
    var link = document.createElement("a");
    link.href = "https://pubmed.ncbi.nlm.nih.gov/" + encodeURIComponent(pmid) + "/";
    link.textContent = String(pmid);
    return link;
  }

  function showList(name, present) {
    var empty = run.querySelector('[data-run-empty="' + name + '"]');
    if (empty) {
      empty.hidden = present;
    }
  }

  function renderErrors(errors) {
    var body = run.querySelector('[data-run-list="errors"]');
    var block = run.querySelector('[data-run-block="errors"]');
    body.textContent = "";
    errors.slice(0, shown).forEach(function (error) {
      var row = document.createElement("tr");
      var cells = [document.createElement("td"), document.createElement("td"), document.createElement("td")];
      if (error.pmid) {
        cells[0].appendChild(pubmedLink(error.pmid));
      } else {
        cells[0].textContent = "–";
      }
      cells[1].textContent = error.position || "–";
      cells[2].textContent = error.reason || "";
      cells.forEach(function (cell) { row.appendChild(cell); });
      body.appendChild(row);
    });
    block.hidden = errors.length === 0;
    showList("errors", errors.length > 0);
    setText("errors-count", "(" + errors.length + ")");
    var hidden = field("errors-hidden");
    if (hidden) {
      hidden.hidden = errors.length <= shown;
      if (errors.length > shown) {
        hidden.firstChild.textContent = (errors.length - shown) + " more not shown; the API lists them all at ";
      }
    }
  }

  function renderMissing(pmids) {
    var list = run.querySelector('[data-run-list="missing"]');
    list.textContent = "";
    pmids.forEach(function (pmid) {
      var item = document.createElement("li");
      item.appendChild(pubmedLink(pmid));
      list.appendChild(item);
    });
    list.hidden = pmids.length === 0;
    showList("missing", pmids.length > 0);
    setText("missing-count", "(" + pmids.length + ")");
  }

  function render(data) {
    var open = data.status === "queued" || data.status === "running";
    var status = field("status");
    status.textContent = STATUS_LABELS[data.status] || data.status;
    status.className = "run-status run-status-" + data.status;
    if (data.progress_total) {
      progress.max = data.progress_total;
      progress.value = data.progress_done;
      progress.textContent = data.progress_done + " of " + data.progress_total;
      setText("progress-text", data.progress_done + " of " + data.progress_total + " records");
    } else if (open) {
      progress.removeAttribute("value");
      setText("progress-text", data.progress_done ? data.progress_done + " records" :
        data.status === "queued" ? "waiting for a worker" : "");
    } else {
      // Finished without ever learning its size: a bar would claim more than is known.
      run.querySelector("[data-run-progress]").hidden = true;
      setText("progress-text", data.progress_done ? data.progress_done + " records" : "");
    }
    ["created", "updated", "unchanged", "failed", "deleted", "requests"].forEach(function (name) {
      setText(name, String(data[name]));
    });
    setText("started_at", stamp(data.started_at));
    setText("finished_at", stamp(data.finished_at));
    var error = field("error");
    error.textContent = data.error || "";
    error.hidden = !data.error;
    renderErrors(data.errors || []);
    renderMissing(data.missing_pmids || []);
    run.setAttribute("data-open", open ? "true" : "false");
    return open;
  }

  function stop(message) {
    if (live) {
      live.textContent = message;
      live.hidden = !message;
    }
  }

  function poll() {
    if (document.hidden) {
      window.setTimeout(poll, PERIOD);
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 403 || response.status === 404) {
          throw new Error("gone");
        }
        if (!response.ok) {
          throw new Error("retry");
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        if (render(data)) {
          window.setTimeout(poll, PERIOD);
        } else {
          stop("");
        }
      })
      .catch(function (error) {
        if (error.message === "gone") {
          stop("Live updates stopped: sign in again and reload the page.");
          return;
        }
        failures += 1;
        // Back off while the server is unreachable, up to half a minute between tries.
        window.setTimeout(poll, Math.min(PERIOD * (failures + 1), 30000));
      });
  }

  window.setTimeout(poll, PERIOD);
})();
