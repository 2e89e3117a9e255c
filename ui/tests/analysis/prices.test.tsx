// @vitest-environment jsdom
// The cost panel's prices strip through the real IPC wrappers with a mocked shell: the catalogue
// in use per provider, "Refresh prices" (which stores a refresh and re-prices the design from
// it), and clear errors when no token is stored or the provider's answer is refused.
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { AnalysisPanel } from "../../src/panels/analysis/AnalysisPanel";
import { createAnalysisStore } from "../../src/panels/analysis/analysis-store";
import { createDesignStore } from "../../src/store/design-store";
import { fromDocument } from "../../src/model/document";
import type { PriceStatus, ProviderEstimate } from "../../src/ipc/analysis";
import { realTemplate } from "../fixtures";
import { growthAdvice, growthCheck, growthComparison, growthEstimate } from "./fixtures";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type Args = Record<string, unknown>;
let calls: { cmd: string; args: Args }[];
let answers: Record<string, (args: Args) => unknown>;
let root: Root | null = null;
let container: HTMLDivElement;

const API = "https://api.hetzner.cloud/v1";
const TODAY = "2026-11-26";

function embeddedStatus(): PriceStatus {
  const provider = (p: "hetzner" | "digitalocean" | "aws") => ({
    provider: p,
    in_use: "embedded" as const,
    as_of: "2025-09-01",
    sources: [`https://www.${p}.example/pricing`],
    entries: 40,
    embedded_as_of: "2025-09-01",
    stored_path: p === "aws" ? null : `/data/stagecraft/prices/${p}.json`,
    problem: null,
  });
  return { dir: "/data/stagecraft/prices", forced_embedded: false, providers: [provider("hetzner"), provider("digitalocean"), provider("aws")] };
}

function refreshedStatus(): PriceStatus {
  const status = embeddedStatus();
  status.providers[0] = { ...status.providers[0]!, in_use: "refreshed", as_of: TODAY, sources: [`${API}/pricing`, `${API}/server_types`], entries: 96 };
  return status;
}

/** What the shell answers once a Hetzner refresh is stored: lines priced from it, and dated. */
function refreshedEstimate(): ProviderEstimate {
  const priced = growthEstimate();
  priced.estimate.catalogs = [
    { origin: { kind: "refreshed", provider: "hetzner", endpoints: [`${API}/pricing`, `${API}/server_types`], fetched_at: TODAY }, as_of: TODAY, entries: 96 },
    ...priced.estimate.catalogs,
  ];
  const first = priced.estimate.lines[0]!;
  first.price = { ...first.price, source: `${API}/pricing`, as_of: TODAY };
  return priced;
}

beforeEach(() => {
  calls = [];
  let refreshed = false;
  answers = {
    check_design: () => growthCheck(),
    advise_design: () => growthAdvice(),
    compare_providers: () => growthComparison(),
    estimate_cost: () => (refreshed ? refreshedEstimate() : growthEstimate()),
    price_status: () => (refreshed ? refreshedStatus() : embeddedStatus()),
    refresh_prices: () => {
      refreshed = true;
      return refreshedStatus();
    },
  };
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: (args ?? {}) as Args });
    const answer = answers[cmd];
    if (!answer) throw { kind: "io", detail: `no mock for ${cmd}` };
    return answer((args ?? {}) as Args);
  });
  container = document.createElement("div");
  document.body.append(container);
});

afterEach(() => {
  act(() => root?.unmount());
  root = null;
  container.remove();
  clearMocks();
});

async function settle(ms = 0) {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, ms));
  });
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 2000) {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await settle(5);
  }
}

const q = (testId: string) => container.querySelector(`[data-testid="${testId}"]`);
const estimates = () => calls.filter((c) => c.cmd === "estimate_cost").length;

async function mountCostPanel() {
  const designs = createDesignStore(fromDocument(realTemplate("growth")));
  const analysis = createAnalysisStore();
  analysis.setState({ open: true, tab: "cost" });
  root = createRoot(container);
  act(() => root?.render(<AnalysisPanel designs={designs} analysis={analysis} />));
  await waitFor(() => analysis.getState().estimate !== null && q("prices-provider-hetzner") !== null, "the estimate and the price status");
  return analysis;
}

function choose(testId: string, value: string) {
  const select = q(testId) as HTMLSelectElement;
  act(() => {
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

describe("prices in the cost panel", () => {
  it("says which catalogue prices each provider and which catalogues the estimate used", async () => {
    await mountCostPanel();
    expect(q("prices-provider-hetzner")?.textContent).toBe("Hetzner: embedded catalogue of 2025-09-01");
    expect(q("prices-provider-aws")?.textContent).toContain("AWS: embedded catalogue of 2025-09-01");
    expect(q("prices-estimate-catalogs")?.textContent).toContain("This estimate used: embedded catalogue of 2025-09-01");
    expect(q("prices-refresh")?.textContent).toBe("Refresh prices");
    const options = [...(q("prices-refresh-provider") as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(["hetzner", "digitalocean"]);
  });

  it("refreshes prices with the stored token, then estimates from the stored refresh", async () => {
    await mountCostPanel();
    const before = estimates();
    act(() => (q("prices-refresh") as HTMLButtonElement).click());
    await waitFor(() => q("prices-note") !== null, "the refresh to land");
    expect(calls.find((c) => c.cmd === "refresh_prices")?.args).toEqual({ provider: "hetzner", account: null });
    expect(q("prices-note")?.textContent).toBe(`Hetzner prices refreshed: 96 prices of ${TODAY}.`);
    expect(q("prices-provider-hetzner")?.textContent).toContain(`refreshed ${TODAY} from ${API}/pricing`);
    expect(q("prices-provider-hetzner")?.textContent).toContain("the rest: embedded 2025-09-01");
    // The design is priced again, now from the stored refresh, and the panel says so.
    await waitFor(() => estimates() > before && (q("prices-estimate-catalogs")?.textContent ?? "").includes("refreshed"), "the re-priced estimate");
    expect(q("prices-estimate-catalogs")?.textContent).toContain(`Hetzner prices refreshed ${TODAY}, then embedded catalogue of 2025-09-01`);
    expect(q("cost-source-0")?.textContent).toContain(`${API}/pricing (${TODAY})`);
    expect(q("prices-error")).toBeNull();
  });

  it("says plainly when no token is stored, and changes nothing", async () => {
    answers.refresh_prices = ({ provider, account }) => {
      throw { kind: "credentialsMissing", detail: { provider, account: account ?? "default" } };
    };
    await mountCostPanel();
    const before = estimates();
    choose("prices-refresh-provider", "digitalocean");
    const account = q("prices-refresh-account") as HTMLInputElement;
    expect(account.placeholder).toBe("default account");
    act(() => (q("prices-refresh") as HTMLButtonElement).click());
    await waitFor(() => q("prices-error") !== null, "the error");
    expect(calls.find((c) => c.cmd === "refresh_prices")?.args).toEqual({ provider: "digitalocean", account: null });
    expect(q("prices-error")?.textContent).toBe('No DigitalOcean API token is stored for account "default". Add one with Provision › Credentials…, then refresh again.');
    expect(q("prices-provider-digitalocean")?.textContent).toContain("embedded catalogue of 2025-09-01");
    await settle(200);
    expect(estimates()).toBe(before);
    expect((q("prices-refresh") as HTMLButtonElement).disabled).toBe(false);
  });

  it("shows why a refresh was refused", async () => {
    answers.refresh_prices = () => {
      throw { kind: "priceRefresh", detail: { provider: "hetzner", message: `${API}/server_types answered a partial price list: 1 of the 100 server types the API announced (the stored prices are unchanged)` } };
    };
    await mountCostPanel();
    act(() => (q("prices-refresh") as HTMLButtonElement).click());
    await waitFor(() => q("prices-error") !== null, "the error");
    expect(q("prices-error")?.textContent).toContain("Hetzner prices were not refreshed:");
    expect(q("prices-error")?.textContent).toContain("1 of the 100 server types");
    expect(q("prices-error")?.textContent).toContain("stored prices are unchanged");
    expect(q("prices-note")).toBeNull();
  });
});
