/* The county map (township boundaries uploaded in admin, /command/map/) on the ticket pages, with ECharts.

   <div data-ticket-map data-map-url="..." data-points-url="...">   the ticket list: open reports, clustered
     on the server (dispatch/charts.py clusters); drawn when its <details> is opened.
   <div data-pick-map data-map-url="..." data-picked="...{lat} {lng}" data-no-map="...">   a report form:
     a click sets the hidden #id_lat / #id_lng (and the township select when the place lies in a township).
   Tooltips are drawn on the canvas (renderMode richText): HTML tooltips carry style attributes that the CSP
   refuses. */
(function () {
  "use strict";

  var mapLoaded = null;

  function loadMap(url) {
    if (!mapLoaded) {
      mapLoaded = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (geojson) {
        window.echarts.registerMap("county", geojson);
        return geojson;
      });
    }
    return mapLoaded;
  }

  function noMap(el) {
    var p = document.createElement("p");
    p.className = "text-muted small mb-0";
    p.textContent = el.getAttribute("data-no-map") || "";
    el.replaceChildren(p);
    el.classList.remove("map-canvas");
    el.setAttribute("data-map-state", "none");
  }

  function geo() {
    return { map: "county", roam: true, label: { show: true, fontSize: 11, color: "#555" },
             itemStyle: { areaColor: "#eef3f8", borderColor: "#7a9cc6" },
             emphasis: { label: { show: true }, itemStyle: { areaColor: "#d6e4f2" } } };
  }

  function drawTickets(el) {
    if (el.hasAttribute("data-map-state")) { return; }
    el.setAttribute("data-map-state", "loading");
    Promise.all([loadMap(el.getAttribute("data-map-url")),
                 fetch(el.getAttribute("data-points-url"), { credentials: "same-origin" })
                   .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })])
      .then(function (results) {
        var data = results[1];
        var chart = window.echarts.init(el);
        var most = data.clusters.reduce(function (m, c) { return Math.max(m, c[2]); }, 1);
        chart.setOption({
          tooltip: { renderMode: "richText", trigger: "item",
                     formatter: function (p) { return p.seriesType === "scatter" ? String(p.value[2]) : p.name; } },
          geo: geo(),
          series: [{ type: "scatter", coordinateSystem: "geo", data: data.clusters,
                     symbolSize: function (v) { return 8 + 28 * Math.sqrt(v[2] / most); },
                     itemStyle: { color: "rgba(220, 53, 69, .75)", borderColor: "#fff" },
                     label: { show: true, formatter: function (p) { return p.value[2] > 1 ? String(p.value[2]) : ""; },
                              color: "#fff", fontWeight: "bold" } }]
        });
        el.setAttribute("data-map-state", "ready");
        el.setAttribute("data-map-total", String(data.total));
      })
      .catch(function () { noMap(el); });
  }

  function drawPicker(el) {
    var lat = document.getElementById("id_lat"), lng = document.getElementById("id_lng");
    var note = document.getElementById("position-note");
    var township = document.getElementById("id_township");
    if (!lat || !lng) { return; }
    loadMap(el.getAttribute("data-map-url")).then(function () {
      el.parentNode.hidden = false;
      var chart = window.echarts.init(el);
      function mark(point) {
        chart.setOption({ series: [{ type: "scatter", coordinateSystem: "geo", data: point ? [point] : [],
                                     symbolSize: 16, itemStyle: { color: "#dc3545" } }] });
      }
      chart.setOption({ geo: geo(), series: [] });
      if (lat.value && lng.value) { mark([parseFloat(lng.value), parseFloat(lat.value)]); }
      chart.getZr().on("click", function (event) {
        var point = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]);
        if (!point || isNaN(point[0])) { return; }
        lng.value = point[0].toFixed(6);
        lat.value = point[1].toFixed(6);
        mark(point);
        if (note) {
          note.textContent = (el.getAttribute("data-picked") || "").split("{lat}").join(lat.value)
            .split("{lng}").join(lng.value);
        }
        el.setAttribute("data-map-state", "picked");
      });
      // A click on a township also chooses it in the form's township list, when there is one.
      chart.on("click", function (params) {
        if (!township || params.componentType !== "geo") { return; }
        Array.prototype.forEach.call(township.options, function (option) {
          if (option.textContent.trim() === params.name) { township.value = option.value; }
        });
      });
      el.setAttribute("data-map-state", "ready");
    }).catch(function () { el.parentNode.hidden = true; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-pick-map]").forEach(drawPicker);
    document.querySelectorAll("[data-ticket-map]").forEach(function (el) {
      var details = el.closest("details");
      if (!details) { drawTickets(el); return; }
      if (details.open) { drawTickets(el); }
      details.addEventListener("toggle", function () { if (details.open) { drawTickets(el); } });
    });
  });
})();
