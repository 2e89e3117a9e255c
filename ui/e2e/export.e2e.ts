// The Export dialog in the built UI (Chromium) against the mocked shell: open it from the File
// menu and with Ctrl+E, see the preview, export with chosen options, and see a failure explained.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startHarness, type Harness } from "./browser";
import { installMockBackend, mockData } from "./mock-backend";

const SHOTS = join(import.meta.dirname, "../test-results");

/** A drawing like the ones stagecraft-export renders, small enough to read here. */
const PREVIEW_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="320" viewBox="0 0 640 320"><rect x="20" y="20" width="200" height="80" rx="8" fill="#e8eefe" stroke="#3b63f6"/><text x="40" y="65" font-family="DejaVu Sans" font-size="16">web</text></svg>';

/**
 * Runs in the page after the shared mock backend: answers the export commands, and the save
 * dialog when the Export dialog opens it (its filter is not the design file's).
 */
function installExportMock(previewSvg: string): void {
  type Args = Record<string, unknown>;
  const w = window as unknown as Record<string, unknown>;
  const internals = w.__TAURI_INTERNALS__ as { invoke: (cmd: string, args?: Args) => Promise<unknown> };
  const shared = internals.invoke;
  const state = { exports: [] as Args[], saveDialogs: [] as Args[], nextSave: null as string | null };
  w.__exportMock = state;
  internals.invoke = async (cmd: string, args: Args = {}) => {
    if (cmd === "export_preview") return previewSvg;
    if (cmd === "export_design") {
      state.exports.push(JSON.parse(JSON.stringify(args)) as Args);
      const path = String(args.path);
      if (path.startsWith("/locked/")) throw { kind: "export", detail: `PDF export to ${path} failed: the folder /locked is read-only` };
      return { files: [path] };
    }
    const options = args.options as { filters?: { extensions: string[] }[] } | undefined;
    const extension = options?.filters?.[0]?.extensions[0];
    if (cmd === "plugin:dialog|save" && extension !== "json") {
      state.saveDialogs.push(JSON.parse(JSON.stringify(args)) as Args);
      return state.nextSave ?? `/tmp/stagecraft-e2e/exports/design.${extension}`;
    }
    return shared(cmd, args);
  };
}

interface ExportMockState {
  exports: { design: { id: string; name: string }; options: unknown; path: string }[];
  saveDialogs: { options: { defaultPath: string; filters: unknown } }[];
}

let harness: Harness;
let page: Page;

async function mockState(): Promise<ExportMockState> {
  return page.evaluate(() => (window as unknown as { __exportMock: ExportMockState }).__exportMock);
}

beforeAll(async () => {
  harness = await startHarness();
  await harness.context.addInitScript(installMockBackend, mockData("/tmp/stagecraft-e2e/export.stagecraft.json"));
  await harness.context.addInitScript(installExportMock, PREVIEW_SVG);
  page = await harness.context.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  await page.goto(harness.url);
  await page.getByTestId("canvas").waitFor();
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await harness?.close();
});

describe("Export dialog", () => {
  it("opens from File > Export… with the preview drawn", async () => {
    await page.getByTestId("menu-file").click();
    await page.getByTestId("menu-export").click();
    const dialog = page.getByTestId("export-dialog");
    await dialog.waitFor();
    const preview = page.getByTestId("export-preview");
    await preview.waitFor();
    // The image decoded: the data: URL was allowed and the SVG is valid.
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(640);
    const box = await preview.boundingBox();
    expect(box && box.width > 100 && box.height > 50).toBe(true);
    await page.screenshot({ path: join(SHOTS, "export-dialog.png") });
  });

  it("exports a 2x PNG on white to the path the save dialog returned", async () => {
    await page.getByTestId("export-format-png").click();
    await page.getByTestId("export-scale").selectOption("2");
    await page.getByTestId("export-background").selectOption("white");
    await page.getByTestId("export-run").click();
    await page.getByTestId("export-dialog").waitFor({ state: "detached" });

    const state = await mockState();
    expect(state.saveDialogs.at(-1)?.options).toMatchObject({ filters: [{ name: "PNG image", extensions: ["png"] }] });
    expect(state.saveDialogs.at(-1)?.options.defaultPath).toMatch(/@2x\.png$/);
    expect(state.exports).toHaveLength(1);
    expect(state.exports[0]).toMatchObject({
      options: { format: "png", scale: 2, background: "white", paper: "a4" },
      path: "/tmp/stagecraft-e2e/exports/design.png",
    });
    // The design sent is the one on the canvas: the mock's example design.
    expect(state.exports[0]?.design).toMatchObject({ id: "dsg_e2e_example", name: await page.locator(".sc-docname__file").textContent() });
    await expect.poll(() => page.getByTestId("notice").allTextContents()).toContain("Exported PNG to /tmp/stagecraft-e2e/exports/design.png");
  });

  it("opens with Ctrl+E and explains a failed export without closing", async () => {
    await page.getByTestId("canvas").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("Control+e");
    await page.getByTestId("export-dialog").waitFor();
    await page.evaluate(() => ((window as unknown as { __exportMock: { nextSave: string } }).__exportMock.nextSave = "/locked/design.pdf"));
    await page.getByTestId("export-format-pdf").click();
    await page.getByTestId("export-paper").selectOption("letter");
    await page.getByTestId("export-run").click();
    const error = page.getByTestId("export-error");
    await error.waitFor();
    expect(await error.textContent()).toBe("PDF export to /locked/design.pdf failed: the folder /locked is read-only");
    expect((await mockState()).exports.at(-1)).toMatchObject({ options: { format: "pdf", paper: "letter" }, path: "/locked/design.pdf" });
    await page.screenshot({ path: join(SHOTS, "export-error.png") });
    await page.keyboard.press("Escape");
    await page.getByTestId("export-dialog").waitFor({ state: "detached" });
  });
});
