// A poll's live results: one bar chart per choice or scale question (Chart.js), refreshed from the
// server every few seconds while the page is open. Persian pages show Persian digits.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const root = document.getElementById("poll-results");
const persian = root.dataset.lang === "fa";
const digits = (value) => (persian ? String(value).replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]) : String(value));
const charts = new Map();

function draw(poll) {
  for (const question of poll.questions) {
    const card = root.querySelector(`[data-question="${question.id}"]`);
    if (!card || !question.options) continue;
    const labels = question.options.map((o) => digits(o.label));
    const counts = question.options.map((o) => o.count);
    const chart = charts.get(question.id);
    if (chart) {
      chart.data.datasets[0].data = counts;
      chart.update();
      continue;
    }
    charts.set(
      question.id,
      new Chart(card.querySelector("canvas"), {
        type: "bar",
        data: { labels, datasets: [{ data: counts, backgroundColor: "#0d6efd" }] },
        options: {
          indexAxis: "y",
          animation: false,
          maintainAspectRatio: false,
          plugins: { legend: { display: false } },
          scales: {
            x: { beginAtZero: true, ticks: { precision: 0, callback: (v) => digits(v) } },
            y: { position: persian ? "right" : "left", ticks: { font: { family: "Vazirmatn" } } },
          },
        },
      }),
    );
  }
  document.getElementById("answer-count").textContent = digits(poll.answers);
}

draw(JSON.parse(document.getElementById("poll-data").textContent));
setInterval(async () => {
  const response = await fetch(root.dataset.url, { headers: { Accept: "application/json" } });
  if (response.ok) draw(await response.json());
}, 5000);
