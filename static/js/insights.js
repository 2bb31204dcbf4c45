// Draws the two insight charts from the JSON the page embeds (json_script; no inline script,
// the CSP forbids it). Every chart has the same numbers in a table on the page.
(function () {
  "use strict";

  var source = document.getElementById("chart-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);

  // One fixed colour per category, so a category looks the same on every chart and visit.
  var COLOURS = {
    FOOD_AND_DRINK: "#d97706",
    GENERAL_MERCHANDISE: "#2563eb",
    RENT_AND_UTILITIES: "#7c3aed",
    TRANSPORTATION: "#0891b2",
    TRAVEL: "#db2777",
    ENTERTAINMENT: "#16a34a",
    LOAN_PAYMENTS: "#4b5563",
    GENERAL_SERVICES: "#ca8a04",
    PERSONAL_CARE: "#a21caf",
    MEDICAL: "#dc2626",
    HOME_IMPROVEMENT: "#65a30d",
    BANK_FEES: "#92400e",
    GOVERNMENT_AND_NON_PROFIT: "#0d9488",
    INCOME: "#059669",
    TRANSFER_IN: "#64748b",
    TRANSFER_OUT: "#94a3b8",
  };
  var FALLBACK = ["#1d4ed8", "#b45309", "#047857", "#be123c", "#6d28d9", "#0e7490"];

  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var money = new Intl.NumberFormat(undefined, { style: "currency", currency: data.currency });
  var wholeMoney = new Intl.NumberFormat(undefined, {
    style: "currency", currency: data.currency, maximumFractionDigits: 0,
  });
  function num(values) {
    return values.map(function (v) { return parseFloat(v); });
  }

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#374151";
  var common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: reduceMotion ? false : { duration: 300 },
    interaction: { mode: "index", intersect: false },
    plugins: {
      legend: { position: "bottom", labels: { boxWidth: 12 } },
      tooltip: {
        callbacks: {
          label: function (ctx) { return ctx.dataset.label + ": " + money.format(ctx.parsed.y); },
        },
      },
    },
    scales: {
      y: { beginAtZero: true, ticks: { callback: function (v) { return wholeMoney.format(v); } } },
    },
  };

  // Phones: fewer, flat month ticks ("Jan"; the year on January and the first bar), so the
  // plot keeps its height instead of giving it to slanted labels.
  var phone = window.matchMedia("(max-width: 47.99rem)").matches;
  function monthTick(value, index) {
    var label = data.labels[index] || "";
    var parts = label.split(" ");
    if (!phone) return label;
    return index === 0 || parts[0] === "Jan" ? parts[0] + " " + parts[1] : parts[0];
  }
  common.scales.x = {
    ticks: { maxRotation: phone ? 0 : 50, autoSkip: true, maxTicksLimit: phone ? 6 : 24,
      callback: monthTick },
  };
  if (phone) common.plugins.legend.labels.boxWidth = 10;

  var charts = [];
  var catCanvas = document.getElementById("chart-categories");
  if (catCanvas) {
    charts.push(new Chart(catCanvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.categories.map(function (c, i) {
          return {
            label: c.label,
            data: num(c.values),
            backgroundColor: COLOURS[c.code] || FALLBACK[i % FALLBACK.length],
            stack: "spending",
          };
        }),
      },
      options: Object.assign({}, common, {
        scales: {
          x: Object.assign({}, common.scales.x, { stacked: true }),
          y: Object.assign({}, common.scales.y, { stacked: true }),
        },
      }),
    }));
  }

  var flowCanvas = document.getElementById("chart-cashflow");
  if (flowCanvas) {
    charts.push(new Chart(flowCanvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Money in", data: num(data.income), backgroundColor: "#059669" },
          { label: "Money out", data: num(data.spending), backgroundColor: "#dc2626" },
        ],
      },
      options: common,
    }));
  }
  // A hook for the browser tests (and anyone debugging): how many charts were drawn.
  document.body.setAttribute("data-charts", String(charts.length));
})();
