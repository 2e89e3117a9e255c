// The built UI in Chromium against a mocked backend: build a small design by hand and assert the
// document the app saves.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import type { Design } from "../src/ipc/backend";
import { startHarness, type Harness } from "./browser";
import { installMockBackend, mockData } from "./mock-backend";

const SAVE_PATH = "/tmp/stagecraft-e2e/web-tier.stagecraft.json";
const SHOTS = join(import.meta.dirname, "../test-results");

let harness: Harness;
let page: Page;

beforeAll(async () => {
  harness = await startHarness();
  await harness.context.addInitScript(installMockBackend, mockData(SAVE_PATH));
  page = await harness.context.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  await page.goto(harness.url);
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await harness?.close();
});

async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error("element is not visible");
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

async function dragWithMouse(from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 10, from.y + 5, { steps: 3 });
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
}

/** Drags a palette item onto the canvas at an offset from the canvas' top-left; returns the new id. */
async function dropFromPalette(kind: string, at: { x: number; y: number }): Promise<string> {
  const before = await nodeIds();
  const canvas = await page.getByTestId("canvas").boundingBox();
  if (!canvas) throw new Error("no canvas");
  await dragWithMouse(await centre(page.getByTestId(`palette-item-${kind}`)), { x: canvas.x + at.x, y: canvas.y + at.y });
  await expect.poll(async () => (await nodeIds()).length).toBe(before.length + 1);
  const added = (await nodeIds()).find((id) => !before.includes(id));
  if (!added) throw new Error(`dropping ${kind} added no node`);
  return added;
}

async function nodeIds(): Promise<string[]> {
  return page.$$eval("[data-testid^='node-cmp_']", (els) => els.map((e) => e.getAttribute("data-testid")?.slice(5) ?? ""));
}

async function connectNodes(from: string, to: string) {
  const source = page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source`);
  const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`);
  await page.locator(`.react-flow__node[data-id="${from}"]`).hover();
  await dragWithMouse(await centre(source), await centre(target));
}

async function savedDocuments(): Promise<{ path: string; design: Design }[]> {
  return page.evaluate(() => (window as unknown as { __stagecraftMock: { saved: { path: string; design: Design }[] } }).__stagecraftMock.saved);
}

async function dialogCalls(cmd: string): Promise<number> {
  return page.evaluate(
    (c) => (window as unknown as { __stagecraftMock: { log: { cmd: string }[] } }).__stagecraftMock.log.filter((e) => e.cmd === c).length,
    cmd,
  );
}

describe("the canvas in Chromium", () => {
  it("opens on the example design", async () => {
    await expect.poll(() => page.getByTestId("node-cmp_users").isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId("node-cmp_app").textContent()).toContain("app");
    expect(await page.getByTestId("document-status").textContent()).toBe("No changes");
    await page.screenshot({ path: join(SHOTS, "example-light.png") });
    await page.getByTestId("node-cmp_app").click();
    expect(await page.getByTestId("inspector-name").inputValue()).toBe("app");
    // Sizes are the catalogue's for the provider and region: cx32 is offered in fsn1.
    expect(await page.getByTestId("inspector-size").inputValue()).toBe("cx32");
    await page.screenshot({ path: join(SHOTS, "example-inspector.png") });
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator(".react-flow__node.selected").count()).toBe(0);
  });

  it("builds, groups, undoes and saves a design", async () => {
    await page.getByTestId("menu-new").click();
    await page.getByTestId("new-template-growth").waitFor();
    await page.screenshot({ path: join(SHOTS, "new-design.png") });
    await page.getByTestId("new-blank").click();
    await expect.poll(nodeIds).toEqual([]);

    const app = await dropFromPalette("app_server", { x: 300, y: 260 });
    const db = await dropFromPalette("managed_database", { x: 700, y: 260 });
    const dns = await dropFromPalette("dns_zone", { x: 300, y: 520 });
    expect(await page.getByTestId(`node-${app}`).textContent()).toContain("App server");
    expect(await page.getByTestId("document-status").textContent()).toBe("Unsaved changes");

    // A connection the catalogue allows, with the target's protocol and port...
    await connectNodes(app, db);
    await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(1);
    await expect.poll(() => page.locator("[data-testid^='edge-label-']").first().textContent()).toBe("POSTGRESQL :5432");
    // ...and one it refuses, with the reason shown.
    await connectNodes(dns, db);
    await expect.poll(() => page.getByTestId("notice").last().textContent()).toContain("A DNS zone cannot connect to a Managed database.");
    expect(await page.locator(".react-flow__edge").count()).toBe(1);

    // Edit a property in the inspector.
    await page.getByTestId(`node-${app}`).click();
    await page.getByTestId("inspector-name").fill("api");
    await page.getByTestId("inspector-name").press("Enter");
    await expect.poll(() => page.getByTestId(`node-${app}`).textContent()).toContain("api");
    await page.getByRole("textbox", { name: "Count", exact: true }).fill("0");
    await expect.poll(() => page.getByRole("alert").first().textContent()).toBe("Count must be at least 1.");
    await page.getByRole("textbox", { name: "Count", exact: true }).fill("3");
    await page.getByRole("textbox", { name: "Count", exact: true }).press("Enter");

    // Group the two servers in a private network (shift-click adds to the selection).
    await page.getByTestId(`node-${db}`).click({ modifiers: ["Shift"] });
    await page.getByTestId("toolbar-group").click();
    const groupId = await page.$eval("[data-testid^='node-grp_']", (el) => el.getAttribute("data-testid")?.slice(5) ?? "");
    expect(groupId).toMatch(/^grp_[a-z0-9]{10}$/);
    await expect.poll(() => page.locator(`.react-flow__node[data-id="${app}"]`).evaluate((el) => el.closest(".react-flow__nodes") !== null)).toBe(true);

    // Undo removes the group, redo brings it back; the toolbar names the step.
    expect(await page.getByTestId("toolbar-undo").getAttribute("aria-label")).toMatch(/^Undo Group 2 items in Private network/);
    await page.getByTestId("canvas").click({ position: { x: 40, y: 600 } });
    await page.keyboard.press("Control+z");
    await expect.poll(() => page.locator("[data-testid^='node-grp_']").count()).toBe(0);
    await page.keyboard.press("Control+Shift+z");
    await expect.poll(() => page.locator("[data-testid^='node-grp_']").count()).toBe(1);

    await page.screenshot({ path: join(SHOTS, "built-design.png") });

    // Save: the design has no file yet, so the (mocked) native dialog gives the path.
    await page.getByTestId("menu-save").click();
    await expect.poll(() => page.getByTestId("document-status").textContent()).toBe("Saved");
    const [first] = await savedDocuments();
    expect(first?.path).toBe(SAVE_PATH);
    const doc = first?.design as Design;
    expect(doc.id).toBe("dsg_e2e_blank");
    const byKind = Object.fromEntries(doc.components.map((c) => [c.kind, c]));
    expect(byKind.app_server).toMatchObject({ id: app, name: "api", count: 3, group: groupId, provider: "unassigned" });
    expect(byKind.managed_database).toMatchObject({ id: db, name: "Managed database", group: groupId });
    expect(byKind.dns_zone).toMatchObject({ id: dns, name: "DNS zone" });
    expect(byKind.dns_zone?.group).toBeUndefined();
    expect(doc.connections).toEqual([
      { id: expect.stringMatching(/^con_[a-z0-9]{10}$/), from: app, to: db, protocol: "postgresql", ports: [5432], network: "public" },
    ]);
    expect(doc.groups).toEqual([{ id: groupId, kind: "private_network", name: "Private network", provider: "unassigned", cidr: "10.0.0.0/16" }]);
    expect(Object.keys(doc.layout.nodes).sort()).toEqual([app, db, dns, groupId].sort());
    const group = doc.layout.nodes[groupId];
    const appPlace = doc.layout.nodes[app];
    expect(group?.width).toBeGreaterThan(0);
    expect(appPlace && group && appPlace.x > group.x && appPlace.y > group.y).toBe(true);

    // A second save goes straight to the file (Ctrl+S, no dialog).
    const dialogsBefore = await dialogCalls("plugin:dialog|save");
    await page.getByTestId(`node-${dns}`).click();
    await page.getByTestId("inspector-name").fill("example.org");
    await page.getByTestId("inspector-name").press("Enter");
    expect(await page.getByTestId("document-status").textContent()).toBe("Unsaved changes");
    await page.keyboard.press("Control+s");
    await expect.poll(async () => (await savedDocuments()).length).toBe(2);
    expect(await dialogCalls("plugin:dialog|save")).toBe(dialogsBefore);
    const second = (await savedDocuments())[1];
    expect(second?.path).toBe(SAVE_PATH);
    expect(second?.design.components.find((c) => c.id === dns)?.name).toBe("example.org");
    await expect.poll(() => page.getByTestId("document-status").textContent()).toBe("Saved");
  });

  it("drags a node out of its group and undoes the move in one step", async () => {
    const before = (await savedDocuments())[1]?.design as Design;
    const app = before.components.find((c) => c.kind === "app_server")?.id as string;
    const canvas = await page.getByTestId("canvas").boundingBox();
    if (!canvas) throw new Error("no canvas");
    await dragWithMouse(await centre(page.getByTestId(`node-${app}`)), { x: canvas.x + 200, y: canvas.y + canvas.height - 120 });
    await expect.poll(() => page.getByTestId("toolbar-undo").getAttribute("aria-label")).toBe("Undo Move api (Ctrl+Z)");
    await page.getByTestId("menu-save").click();
    await expect.poll(async () => (await savedDocuments()).length).toBe(3);
    const moved = (await savedDocuments())[2]?.design as Design;
    expect(moved.components.find((c) => c.id === app)?.group).toBeUndefined();
    await page.keyboard.press("Control+z");
    await page.getByTestId("menu-save").click();
    await expect.poll(async () => (await savedDocuments()).length).toBe(4);
    const restored = (await savedDocuments())[3]?.design as Design;
    expect(restored.components.find((c) => c.id === app)?.group).toBe(before.groups[0]?.id);
    expect(restored.layout.nodes[app]).toEqual(before.layout.nodes[app]);
  });

  it("moves a group with its contents and resizes it, one step each", async () => {
    const before = (await savedDocuments()).at(-1)?.design as Design;
    const groupId = before.groups[0]?.id as string;
    const app = before.components.find((c) => c.kind === "app_server")?.id as string;
    const label = page.locator(`[data-testid="node-${groupId}"] .sc-group__name`);
    const start = await centre(label);
    await dragWithMouse(start, { x: start.x + 60, y: start.y + 40 });
    await expect.poll(() => page.getByTestId("toolbar-undo").getAttribute("aria-label")).toBe("Undo Move Private network (Ctrl+Z)");

    // Fit the view so the resize corners are on screen, then select the group to show them.
    await page.getByTestId("canvas").click({ position: { x: 40, y: 600 } });
    await page.keyboard.press("Shift+1");
    await page.waitForTimeout(400);
    await label.click();
    const corner = page.locator(`.react-flow__node[data-id="${groupId}"] .react-flow__resize-control.handle.bottom.right`);
    await dragWithMouse(await centre(corner), { x: (await centre(corner)).x + 80, y: (await centre(corner)).y + 50 });
    await expect.poll(() => page.getByTestId("toolbar-undo").getAttribute("aria-label")).toBe("Undo Resize Private network (Ctrl+Z)");

    await page.keyboard.press("Control+s");
    await expect.poll(async () => (await savedDocuments()).length).toBe(5);
    const after = (await savedDocuments())[4]?.design as Design;
    const g0 = before.layout.nodes[groupId];
    const g1 = after.layout.nodes[groupId];
    const dx = (g1?.x ?? 0) - (g0?.x ?? 0);
    const dy = (g1?.y ?? 0) - (g0?.y ?? 0);
    expect(Math.abs(dx)).toBeGreaterThan(30);
    expect(Math.abs(dy)).toBeGreaterThan(20);
    // Positions in the file are absolute: the contents moved with the group, by the same amount.
    expect(after.layout.nodes[app]).toEqual({ x: (before.layout.nodes[app]?.x ?? 0) + dx, y: (before.layout.nodes[app]?.y ?? 0) + dy });
    expect(g1?.width).toBeGreaterThan((g0?.width ?? 0) + 40);
    expect(g1?.height).toBeGreaterThan((g0?.height ?? 0) + 20);

    await page.keyboard.press("Control+z");
    await page.keyboard.press("Control+z");
    await page.keyboard.press("Control+s");
    await expect.poll(async () => (await savedDocuments()).length).toBe(6);
    expect((await savedDocuments())[5]?.design.layout).toEqual(before.layout);
  });

  it("copies and pastes through the clipboard, duplicates, and auto-layouts in one step", async () => {
    const before = await nodeIds();
    const db = (await savedDocuments())[3]?.design.components.find((c) => c.kind === "managed_database")?.id as string;
    await page.getByTestId(`node-${db}`).click();
    await page.keyboard.press("Control+c");
    await page.keyboard.press("Control+v");
    await expect.poll(async () => (await nodeIds()).length).toBe(before.length + 1);
    expect(await page.getByTestId("toolbar-undo").getAttribute("aria-label")).toBe("Undo Paste 1 items (Ctrl+Z)");
    await page.keyboard.press("Control+d");
    await expect.poll(async () => (await nodeIds()).length).toBe(before.length + 2);
    expect(await page.getByTestId("toolbar-undo").getAttribute("aria-label")).toMatch(/^Undo Duplicate Managed database/);

    await page.keyboard.press("Shift+L");
    await expect.poll(() => page.getByTestId("toolbar-undo").getAttribute("aria-label")).toBe("Undo Auto-layout (Ctrl+Z)");
    await page.keyboard.press("Control+z");
    await expect.poll(() => page.getByTestId("toolbar-undo").getAttribute("aria-label")).toMatch(/^Undo Duplicate/);
    await page.keyboard.press("Control+z");
    await page.keyboard.press("Control+z");
    await expect.poll(nodeIds).toEqual(before);
    expect(await page.getByTestId("document-status").textContent()).toBe("Saved");
  });

  it("shows a broken file's problems and keeps the open design", async () => {
    const before = await nodeIds();
    await page.evaluate(() => {
      (window as unknown as { __stagecraftMock: { nextOpen: string } }).__stagecraftMock.nextOpen = "/tmp/broken.stagecraft.json";
    });
    await page.keyboard.press("Control+o");
    await expect.poll(() => page.getByTestId("load-problems").textContent()).toContain("/tmp/broken.stagecraft.json:7:3");
    expect(await page.getByTestId("load-problems").textContent()).toContain("trailing comma at line 7 column 3");
    await page.screenshot({ path: join(SHOTS, "load-problems.png") });
    await page.keyboard.press("Escape");
    expect(await nodeIds()).toEqual(before);
  });

  it("adds from the palette with the keyboard and filters it by search", async () => {
    const before = await nodeIds();
    await page.getByLabel("Search components").fill("cache");
    // Matches names and descriptions: the CDN "caches" content.
    const shown = await page.$$eval("[data-testid^='palette-item-']", (els) => els.map((e) => e.getAttribute("data-testid")));
    expect(shown).toEqual(["palette-item-cdn", "palette-item-cache"]);
    await page.getByTestId("palette-item-cache").focus();
    await page.keyboard.press("Enter");
    await expect.poll(async () => (await nodeIds()).length).toBe(before.length + 1);
    expect(await page.getByTestId("toolbar-undo").getAttribute("aria-label")).toBe("Undo Add Cache (Ctrl+Z)");
    await page.getByLabel("Search components").fill("");
    const added = (await nodeIds()).find((id) => !before.includes(id)) as string;
    expect(await page.locator(`.react-flow__node[data-id="${added}"]`).getAttribute("aria-label")).toBe("Cache (cache)");
    // Ctrl+Z inside a text field edits the field; on the canvas it undoes the add.
    await page.getByTestId("canvas").click({ position: { x: 40, y: 600 } });
    await page.keyboard.press("Control+z");
    await expect.poll(nodeIds).toEqual(before);
  });

  it("names the next undo and redo steps in the Edit menu, which works from the keyboard", async () => {
    await page.getByTestId(`node-${(await nodeIds())[0]}`).click();
    await page.keyboard.press("ArrowRight");
    await page.getByTestId("menu-edit").click();
    const undoItem = page.getByTestId("menu-undo");
    expect(await undoItem.textContent()).toMatch(/^Undo Move .+Ctrl\+Z$/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("menu-undo");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByTestId("toolbar-redo").getAttribute("aria-label")).toMatch(/^Redo Move /);
    await page.getByTestId("menu-edit").click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("menu-undo");
    await page.keyboard.press("ArrowDown");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Redo Move /);
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByRole("menu").count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("menu-edit");
  });

  it("offers a dark theme and a shortcut overlay", async () => {
    await page.getByTestId("toolbar-theme").click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.keyboard.press("Shift+1");
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, "dark-canvas.png") });
    // The overview moves the view to where it is clicked.
    const transform = () => page.locator(".react-flow__viewport").evaluate((el) => (el as HTMLElement).style.transform);
    const before = await transform();
    const overview = await page.getByRole("img", { name: /Overview of the design/ }).boundingBox();
    if (!overview) throw new Error("no overview");
    await page.mouse.click(overview.x + 5, overview.y + 5);
    await expect.poll(transform).not.toBe(before);
    await page.getByTestId("canvas").click({ position: { x: 40, y: 600 } });
    await page.keyboard.press("?");
    await expect.poll(() => page.getByRole("dialog", { name: "Keyboard shortcuts" }).isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, "dark-help.png") });
    await page.keyboard.press("Escape");
  });
});
