/* The notes box: live counter, server-rendered preview, saving, editing and deleting in place.
 *
 * Without JavaScript the box is a plain form that posts to the server and comes back to the
 * paper; this script adds, on top of the same markup:
 * - the "N characters remaining" counter, counting Unicode code points with CRLF as one
 *   character, exactly as notes.render.note_length does (never the maxlength attribute);
 * - a preview rendered by the server's one pipeline (POST /api/notes/preview/, debounced);
 * - saving (POST /api/notes/), editing (PATCH) and deleting (DELETE /api/notes/{id}/)
 *   without leaving the page. Every write sends the CSRF token from the cookie.
 * The HTML it inserts is the server's sanitized rendering, never built from the text here.
 */
(function () {
  "use strict";

  var MAX_LENGTH = 300;
  var PREVIEW_DELAY_MS = 300;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function noteLength(value) {
    return [...value.replace(/\r\n?/g, "\n")].length;
  }

  function counterText(remaining) {
    if (remaining >= 0) {
      return remaining + (remaining === 1 ? " character" : " characters") + " remaining";
    }
    var over = -remaining;
    return over + (over === 1 ? " character" : " characters") + " too many";
  }

  function csrfToken(form) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function errorMessage(data, response) {
    if (data && data.fields && data.fields.body && data.fields.body.length) {
      return data.fields.body[0];
    }
    if (data && data.detail) {
      return data.detail;
    }
    return "The server answered " + response.status + ". Please try again.";
  }

  function api(method, url, form, payload) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(form) },
    };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 204) {
        return null;
      }
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) {
          throw new Error(errorMessage(data, response));
        }
        return data;
      });
    }, function () {
      throw new Error("The server could not be reached. Your text is still here; try again.");
    });
  }

  function formatDate(iso) {
    var date = new Date(iso);
    return date.getUTCDate() + " " + MONTHS[date.getUTCMonth()] + " " + date.getUTCFullYear();
  }

  /* Counter, preview and error display for one editor form. */
  function wireEditor(form, previewUrl) {
    var textarea = form.querySelector("[data-note-body]");
    var counter = form.querySelector("[data-note-counter]");
    var error = form.querySelector("[data-note-error]");
    var preview = form.querySelector("[data-note-preview]");
    var previewBody = form.querySelector("[data-note-preview-body]");
    var timer = null;
    var sequence = 0;

    function showError(message) {
      if (message) {
        if (error.textContent !== message) {
          error.textContent = message;
        }
        error.hidden = false;
        textarea.setAttribute("aria-invalid", "true");
        if (textarea.getAttribute("aria-describedby").indexOf(error.id) < 0) {
          textarea.setAttribute("aria-describedby", counter.id + " " + error.id);
        }
      } else {
        error.hidden = true;
        error.textContent = "";
        textarea.removeAttribute("aria-invalid");
        textarea.setAttribute("aria-describedby", counter.id);
      }
    }

    function updateCounter() {
      var remaining = MAX_LENGTH - noteLength(textarea.value);
      counter.textContent = counterText(remaining);
      counter.classList.toggle("is-over", remaining < 0);
      return remaining;
    }

    function refreshPreview() {
      var body = textarea.value;
      var mine = ++sequence;
      if (!body.trim()) {
        preview.hidden = true;
        previewBody.innerHTML = "";
        showError("");
        return;
      }
      api("POST", previewUrl, form, { body: body }).then(function (data) {
        if (mine !== sequence) {
          return; // a newer keystroke's preview is on its way
        }
        previewBody.innerHTML = data.html; // sanitized by the server's pipeline
        preview.hidden = false;
        showError("");
      }, function (failure) {
        if (mine === sequence) {
          showError(failure.message);
        }
      });
    }

    textarea.addEventListener("input", function () {
      updateCounter();
      window.clearTimeout(timer);
      timer = window.setTimeout(refreshPreview, PREVIEW_DELAY_MS);
    });
    updateCounter();
    if (textarea.value.trim()) {
      refreshPreview();
    }

    return {
      textarea: textarea,
      showError: showError,
      reset: function () {
        window.clearTimeout(timer);
        sequence++;
        textarea.value = "";
        updateCounter();
        preview.hidden = true;
        previewBody.innerHTML = "";
        showError("");
      },
    };
  }

  function visibilityOf(form) {
    var checked = form.querySelector("input[name=visibility]:checked");
    return checked ? checked.value : "private";
  }

  function setBusy(form, busy) {
    form.querySelectorAll("button").forEach(function (button) { button.disabled = busy; });
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function enhanceBox(box) {
    var form = box.querySelector("form[data-note-form]");
    var list = box.querySelector("[data-my-notes]");
    var empty = box.querySelector("[data-my-notes-empty]");
    var template = box.querySelector("template[data-note-template]");
    var status = form.querySelector("[data-note-status]");
    var apiUrl = box.dataset.api;
    var previewUrl = box.dataset.previewUrl;
    var editUrl = box.dataset.editUrl;
    var deleteUrl = box.dataset.deleteUrl;
    var editor = wireEditor(form, previewUrl);
    var editors = 0;

    function noteUrl(id) {
      return apiUrl + id + "/";
    }

    function fillNote(article, note) {
      article.id = "note-" + note.id;
      article.dataset.noteId = note.id;
      article.querySelector("[data-note-author]").textContent = note.author;
      var time = article.querySelector("[data-note-date]");
      time.dateTime = note.created_at;
      time.textContent = formatDate(note.created_at);
      var edited = new Date(note.updated_at) - new Date(note.created_at) > 1000;
      article.querySelector("[data-note-edited]").hidden = !edited;
      article.querySelector("[data-note-visibility]").textContent =
        note.visibility === "public" ? "Public" : "Private";
      article.querySelector("[data-note-html]").innerHTML = note.html; // sanitized server-side
      article.querySelector("[data-note-edit]").href = editUrl.replace("/0/", "/" + note.id + "/");
      article.querySelector("[data-note-delete]").action =
        deleteUrl.replace("/0/", "/" + note.id + "/");
    }

    function wireNote(article) {
      article.querySelector("[data-note-edit]").addEventListener("click", function (event) {
        event.preventDefault();
        startEditing(article);
      });
      article.querySelector("[data-note-delete]").addEventListener("submit", function (event) {
        event.preventDefault();
        if (!window.confirm("Delete this note? This cannot be undone.")) {
          return;
        }
        var id = article.dataset.noteId;
        api("DELETE", noteUrl(id), form).then(function () {
          article.remove();
          empty.hidden = list.querySelector("article") !== null;
          status.textContent = "Note deleted.";
          editor.textarea.focus();
        }, function (failure) {
          status.textContent = "Could not delete the note: " + failure.message;
        });
      });
    }

    function startEditing(article) {
      if (article.querySelector(".note-edit-form")) {
        return;
      }
      var id = article.dataset.noteId;
      var body = article.querySelector("[data-note-html]");
      var actions = article.querySelector("[data-note-actions]");
      api("GET", noteUrl(id), form).then(function (note) {
        var prefix = "edit-" + id + "-" + (++editors);
        var edit = document.createElement("form");
        edit.className = "note-form note-edit-form";
        edit.noValidate = true;
        edit.innerHTML =
          '<label class="note-label" for="' + prefix + '-body">Edit your note</label>' +
          '<textarea id="' + prefix + '-body" rows="4" data-note-body ' +
          'aria-describedby="' + prefix + '-counter"></textarea>' +
          '<p id="' + prefix + '-counter" class="note-counter" aria-live="polite" ' +
          "data-note-counter></p>" +
          '<p id="' + prefix + '-error" class="field-error" role="alert" data-note-error hidden></p>' +
          '<fieldset class="note-visibility"><legend>Who can see it</legend>' +
          '<label><input type="radio" name="visibility" value="private"> ' +
          "Only me (private)</label>" +
          '<label><input type="radio" name="visibility" value="public"> ' +
          "Every signed-in user (public)</label></fieldset>" +
          '<div class="note-preview" data-note-preview hidden>' +
          '<p class="note-preview-title">Preview</p>' +
          '<div class="note-body" data-note-preview-body></div></div>' +
          '<div class="note-buttons"><button type="submit">Save changes</button>' +
          '<button type="button" class="secondary" data-note-cancel>Cancel</button></div>';
        var textarea = edit.querySelector("textarea");
        textarea.value = note.body;
        edit.querySelectorAll("input[type=radio]").forEach(function (radio) {
          radio.checked = radio.value === note.visibility;
        });
        body.hidden = true;
        actions.hidden = true;
        article.appendChild(edit);
        var noteEditor = wireEditor(edit, previewUrl);
        textarea.focus();

        function stop() {
          edit.remove();
          body.hidden = false;
          actions.hidden = false;
          article.querySelector("[data-note-edit]").focus();
        }

        edit.querySelector("[data-note-cancel]").addEventListener("click", stop);
        edit.addEventListener("submit", function (event) {
          event.preventDefault();
          setBusy(edit, true);
          api("PATCH", noteUrl(id), edit, {
            body: textarea.value,
            visibility: visibilityOf(edit),
          }).then(function (saved) {
            fillNote(article, saved);
            stop();
            status.textContent = "Note updated.";
          }, function (failure) {
            setBusy(edit, false);
            noteEditor.showError(failure.message);
          });
        });
      }, function (failure) {
        status.textContent = "Could not open the note: " + failure.message;
      });
    }

    list.querySelectorAll("article[data-note-id]").forEach(wireNote);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      status.textContent = "";
      setBusy(form, true);
      api("POST", apiUrl, form, {
        paper: Number(box.dataset.paper),
        body: editor.textarea.value,
        visibility: visibilityOf(form),
      }).then(function (note) {
        var article = template.content.firstElementChild.cloneNode(true);
        fillNote(article, note);
        wireNote(article);
        list.prepend(article);
        empty.hidden = true;
        editor.reset();
        setBusy(form, false);
        status.textContent = "Note saved.";
      }, function (failure) {
        setBusy(form, false);
        editor.showError(failure.message);
        editor.textarea.focus();
      });
    });
  }

  document.querySelectorAll("[data-notes-box]").forEach(enhanceBox);
  // The edit page posts its form normally; it gets the counter and the preview.
  document.querySelectorAll("form[data-note-form][data-preview-url]").forEach(function (form) {
    if (!form.closest("[data-notes-box]")) {
      wireEditor(form, form.dataset.previewUrl);
    }
  });
})();
