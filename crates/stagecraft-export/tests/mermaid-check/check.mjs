// Parses every Mermaid file named on the command line with Mermaid's own parser and exits 1
// on the first one Mermaid rejects. Run by crates/stagecraft-export/tests/diagrams.rs.
// Mermaid sanitises labels with DOMPurify, which needs a DOM: jsdom provides one in Node.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const { window } = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = window;
globalThis.document = window.document;
globalThis.DOMPurify = undefined;

const { default: mermaid } = await import("mermaid");

let failed = false;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  try {
    const result = await mermaid.parse(text);
    console.log(`${file}: ok (${result.diagramType})`);
  } catch (error) {
    failed = true;
    console.error(`${file}: ${error?.message ?? error}`);
  }
}
process.exit(failed ? 1 : 0);
