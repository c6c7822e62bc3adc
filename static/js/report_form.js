/* Offer to attach the device's position; only asked when the person presses the button.
   The button carries its messages: data-done and data-failed. */
(function () {
  "use strict";
  var button = document.getElementById("use-position"), note = document.getElementById("position-note");
  var lat = document.getElementById("id_lat"), lng = document.getElementById("id_lng");
  if (!button || !lat || !lng || !navigator.geolocation) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lng.value = pos.coords.longitude.toFixed(6);
      note.textContent = button.getAttribute("data-done");
    }, function () {
      note.textContent = button.getAttribute("data-failed");
    }, {timeout: 8000, maximumAge: 60000});
  });
})();
