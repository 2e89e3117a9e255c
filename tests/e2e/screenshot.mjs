// Takes docs/screenshot.png: the real app on the example design, 1280x800 under Xvfb.
// Run with `tests/e2e/run.sh screenshot`.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { launch, quit, screenshot, waitFor, waitForCanvas } from "./lib.mjs";

const root = new URL("../..", import.meta.url).pathname;
let browser;
try {
  browser = await launch([]);
  await waitForCanvas(browser, 5);
  // Let React Flow measure nodes and route edges before the capture.
  await waitFor(browser, "every node visible", () => browser.execute(() =>
    [...document.querySelectorAll(".react-flow__node")].every((e) => getComputedStyle(e).visibility === "visible")));
  await new Promise((r) => setTimeout(r, 1000));
  const file = screenshot("docs-screenshot");
  copyFileSync(file, join(root, "docs/screenshot.png"));
  console.log("wrote docs/screenshot.png");
} finally {
  await quit(browser);
}
