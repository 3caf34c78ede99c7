// Builds PAQA's front end from the pinned GOV.UK Frontend: one stylesheet (our branding, the
// system font instead of GDS Transport, no crown) and one ES module (GOV.UK components + ours).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "paqa/core/static/paqa/dist");
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "assets/scss/paqa.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "paqa.css"), css.css);
// The stylesheet refers to a few GOV.UK images by relative URL; the manifest storage checks
// every reference, so they travel with it. (Fonts are not used: we use the system font.)
cpSync(join(root, "node_modules/govuk-frontend/dist/govuk/assets/images"), join(out, "govuk/images"), {
  recursive: true,
});

// Source-map comments are dropped: Django's manifest storage would look for the map files.
const stripMaps = (code) => code.replace(/^\/\/# sourceMappingURL=.*$/gm, "");
const govuk = readFileSync(join(root, "node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js"), "utf8");
// Ours, appended in this order (each file is a plain script body; add a file by adding its name).
const ourScripts = ["paqa.mjs", "coding.mjs", "share.mjs"];
const ours = ourScripts.map((name) => readFileSync(join(root, "assets/js", name), "utf8"));
writeFileSync(join(out, "paqa.mjs"), [govuk, ...ours].map(stripMaps).join("\n"));

const version = JSON.parse(readFileSync(join(root, "node_modules/govuk-frontend/package.json"), "utf8")).version;
console.log(`Built paqa.css and paqa.mjs with GOV.UK Frontend ${version}`);
