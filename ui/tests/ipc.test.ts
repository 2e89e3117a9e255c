// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { backend, BackendError } from "../src/ipc/backend";
import { realCatalog, realTemplate } from "./fixtures";

afterEach(() => clearMocks());

describe("IPC wrappers", () => {
  it("call the shell's commands with their arguments and return the answer", async () => {
    const calls: [string, unknown][] = [];
    const growth = realTemplate("growth");
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "catalog") return realCatalog();
      if (cmd === "save_design") return { path: (args as { path: string }).path };
      if (cmd === "open_design") return { path: "/d/a.stagecraft.json", design: growth, migrated_from: null };
      if (cmd === "take_recovery") return null;
    });
    expect((await backend.catalog()).kinds).toHaveLength(17);
    await expect(backend.saveDesign("/d/a.stagecraft.json", growth)).resolves.toEqual({ path: "/d/a.stagecraft.json" });
    await expect(backend.openDesign("/d/a.stagecraft.json")).resolves.toMatchObject({ design: { id: growth.id } });
    await expect(backend.takeRecovery()).resolves.toBeNull();
    expect(calls.map(([cmd]) => cmd)).toEqual(["catalog", "save_design", "open_design", "take_recovery"]);
    expect(calls[1]?.[1]).toMatchObject({ path: "/d/a.stagecraft.json", design: growth });
  });

  it("unwrap the generated commands' results", async () => {
    mockIPC((cmd) => {
      if (cmd === "new_design") return realTemplate("mvp");
      if (cmd === "save_design") throw { kind: "io", detail: "disk full" };
      if (cmd === "take_recovery") return null;
    });
    await expect(backend.newDesign("mvp")).resolves.toMatchObject({ id: "dsg_template_mvp" });
    await expect(backend.takeRecovery()).resolves.toBeNull();
    const failure = await backend.saveDesign("/x", realTemplate("mvp")).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BackendError);
    expect((failure as BackendError).error).toEqual({ kind: "io", detail: "disk full" });
    expect((failure as BackendError).message).toBe("disk full");
  });

  it("turn a rejected command into a typed error the UI can switch on", async () => {
    const problem = { kind: "syntax", file: "broken.stagecraft.json", position: { line: 3, column: 7 }, message: "expected `,`" };
    mockIPC((cmd) => {
      if (cmd === "open_design") throw { kind: "invalidDesign", detail: [problem] };
      if (cmd === "startup_file") throw new Error("socket closed");
    });
    const failure = await backend.openDesign("broken.stagecraft.json").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BackendError);
    expect((failure as BackendError).error).toEqual({ kind: "invalidDesign", detail: [problem] });
    const other = await backend.startupFile().catch((e: unknown) => e);
    expect((other as BackendError).error.kind).toBe("io");
  });
});
