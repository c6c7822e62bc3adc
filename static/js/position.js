/* Fill the hidden position fields when the phone offers its location (optional; no network needed). */
(function () {
  "use strict";
  var lat = document.getElementById("id_lat"), lng = document.getElementById("id_lng");
  if (!lat || !lng || !navigator.geolocation || lat.value) { return; }
  navigator.geolocation.getCurrentPosition(function (pos) {
    lat.value = pos.coords.latitude.toFixed(6);
    lng.value = pos.coords.longitude.toFixed(6);
  }, function () {}, {timeout: 5000, maximumAge: 60000});
})();
