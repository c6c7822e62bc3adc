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
