// @vitest-environment jsdom
// The Export dialog against a mocked shell: formats show their options, the preview is the
// backend's SVG as an image, the export command gets the design, the options and the path the
// save dialog returned, and failures stay on screen.
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { useUi } from "../src/app/ui-store";
import { fromDocument } from "../src/model/document";
import { ExportDialog, ExportPanel, svgDataUrl } from "../src/panels/export/ExportDialog";
import { fileStem, FORMATS, suggestedPath } from "../src/panels/export/formats";
import { designStore } from "../src/store/design-store";
import { realTemplate } from "./fixtures";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const PREVIEW_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';

type Call = { cmd: string; args: Record<string, unknown> };
let calls: Call[];
let container: HTMLDivElement;
let root: Root;
let closed: number;

type Handler = (args: Record<string, unknown>) => unknown;

/**
 * The shell: answers the preview and the save dialog; `exportResult` decides the export's answer.
 * The design file is not in Git unless `more` answers `export_last_commit`.
 */
function mockShell(savePath: string | null, exportResult: Handler, more: Record<string, Handler> = {}) {
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const handler = more[cmd];
    if (handler) return handler(args);
    if (cmd === "export_preview") return PREVIEW_SVG;
    if (cmd === "plugin:dialog|save") return savePath;
    if (cmd === "export_design") return exportResult(args);
    if (cmd === "export_last_commit") return null;
    throw new Error(`unexpected command ${cmd}`);
  });
}

async function flush() {
  for (let i = 0; i < 5; i++) await act(async () => new Promise((r) => setTimeout(r, 0)));
}

function byTestId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = container.querySelector<T>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`no element with data-testid=${id}`);
  return el;
}

async function click(el: HTMLElement) {
  await act(async () => el.click());
  await flush();
}

async function choose(format: string) {
  await click(byTestId(`export-format-${format}`).querySelector("input") as HTMLInputElement);
}

async function select(id: string, value: string) {
  const el = byTestId<HTMLSelectElement>(id);
  await act(async () => {
    el.value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

async function renderDialog() {
  await act(async () => root.render(<ExportDialog onClose={() => closed++} />));
  await flush();
}

beforeEach(() => {
  calls = [];
  closed = 0;
  designStore.getState().load(fromDocument(realTemplate("mvp")), { path: "/home/ada/designs/shop.stagecraft.json", saved: true });
  useUi.setState({ notices: [], exportOpen: false, dialog: null });
  container = document.createElement("div");
  document.body.appendChild(container);
  root = createRoot(container);
});

afterEach(async () => {
  await act(async () => root.unmount());
  container.remove();
  clearMocks();
});

describe("Export dialog", () => {
  it("lists every format and shows only the options each takes", async () => {
    mockShell("/tmp/x.svg", () => ({ files: [] }));
    await renderDialog();
    for (const f of FORMATS) byTestId(`export-format-${f.format}`);
    expect(container.querySelector("[data-testid=export-scale]")).toBeNull();
    expect(container.querySelector("[data-testid=export-paper]")).toBeNull();

    await choose("png");
    expect(byTestId<HTMLSelectElement>("export-scale").value).toBe("1");
    expect(byTestId<HTMLSelectElement>("export-background").value).toBe("transparent");
    expect(container.querySelector("[data-testid=export-paper]")).toBeNull();

    await choose("reportPdf");
    expect(byTestId<HTMLSelectElement>("export-paper").value).toBe("a4");
    expect(container.querySelector("[data-testid=export-scale]")).toBeNull();
    expect(byTestId("export-options").textContent).toContain("findings");

    await choose("terraform");
    expect(byTestId("export-options").textContent).toContain("No options");
  });

  it("previews the backend's SVG of the current design as an image", async () => {
    mockShell(null, () => ({ files: [] }));
    await renderDialog();
    const preview = calls.find((c) => c.cmd === "export_preview");
    expect((preview?.args.design as { name: string }).name).toBe(realTemplate("mvp").name);
    const img = byTestId<HTMLImageElement>("export-preview");
    expect(img.tagName).toBe("IMG");
    expect(img.getAttribute("src")).toBe(svgDataUrl(PREVIEW_SVG));
    // Nothing of the SVG is inserted into the page itself.
    expect(container.querySelector("svg rect")).toBeNull();
  });

  it("exports with the chosen options to the path the save dialog returned, then reports it", async () => {
    mockShell("/home/ada/designs/shop@2x.png", (args) => ({ files: [args.path] }));
    await renderDialog();
    await choose("png");
    await select("export-scale", "2");
    await select("export-background", "white");
    await click(byTestId("export-run"));

    const dialog = calls.find((c) => c.cmd === "plugin:dialog|save");
    expect(dialog?.args.options).toMatchObject({
      defaultPath: "/home/ada/designs/shop@2x.png",
      filters: [{ name: "PNG image", extensions: ["png"] }],
    });
    const exported = calls.find((c) => c.cmd === "export_design");
    expect(exported?.args).toMatchObject({
      options: { format: "png", scale: 2, background: "white", paper: "a4" },
      path: "/home/ada/designs/shop@2x.png",
      design: { id: realTemplate("mvp").id },
    });
    expect(closed).toBe(1);
    expect(useUi.getState().notices.map((n) => [n.tone, n.text])).toEqual([["success", "Exported PNG to /home/ada/designs/shop@2x.png"]]);
  });

  it("keeps the dialog open to say when the PNG was drawn at a lower scale than asked", async () => {
    const note = "The PNG is drawn at 1.10x, not the 2x asked for: at 2x it would be larger than 37 megapixels.";
    mockShell("/home/ada/designs/shop@2x.png", (args) => ({ files: [args.path], note }));
    await renderDialog();
    await choose("png");
    await select("export-scale", "2");
    await click(byTestId("export-run"));
    expect(closed).toBe(0);
    expect(byTestId("export-note").textContent).toBe(note);
    expect(useUi.getState().notices.map((n) => n.text)).toEqual(["Exported PNG to /home/ada/designs/shop@2x.png"]);
    // Changing an option clears the note.
    await select("export-scale", "1");
    expect(container.querySelector('[data-testid="export-note"]')).toBeNull();
  });

  it("adds the extension the user left out and names companion files", async () => {
    mockShell("/tmp/out/stack", (args) => ({ files: [args.path, "/tmp/out/cloud-init.yaml"] }));
    await renderDialog();
    await choose("compose");
    await click(byTestId("export-run"));
    expect(calls.find((c) => c.cmd === "export_design")?.args.path).toBe("/tmp/out/stack.yml");
    expect(useUi.getState().notices[0]?.text).toBe("Exported Docker Compose to /tmp/out/stack.yml (and /tmp/out/cloud-init.yaml)");
  });

  it("does nothing when the save dialog is cancelled", async () => {
    mockShell(null, () => ({ files: [] }));
    await renderDialog();
    await click(byTestId("export-run"));
    expect(calls.map((c) => c.cmd)).not.toContain("export_design");
    expect(closed).toBe(0);
  });

  it("keeps the dialog open with the backend's error, and clears it when the options change", async () => {
    const detail = "PDF export to /locked/shop.pdf failed: the folder /locked is read-only";
    mockShell("/locked/shop.pdf", () => {
      throw { kind: "export", detail };
    });
    await renderDialog();
    await choose("pdf");
    await select("export-paper", "letter");
    await click(byTestId("export-run"));
    expect(calls.find((c) => c.cmd === "export_design")?.args.options).toMatchObject({ format: "pdf", paper: "letter" });
    expect(byTestId("export-error").textContent).toBe(detail);
    expect(byTestId("export-error").getAttribute("role")).toBe("alert");
    expect(closed).toBe(0);
    expect(useUi.getState().notices).toEqual([]);
    await choose("svg");
    expect(container.querySelector("[data-testid=export-error]")).toBeNull();
  });

  it("shows progress while the backend writes", async () => {
    let finish: (value: unknown) => void = () => undefined;
    mockShell("/tmp/shop.tf", () => new Promise((resolve) => (finish = resolve)));
    await renderDialog();
    await choose("terraform");
    await click(byTestId("export-run"));
    expect(byTestId("export-progress").textContent).toBe("Exporting Terraform / OpenTofu to /tmp/shop.tf…");
    expect(byTestId<HTMLButtonElement>("export-run").disabled).toBe(true);
    await act(async () => finish({ files: ["/tmp/shop.tf"] }));
    await flush();
    expect(closed).toBe(1);
  });

  it("opens from Ctrl+E and keeps the canvas' shortcuts from acting behind it", async () => {
    mockShell(null, () => ({ files: [] }));
    const behind: string[] = [];
    const listener = (e: KeyboardEvent) => behind.push(e.key);
    await act(async () => root.render(<ExportPanel />));
    window.addEventListener("keydown", listener);
    await act(async () => window.dispatchEvent(new KeyboardEvent("keydown", { key: "e", ctrlKey: true, bubbles: true })));
    await flush();
    expect(useUi.getState().exportOpen).toBe(true);
    behind.length = 0;
    await act(async () => byTestId("export-run").dispatchEvent(new KeyboardEvent("keydown", { key: "Delete", bubbles: true })));
    expect(behind).toEqual([]);
    await act(async () => byTestId("export-run").dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true })));
    expect(useUi.getState().exportOpen).toBe(false);
    window.removeEventListener("keydown", listener);
  });
});

describe("suggested file names", () => {
  it("sit beside the design file and say what they are", () => {
    const png = FORMATS.find((f) => f.format === "png")!;
    const report = FORMATS.find((f) => f.format === "reportMarkdown")!;
    const compose = FORMATS.find((f) => f.format === "compose")!;
    const opts = { format: "png" as const, scale: 2, background: "white" as const, paper: "a4" as const };
    expect(suggestedPath(png, opts, "Shop backend", "C:\\designs\\shop.stagecraft.json")).toBe("C:\\designs\\shop@2x.png");
    expect(suggestedPath(report, opts, "Shop backend", null)).toBe("shop-backend-report.md");
    expect(suggestedPath(compose, opts, "Shop", "/d/shop.stagecraft.json")).toBe("/d/docker-compose.yml");
    expect(fileStem("  ")).toBe("design");
    expect(fileStem("Café Ünïcode!")).toBe("cafe-unicode");
  });

  describe("changes since a previous version", () => {
    const LAST_COMMIT = "last commit a1b2c3d (2026-11-20): Growth stage";
    const changesFor = (args: Record<string, unknown>) => {
      const previous = args.previous as { kind: string; path: string };
      return {
        label: previous.kind === "file" ? previous.path : LAST_COMMIT,
        changes: ["Added cache “sessions”", "app-1: 1 → 2 replicas"],
      };
    };

    it("offers the last commit when the design file is in Git and shows the changes the report will list", async () => {
      mockShell("/home/ada/designs/shop-review.md", (args) => ({ files: [args.path] }), {
        export_last_commit: () => LAST_COMMIT,
        export_changes: changesFor,
      });
      await renderDialog();
      expect(calls.map((c) => c.cmd)).not.toContain("export_last_commit");
      await choose("reportMarkdown");
      expect(calls.find((c) => c.cmd === "export_last_commit")?.args).toEqual({ path: "/home/ada/designs/shop.stagecraft.json" });
      const choices = [...byTestId<HTMLSelectElement>("export-previous").options].map((o) => o.text);
      expect(choices).toEqual(["No comparison", `The ${LAST_COMMIT}`, "A design file…"]);
      expect(container.querySelector("[data-testid=export-changes]")).toBeNull();

      await select("export-previous", "lastCommit");
      await flush();
      const asked = calls.find((c) => c.cmd === "export_changes");
      expect(asked?.args.previous).toEqual({ kind: "lastCommit", path: "/home/ada/designs/shop.stagecraft.json" });
      expect((asked?.args.design as { id: string }).id).toBe(realTemplate("mvp").id);
      const changes = byTestId("export-changes");
      expect(changes.querySelector("h3")?.textContent).toBe(`Changes since the ${LAST_COMMIT}`);
      expect([...changes.querySelectorAll("li")].map((li) => li.textContent)).toEqual(["Added cache “sessions”", "app-1: 1 → 2 replicas"]);

      await click(byTestId("export-run"));
      expect(calls.find((c) => c.cmd === "export_design")?.args).toMatchObject({
        options: { format: "reportMarkdown" },
        previous: { kind: "lastCommit", path: "/home/ada/designs/shop.stagecraft.json" },
      });
    });

    it("compares with a file chosen in the native open dialog, and a cancelled dialog changes nothing", async () => {
      let picked: string | null = null;
      mockShell("/tmp/review.html", (args) => ({ files: [args.path] }), {
        "plugin:dialog|open": () => picked,
        export_changes: changesFor,
      });
      await renderDialog();
      await choose("reportHtml");
      const choices = [...byTestId<HTMLSelectElement>("export-previous").options].map((o) => o.value);
      expect(choices).toEqual(["none", "file"]);

      await select("export-previous", "file");
      await flush();
      expect(byTestId<HTMLSelectElement>("export-previous").value).toBe("none");
      expect(calls.map((c) => c.cmd)).not.toContain("export_changes");

      picked = "/home/ada/old/shop-v1.stagecraft.json";
      await select("export-previous", "file");
      await flush();
      expect(calls.find((c) => c.cmd === "export_changes")?.args.previous).toEqual({ kind: "file", path: picked });
      expect(byTestId("export-changes").querySelector("h3")?.textContent).toBe(`Changes since the file ${picked}`);
      expect(byTestId<HTMLSelectElement>("export-previous").selectedOptions[0]?.text).toBe(`File: ${picked}`);

      await click(byTestId("export-run"));
      expect(calls.find((c) => c.cmd === "export_design")?.args.previous).toEqual({ kind: "file", path: picked });
    });

    it("shows why a previous version cannot be read, and non-report formats never send one", async () => {
      mockShell("/tmp/shop.svg", (args) => ({ files: [args.path] }), {
        export_last_commit: () => LAST_COMMIT,
        export_changes: () => {
          throw { kind: "export", detail: "The last commit of /home/ada/designs/shop.stagecraft.json is not a readable design: bad JSON" };
        },
      });
      await renderDialog();
      await choose("reportPdf");
      await select("export-previous", "lastCommit");
      await flush();
      const alert = byTestId("export-changes").querySelector("[role=alert]");
      expect(alert?.textContent).toContain("is not a readable design");

      await choose("svg");
      expect(container.querySelector("[data-testid=export-previous]")).toBeNull();
      await click(byTestId("export-run"));
      expect(calls.find((c) => c.cmd === "export_design")?.args.previous).toBeNull();
    });
  });
});
