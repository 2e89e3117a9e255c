// A stand-in for the Tauri shell, installed in the page before the app loads: it answers the
// app's commands with the real catalogue and templates and records what the app saves, so the
// browser test can assert the document the app would have written.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const MODEL = join(import.meta.dirname, "../../crates/stagecraft-model");

export interface MockData {
  catalog: unknown;
  templates: Record<string, unknown>;
  savePath: string;
}

export function mockData(savePath: string): MockData {
  const read = (path: string): unknown => JSON.parse(readFileSync(join(MODEL, path), "utf8"));
  return {
    catalog: read("catalog/catalog.json"),
    templates: {
      mvp: read("templates/mvp.stagecraft.json"),
      growth: read("templates/growth.stagecraft.json"),
      scale: read("templates/scale.stagecraft.json"),
    },
    savePath,
  };
}

/** Runs in the page (serialised by Playwright): defines window.__TAURI_INTERNALS__. */
export function installMockBackend(data: MockData): void {
  type Args = Record<string, unknown>;
  const log: { cmd: string; args: Args }[] = [];
  const saved: { path: string; design: unknown }[] = [];
  const files = new Map<string, unknown>();
  const storeValues = new Map<string, unknown>();
  const callbacks = new Map<number, (payload: unknown) => void>();
  let nextId = 1;
  const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  const templates = data.templates as Record<string, { name: string; description: string; assumptions: { target_stage: string } }>;

  const commands: Record<string, (args: Args) => unknown> = {
    catalog: () => clone(data.catalog),
    templates: () =>
      Object.entries(templates).map(([slug, t]) => ({ slug, stage: t.assumptions.target_stage, name: t.name, description: t.description })),
    new_design: ({ template }) => {
      if (typeof template === "string") return { ...clone(templates[template] as object), id: "dsg_e2e_from_template" };
      return {
        schema_version: 2,
        id: "dsg_e2e_blank",
        name: "Untitled design",
        assumptions: { currency: "EUR" },
        practices: { config_in_git: false, migration_in_progress: false },
        groups: [],
        components: [],
        connections: [],
        layout: { nodes: {} },
      };
    },
    example_design: () => ({ ...clone(templates.growth as object), id: "dsg_e2e_example" }),
    startup_file: () => null,
    open_design: ({ path }) => {
      if (String(path).includes("broken")) {
        throw {
          kind: "invalidDesign",
          detail: [{ kind: "syntax", file: String(path), position: { line: 7, column: 3 }, message: "trailing comma at line 7 column 3" }],
        };
      }
      const design = files.get(String(path));
      if (!design) throw { kind: "notFound", detail: String(path) };
      return { path, design: clone(design), migrated_from: null };
    },
    save_design: ({ path, design }) => {
      saved.push({ path: String(path), design: clone(design) });
      files.set(String(path), clone(design));
      return { path };
    },
    write_recovery: () => null,
    take_recovery: () => null,
    discard_recovery: () => null,
    "plugin:dialog|save": () => data.savePath,
    "plugin:dialog|open": () => (mock.nextOpen as string | undefined) ?? data.savePath,
    // The user answers yes: ask() and confirm() compare the answer with the OK button's label.
    "plugin:dialog|message": ({ buttons }) => {
      const custom = buttons as { OkCancelCustom?: [string, string]; OkCustom?: string } | undefined;
      if (custom?.OkCancelCustom) return custom.OkCancelCustom[0];
      if (custom?.OkCustom) return custom.OkCustom;
      return buttons === "YesNo" ? "Yes" : "Ok";
    },
    "plugin:store|load": () => 1,
    "plugin:store|get": ({ key }) => [storeValues.get(String(key)) ?? null, storeValues.has(String(key))],
    "plugin:store|set": ({ key, value }) => void storeValues.set(String(key), value),
    "plugin:store|save": () => null,
    "plugin:window|set_title": ({ value }) => void (document.title = String(value)),
    "plugin:event|listen": () => nextId++,
    "plugin:event|unlisten": () => null,
  };

  const w = window as unknown as Record<string, unknown>;
  const mock: Record<string, unknown> = { log, saved, files, nextOpen: undefined };
  w.__stagecraftMock = mock;
  w.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener: () => undefined };
  w.__TAURI_INTERNALS__ = {
    metadata: { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
    plugins: {},
    convertFileSrc: (path: string) => path,
    transformCallback: (callback: (payload: unknown) => void) => {
      const id = nextId++;
      callbacks.set(id, callback);
      return id;
    },
    unregisterCallback: (id: number) => callbacks.delete(id),
    invoke: async (cmd: string, args: Args = {}) => {
      log.push({ cmd, args });
      const handler = commands[cmd];
      if (!handler) throw { kind: "io", detail: `The mock backend has no command ${cmd}` };
      return handler(args);
    },
  };
}
