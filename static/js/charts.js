/* Charts of the statistics pages, drawn with the vendored Apache ECharts (static/vendor/echarts).

   A chart is a container rendered by templates/includes/chart.html:
     <figure data-chart-url="/dispatch/stats/charts/intake/?start=..." data-error="...">
       <div data-chart-canvas></div> <div data-chart-table hidden></div>
       <button data-chart-toggle data-alt="...">...</button> <a data-chart-csv>CSV</a> <a href="...format=xlsx">
   The endpoint answers enforcement/charts.py's shape: {title, kind, unit, categories, series: [{name, data}]}.
   Text comes from the page (data attributes), which is translated on the server.
   Tooltips are drawn on the canvas (renderMode richText): HTML tooltips carry style attributes that the
   Content-Security-Policy refuses. */
(function () {
  "use strict";

  var PALETTE = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#ffc107", "#0dcaf0", "#6c757d", "#198754"];

  function fmt(value, unit) {
    if (value === null || value === undefined) { return "–"; }
    return String(value) + (unit || "");
  }

  function option(chart, dark) {
    var unit = chart.unit || "";
    var base = {
      color: PALETTE,
      backgroundColor: "transparent",
      animation: !dark,
      tooltip: { renderMode: "richText", trigger: chart.kind === "pie" ? "item" : "axis",
                 valueFormatter: function (v) { return fmt(v, unit); } },
      grid: { left: 12, right: 24, top: chart.series.length > 1 ? 36 : 16, bottom: 8, containLabel: true }
    };
    if (chart.series.length > 1) {
      base.legend = { type: "scroll", top: 0 };
    }
    if (chart.kind === "pie") {
      base.series = [{ type: "pie", radius: ["35%", "70%"], name: chart.series[0] ? chart.series[0].name : "",
        data: chart.categories.map(function (c, i) { return { name: c, value: chart.series[0].data[i] }; }) }];
      base.legend = { type: "scroll", bottom: 0 };
      return base;
    }
    var horizontal = chart.kind === "hbar";
    var categoryAxis = { type: "category", data: chart.categories, inverse: horizontal,
                         axisLabel: { hideOverlap: true } };
    var valueAxis = { type: "value", axisLabel: { formatter: "{value}" + unit } };
    if (unit === "%") { valueAxis.max = 100; }
    base.xAxis = horizontal ? valueAxis : categoryAxis;
    base.yAxis = horizontal ? categoryAxis : valueAxis;
    base.series = chart.series.map(function (s) {
      return { type: chart.kind === "line" ? "line" : "bar", name: s.name, data: s.data,
               stack: chart.kind === "stack" ? "total" : undefined,
               label: { show: horizontal, position: "right", formatter: function (p) { return fmt(p.value, unit); } } };
    });
    return base;
  }

  function table(chart) {
    var t = document.createElement("table");
    t.className = "table table-sm table-striped mb-0";
    var head = t.createTHead().insertRow();
    [""].concat(chart.series.map(function (s) { return s.name; })).forEach(function (name) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      head.appendChild(th);
    });
    var body = t.createTBody();
    chart.categories.forEach(function (category, i) {
      var row = body.insertRow();
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = category;
      row.appendChild(th);
      chart.series.forEach(function (s) {
        var cell = row.insertCell();
        cell.className = "text-end";
        cell.textContent = fmt(s.data[i], chart.unit);
      });
    });
    return t;
  }

  function csv(chart) {
    function quote(v) {
      var s = v === null || v === undefined ? "" : String(v);
      return /[",\n]/.test(s) ? "\"" + s.replace(/"/g, "\"\"") + "\"" : s;
    }
    var lines = [[""].concat(chart.series.map(function (s) { return s.name; })).map(quote).join(",")];
    chart.categories.forEach(function (category, i) {
      lines.push([category].concat(chart.series.map(function (s) { return s.data[i]; })).map(quote).join(","));
    });
    // A byte-order mark so that Excel reads the Chinese as UTF-8.
    return new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
  }

  function draw(figure, chart) {
    var canvas = figure.querySelector("[data-chart-canvas]");
    var holder = figure.querySelector("[data-chart-table]");
    var dark = figure.hasAttribute("data-dark");
    var instance = window.echarts.getInstanceByDom(canvas) || window.echarts.init(canvas, dark ? "dark" : null);
    instance.setOption(option(chart, dark), true);
    holder.replaceChildren(table(chart));
    var link = figure.querySelector("[data-chart-csv]");
    if (link) {
      if (link.href && link.href.indexOf("blob:") === 0) { URL.revokeObjectURL(link.href); }
      link.href = URL.createObjectURL(csv(chart));
      link.download = chart.title + ".csv";
    }
    figure.setAttribute("data-chart-ready", "");
    return instance;
  }

  function load(figure) {
    var url = figure.getAttribute("data-chart-url");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (chart) { draw(figure, chart); })
      .catch(function () {
        var canvas = figure.querySelector("[data-chart-canvas]");
        canvas.replaceChildren();
        var p = document.createElement("p");
        p.className = "text-danger small";
        p.textContent = figure.getAttribute("data-error") || "!";
        canvas.appendChild(p);
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-chart-toggle]");
    if (!button) { return; }
    var figure = button.closest("[data-chart-url]");
    var canvas = figure.querySelector("[data-chart-canvas]");
    var holder = figure.querySelector("[data-chart-table]");
    var showTable = holder.hidden;
    holder.hidden = !showTable;
    canvas.hidden = showTable;
    var label = button.textContent;
    button.textContent = button.getAttribute("data-alt");
    button.setAttribute("data-alt", label);
    button.setAttribute("aria-pressed", showTable ? "true" : "false");
    if (!showTable) {
      var instance = window.echarts.getInstanceByDom(canvas);
      if (instance) { instance.resize(); }
    }
  });

  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart-canvas]").forEach(function (canvas) {
      var instance = window.echarts.getInstanceByDom(canvas);
      if (instance) { instance.resize(); }
    });
  });

  // The screen (static/js/screen.js) draws its panels with the same options.
  window.bureauCharts = { option: option, draw: draw };

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart-url]").forEach(load);
  });
})();
