// The real catalogue and stage templates from the Rust model crate, so UI tests check against the
// same data the backend ships.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Catalog, FileDesign } from "../src/ipc/backend";

// A plain path (not a URL): jsdom test files replace the global URL class.
const MODEL = join(import.meta.dirname, "../../crates/stagecraft-model");

export function realCatalog(): Catalog {
  return JSON.parse(readFileSync(join(MODEL, "catalog/catalog.json"), "utf8")) as Catalog;
}

export const TEMPLATE_SLUGS = ["mvp", "growth", "scale"] as const;

export function realTemplate(slug: (typeof TEMPLATE_SLUGS)[number]): FileDesign {
  return JSON.parse(readFileSync(join(MODEL, `templates/${slug}.stagecraft.json`), "utf8")) as FileDesign;
}
