// @vitest-environment jsdom
// Provisioning surfaces against a mocked shell: the pasted token reaches only the set-credentials
// command (no store, preference, log or page text keeps it); canvas badges follow the progress
// events of an apply; the destroy confirmation lists what will go; errors name the resource;
// Link tunnels shows for designs with tunnels, runs with the admin address and names the server
// it cannot reach.
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { useUi } from "../src/app/ui-store";
import type { ApplyProgress, RunReport, DestroyTarget, LinkEvent, LinkProgress, LinkReport, Plan, TunnelLink } from "../src/ipc/provision";
import { fromDocument } from "../src/model/document";
import { applyDesign, followTunnels, linkTunnels, openCredentials, openDestroy, openLink, planDesign, refreshDrift, selectAccount, setSshPublicKey, showComponent } from "../src/panels/provision/actions";
import { provisionMenuItems } from "../src/panels/provision/menu";
import { registerCanvas } from "../src/canvas/canvas-api";
import { ProvisionBadge } from "../src/panels/provision/ProvisionBadge";
import { ProvisionPanel } from "../src/panels/provision/ProvisionPanel";
import { componentStatus, initialProvisionState, recordProgress, useProvision } from "../src/panels/provision/provision-store";
import { designStore } from "../src/store/design-store";
import { realTemplate } from "./fixtures";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const TOKEN = "hz-SECRET-token-7f3a9c1e5b";
const PATH = "/designs/shop.stagecraft.json";

type Args = Record<string, unknown>;
let calls: { cmd: string; args: Args }[];
let container: HTMLDivElement;
let root: Root;

/** The settings store as the store plugin answers it; `values` is what it holds. */
let storeValues: Map<string, unknown>;
const storeHandlers: Record<string, (args: Args) => unknown> = {
  "plugin:store|load": () => 1,
  "plugin:store|get": ({ key }) => [storeValues.get(String(key)) ?? null, storeValues.has(String(key))],
  "plugin:store|set": ({ key, value }) => void storeValues.set(String(key), value),
  "plugin:store|save": () => null,
};

function shell(handlers: Record<string, (args: Args) => unknown>) {
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Args;
    calls.push({ cmd, args });
    const handler = handlers[cmd] ?? storeHandlers[cmd];
    if (!handler) throw { kind: "io", detail: `unexpected command ${cmd}` };
    return handler(args);
  });
}

/** Sends `event` down the channel the app passed as `onProgress`, as the shell does. */
function emit(args: Args, index: number, event: ApplyProgress) {
  const channel = args.onProgress as { id: number };
  (window as unknown as { __TAURI_INTERNALS__: { runCallback(id: number, data: unknown): void } }).__TAURI_INTERNALS__.runCallback(channel.id, { index, message: event });
}

function progress(component: string, resource: string, name: string, status: ApplyProgress["status"]): ApplyProgress {
  return { component, resource, name, status, message: "" };
}

function report(created: string[]): RunReport {
  return { design_id: "dsg_template_mvp", created, updated: [], replaced: [], deleted: [], adopted: [], not_attempted: [], api_calls: 7, wall_ms: 10 };
}

async function flush() {
  for (let i = 0; i < 5; i++) await act(async () => new Promise((r) => setTimeout(r, 0)));
}

function byTestId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = container.querySelector<T>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`no element with data-testid=${id}`);
  return el;
}

async function typeInto(input: HTMLInputElement, value: string) {
  await act(async () => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set?.call(input, value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

async function click(el: HTMLElement) {
  await act(async () => el.click());
  await flush();
}

beforeEach(() => {
  calls = [];
  storeValues = new Map();
  useProvision.setState({ ...initialProvisionState });
  useUi.setState({ notices: [] });
  designStore.getState().load(fromDocument(realTemplate("mvp")), { path: PATH, saved: true });
  container = document.createElement("div");
  document.body.append(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
  clearMocks();
  vi.restoreAllMocks();
});

describe("credentials", () => {
  it("send the pasted token once, to set-credentials only, and keep it nowhere", async () => {
    const consoleCalls: unknown[][] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void consoleCalls.push(args));
    }
    const stored = new Set<string>();
    shell({
      provision_credentials_status: () => [
        { provider: "hetzner", account: "default", hasCredentials: stored.has("hetzner") },
        { provider: "digitalocean", account: "default", hasCredentials: false },
        { provider: "aws", account: "default", hasCredentials: false },
      ],
      provision_set_credentials: ({ provider }) => {
        stored.add(String(provider));
        return { provider, account: "default", hasCredentials: true };
      },
      provision_test_credentials: () => null,
    });
    act(() => root.render(<ProvisionPanel />));
    await act(async () => openCredentials());
    await flush();
    expect(byTestId("credential-status-hetzner").textContent).toBe("No token stored");

    const input = byTestId<HTMLInputElement>("credential-token-hetzner");
    expect(input.type).toBe("password");
    expect(input.placeholder).toBe("Paste an API token");
    expect(byTestId<HTMLInputElement>("credential-token-aws").placeholder, "AWS says which form its key pair takes").toBe(
      "Paste ACCESS_KEY_ID:SECRET_ACCESS_KEY",
    );
    await typeInto(input, TOKEN);
    await click(byTestId("credential-save-hetzner"));

    expect(byTestId("credential-status-hetzner").textContent).toBe("Token stored in the OS keyring");
    expect(input.value, "the input is cleared after Save").toBe("");
    await click(byTestId("credential-test-hetzner"));

    const carrying = calls.filter((c) => JSON.stringify(c.args).includes(TOKEN));
    expect(carrying.map((c) => c.cmd)).toEqual(["provision_set_credentials"]);
    expect(carrying[0]?.args).toEqual({ provider: "hetzner", account: null, token: TOKEN });
    expect(calls.some((c) => c.cmd === "plugin:store|set"), "saving a token under the default account changes no setting").toBe(false);
    expect(JSON.stringify([...storeValues])).not.toContain(TOKEN);
    for (const state of [useProvision.getState(), useUi.getState(), designStore.getState()]) {
      expect(JSON.stringify(state)).not.toContain(TOKEN);
    }
    expect(JSON.stringify({ ...localStorage })).not.toContain(TOKEN);
    expect(JSON.stringify({ ...sessionStorage })).not.toContain(TOKEN);
    expect(JSON.stringify(consoleCalls)).not.toContain(TOKEN);
    expect(document.body.innerHTML).not.toContain(TOKEN);
  });

  it("say clearly when the keyring is missing", async () => {
    shell({ provision_credentials_status: () => Promise.reject({ kind: "keyringUnavailable", detail: "no OS keyring is available (no Secret Service)" }) });
    act(() => root.render(<ProvisionPanel />));
    await act(async () => openCredentials());
    await flush();
    expect(byTestId("keyring-problem").textContent).toContain("The OS keyring is not available: no OS keyring is available");
  });
});

const PLAN: Plan = {
  design_id: "dsg_template_mvp",
  design_name: "MVP",
  changes: [
    { key: "cmp_app/server", provider: "hetzner", kind: "server", component: "cmp_app", name: "app-1", action: "create", reasons: ["app server app-1"], provider_id: null, monthly_cost_change: "3.79" },
    { key: "cmp_firewall/firewall", provider: "hetzner", kind: "firewall", component: "cmp_firewall", name: "web-firewall", action: "update", reasons: ["firewall rules changed"], provider_id: "41", monthly_cost_change: "0" },
  ],
  unchanged: [],
  not_provisioned: [],
  monthly_cost_change: "4.51",
  currency: "EUR",
  prices: ["embedded price catalogue of 2025-09-01"],
};

describe("plan", () => {
  it("lists changes with reasons and the cost change, and runs apply with the open file", async () => {
    let applyArgs: Args = {};
    shell({
      provision_plan: () => PLAN,
      provision_apply: (args) => {
        applyArgs = args;
        return report(["cmp_app/server"]);
      },
    });
    act(() => root.render(<ProvisionPanel />));
    await act(async () => planDesign());
    await flush();
    expect(byTestId("plan-summary").textContent).toContain("1 to create, 1 to update, 0 to replace, 0 to delete");
    expect(byTestId("plan-cost").textContent).toBe("Monthly cost change: +€4.51 per month");
    // Each change shows its own cost, in the plan's currency, and the plan says which prices.
    expect(byTestId("plan-change-cost-cmp_app/server").textContent).toBe("+€3.79/month");
    expect(byTestId("plan-change-cost-cmp_firewall/firewall").textContent).toBe("€0.00/month");
    expect(byTestId("plan-prices").textContent).toBe("In EUR, net of VAT; prices: embedded price catalogue of 2025-09-01.");
    expect(byTestId("plan-change-cmp_firewall/firewall").textContent).toContain("firewall rules changed");
    expect(calls.find((c) => c.cmd === "provision_plan")).toMatchObject({ args: { path: PATH, design: { id: "dsg_template_mvp" }, options: { accounts: [], sshPublicKey: null } } });
    await click(byTestId("plan-apply"));
    expect(applyArgs).toMatchObject({ path: PATH, design: { id: "dsg_template_mvp" } });
    expect(useProvision.getState().log.at(-1)?.text).toContain("Apply: 1 created");
  });

  it("shows blocking findings and keeps Apply disabled", async () => {
    shell({
      provision_plan: () =>
        Promise.reject({ kind: "blockingFindings", detail: [{ rule: "connection.port-mismatch", message: "app-1 cannot reach db on 5432", why: "traffic would be dropped", components: ["cmp_app"] }] }),
    });
    act(() => root.render(<ProvisionPanel />));
    await act(async () => planDesign());
    await flush();
    expect(byTestId("plan-blocking").textContent).toContain("app-1 cannot reach db on 5432");
    expect(byTestId<HTMLButtonElement>("plan-apply").disabled).toBe(true);
    await act(async () => applyDesign());
    expect(calls.some((c) => c.cmd === "provision_apply")).toBe(false);
  });

  it("asks for a save first when the design has unsaved changes", async () => {
    shell({});
    designStore.getState().load(fromDocument(realTemplate("mvp")), { path: PATH, saved: false });
    await act(async () => planDesign());
    expect(calls).toEqual([]);
    expect(useUi.getState().notices.at(-1)?.text).toContain("save");
  });
});

describe("apply progress", () => {
  it("moves each component's badge with the progress events", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let args: Args = {};
    shell({
      provision_plan: () => PLAN,
      provision_apply: async (a) => {
        args = a;
        emit(a, 0, progress("cmp_app", "cmp_app/server", "app-1", "pending"));
        emit(a, 1, progress("cmp_firewall", "cmp_firewall/firewall", "web-firewall", "pending"));
        emit(a, 2, progress("cmp_app", "cmp_app/server", "app-1", "creating"));
        await gate;
        emit(a, 3, progress("cmp_app", "cmp_app/server", "app-1", "ready"));
        emit(a, 4, { ...progress("cmp_firewall", "cmp_firewall/firewall", "web-firewall", "failed"), message: "invalid rule" });
        return report(["cmp_app/server"]);
      },
    });
    act(() =>
      root.render(
        <>
          <ProvisionBadge componentId="cmp_app" />
          <ProvisionBadge componentId="cmp_firewall" />
          <ProvisionBadge componentId="cmp_dns" />
        </>,
      ),
    );
    await act(async () => planDesign());
    const running = applyDesign();
    await flush();
    expect(byTestId("run-status-cmp_app").dataset.status).toBe("creating");
    expect(byTestId("run-status-cmp_firewall").textContent).toBe("pending");
    expect(container.querySelector('[data-testid="run-status-cmp_dns"]'), "untouched components have no badge").toBeNull();
    release();
    await act(async () => running);
    await flush();
    expect(args.onProgress).toBeDefined();
    expect(byTestId("run-status-cmp_app").textContent).toBe("ready");
    expect(byTestId("run-status-cmp_firewall").textContent).toBe("failed");
    expect(useProvision.getState().log.some((l) => l.tone === "error" && l.text.includes("web-firewall") && l.text.includes("invalid rule"))).toBe(true);
  });

  it("a component shows its least advanced resource", () => {
    const resources = {
      "cmp_app/server": { component: "cmp_app", name: "app-1", status: "ready" as const, message: "" },
      "cmp_app/volume": { component: "cmp_app", name: "app-1-data", status: "creating" as const, message: "" },
    };
    expect(componentStatus(resources, "cmp_app")).toBe("creating");
    expect(componentStatus({ ...resources, x: { component: "cmp_app", name: "ip", status: "failed", message: "" } }, "cmp_app")).toBe("failed");
    expect(componentStatus(resources, "cmp_db")).toBeNull();
  });

  it("names the failed resource and what was already created", async () => {
    shell({
      provision_plan: () => PLAN,
      provision_apply: () =>
        Promise.reject({
          kind: "provider",
          detail: {
            provider: "hetzner",
            reason: "invalidRequest",
            resource: "web-firewall (cmp_firewall/firewall)",
            message: "Hetzner InvalidRequest (HTTP 422): invalid port",
            retryable: false,
            created: ["cmp_app/server"],
            not_attempted: ["cmp_app/firewall-attachment"],
          },
        }),
    });
    await act(async () => planDesign());
    await act(async () => applyDesign());
    const line = useProvision.getState().log.at(-1)?.text ?? "";
    expect(line).toContain("web-firewall (cmp_firewall/firewall) failed at hetzner: Hetzner InvalidRequest (HTTP 422): invalid port");
    expect(line).toContain("Already created (kept and recorded): cmp_app/server");
    expect(line).toContain("Not attempted: cmp_app/firewall-attachment");
    expect(useUi.getState().notices.at(-1)?.tone).toBe("error");
  });

  it("names the provider when credentials are missing", async () => {
    shell({ provision_plan: () => Promise.reject({ kind: "credentialsMissing", detail: { provider: "hetzner", account: "default" } }) });
    act(() => root.render(<ProvisionPanel />));
    await act(async () => planDesign());
    await flush();
    expect(byTestId("plan-error").textContent).toContain("No hetzner token is stored for account “default”");
  });
});

describe("destroy", () => {
  const TARGETS: DestroyTarget[] = [
    { resource: "cmp_app/server", provider: "hetzner", kind: "server", name: "app-1", component: "cmp_app" },
    { resource: "cmp_firewall/firewall", provider: "hetzner", kind: "firewall", name: "web-firewall", component: "cmp_firewall" },
  ];

  it("confirms with the count and the names before destroying", async () => {
    shell({ provision_destroy_preview: () => TARGETS, provision_destroy: () => ({ ...report([]), deleted: TARGETS.map((t) => t.resource) }) });
    act(() => root.render(<ProvisionPanel />));
    await act(async () => openDestroy());
    await flush();
    expect(byTestId("destroy-count").textContent).toContain("Destroy 2 resources");
    const names = [...byTestId("destroy-names").querySelectorAll("strong")].map((n) => n.textContent);
    expect(names).toEqual(["app-1", "web-firewall"]);
    expect(calls.some((c) => c.cmd === "provision_destroy"), "nothing is destroyed before confirming").toBe(false);
    await click(byTestId("destroy-confirm-button"));
    expect(calls.filter((c) => c.cmd === "provision_destroy")).toHaveLength(1);
    expect(useProvision.getState().log.at(-1)?.text).toContain("2 deleted");
  });
});

describe("refresh", () => {
  it("puts drift on the components it concerns", async () => {
    shell({
      provision_refresh: () => ({
        design_id: "dsg_template_mvp",
        drift: [{ key: "cmp_app/server", component: "cmp_app", kind: "missing", detail: "app-1 was deleted outside Stagecraft" }],
        in_sync: [],
      }),
    });
    act(() => root.render(<ProvisionBadge componentId="cmp_app" />));
    await act(async () => refreshDrift());
    await flush();
    expect(byTestId("drift-cmp_app").title).toContain("app-1 was deleted outside Stagecraft");
  });
});

const PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGj0YkD2x7tTqv0mUc1H0f5i8mLQ1a2b3c4d5e6f7g8h me@laptop";
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";

/** A keyring with tokens under `<provider>:<account>`; the shell answers statuses, never tokens. */
function keyringShell(stored: Set<string>, extra: Record<string, (args: Args) => unknown> = {}) {
  const status = (provider: string, account: string | null) => ({ provider, account: account ?? "default", hasCredentials: stored.has(`${provider}:${account ?? "default"}`) });
  shell({
    provision_credentials_status: ({ account }) => ["hetzner", "digitalocean", "aws"].map((p) => status(p, account as string | null)),
    provision_set_credentials: ({ provider, account }) => {
      stored.add(`${String(provider)}:${(account as string | null) ?? "default"}`);
      return status(String(provider), account as string | null);
    },
    provision_plan: () => ({ ...PLAN, monthly_cost_change: null }),
    ...extra,
  });
}

async function typeInArea(area: HTMLTextAreaElement, value: string) {
  await act(async () => {
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")?.set?.call(area, value);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

describe("accounts per provider", () => {
  it("stores a token under the chosen account, remembers the name only, and runs with it", async () => {
    const stored = new Set<string>(["digitalocean:lab"]);
    storeValues.set("provisioning", { accounts: { digitalocean: ["lab"] }, selected: { digitalocean: "lab" }, sshPublicKey: null });
    keyringShell(stored);
    act(() => root.render(<ProvisionPanel />));
    await act(async () => openCredentials());
    await flush();
    // The remembered DigitalOcean account is listed with its stored token; no token text anywhere.
    expect(byTestId<HTMLSelectElement>("credential-account-digitalocean").value).toBe("lab");
    expect(byTestId("credential-status-digitalocean").textContent).toBe("Token stored in the OS keyring");
    expect(byTestId("credential-status-hetzner").textContent).toBe("No token stored");

    await typeInto(byTestId<HTMLInputElement>("credential-new-account-hetzner"), "prod");
    await click(byTestId("credential-add-account-hetzner"));
    expect(byTestId<HTMLSelectElement>("credential-account-hetzner").value).toBe("prod");
    await typeInto(byTestId<HTMLInputElement>("credential-token-hetzner"), TOKEN);
    await click(byTestId("credential-save-hetzner"));
    expect(stored.has("hetzner:prod")).toBe(true);
    expect(byTestId("credential-status-hetzner").textContent).toBe("Token stored in the OS keyring");
    expect(byTestId<HTMLInputElement>("credential-token-hetzner").value).toBe("");

    const settings = storeValues.get("provisioning") as { accounts: Record<string, string[]>; selected: Record<string, string> };
    expect(settings.accounts.hetzner).toEqual(["prod"]);
    expect(settings.selected).toEqual({ digitalocean: "lab", hetzner: "prod" });
    expect(JSON.stringify([...storeValues])).not.toContain(TOKEN);
    expect(JSON.stringify(useProvision.getState())).not.toContain(TOKEN);

    await act(async () => planDesign());
    const plan = calls.find((c) => c.cmd === "provision_plan");
    expect(plan?.args.options).toEqual({
      accounts: [
        { provider: "hetzner", account: "prod" },
        { provider: "digitalocean", account: "lab" },
      ],
      sshPublicKey: null,
      adminCidr: null,
    });
  });

  it("refuses an account name that could not be a keyring user", async () => {
    keyringShell(new Set());
    expect(await selectAccount("hetzner", "prod:eu")).toBe(false);
    expect(useUi.getState().notices.at(-1)?.text).toContain("not an account name");
    expect(useProvision.getState().selectedAccounts.hetzner).toBeUndefined();
  });
});

describe("SSH public key", () => {
  it("drops a pasted private key at once, says why, and keeps it nowhere", async () => {
    keyringShell(new Set());
    act(() => root.render(<ProvisionPanel />));
    await act(async () => openCredentials());
    await flush();
    const area = byTestId<HTMLTextAreaElement>("ssh-key-input");
    await typeInArea(area, PRIVATE_KEY);
    await flush();
    expect(area.value, "the private key is not kept in the field").toBe("");
    expect(byTestId("ssh-key-problem").textContent).toContain("This is a PRIVATE key");
    expect(await setSshPublicKey(PRIVATE_KEY)).toBe(false);
    const secret = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ";
    for (const where of [JSON.stringify(useProvision.getState()), JSON.stringify([...storeValues]), JSON.stringify(calls), document.body.innerHTML, JSON.stringify(useUi.getState())]) {
      expect(where).not.toContain(secret);
    }
  });

  it("remembers a pasted public key and installs it through every run", async () => {
    keyringShell(new Set());
    act(() => root.render(<ProvisionPanel />));
    await act(async () => openCredentials());
    await flush();
    await typeInArea(byTestId<HTMLTextAreaElement>("ssh-key-input"), `${PUBLIC_KEY}\n`);
    await click(byTestId("ssh-key-save"));
    expect(byTestId("ssh-key-current").textContent).toContain("ssh-ed25519 …5e6f7g8h me@laptop");
    expect((storeValues.get("provisioning") as { sshPublicKey: string }).sshPublicKey).toBe(PUBLIC_KEY);
    await act(async () => planDesign());
    expect(calls.find((c) => c.cmd === "provision_plan")?.args.options).toEqual({ accounts: [], sshPublicKey: PUBLIC_KEY, adminCidr: null });
  });

  it("reads a picked .pub file through the shell, which checks it", async () => {
    keyringShell(new Set(), {
      "plugin:dialog|open": () => "/home/me/.ssh/id_ed25519.pub",
      provision_read_public_key: ({ path }) => (String(path).endsWith(".pub") ? PUBLIC_KEY : Promise.reject({ kind: "credentials", detail: "refused" })),
    });
    act(() => root.render(<ProvisionPanel />));
    await act(async () => openCredentials());
    await flush();
    await click(byTestId("ssh-key-pick"));
    const open = calls.find((c) => c.cmd === "plugin:dialog|open");
    expect(JSON.stringify(open?.args)).toContain('"extensions":["pub"]');
    expect(calls.find((c) => c.cmd === "provision_read_public_key")?.args).toEqual({ path: "/home/me/.ssh/id_ed25519.pub" });
    expect(useProvision.getState().sshPublicKey).toBe(PUBLIC_KEY);
  });

  it("ignores a remembered value that is not a public key", async () => {
    storeValues.set("provisioning", { accounts: {}, selected: {}, sshPublicKey: PRIVATE_KEY });
    keyringShell(new Set());
    await act(async () => openCredentials());
    expect(useProvision.getState().sshPublicKey).toBeNull();
  });
});

describe("plan cost", () => {
  it("says the cost is unknown when the plan carries none", async () => {
    keyringShell(new Set());
    act(() => root.render(<ProvisionPanel />));
    await act(async () => planDesign());
    await flush();
    expect(byTestId("plan-cost").textContent).toBe("Monthly cost change: cost unknown");
  });

  it("shows a decrease with its sign", async () => {
    keyringShell(new Set(), { provision_plan: () => ({ ...PLAN, monthly_cost_change: "-12.5" }) });
    act(() => root.render(<ProvisionPanel />));
    await act(async () => planDesign());
    await flush();
    expect(byTestId("plan-cost").textContent).toBe("Monthly cost change: -€12.50 per month");
  });

  it("shows every figure in the plan's own currency, and an unpriced change as unknown", async () => {
    const changes = PLAN.changes.map((c, i) => ({ ...c, monthly_cost_change: i === 0 ? null : "4.43" }));
    const inDollars: Plan = { ...PLAN, currency: "USD", monthly_cost_change: null, changes };
    keyringShell(new Set(), { provision_plan: () => inDollars });
    act(() => root.render(<ProvisionPanel />));
    await act(async () => planDesign());
    await flush();
    expect(byTestId("plan-change-cost-cmp_app/server").textContent).toBe("cost unknown");
    expect(byTestId("plan-change-cost-cmp_firewall/firewall").textContent).toBe("+$4.43/month");
    expect(byTestId("plan-cost").textContent).toBe("Monthly cost change: cost unknown");
    expect(byTestId("plan-prices").textContent).toContain("In USD, net of VAT");
  });
});

describe("showing a component from a plan or log line", () => {
  it("selects it and asks the canvas to focus it", async () => {
    const focused: string[][] = [];
    registerCanvas({
      screenToFlow: (p) => p,
      viewportCentre: () => ({ x: 0, y: 0 }),
      fitView: () => undefined,
      zoomIn: () => undefined,
      zoomOut: () => undefined,
      contains: () => true,
      focusNodes: (ids) => void focused.push(ids),
    });
    try {
      shell({});
      act(() => root.render(<ProvisionPanel />));
      act(() => recordProgress(progress("cmp_app", "cmp_app/server-0", "app-1", "creating")));
      await click(byTestId("log-line-cmp_app"));
      expect(focused).toEqual([["cmp_app"]]);
      expect(designStore.getState().selection.nodes).toEqual(["cmp_app"]);
      showComponent("cmp_gone");
      expect(focused, "a component no longer in the design is ignored").toHaveLength(1);
    } finally {
      registerCanvas(null);
    }
  });
});

describe("link tunnels", () => {
  const TUNNEL: TunnelLink = { connection: "con_web_db", from: "cmp_web", to: "cmp_db", from_name: "web", to_name: "db", reason: "Hetzner → DigitalOcean" };
  const LINKED: LinkReport = {
    design_id: "dsg_template_mvp",
    applies: 1,
    servers: [
      { server: "cmp_db/server-0", name: "db-0", component: "cmp_db", tunnel_address: "10.99.0.124", public_address: "203.0.113.20", public_key: "k1", peers: ["cmp_web/server-0"] },
      { server: "cmp_web/server-0", name: "web-0", component: "cmp_web", tunnel_address: "10.99.0.110", public_address: "198.51.100.10", public_key: "k2", peers: ["cmp_db/server-0"] },
    ],
  };

  function emitLink(args: Args, index: number, event: LinkEvent) {
    const channel = args.onProgress as { id: number };
    (window as unknown as { __TAURI_INTERNALS__: { runCallback(id: number, data: unknown): void } }).__TAURI_INTERNALS__.runCallback(channel.id, { index, message: event });
  }

  function server(step: LinkProgress["step"], name: string, component: string, address: string, message: string): LinkEvent {
    return { type: "server", event: { server: `${component}/server-0`, name, component, address, step, message } };
  }

  const menuIds = () => provisionMenuItems().flatMap((item) => (item === "separator" ? [] : [item.testId]));

  it("shows Link tunnels only when the design has tunnels, following the design", async () => {
    let answer: TunnelLink[] = [];
    shell({ provision_tunnels: () => answer });
    const stop = followTunnels(1);
    await act(async () => new Promise((r) => setTimeout(r, 20)));
    expect(menuIds()).not.toContain("menu-provision-link");
    answer = [TUNNEL];
    // An edit of the design asks again.
    act(() => void designStore.getState().commit("rename", (d) => ({ ...d, name: "Shop across providers" })));
    await act(async () => new Promise((r) => setTimeout(r, 20)));
    stop();
    expect(menuIds()).toContain("menu-provision-link");
    const asked = calls.filter((c) => c.cmd === "provision_tunnels");
    expect(asked).toHaveLength(2);
    expect(asked[1]?.args).toMatchObject({ design: { name: "Shop across providers" } });
  });

  it("runs with the admin address and SSH settings, logs each step, and reports the linked servers", async () => {
    let linkArgs: Args = {};
    shell({
      provision_tunnels: () => [TUNNEL],
      provision_plan: () => PLAN,
      provision_link: (a) => {
        linkArgs = a;
        emitLink(a, 0, { type: "apply", event: { ...progress("cmp_db", "cmp_db/firewall", "db-fw", "updating"), message: "firewall rules changed: 22/tcp from 198.51.100.7/32 (admin address, for link)" } });
        emitLink(a, 1, { type: "apply", event: progress("cmp_db", "cmp_db/firewall", "db-fw", "ready") });
        emitLink(a, 2, server("reading_key", "db-0", "cmp_db", "203.0.113.20", "reading its WireGuard public key over SSH"));
        emitLink(a, 3, server("key_read", "db-0", "cmp_db", "203.0.113.20", "public key k1"));
        emitLink(a, 4, server("linked", "db-0", "cmp_db", "203.0.113.20", "tunnel address 10.99.0.124"));
        emitLink(a, 5, server("linked", "web-0", "cmp_web", "198.51.100.10", "tunnel address 10.99.0.110"));
        return LINKED;
      },
    });
    act(() => root.render(<ProvisionPanel />));
    await act(async () => openLink());
    await flush();
    expect(byTestId("link-tunnels").textContent).toContain("web ↔ db (Hetzner → DigitalOcean)");
    expect(byTestId("link-no-ssh-key").textContent).toContain("refuse the SSH login");
    await typeInto(byTestId<HTMLInputElement>("link-admin-cidr"), "198.51.100.7/32");
    await typeInto(byTestId<HTMLInputElement>("link-ssh-user"), "admin");
    await flush();
    await click(byTestId("link-run"));

    expect(linkArgs).toMatchObject({ path: PATH, design: { id: "dsg_template_mvp" }, options: { adminCidr: "198.51.100.7/32" }, settings: { sshUser: "admin", identityFile: null } });
    const log = useProvision.getState().log.map((l) => l.text);
    expect(log.some((l) => l.includes("updating") && l.includes("22/tcp from 198.51.100.7/32"))).toBe(true);
    expect(log.some((l) => l.startsWith("reading  db-0 (203.0.113.20)"))).toBe(true);
    expect(log.filter((l) => l.startsWith("linked "))).toHaveLength(2);
    expect(log.at(-1)).toContain("Link: 2 server(s) have their peers");
    expect(useProvision.getState().log.find((l) => l.text.startsWith("linked   web-0"))?.component).toBe("cmp_web");
    expect(byTestId("link-report").textContent).toBe("Linked 2 servers: db-0 10.99.0.124, web-0 10.99.0.110.");
    expect(useProvision.getState().running).toBeNull();

    // The admin address is remembered and goes with every run, so an apply keeps SSH open.
    expect(JSON.stringify(storeValues.get("provisioning"))).toContain("198.51.100.7/32");
    await act(async () => planDesign());
    expect(calls.filter((c) => c.cmd === "provision_plan").at(-1)?.args).toMatchObject({ options: { adminCidr: "198.51.100.7/32" } });
  });

  it("names the server it cannot reach and says what to fix", async () => {
    shell({
      provision_tunnels: () => [TUNNEL],
      provision_link: () =>
        Promise.reject({
          kind: "link",
          detail: {
            server: "db-0 (203.0.113.20)",
            problem: "unreachable",
            message: "ssh exited with exit status: 255: ssh: connect to host 203.0.113.20 port 22: Connection timed out",
            fix: "this machine cannot reach the server on port 22: the derived firewalls deny SSH, so give the public address this machine connects from as the admin address",
          },
        }),
    });
    act(() => root.render(<ProvisionPanel />));
    await act(async () => openLink());
    await flush();
    await click(byTestId("link-run"));
    expect(byTestId("link-problem-server").textContent).toBe("db-0 (203.0.113.20)");
    expect(byTestId("link-problem").textContent).toContain("Connection timed out");
    expect(byTestId("link-problem-fix").textContent).toContain("port 22");
    expect(byTestId("link-problem-fix").textContent).toContain("admin address");
    const last = useProvision.getState().log.at(-1);
    expect(last?.tone).toBe("error");
    expect(last?.text).toContain("Link failed: db-0 (203.0.113.20)");
    expect(useUi.getState().notices.at(-1)?.text).toBe("Link failed at db-0 (203.0.113.20)");
    expect(byTestId<HTMLButtonElement>("link-run").disabled, "link can be tried again").toBe(false);
  });

  it("asks for a save first, like every run", async () => {
    shell({});
    designStore.getState().load(fromDocument(realTemplate("mvp")), { path: PATH, saved: false });
    await act(async () => linkTunnels());
    expect(calls).toEqual([]);
    expect(useUi.getState().notices.at(-1)?.text).toContain("save");
  });
});
