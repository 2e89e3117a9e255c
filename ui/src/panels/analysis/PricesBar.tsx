// The cost panel's prices strip: which catalogue prices each provider (embedded or refreshed,
// with its date and sources), which catalogues the estimate on screen used, and "Refresh prices"
// for Hetzner and DigitalOcean with the token stored in the keyring. A refresh re-prices the
// design; a refused one says why and leaves the stored prices as they were.
import { useEffect, useState } from "react";
import type { StoreApi } from "zustand/vanilla";
import { useStore } from "zustand";
import type { Provider } from "../../ipc/contract";
import { analysisBackend, REFRESHABLE_PROVIDERS, type AnalysisBackend, type PriceStatus } from "../../ipc/analysis";
import { BackendError } from "../../ipc/backend";
import type { AnalysisState } from "./analysis-store";

const NAMES: Record<Provider, string> = { hetzner: "Hetzner", digitalocean: "DigitalOcean", aws: "AWS", unassigned: "Unassigned" };

/** What to tell the user when a refresh fails: the stable `kind` decides, never message text. */
export function refreshFailure(error: unknown, provider: Provider, account: string): string {
  if (!(error instanceof BackendError)) return error instanceof Error ? error.message : String(error);
  const e = error.error;
  switch (e.kind) {
    case "credentialsMissing":
      return `No ${NAMES[provider]} API token is stored for account "${e.detail.account}". Add one with Provision › Credentials…, then refresh again.`;
    case "keyringUnavailable":
    case "keyringLocked":
      return `The OS keyring could not be read: ${e.detail}`;
    case "priceRefresh":
      return `${NAMES[e.detail.provider]} prices were not refreshed: ${e.detail.message}`;
    default:
      return `${NAMES[provider]} prices (account "${account}") were not refreshed: ${error.message}`;
  }
}

function catalogLabel(status: PriceStatus["providers"][number]): string {
  if (status.in_use === "refreshed") return `refreshed ${status.as_of} from ${status.sources.join(", ")} (the rest: embedded ${status.embedded_as_of})`;
  return `embedded catalogue of ${status.as_of}`;
}

export function PricesBar({ analysis, backend = analysisBackend }: { analysis: StoreApi<AnalysisState>; backend?: AnalysisBackend }) {
  const catalogs = useStore(analysis, (s) => s.estimate?.estimate.catalogs ?? null);
  const [status, setStatus] = useState<PriceStatus | null>(null);
  const [provider, setProvider] = useState<Provider>("hetzner");
  const [account, setAccount] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    backend.priceStatus().then(
      (s) => live && setStatus(s),
      (e: unknown) => live && setError(`Could not read which prices are in use: ${e instanceof Error ? e.message : String(e)}`),
    );
    return () => {
      live = false;
    };
  }, [backend]);

  const refresh = () => {
    const chosen = provider;
    const name = account.trim() || "default";
    setBusy(true);
    setError(null);
    setNote(null);
    backend.refreshPrices(chosen, account.trim() || null).then(
      (next) => {
        setBusy(false);
        setStatus(next);
        const refreshed = next.providers.find((p) => p.provider === chosen);
        setNote(`${NAMES[chosen]} prices refreshed: ${refreshed?.entries ?? 0} prices of ${refreshed?.as_of ?? "today"}.`);
        // A new options object re-prices the design with the stored refresh.
        analysis.setState({ options: { ...analysis.getState().options } });
      },
      (e: unknown) => {
        setBusy(false);
        setError(refreshFailure(e, chosen, name));
      },
    );
  };

  return (
    <div className="sc-prices" data-testid="prices">
      <div className="sc-prices__status" data-testid="prices-status">
        Prices:{" "}
        {status
          ? status.providers.map((p) => (
              <span key={p.provider} className={`sc-prices__provider is-${p.in_use}`} data-testid={`prices-provider-${p.provider}`} title={p.sources.join("\n")}>
                {NAMES[p.provider]}: {catalogLabel(p)}
                {p.problem && <span className="sc-sev--warning"> (stored refresh not used: {p.problem})</span>}
              </span>
            ))
          : "…"}
      </div>
      {catalogs && (
        <div className="sc-prices__used" data-testid="prices-estimate-catalogs">
          This estimate used:{" "}
          {catalogs
            .map((c) => (c.origin.kind === "refreshed" ? `${NAMES[c.origin.provider]} prices refreshed ${c.origin.fetched_at}` : `embedded catalogue of ${c.as_of}`))
            .join(", then ")}
          ; each line names its price's source and date.
        </div>
      )}
      <div className="sc-prices__refresh">
        <select data-testid="prices-refresh-provider" value={provider} onChange={(e) => setProvider(e.target.value as Provider)} disabled={busy}>
          {REFRESHABLE_PROVIDERS.map((p) => (
            <option key={p} value={p}>
              {NAMES[p]}
            </option>
          ))}
        </select>
        <input data-testid="prices-refresh-account" placeholder="default account" value={account} size={12} onChange={(e) => setAccount(e.target.value)} disabled={busy} aria-label="Account" />
        <button type="button" className="sc-button" data-testid="prices-refresh" onClick={refresh} disabled={busy}>
          {busy ? "Refreshing…" : "Refresh prices"}
        </button>
        {note && (
          <span className="sc-prices__note" role="status" data-testid="prices-note">
            {note}
          </span>
        )}
      </div>
      {error && (
        <p className="sc-prices__error" role="alert" data-testid="prices-error">
          {error}
        </p>
      )}
    </div>
  );
}
