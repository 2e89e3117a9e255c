// Typed wrappers over the analysis commands (src-tauri/commands/analysis.rs): the rules engine's
// report and advice, fixes, and pricing. Designs go out in file form; a fixed design comes back in
// store form, ready to commit.
import { commands } from "./bindings";
import type { CostOptions, Finding, Fix, PricedAdvice, PriceStatus, Provider, ProviderComparison, ProviderEstimate, Report, Stage } from "./bindings";
import { BackendError } from "./backend";
import { fromDocument, toDocument } from "../model/document";
import type { ApiError, Design } from "./contract";

export type {
  Advice,
  PricedAdvice,
  ProviderComparison,
  CostLine,
  CostOptions,
  CostWarning,
  Comparison,
  EgressSummary,
  Estimate,
  Finding,
  Fix,
  LinkAdvice,
  PriceSource,
  PriceStatus,
  ProviderPrices,
  ProviderColumn,
  ProviderEstimate,
  Report,
  Severity,
  SizeMapping,
  Step,
  TierAdvice,
} from "./bindings";

/** Unwraps a command's answer; every failure becomes a `BackendError` (as `backend.ts` does). */
async function call<T>(command: () => Promise<T | { status: "ok"; data: T } | { status: "error"; error: ApiError }>): Promise<T> {
  let value;
  try {
    value = await command();
  } catch (error) {
    if (typeof error === "object" && error !== null && "kind" in error) throw new BackendError(error as ApiError);
    throw new BackendError({ kind: "io", detail: error instanceof Error ? error.message : String(error) });
  }
  if (typeof value === "object" && value !== null && "status" in value) {
    if (value.status === "error") throw new BackendError(value.error);
    if (value.status === "ok") return value.data;
  }
  return value as T;
}

/** What the cost panel asks for; every figure a choice (see `CostOptions` in stagecraft-pricing). */
export const DEFAULT_COST_OPTIONS: CostOptions = {
  hours_per_month: "730",
  currency: null,
  usd_per_eur: "1.17",
  vat_percent: null,
  default_provider: null,
};

export const analysisBackend = {
  checkDesign: (design: Design, targetStage: Stage | null): Promise<Report> =>
    call(() => commands.checkDesign(toDocument(design), targetStage)),
  adviseDesign: (design: Design): Promise<PricedAdvice> => call(() => commands.adviseDesign(toDocument(design))),
  /** The design with every edit of `fix` applied, or a `BackendError` of kind `invalidFix`. */
  applyFix: async (design: Design, fix: Fix): Promise<Design> => fromDocument(await call(() => commands.applyFix(toDocument(design), fix))),
  estimateCost: (design: Design, provider: Provider | null, options: CostOptions): Promise<ProviderEstimate> =>
    call(() => commands.estimateCost(toDocument(design), provider, options)),
  compareProviders: (design: Design, options: CostOptions): Promise<ProviderComparison> =>
    call(() => commands.compareProviders(toDocument(design), options)),
  /** Which price catalogue each provider is priced with (embedded or refreshed), dated and sourced. */
  priceStatus: (): Promise<PriceStatus> => call(() => commands.priceStatus()),
  /**
   * Fetches a provider's prices with the token stored in the keyring for `account` (the default
   * account when null) and stores them for every later estimate; the new status, or a
   * `BackendError` of kind `credentialsMissing`, `keyringUnavailable`, `keyringLocked` or
   * `priceRefresh` (the stored prices are then unchanged).
   */
  refreshPrices: (provider: Provider, account: string | null): Promise<PriceStatus> => call(() => commands.refreshPrices(provider, account)),
};

/** Providers whose prices can be refreshed from their API. */
export const REFRESHABLE_PROVIDERS: Provider[] = ["hetzner", "digitalocean"];

export type AnalysisBackend = typeof analysisBackend;

/** A finding's components that are in the design (a stale answer may name removed ones). */
export function presentComponents(finding: Finding, design: Design): string[] {
  const ids = new Set(design.components.map((c) => c.id));
  return finding.components.filter((id) => ids.has(id));
}
