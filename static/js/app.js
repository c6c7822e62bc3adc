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
})();
