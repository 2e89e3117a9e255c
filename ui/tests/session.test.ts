// @vitest-environment jsdom
// The document's life through the real IPC wrappers with a mocked shell: start-up order, opening
// a broken file, saving with and without a path, recovery autosave.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { useUi } from "../src/app/ui-store";
import { AUTOSAVE_INTERVAL_MS, autosaveRecovery, installSessionHooks, openPath, save, start } from "../src/app/session";
import { designStore, isDirty } from "../src/store/design-store";
import { appActions } from "../src/store/app-actions";
import type { Design } from "../src/ipc/backend";
import { realCatalog, realTemplate } from "./fixtures";

type Call = { cmd: string; args: Record<string, unknown> };
let calls: Call[];
let answers: Record<string, (args: Record<string, unknown>) => unknown>;

beforeEach(() => {
  calls = [];
  answers = {
    catalog: () => realCatalog(),
    example_design: () => realTemplate("growth"),
    startup_file: () => null,
    take_recovery: () => null,
    discard_recovery: () => null,
    write_recovery: () => null,
    save_design: ({ path }) => ({ path }),
    "plugin:store|load": () => 1,
    "plugin:store|get": () => [null, false],
    "plugin:store|set": () => null,
    "plugin:window|set_title": () => null,
  };
  mockWindows("main");
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
    const answer = answers[cmd];
    if (!answer) throw { kind: "io", detail: `no mock for ${cmd}` };
    return answer((args ?? {}) as Record<string, unknown>);
  });
  useUi.setState({ dialog: null, notices: [] });
});

afterEach(() => clearMocks());

const commandsCalled = () => calls.map((c) => c.cmd).filter((c) => !c.startsWith("plugin:"));

describe("start-up", () => {
  it("opens the example design when there is no startup file and no recovery", async () => {
    await start();
    expect(designStore.getState().design.id).toBe("dsg_template_growth");
    expect(designStore.getState().filePath).toBeNull();
    expect(isDirty(designStore.getState())).toBe(false);
    expect(commandsCalled()).toEqual(["catalog", "startup_file", "take_recovery", "example_design"]);
  });

  it("opens the startup file instead of anything else", async () => {
    answers.startup_file = () => "/designs/shop.stagecraft.json";
    answers.open_design = ({ path }) => ({ path, design: realTemplate("scale"), migrated_from: null });
    await start();
    expect(designStore.getState().design.id).toBe("dsg_template_scale");
    expect(designStore.getState().filePath).toBe("/designs/shop.stagecraft.json");
    expect(commandsCalled()).not.toContain("example_design");
  });

  it("starts a blank design bound to a startup file that does not exist yet", async () => {
    answers.startup_file = () => "/designs/new.stagecraft.json";
    answers.open_design = ({ path }) => {
      throw { kind: "notFound", detail: String(path) };
    };
    answers.new_design = () => ({ ...realTemplate("mvp"), id: "dsg_blank", components: [], connections: [], groups: [], layout: { nodes: {} } });
    await start();
    expect(designStore.getState().design.id).toBe("dsg_blank");
    expect(designStore.getState().filePath).toBe("/designs/new.stagecraft.json");
    expect(isDirty(designStore.getState())).toBe(true);
    calls = [];
    expect(await save()).toBe(true);
    expect(calls.find((c) => c.cmd === "save_design")?.args.path).toBe("/designs/new.stagecraft.json");
    expect(calls.map((c) => c.cmd)).not.toContain("plugin:dialog|save");
  });

  it("shows why a broken startup file cannot open, over the example design", async () => {
    const problem = { kind: "schema", file: "/designs/bad.stagecraft.json", position: { line: 2, column: 5 }, message: "unknown field `nmae`" };
    answers.startup_file = () => "/designs/bad.stagecraft.json";
    answers.open_design = () => {
      throw { kind: "invalidDesign", detail: [problem] };
    };
    await start();
    expect(designStore.getState().design.id).toBe("dsg_template_growth");
    expect(useUi.getState().dialog).toMatchObject({ kind: "problems", problems: [problem] });
  });

  it("offers recovered work back", async () => {
    const recovered = { ...realTemplate("mvp"), name: "Half-finished" };
    answers.take_recovery = () => ({ design: recovered, path: "/designs/a.stagecraft.json", saved_at: "2026-01-01T00:00:00Z" });
    await start();
    const dialog = useUi.getState().dialog;
    expect(dialog?.kind).toBe("recovery");
    expect(dialog?.kind === "recovery" && dialog.recovery.design.name).toBe("Half-finished");
  });
});

describe("a damaged recovery copy", () => {
  it("is discarded only when the user agrees", async () => {
    answers.take_recovery = () => {
      throw { kind: "invalidDesign", detail: [{ kind: "syntax", file: "recovery.json", message: "EOF while parsing" }] };
    };
    answers["plugin:dialog|message"] = () => "Keep";
    await start();
    expect(commandsCalled()).not.toContain("discard_recovery");
    expect(designStore.getState().design.id).toBe("dsg_template_growth");
    const question = calls.find((c) => c.cmd === "plugin:dialog|message");
    expect(question?.args).toMatchObject({ title: "Damaged recovery copy", buttons: { OkCancelCustom: ["Discard", "Keep"] } });
    expect(String(question?.args.message)).toContain("EOF while parsing");

    calls = [];
    answers["plugin:dialog|message"] = () => "Discard";
    await start();
    expect(commandsCalled()).toContain("discard_recovery");
  });
});

describe("files", () => {
  beforeEach(async () => {
    await start();
  });

  it("shows a broken file's problems and changes nothing", async () => {
    const before = designStore.getState().design;
    const problem = { kind: "syntax", file: "broken.stagecraft.json", position: { line: 4, column: 12 }, message: "expected `:`" };
    answers.open_design = () => {
      throw { kind: "invalidDesign", detail: [problem] };
    };
    await openPath("/designs/broken.stagecraft.json");
    expect(designStore.getState().design).toBe(before);
    const dialog = useUi.getState().dialog;
    expect(dialog).toEqual({ kind: "problems", title: "Could not open broken.stagecraft.json: the file has problems", problems: [problem] });
  });

  it("saves to the known path without a dialog and marks the document saved", async () => {
    answers.open_design = ({ path }) => ({ path, design: realTemplate("mvp"), migrated_from: null });
    await openPath("/designs/mvp.stagecraft.json");
    appActions.addComponent("cache", { x: 10, y: 10 });
    expect(isDirty(designStore.getState())).toBe(true);
    calls = [];
    expect(await save()).toBe(true);
    expect(calls.map((c) => c.cmd)).not.toContain("plugin:dialog|save");
    const saveCall = calls.find((c) => c.cmd === "save_design");
    expect(saveCall?.args.path).toBe("/designs/mvp.stagecraft.json");
    expect((saveCall?.args.design as Design).components.some((c) => c.kind === "cache")).toBe(true);
    expect(isDirty(designStore.getState())).toBe(false);
    expect(calls.map((c) => c.cmd)).toContain("discard_recovery");
  });

  it("asks for a path when the design has none and keeps the document dirty when cancelled", async () => {
    appActions.addComponent("cache", { x: 10, y: 10 });
    answers["plugin:dialog|save"] = () => null;
    expect(await save()).toBe(false);
    expect(isDirty(designStore.getState())).toBe(true);
    answers["plugin:dialog|save"] = () => "/designs/new-design";
    expect(await save()).toBe(true);
    expect(designStore.getState().filePath).toBe("/designs/new-design.stagecraft.json");
  });

  it("keeps a failed save's changes and says why", async () => {
    appActions.addComponent("cache", { x: 10, y: 10 });
    answers["plugin:dialog|save"] = () => "/readonly/x.stagecraft.json";
    answers.save_design = () => {
      throw { kind: "io", detail: "permission denied" };
    };
    expect(await save()).toBe(false);
    expect(isDirty(designStore.getState())).toBe(true);
    expect(useUi.getState().notices.at(-1)?.text).toBe("Could not save x.stagecraft.json: permission denied");
  });

  it("writes the recovery copy only when there are unsaved changes, once per change", async () => {
    await autosaveRecovery();
    expect(commandsCalled()).not.toContain("write_recovery");
    appActions.addComponent("cache", { x: 10, y: 10 });
    await autosaveRecovery();
    await autosaveRecovery();
    const writes = calls.filter((c) => c.cmd === "write_recovery");
    expect(writes).toHaveLength(1);
    expect((writes[0]?.args.design as Design).components.some((c) => c.kind === "cache")).toBe(true);
  });
});

describe("session hooks", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("autosave the recovery copy every few seconds while there are unsaved changes", async () => {
    await start();
    vi.useFakeTimers();
    const uninstall = installSessionHooks();
    await vi.advanceTimersByTimeAsync(AUTOSAVE_INTERVAL_MS * 2);
    expect(commandsCalled()).not.toContain("write_recovery");
    appActions.addComponent("worker", { x: 0, y: 0 });
    await vi.advanceTimersByTimeAsync(AUTOSAVE_INTERVAL_MS);
    const writes = calls.filter((c) => c.cmd === "write_recovery");
    expect(writes).toHaveLength(1);
    expect(writes[0]?.args.path).toBeNull();
    uninstall();
  });

  it("keep the window title in step with the file name and the unsaved marker", async () => {
    answers.open_design = ({ path }) => ({ path, design: realTemplate("mvp"), migrated_from: null });
    await start();
    await openPath("/designs/shop.stagecraft.json");
    const uninstall = installSessionHooks();
    const titles = () => calls.filter((c) => c.cmd === "plugin:window|set_title").map((c) => c.args.value);
    expect(titles().at(-1)).toBe("shop.stagecraft.json — Stagecraft");
    appActions.addComponent("worker", { x: 0, y: 0 });
    expect(titles().at(-1)).toBe("• shop.stagecraft.json — Stagecraft");
    await save();
    expect(titles().at(-1)).toBe("shop.stagecraft.json — Stagecraft");
    uninstall();
  });
});
