// Provisioning in Chromium against a mocked shell: the credentials dialog stores a token (which
// the page never shows again), Plan lists the changes, and Apply's progress events move the
// status badges on the canvas while the log fills.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startHarness, type Harness } from "./browser";
import { installMockBackend, mockData } from "./mock-backend";

const SAVE_PATH = "/tmp/stagecraft-e2e/provision.stagecraft.json";
const TOKEN = "hz-e2e-SECRET-91b7d3";

let harness: Harness;
let page: Page;

/** Runs in the page after the base mock: answers the provision commands and streams progress. */
function installProvisionMock(): void {
  type Args = Record<string, unknown>;
  type Design = { id: string; components: { id: string; name: string; provider: string }[] };
  const internals = (window as unknown as { __TAURI_INTERNALS__: Record<string, unknown> }).__TAURI_INTERNALS__;
  const callbacks = new Map<number, (payload: unknown) => void>();
  const baseTransform = internals.transformCallback as (cb: (payload: unknown) => void) => number;
  internals.transformCallback = (cb: (payload: unknown) => void) => {
    const id = baseTransform(cb);
    callbacks.set(id, cb);
    return id;
  };
  const baseInvoke = internals.invoke as (cmd: string, args?: Args) => Promise<unknown>;
  const stored = new Set<string>();
  const state: Record<string, unknown> = { tokens: [] as string[] };
  let release: () => void = () => undefined;
  (window as unknown as Record<string, unknown>).__provisionMock = { state, release: () => release() };
  const resources = (design: Design) => design.components.filter((c) => c.provider !== "unassigned");
  const send = (channel: { id: number }, index: number, message: unknown) => callbacks.get(channel.id)?.({ index, message });
  const commands: Record<string, (args: Args) => unknown> = {
    provision_credentials_status: () => ["hetzner", "digitalocean", "aws"].map((p) => ({ provider: p, account: "default", hasCredentials: stored.has(p) })),
    provision_set_credentials: ({ provider, token }) => {
      (state.tokens as string[]).push(String(token));
      stored.add(String(provider));
      return { provider, account: "default", hasCredentials: true };
    },
    provision_plan: ({ design }) => ({
      design_id: (design as Design).id,
      design_name: "example",
      changes: resources(design as Design).map((c) => ({
        key: `${c.id}/main`,
        provider: c.provider,
        kind: "server",
        component: c.id,
        name: c.name,
        action: "create",
        reasons: [`new ${c.name}`],
        provider_id: null,
      })),
      unchanged: [],
      not_provisioned: [],
      monthly_cost_change: null,
    }),
    provision_apply: async ({ design, onProgress }) => {
      const list = resources(design as Design);
      const channel = onProgress as { id: number };
      let index = 0;
      for (const c of list) send(channel, index++, { component: c.id, resource: `${c.id}/main`, name: c.name, status: "pending", message: "create" });
      for (const c of list) send(channel, index++, { component: c.id, resource: `${c.id}/main`, name: c.name, status: "creating", message: "" });
      await new Promise<void>((resolve) => (release = resolve));
      for (const c of list) send(channel, index++, { component: c.id, resource: `${c.id}/main`, name: c.name, status: "ready", message: "" });
      const keys = list.map((c) => `${c.id}/main`);
      return { design_id: (design as Design).id, created: keys, updated: [], replaced: [], deleted: [], adopted: [], not_attempted: [], api_calls: keys.length * 3, wall_ms: 5 };
    },
  };
  internals.invoke = async (cmd: string, args: Args = {}) => {
    const handler = commands[cmd];
    if (!handler) return baseInvoke(cmd, args);
    (window as unknown as { __stagecraftMock: { log: unknown[] } }).__stagecraftMock.log.push({ cmd, args: cmd === "provision_set_credentials" ? { provider: args.provider } : {} });
    return handler(args);
  };
}

beforeAll(async () => {
  harness = await startHarness();
  await harness.context.addInitScript(installMockBackend, mockData(SAVE_PATH));
  await harness.context.addInitScript(installProvisionMock);
  page = await harness.context.newPage();
  page.on("pageerror", (error) => console.error("page error:", error.stack));
  await page.goto(harness.url);
});

afterAll(async () => {
  await harness?.close();
});

async function provisionMenu(item: string) {
  await page.getByTestId("menu-provision").click();
  await page.getByTestId(`menu-provision-${item}`).click();
}

describe("provisioning in Chromium", () => {
  it("stores a token from the credentials dialog without showing it again", async () => {
    await expect.poll(() => page.getByTestId("node-cmp_app").isVisible()).toBe(true);
    await provisionMenu("credentials");
    await expect.poll(() => page.getByTestId("credential-status-hetzner").textContent()).toBe("No token stored");
    const input = page.getByTestId("credential-token-hetzner");
    expect(await input.getAttribute("type")).toBe("password");
    await input.fill(TOKEN);
    await page.getByTestId("credential-save-hetzner").click();
    await expect.poll(() => page.getByTestId("credential-status-hetzner").textContent()).toBe("Token stored in the OS keyring");
    expect(await input.inputValue()).toBe("");
    const tokens = await page.evaluate(() => (window as unknown as { __provisionMock: { state: { tokens: string[] } } }).__provisionMock.state.tokens);
    expect(tokens).toEqual([TOKEN]);
    expect(await page.content()).not.toContain(TOKEN);
    const storeWrites = await page.evaluate(() =>
      JSON.stringify((window as unknown as { __stagecraftMock: { log: { cmd: string; args: unknown }[] } }).__stagecraftMock.log.filter((e) => e.cmd.startsWith("plugin:store"))),
    );
    expect(storeWrites).not.toContain(TOKEN);
    await page.getByTestId("credentials-dialog").getByRole("button", { name: "Close" }).click();
    await expect.poll(() => page.getByTestId("credentials-dialog").count()).toBe(0);
  });

  it("plans the saved design and applies it with live badges on the canvas", async () => {
    await page.keyboard.press("Control+s");
    await expect.poll(() => page.getByTestId("document-status").textContent()).toBe("Saved");
    await provisionMenu("plan");
    await expect.poll(() => page.getByTestId("plan-summary").textContent()).toMatch(/\d+ to create/);
    await expect.poll(() => page.getByTestId("plan-change-cmp_app/main").textContent()).toContain("new app");
    expect(await page.getByTestId("plan-apply").isEnabled()).toBe(true);

    await page.getByTestId("plan-apply").click();
    await expect.poll(() => page.getByTestId("run-status-cmp_app").getAttribute("data-status")).toBe("creating");
    expect(await page.getByTestId("provision-log").textContent()).toContain("creating");
    expect(await page.locator("[data-testid='run-status-cmp_users']").count(), "unassigned components are not provisioned").toBe(0);

    await page.evaluate(() => (window as unknown as { __provisionMock: { release(): void } }).__provisionMock.release());
    await expect.poll(() => page.getByTestId("run-status-cmp_app").getAttribute("data-status")).toBe("ready");
    await expect.poll(() => page.getByTestId("provision-log").textContent()).toContain("Apply: ");
    expect(await page.content()).not.toContain(TOKEN);
  });
});
