/* The command centre's wall screen (templates/dispatch/screen.html).

   Polls the screen's JSON (dispatch/screen.py) every data-interval seconds and redraws every panel. When a
   poll fails the screen keeps the last figures, says how old they are and tries again sooner. Text comes
   translated from the body's data attributes; "{name}" placeholders are filled here. */
(function () {
  "use strict";

  var body = document.getElementById("screen");
  if (!body || !window.echarts) { return; }
  var INTERVAL = (parseInt(body.getAttribute("data-interval"), 10) || 20) * 1000;
  var RETRY = Math.min(10000, INTERVAL);
  var LIGHT_COLOURS = { normal: "#2fbf71", yellow: "#ffc107", red: "#ff4d4f" };
  var charts = {};
  var last = null;       // the last figures received
  var lastAt = null;     // when they were built (server time)
  var mapReady = null;   // true once the county map is registered, false when there is none

  function text(name, values) {
    var s = body.getAttribute("data-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { s = s.split("{" + key + "}").join(values[key]); });
    return s;
  }

  function set(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value === null || value === undefined ? "–" : String(value); }
  }

  function chart(id) {
    if (!charts[id]) { charts[id] = window.echarts.init(document.getElementById(id), "dark"); }
    return charts[id];
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function hms(date) { return pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds()); }

  function tick() {
    var now = new Date();
    set("screen-date", now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()));
    set("screen-time", hms(now));
    if (lastAt && body.getAttribute("data-state") === "stale") { showStale(); }
  }

  function age(ms) {
    var seconds = Math.max(0, Math.round(ms / 1000));
    return seconds < 120 ? text("seconds", { n: seconds }) : text("minutes", { n: Math.round(seconds / 60) });
  }

  function showFresh() {
    var status = document.getElementById("screen-status");
    body.setAttribute("data-state", "fresh");
    status.classList.remove("is-stale");
    status.textContent = text("updated", { time: hms(lastAt) });
  }

  function showStale() {
    var status = document.getElementById("screen-status");
    body.setAttribute("data-state", "stale");
    status.classList.add("is-stale");
    status.textContent = text("stale", { age: age(Date.now() - lastAt.getTime()), time: hms(lastAt) });
  }

  function drawIntake(intake) {
    set("intake-total", intake.total);
    var option = window.bureauCharts.option({ kind: "stack", unit: "", categories: intake.hours,
                                              series: intake.series }, true);
    option.legend = { type: "scroll", top: 0, textStyle: { fontSize: 13 } };
    option.grid.top = 32;
    chart("chart-intake").setOption(option, true);
  }

  function drawLights(lights) {
    set("lights-waiting", lights.waiting);
    set("lights-handling", lights.handling);
    set("lights-verdict", lights.verdict);
    set("lights-red", lights.red);
    var data = ["normal", "yellow", "red"].filter(function (key) { return lights[key] > 0; }).map(function (key) {
      return { name: text(key), value: lights[key], itemStyle: { color: LIGHT_COLOURS[key] } };
    });
    chart("chart-lights").setOption({
      backgroundColor: "transparent", animation: false,
      tooltip: { renderMode: "richText", trigger: "item" },
      series: [{ type: "pie", radius: ["45%", "75%"], data: data,
                 label: { formatter: "{b}\n{c}", fontSize: 15, color: "#e6eef8" } }]
    }, true);
  }

  function drawMap(townships) {
    if (mapReady !== true) { return; }
    var max = townships.reduce(function (m, t) { return Math.max(m, t.open); }, 1);
    var byName = {};
    townships.forEach(function (t) { byName[t.name] = t; });
    chart("chart-map").setOption({
      backgroundColor: "transparent", animation: false,
      tooltip: { renderMode: "richText", trigger: "item" },
      visualMap: { min: 0, max: max, left: 8, bottom: 8, calculable: false, text: [String(max), "0"],
                   inRange: { color: ["#12355b", "#1f6fb2", "#f0a202", "#e4572e"] }, textStyle: { color: "#e6eef8" } },
      series: [{
        type: "map", map: "county", roam: false, name: text("open"),
        data: townships.map(function (t) { return { name: t.name, value: t.open }; }),
        label: { show: true, color: "#fff", fontSize: 13, formatter: function (p) {
          var t = byName[p.name];
          return p.name + "\n" + (t ? t.open + (t.red ? " · " + text("red") + " " + t.red : "") : "0");
        } },
        itemStyle: { borderColor: "#8fd3ff", borderWidth: 1 },
        emphasis: { label: { color: "#fff" } }
      }]
    }, true);
  }

  function loadMap() {
    return fetch(body.getAttribute("data-map-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (geojson) {
        window.echarts.registerMap("county", geojson);
        mapReady = true;
      })
      .catch(function () {
        mapReady = false;
        var holder = document.getElementById("chart-map");
        var p = document.createElement("p");
        p.className = "text-warning";
        p.textContent = text("no-map");
        holder.replaceChildren(p);
      });
  }

  function drawRates(rates, cases) {
    function percent(v) { return v === null || v === undefined ? "–" : v.toFixed(1) + "%"; }
    function compare(id, value, previous, shown) {
      var el = document.getElementById(id);
      el.textContent = text("last", { value: shown });
      el.classList.toggle("is-up", value !== null && previous !== null && value > previous);
      el.classList.toggle("is-down", value !== null && previous !== null && value < previous);
    }
    set("rate-on-time", percent(rates.on_time));
    compare("rate-on-time-last", rates.on_time, rates.on_time_last, percent(rates.on_time_last));
    set("rate-satisfaction", percent(rates.satisfaction));
    compare("rate-satisfaction-last", rates.satisfaction, rates.satisfaction_last, percent(rates.satisfaction_last));
    set("cases-filed", cases.filed);
    set("cases-filed-last", text("last", { value: cases.filed_last }));
    set("cases-decided", cases.decided);
    set("cases-decided-last", text("last", { value: cases.decided_last }));
  }

  function drawLate(rows) {
    var list = document.getElementById("late-list");
    list.classList.remove("is-scrolling");
    function item(row) {
      var li = document.createElement("li");
      [["late-number", row.number], ["late-where", [row.township, row.category, row.agency].filter(Boolean).join(" · ")],
       ["late-overdue", row.overdue]].forEach(function (cell) {
        var span = document.createElement("span");
        span.className = cell[0];
        span.textContent = cell[1];
        li.appendChild(span);
      });
      return li;
    }
    list.replaceChildren.apply(list, rows.map(item));
    if (!rows.length) {
      var li = document.createElement("li");
      li.textContent = text("no-late");
      list.appendChild(li);
      return;
    }
    // Too many to show at once: the list is doubled and scrolls in a loop (static/css/screen.css).
    if (list.scrollHeight > list.parentNode.clientHeight) {
      rows.forEach(function (row) { list.appendChild(item(row)); });
      list.classList.add("is-scrolling");
    }
  }

  function draw(data) {
    drawIntake(data.intake);
    drawLights(data.lights);
    drawMap(data.townships);
    drawRates(data.rates, data.cases);
    drawLate(data.late);
  }

  function poll() {
    fetch(body.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        last = data;
        lastAt = new Date(data.built_at);
        draw(data);
        showFresh();
        window.setTimeout(poll, INTERVAL);
      })
      .catch(function () {
        // Keep the last figures, say how old they are, and try again sooner.
        if (lastAt) { showStale(); } else { body.setAttribute("data-state", "stale"); }
        window.setTimeout(poll, RETRY);
      });
  }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
    if (last) { drawLate(last.late); }
  });

  tick();
  window.setInterval(tick, 1000);
  loadMap().then(poll);
})();
