// The real desktop app, end to end: a design made with the CLI is opened from the command line,
// a component is dragged from the palette onto the canvas and renamed in the inspector, Ctrl+S
// saves it, the file on disk is checked, and the app is restarted on the file to see the node.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  centreOf, componentNodeIds, cspViolations, drag, emptyCanvasPoint, env, launch, quit,
  recordCspViolations, screenshot, waitFor, waitForCanvas,
} from "./lib.mjs";

const NEW_NAME = "e2e-api";
const KIND = "app_server";

function readDesign(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

test("drag, rename, save and reopen a design in the real app", async () => {
  const cli = process.env.E2E_CLI;
  assert.ok(cli, "E2E_CLI (the stagecraft binary) must be set by run.sh");
  const file = join(env.work, "e2e.stagecraft.json");
  execFileSync(cli, ["new", "--template", "mvp", file], { stdio: "inherit" });
  const before = readDesign(file);
  const idsBefore = new Set(before.components.map((c) => c.id));

  let browser;
  let newId;
  try {
    browser = await launch([file]);
    const shown = await waitForCanvas(browser, before.components.length);
    assert.deepEqual(new Set(shown), idsBefore, "the canvas shows the components of the file given on the command line");
    await recordCspViolations(browser);
    screenshot("01-opened");

    const from = await centreOf(browser, `[data-testid="palette-item-${KIND}"]`);
    assert.ok(from, `the palette shows ${KIND}`);
    const to = await emptyCanvasPoint(browser);
    assert.ok(to, "there is an empty spot on the canvas to drop onto");
    await drag(browser, from, to);

    const after = await waitFor(browser, "a new component node after the drop", () => componentNodeIds(browser),
      (ids) => ids.length === idsBefore.size + 1);
    newId = after.find((id) => !idsBefore.has(id));
    screenshot("02-dropped");
    // A press without a drag adds the kind at the centre of the view; landing under the pointer
    // proves the drag itself worked.
    const landed = await centreOf(browser, `[data-testid="node-${newId}"]`);
    assert.ok(
      Math.hypot(landed.x - to.x, landed.y - to.y) < 40,
      `the node lands where it was dropped: dropped at ${JSON.stringify(to)}, centred at ${JSON.stringify(landed)}`,
    );

    // The dropped component is selected, so the inspector edits it; select it explicitly if not.
    const nameInput = await browser.$('[data-testid="inspector-name"]');
    if (!(await nameInput.isExisting()) || (await nameInput.getValue()) === "") {
      await (await browser.$(`[data-testid="node-${newId}"]`)).click();
    }
    await nameInput.waitForExist({ timeout: 10_000 });
    await nameInput.click();
    await browser.keys(["Control", "a"]);
    await browser.keys(NEW_NAME);
    await browser.keys("Enter");
    await waitFor(browser, "the node to show its new name",
      () => browser.execute((id) => document.querySelector(`[data-testid="node-${id}"]`)?.textContent ?? "", newId),
      (text) => text.includes(NEW_NAME));

    const status = await browser.$('[data-testid="document-status"]');
    assert.match(await status.getText(), /Unsaved changes/, "an edit marks the document unsaved");
    await browser.keys(["Control", "s"]);
    await waitFor(browser, 'the status to say "Saved"', () => status.getText(), (text) => /^\s*Saved\s*$/.test(text));
    screenshot("03-saved");
    assert.deepEqual(await cspViolations(browser), [], "the page must run without CSP violations");
    // style-src is 'self' plus Tauri's nonce: a <style> element added at run time without the
    // nonce is blocked (before the recorder above could see it), so none may exist.
    const unnoncedStyles = await browser.execute(() =>
      [...document.querySelectorAll("style")].filter((s) => !s.nonce).map((s) => s.textContent.slice(0, 80)));
    assert.deepEqual(unnoncedStyles, [], "inline <style> elements would be blocked by the CSP");
  } finally {
    await quit(browser);
  }

  const saved = readDesign(file);
  const added = saved.components.find((c) => c.id === newId);
  assert.ok(added, `the saved file holds the dropped component ${newId}`);
  assert.equal(added.name, NEW_NAME);
  assert.equal(added.kind, KIND);
  const placement = saved.layout.nodes[newId];
  assert.ok(placement && Number.isFinite(placement.x) && Number.isFinite(placement.y), "the new component has a position in layout");
  assert.equal(saved.id, before.id, "saving keeps the design id");
  assert.deepEqual(
    saved.components.filter((c) => c.id !== newId),
    before.components,
    "the other components are unchanged",
  );
  assert.deepEqual(saved.connections, before.connections, "connections are unchanged");

  try {
    browser = await launch([file]);
    const ids = await waitForCanvas(browser, saved.components.length);
    assert.ok(ids.includes(newId), "after a restart the canvas shows the saved component");
    const text = await browser.execute((id) => document.querySelector(`[data-testid="node-${id}"]`)?.textContent ?? "", newId);
    assert.ok(text.includes(NEW_NAME), `the node shows its saved name, got: ${text}`);
    screenshot("04-reopened");
  } finally {
    await quit(browser);
  }
});
