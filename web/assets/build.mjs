// Bundles Ravand's front-end into web/static/dist: the JavaScript entry points with esbuild,
// Bootstrap's RTL and LTR builds, and the Vazirmatn font served locally (no CDN).
import { build } from "esbuild";
import { cpSync, mkdirSync } from "node:fs";

const out = "web/static/dist";
mkdirSync(`${out}/fonts`, { recursive: true });
cpSync("node_modules/bootstrap/dist/css/bootstrap.rtl.min.css", `${out}/bootstrap.rtl.min.css`);
cpSync("node_modules/bootstrap/dist/css/bootstrap.min.css", `${out}/bootstrap.min.css`);
cpSync("node_modules/vazirmatn/fonts/webfonts", `${out}/fonts`, { recursive: true });
cpSync("node_modules/vazirmatn/fonts/ttf", `${out}/fonts/ttf`, { recursive: true }); // for the PDFs

await build({
  entryPoints: ["web/assets/app.js", "web/assets/actions.js", "web/assets/inbox/form.js", "web/assets/inbox/diagram.js", "web/assets/monitor/dashboard.js", "web/assets/monitor/diagram.js", "web/assets/designer/designer.js", "web/assets/polls/results.js"],
  bundle: true,
  minify: true,
  sourcemap: true,
  outdir: out,
  target: ["es2020"],
  logLevel: "warning",
});
