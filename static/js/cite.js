/* The paper page's "Cite" dialog: NLM, AMA, APA and MLA, copied to the clipboard.
 *
 * Without JavaScript the page shows the four citations in a <details> disclosure. This
 * script turns that into a "Cite" button opening a modal <dialog> with a format picker and
 * a "Copy citation" button that reports "Copied" in a live region.
 */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain-HTTP sites have no async clipboard: copy through a selected, off-screen textarea.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.left = "-9999px";
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      document.body.removeChild(area);
      if (copied) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function enhance(root) {
    var details = root.querySelector(".cite-details");
    var panel = root.querySelector("[data-cite-panel]");
    if (!details || !panel || typeof HTMLDialogElement !== "function") {
      return; // keep the <details> version, which works everywhere
    }
    var select = panel.querySelector("[data-cite-select]");
    var copy = panel.querySelector("[data-cite-copy]");
    var status = panel.querySelector("[data-cite-status]");
    var figures = panel.querySelectorAll("[data-citation]");

    var dialog = document.createElement("dialog");
    dialog.className = "cite-dialog";
    dialog.setAttribute("aria-labelledby", "cite-heading");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "dialog-close secondary";
    close.textContent = "Close";
    panel.appendChild(close);
    dialog.appendChild(panel);

    var open = document.createElement("button");
    open.type = "button";
    open.className = "cite-open secondary";
    open.textContent = "Cite";
    open.setAttribute("aria-haspopup", "dialog");
    details.replaceWith(open);
    root.appendChild(dialog);

    panel.querySelector("[data-cite-format]").hidden = false;
    copy.hidden = false;

    function show(format) {
      figures.forEach(function (figure) {
        figure.hidden = figure.dataset.citation !== format;
      });
      status.textContent = "";
    }
    show(select.value);
    select.addEventListener("change", function () { show(select.value); });

    open.addEventListener("click", function () {
      dialog.showModal();
      select.focus();
    });
    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); } // a click on the backdrop
    });
    dialog.addEventListener("close", function () { open.focus(); });

    copy.addEventListener("click", function () {
      var figure = panel.querySelector('[data-citation="' + select.value + '"]');
      var text = figure.querySelector(".citation-text").textContent.trim();
      var style = select.options[select.selectedIndex].text;
      copyText(text).then(
        function () { status.textContent = "Copied " + style + " citation to the clipboard."; },
        function () {
          // Leave the text selected so Ctrl+C / Cmd+C still works.
          var range = document.createRange();
          range.selectNodeContents(figure.querySelector(".citation-text"));
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          status.textContent = "Copying was blocked: the citation is selected, press Ctrl+C.";
        }
      );
    });
  }

  document.querySelectorAll("[data-cite]").forEach(enhance);
})();
