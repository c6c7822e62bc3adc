/* Small application behaviour. Pages work without JavaScript; this only improves them. */
(function () {
  "use strict";

  // Ask before a form with data-confirm is submitted.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Progress bars take their width from data-progress (no style attribute: the CSP forbids them),
  // also in content htmx swaps in.
  function sizeProgress(root) {
    var bars = (root.querySelectorAll ? root : document).querySelectorAll("[data-progress]");
    Array.prototype.forEach.call(bars, function (bar) {
      bar.style.width = bar.getAttribute("data-progress") + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { sizeProgress(document); });
  document.addEventListener("htmx:load", function (event) { sizeProgress(event.target); });

  // Polling with data-poll-when-visible skips its turn while the tab is hidden (an htmx trigger
  // filter would do it with eval, which the CSP forbids: htmx-config allowEval is off).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.hasAttribute("data-poll-when-visible") && document.visibilityState !== "visible") {
      event.preventDefault();
    }
  });

  // A suggestion button fills a select: <button data-fill-select="id_of_select" data-value="42">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fill-select]");
    if (!button) {
      return;
    }
    var select = document.getElementById(button.getAttribute("data-fill-select"));
    if (select) {
      select.value = button.getAttribute("data-value");
      select.dispatchEvent(new Event("change", { bubbles: true }));
      select.focus();
    }
  });
})();
