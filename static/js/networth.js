// Draws each currency's net-worth chart from the JSON the page embeds (json_script; the CSP
// forbids inline scripts). Estimated days (rebuilt from transactions) are drawn dashed. The
// same numbers are in a table on the page.
(function () {
  "use strict";

  if (!window.Chart) return;
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#374151";

  document.querySelectorAll("canvas.networth-chart").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var money = new Intl.NumberFormat(undefined, { style: "currency", currency: data.currency });
    var whole = new Intl.NumberFormat(undefined, {
      style: "currency", currency: data.currency, maximumFractionDigits: 0,
    });
    // Short dates ("3 Dec" or "Dec 25"), so phone ticks do not run into each other.
    var shortDate = data.labels.length > 100
      ? { month: "short", year: "2-digit" } : { day: "numeric", month: "short" };
    function tick(value) {
      var day = new Date(this.getLabelForValue(value) + "T00:00:00");
      return day.toLocaleDateString(undefined, shortDate);
    }
    function num(values) { return values.map(function (v) { return parseFloat(v); }); }
    function dashed(ctx) { return data.estimated[ctx.p1DataIndex] ? [6, 4] : undefined; }
    function line(label, values, colour, width) {
      return {
        label: label, data: num(values), borderColor: colour, backgroundColor: colour,
        borderWidth: width, pointRadius: 0, tension: 0, segment: { borderDash: dashed },
      };
    }
    var chart = new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          line("Net worth", data.net, "#1d4ed8", 2.5),
          line("Assets", data.assets, "#059669", 1.5),
          line("Owed", data.liabilities, "#dc2626", 1.5),
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var note = data.estimated[ctx.dataIndex] ? " (estimated)" : "";
                return ctx.dataset.label + ": " + money.format(ctx.parsed.y) + note;
              },
            },
          },
        },
        scales: {
          x: {
            ticks: { maxTicksLimit: window.innerWidth < 600 ? 4 : 8, maxRotation: 0, callback: tick },
          },
          y: { ticks: { callback: function (v) { return whole.format(v); } } },
        },
      },
    });
    // For tests and tools: the chart's last net-worth point as the page drew it.
    canvas.dataset.lastNet = data.net[data.net.length - 1];
    canvas.chart = chart;
  });
})();
