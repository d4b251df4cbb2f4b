// The monitor dashboard's charts: instances started and completed per Jalali week, and the average
// cycle time in working days. The figures come from the page (a JSON script element).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

const rtl = document.documentElement.dir === "rtl";
const persian = document.documentElement.lang === "fa";
const digits = (value) =>
  persian ? String(value).replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]) : String(value);

Chart.defaults.font.family = "Vazirmatn, system-ui, sans-serif";

function axes(title) {
  return {
    x: { reverse: rtl, offset: true, ticks: { maxRotation: 0, autoSkip: true } },
    y: {
      position: rtl ? "right" : "left",
      beginAtZero: true,
      title: { display: true, text: title },
      ticks: { precision: 0, callback: (value) => digits(value) },
    },
  };
}

function options(title) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    layout: { padding: { left: 8, right: 8 } },
    locale: persian ? "fa-IR" : "en-US",
    plugins: {
      legend: { rtl, position: "bottom" },
      tooltip: { rtl, callbacks: { label: (item) => `${item.dataset.label}: ${digits(item.formattedValue)}` } },
    },
    scales: axes(title),
  };
}

const source = document.getElementById("flow-data");
if (source) {
  const data = JSON.parse(source.textContent);
  new Chart(document.getElementById("throughput-chart"), {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.text.started, data: data.started, backgroundColor: "#0d6efd" },
        { label: data.text.completed, data: data.completed, backgroundColor: "#198754" },
      ],
    },
    options: options(data.text.instances),
  });
  new Chart(document.getElementById("cycle-chart"), {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        {
          label: data.text.cycle,
          data: data.cycle,
          borderColor: "#fd7e14",
          backgroundColor: "#fd7e14",
          spanGaps: true,
          tension: 0.2,
        },
      ],
    },
    options: options(data.text.days),
  });
}
