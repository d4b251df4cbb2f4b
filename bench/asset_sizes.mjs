// Builds the front-end twice into temp dirs — as shipped (ES modules, split) and as a baseline (one
// bundle per entry, no splitting, as Ravand shipped before) — and prints each build's metafile outputs
// as JSON: {variant: {output path: {bytes, entry, imports: [static imports]}}}. bench/asset_sizes.py
// reads it. Run from the repository root.
import { build } from "esbuild";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ENTRIES = [
  "web/assets/app.js",
  "web/assets/actions.js",
  "web/assets/inbox/form.js",
  "web/assets/inbox/diagram.js",
  "web/assets/monitor/dashboard.js",
  "web/assets/designer/designer.js",
  "web/assets/designer/diff_page.js",
];

async function variant(split) {
  const outdir = mkdtempSync(join(tmpdir(), split ? "ravand-split-" : "ravand-single-"));
  const result = await build({
    entryPoints: ENTRIES,
    bundle: true,
    format: split ? "esm" : "iife",
    splitting: split,
    minify: true,
    outdir,
    outbase: "web/assets",
    target: ["es2020"],
    metafile: true,
    logLevel: "error",
  });
  const outputs = {};
  for (const [path, info] of Object.entries(result.metafile.outputs)) {
    if (!path.endsWith(".js")) continue;
    outputs[path] = {
      bytes: info.bytes,
      entry: info.entryPoint || null,
      imports: info.imports.filter((i) => i.kind === "import-statement").map((i) => i.path),
    };
  }
  return { outdir, outputs };
}

console.log(JSON.stringify({ split: await variant(true), single: await variant(false) }));
