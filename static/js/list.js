/* The paper list: fold the facets away on narrow screens so results come first.
 *
 * Without JavaScript the facets stay open (a <details open>), which works everywhere.
 */
(function () {
  "use strict";

  var refine = document.querySelector("[data-refine]");
  if (!refine || !window.matchMedia) {
    return;
  }
  var narrow = window.matchMedia("(max-width: 48rem)");
  function fit() {
    refine.open = !narrow.matches;
  }
  fit();
  if (narrow.addEventListener) {
    narrow.addEventListener("change", fit);
  }
})();
