// Bundles Ravand's front-end into web/static/dist: the JavaScript entry points with esbuild,
// Bootstrap's RTL and LTR builds, and the Vazirmatn font served locally (no CDN).
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";

const out = "web/static/dist";
rmSync(out, { recursive: true, force: true }); // no chunk, map or entry of an earlier build is left to serve
mkdirSync(`${out}/fonts`, { recursive: true });
cpSync("node_modules/bootstrap/dist/css/bootstrap.rtl.min.css", `${out}/bootstrap.rtl.min.css`);
cpSync("node_modules/bootstrap/dist/css/bootstrap.min.css", `${out}/bootstrap.min.css`);
cpSync("node_modules/vazirmatn/fonts/webfonts", `${out}/fonts`, { recursive: true });
cpSync("node_modules/vazirmatn/fonts/ttf", `${out}/fonts/ttf`, { recursive: true }); // for the PDFs

// ES modules split into shared chunks: a page loads its entry and the chunks it imports, and the
// studio loads its form and decision editors only when one is opened (dynamic import). Source maps only
// for development (RAVAND_ASSETS_DEV=1): production serves none.
const dev = process.env.RAVAND_ASSETS_DEV === "1";
await build({
  entryPoints: [
    "web/assets/app.js",
    "web/assets/actions.js",
    "web/assets/inbox/form.js",
    "web/assets/inbox/diagram.js",
    "web/assets/monitor/dashboard.js",
    "web/assets/monitor/diagram.js",
    "web/assets/designer/designer.js",
    "web/assets/designer/diff_page.js",
    "web/assets/polls/results.js",
  ],
  bundle: true,
  format: "esm",
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  minify: true,
  sourcemap: dev,
  outdir: out,
  target: ["es2020"],
  logLevel: "warning",
});
