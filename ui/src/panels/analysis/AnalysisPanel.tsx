// The analysis dock under the canvas: problems (grouped by severity, click to select, one-click
// fixes), the stage indicator, the advisor, and the cost panel with the provider comparison.
// Everything here renders the analysis store; the live analysis keeps it current.
import { useEffect, useState } from "react";
import type { StoreApi } from "zustand/vanilla";
import { useStore } from "zustand";
import type { Design, Provider, Stage } from "../../ipc/contract";
import type { CostLine, Finding, Fix, Severity } from "../../ipc/analysis";
import { designStore, panelDesign, type DesignState } from "../../store/design-store";
import { analysisStore, applyFix, selectFinding, startLiveAnalysis, type AnalysisState } from "./analysis-store";
import { showMoney, sumMoney } from "./money";
import { PricesBar } from "./PricesBar";
import "./analysis.css";

const SEVERITIES: Severity[] = ["error", "warning", "info"];
const SEVERITY_TITLES: Record<Severity, string> = { error: "Errors", warning: "Warnings", info: "Info" };
const STAGES: Stage[] = ["mvp", "growth", "scale"];
const STAGE_LABELS: Record<Stage, string> = { mvp: "MVP", growth: "Growth", scale: "Scale" };
const PROVIDERS: Provider[] = ["hetzner", "digitalocean", "aws"];
const PROVIDER_NAMES: Record<Provider, string> = { hetzner: "Hetzner", digitalocean: "DigitalOcean", aws: "AWS", unassigned: "Unassigned" };

export interface AnalysisPanelProps {
  designs?: StoreApi<DesignState>;
  analysis?: StoreApi<AnalysisState>;
  /** Follow the document and ask the backend (the app does; tests may drive the store instead). */
  live?: boolean;
  /** Shows a failed fix (the app's notice). */
  onFixFailed?: (reason: string) => void;
}

export function AnalysisPanel({ designs = designStore, analysis = analysisStore, live = true, onFixFailed }: AnalysisPanelProps) {
  const open = useStore(analysis, (s) => s.open);
  const tab = useStore(analysis, (s) => s.tab);
  const counts = useStore(analysis, (s) => s.report?.counts);
  useEffect(() => {
    if (!live) return;
    const handle = startLiveAnalysis(designs, analysis);
    return () => handle.stop();
  }, [designs, analysis, live]);
  const tabs: [AnalysisState["tab"], string][] = [
    ["problems", counts ? `Problems (${counts.error + counts.warning + counts.info})` : "Problems"],
    ["advisor", "Advisor"],
    ["cost", "Cost"],
  ];
  return (
    <section className={`sc-analysis${open ? " is-open" : ""}`} data-testid="analysis-panel" aria-label="Analysis">
      <div className="sc-analysis__bar" role="tablist">
        {tabs.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            aria-selected={open && tab === id}
            className={`sc-analysis__tab${open && tab === id ? " is-active" : ""}`}
            data-testid={`analysis-tab-${id}`}
            onClick={() => analysis.setState({ tab: id, open: !(open && tab === id) })}
          >
            {label}
          </button>
        ))}
        <StageIndicator designs={designs} analysis={analysis} />
        <Status analysis={analysis} />
      </div>
      {open && (
        <div className="sc-analysis__body">
          {tab === "problems" && <ProblemsPanel designs={designs} analysis={analysis} onFixFailed={onFixFailed} />}
          {tab === "advisor" && <AdvisorPanel designs={designs} analysis={analysis} onFixFailed={onFixFailed} />}
          {tab === "cost" && <CostPanel designs={designs} analysis={analysis} />}
        </div>
      )}
    </section>
  );
}

function Status({ analysis }: { analysis: StoreApi<AnalysisState> }) {
  const pending = useStore(analysis, (s) => s.pending);
  const error = useStore(analysis, (s) => s.error);
  if (error) return <span className="sc-analysis__status is-error" role="status">{error}</span>;
  return <span className="sc-analysis__status" role="status" data-testid="analysis-status">{pending ? "Checking…" : ""}</span>;
}

/** Detected stage vs target stage; the target is the design's assumption, edited as one step. */
export function StageIndicator({ designs, analysis }: { designs: StoreApi<DesignState>; analysis: StoreApi<AnalysisState> }) {
  const report = useStore(analysis, (s) => s.report);
  const stated = useStore(designs, (s) => panelDesign(s).assumptions.target_stage ?? null);
  if (!report) return null;
  return (
    <div className="sc-stage" data-testid="stage-indicator">
      <span title="The stage the design implements as drawn">
        Implements <strong data-testid="stage-detected">{STAGE_LABELS[report.detected_stage]}</strong>
      </span>
      <label>
        Target{" "}
        <select
          data-testid="stage-target"
          value={stated ?? report.target_stage}
          title={stated ? "The design's target stage" : "Not stated: taken from the expected users or the stage drawn"}
          onChange={(e) => {
            const stage = e.target.value as Stage;
            designs.getState().commit(`Set target stage to ${STAGE_LABELS[stage]}`, (d: Design) =>
              d.assumptions.target_stage === stage ? d : { ...d, assumptions: { ...d.assumptions, target_stage: stage } },
            );
          }}
        >
          {STAGES.map((s) => (
            <option key={s} value={s}>
              {STAGE_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

function componentNames(design: Design, ids: string[]): string {
  const names = new Map(design.components.map((c) => [c.id, c.name]));
  return ids.map((id) => names.get(id) ?? id).join(", ");
}

function FixButton({ fix, designs, onFixFailed, testId }: { fix: Fix; designs: StoreApi<DesignState>; onFixFailed?: (r: string) => void; testId: string }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="sc-button sc-fix"
      disabled={busy}
      data-testid={testId}
      title={`${fix.edits.length} change(s), one undo step`}
      onClick={(e) => {
        e.stopPropagation();
        setBusy(true);
        void applyFix(designs, fix).then((outcome) => {
          setBusy(false);
          if (!outcome.ok) onFixFailed?.(outcome.reason);
        });
      }}
    >
      {fix.label}
    </button>
  );
}

export function ProblemsPanel({ designs, analysis, onFixFailed }: { designs: StoreApi<DesignState>; analysis: StoreApi<AnalysisState>; onFixFailed?: (r: string) => void }) {
  const report = useStore(analysis, (s) => s.report);
  const focused = useStore(analysis, (s) => s.focused);
  const design = useStore(designs, panelDesign);
  if (!report) return <p className="sc-analysis__empty">Checking the design…</p>;
  if (report.findings.length === 0) return <p className="sc-analysis__empty" data-testid="problems-none">No problems for the {STAGE_LABELS[report.target_stage]} stage.</p>;
  const indexed = report.findings.map((finding, index) => ({ finding, index }));
  return (
    <div className="sc-problems" data-testid="problems">
      {SEVERITIES.map((severity) => {
        const group = indexed.filter(({ finding }) => finding.severity === severity);
        if (group.length === 0) return null;
        return (
          <section key={severity} className={`sc-problems__group sc-sev--${severity}`} data-testid={`problems-${severity}`}>
            <h3>
              {SEVERITY_TITLES[severity]} <span className="sc-problems__count">{group.length}</span>
            </h3>
            <ul>
              {group.map(({ finding, index }) => (
                <FindingRow key={`${finding.rule}:${finding.components.join(",")}:${index}`} finding={finding} index={index} focused={focused === index} design={design} designs={designs} analysis={analysis} onFixFailed={onFixFailed} />
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}

function FindingRow(props: { finding: Finding; index: number; focused: boolean; design: Design; designs: StoreApi<DesignState>; analysis: StoreApi<AnalysisState>; onFixFailed?: (r: string) => void }) {
  const { finding, index, focused, design, designs, analysis } = props;
  return (
    <li
      className={`sc-finding${focused ? " is-focused" : ""}`}
      data-testid={`finding-${index}`}
      data-rule={finding.rule}
      tabIndex={0}
      onClick={() => selectFinding(designs, analysis, index, finding)}
      onKeyDown={(e) => {
        if (e.key === "Enter") selectFinding(designs, analysis, index, finding);
      }}
    >
      <div className="sc-finding__message">{finding.message}</div>
      <div className="sc-finding__why">{finding.why}</div>
      <div className="sc-finding__meta">
        <code>{finding.rule}</code>
        {finding.components.length > 0 && <span className="sc-finding__components">{componentNames(design, finding.components)}</span>}
        {finding.fix && <FixButton fix={finding.fix} designs={designs} onFixFailed={props.onFixFailed} testId={`fix-${index}`} />}
      </div>
    </li>
  );
}

export function AdvisorPanel({ designs, analysis, onFixFailed }: { designs: StoreApi<DesignState>; analysis: StoreApi<AnalysisState>; onFixFailed?: (r: string) => void }) {
  const priced = useStore(analysis, (s) => s.advice);
  const design = useStore(designs, panelDesign);
  if (!priced) return <p className="sc-analysis__empty">Working out advice…</p>;
  const { advice, tier_cost_changes: changes, currency } = priced;
  return (
    <div className="sc-advisor" data-testid="advisor">
      <p className="sc-advisor__load">
        Load: {advice.load.peak_rps} req/s at peak now, {advice.load.projected_peak_rps} req/s in {advice.load.horizon_months} months. <em>{advice.load.basis}</em>
      </p>
      <h3>Scale up or out</h3>
      {priced.prices.length > 0 && (
        <p className="sc-advisor__prices" data-testid="advice-prices">
          Cost changes per month, net of VAT; prices: {priced.prices.join(", then ")}.
        </p>
      )}
      <ul>
        {advice.tiers.map((tier, i) => {
          const change = changes[i];
          return (
            <li key={tier.tier} className="sc-advisor__tier" data-testid={`advice-tier-${tier.tier}`}>
              <strong>{tier.tier}</strong>: {tier.decision.replace("_", " ")}
              {tier.current && (
                <span className="sc-advisor__sizes">
                  {" "}
                  ({tier.current.count}× {tier.current.size}
                  {tier.proposed ? ` → ${tier.proposed.count}× ${tier.proposed.size}` : ""})
                </span>
              )}
              {change != null && <span className="sc-advisor__cost" data-testid={`advice-cost-${tier.tier}`}> {change.startsWith("-") ? "" : "+"}{showMoney(change, currency)}/month</span>}
              <div className="sc-finding__why">{tier.reasoning}</div>
              {tier.fix && <FixButton fix={tier.fix} designs={designs} onFixFailed={onFixFailed} testId={`advice-fix-${tier.tier}`} />}
            </li>
          );
        })}
      </ul>
      <h3>{advice.next_stage ? `Toward ${STAGE_LABELS[advice.next_stage]}` : "Next steps"}</h3>
      {advice.next_stage_steps.length === 0 ? (
        <p className="sc-analysis__empty">Nothing left for the next stage.</p>
      ) : (
        <ol>
          {advice.next_stage_steps.map((step, i) => (
            <li key={step.title} data-testid={`advice-step-${i}`}>
              <strong>{step.title}</strong>
              <div className="sc-finding__why">{step.why}</div>
              <FixButton fix={step.fix} designs={designs} onFixFailed={onFixFailed} testId={`advice-step-fix-${i}`} />
            </li>
          ))}
        </ol>
      )}
      <h3>Connecting services across servers</h3>
      {advice.links.length === 0 ? (
        <p className="sc-analysis__empty">No server-to-server connections.</p>
      ) : (
        <ul>
          {advice.links.map((link) => (
            <li key={link.connection} data-testid={`advice-link-${link.connection}`}>
              <strong>{componentNames(design, [link.from])} → {componentNames(design, [link.to])}</strong> ({link.situation.replaceAll("_", " ")}): {link.advice}
              {link.fix && <FixButton fix={link.fix} designs={designs} onFixFailed={onFixFailed} testId={`advice-link-fix-${link.connection}`} />}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function sourceTitle(line: CostLine): string {
  return `${line.price.id}: ${line.price.source}, as of ${line.price.as_of}${line.price.estimate ? " (estimated)" : ""}\n${line.rule}`;
}

export function CostPanel({ designs, analysis }: { designs: StoreApi<DesignState>; analysis: StoreApi<AnalysisState> }) {
  const priced = useStore(analysis, (s) => s.estimate);
  const provider = useStore(analysis, (s) => s.provider);
  const options = useStore(analysis, (s) => s.options);
  const showComparison = useStore(analysis, (s) => s.showComparison);
  const design = useStore(designs, panelDesign);
  if (!priced) return <p className="sc-analysis__empty">Pricing the design…</p>;
  const { estimate } = priced;
  const cur = estimate.currency;
  const groupNames = new Map(design.groups.map((g) => [g.id, g.name]));
  const byGroup = new Map<string, string[]>();
  for (const line of estimate.lines) {
    const key = line.group ?? "";
    byGroup.set(key, [...(byGroup.get(key) ?? []), line.monthly]);
  }
  return (
    <div className="sc-cost" data-testid="cost">
      <PricesBar analysis={analysis} />
      <div className="sc-cost__options">
        <label>
          Provider{" "}
          <select data-testid="cost-provider" value={provider ?? ""} onChange={(e) => analysis.setState({ provider: (e.target.value || null) as Provider | null })}>
            <option value="">As placed</option>
            {PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {PROVIDER_NAMES[p]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Currency{" "}
          <select data-testid="cost-currency" value={options.currency ?? ""} onChange={(e) => analysis.setState({ options: { ...options, currency: (e.target.value || null) as CostOptionsCurrency } })}>
            <option value="">Design's</option>
            <option value="EUR">EUR</option>
            <option value="USD">USD</option>
          </select>
        </label>
        <DecimalField label="USD per EUR" testId="cost-rate" value={options.usd_per_eur ?? "1.17"} onCommit={(v) => analysis.setState({ options: { ...options, usd_per_eur: v } })} />
        <DecimalField label="Hours/month" testId="cost-hours" value={options.hours_per_month ?? "730"} onCommit={(v) => analysis.setState({ options: { ...options, hours_per_month: v } })} />
        <DecimalField label="VAT %" testId="cost-vat" value={options.vat_percent ?? ""} allowEmpty onCommit={(v) => analysis.setState({ options: { ...options, vat_percent: v === "" ? null : v } })} />
        <button type="button" className="sc-button" data-testid="cost-compare" aria-pressed={showComparison} onClick={() => analysis.setState({ showComparison: !showComparison })}>
          Compare providers
        </button>
      </div>
      {estimate.warnings.length > 0 && (
        <ul className="sc-cost__warnings" data-testid="cost-warnings">
          {estimate.warnings.map((w, i) => (
            <li key={i} className="sc-sev--warning">
              ⚠ {w.name}: {w.message}
            </li>
          ))}
        </ul>
      )}
      <div className="sc-cost__totals" data-testid="cost-totals">
        <strong>{showMoney(estimate.totals.monthly, cur)}</strong>/month · {showMoney(estimate.totals.hourly, cur)}/hour
        {estimate.totals.vat_percent != null && <> · with {estimate.totals.vat_percent}% VAT {showMoney(estimate.totals.monthly_with_vat, cur)}/month</>}
        {estimate.totals.savings !== "0" && <> · reserved/spot saves {showMoney(estimate.totals.savings, cur)}/month</>}
        {estimate.totals.unpriced_components > 0 && <span className="sc-sev--warning"> · {estimate.totals.unpriced_components} component(s) unpriced: totals are a lower bound</span>}
        {estimate.by_provider.map((p) => (
          <span key={p.key} className="sc-cost__provider-total" data-testid={`cost-provider-total-${p.key}`}>
            {" "}
            · {p.label} {showMoney(p.monthly, cur)}
          </span>
        ))}
      </div>
      <table className="sc-cost__table" data-testid="cost-lines">
        <thead>
          <tr>
            <th>Component</th>
            <th>Item</th>
            <th>Qty</th>
            <th>Unit price</th>
            <th>Hourly</th>
            <th>Monthly</th>
            <th>Saving</th>
            <th>Source</th>
          </tr>
        </thead>
        <tbody>
          {estimate.lines.map((line, i) => (
            <tr key={i} data-testid={`cost-line-${i}`} title={sourceTitle(line)}>
              <td>{line.name}</td>
              <td>{line.item}</td>
              <td>
                {line.quantity} {line.unit.replaceAll("_", " ")}
              </td>
              <td>{showMoney(line.unit_price, line.price_currency)}</td>
              <td>{showMoney(line.hourly, cur)}</td>
              <td>{showMoney(line.monthly, cur)}</td>
              <td>{line.saving ? `${line.saving.purchase.replaceAll("_", " ")}: −${showMoney(line.saving.monthly_saving, cur)}` : ""}</td>
              <td className="sc-cost__source" data-testid={`cost-source-${i}`}>
                {line.price.source} ({line.price.as_of}){line.price.estimate ? " est." : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>By group</h3>
      <ul className="sc-cost__groups" data-testid="cost-groups">
        {[...byGroup].map(([key, amounts]) => (
          <li key={key}>
            {key ? (groupNames.get(key) ?? key) : "Not in a group"}: {showMoney(sumMoney(amounts), cur)}/month
          </li>
        ))}
      </ul>
      <h3>Egress</h3>
      <ul data-testid="cost-egress">
        {estimate.egress.map((e) => (
          <li key={e.provider} title={e.rule}>
            {PROVIDER_NAMES[e.provider]}: {e.assumed_gb} GB assumed, {e.included_gb} GB included, {e.charged_gb} GB charged = {showMoney(e.monthly, cur)}/month
          </li>
        ))}
      </ul>
      {priced.gaps.length > 0 && (
        <ul data-testid="cost-gaps">
          {priced.gaps.map((g, i) => (
            <li key={i} className="sc-sev--warning">
              {PROVIDER_NAMES[g.provider]} {g.kind}: {g.message}
            </li>
          ))}
        </ul>
      )}
      {showComparison && <ComparisonView analysis={analysis} />}
    </div>
  );
}

type CostOptionsCurrency = AnalysisState["options"]["currency"];

/** A decimal setting, checked before it reaches the backend (which refuses anything else). */
function DecimalField({ label, value, onCommit, testId, allowEmpty = false }: { label: string; value: string; onCommit: (v: string) => void; testId: string; allowEmpty?: boolean }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const valid = (allowEmpty && text === "") || /^\d+(\.\d+)?$/.test(text);
  return (
    <label>
      {label}{" "}
      <input
        data-testid={testId}
        className={valid ? "" : "is-invalid"}
        aria-invalid={!valid}
        value={text}
        size={6}
        onChange={(e) => setText(e.target.value.trim())}
        onBlur={() => valid && text !== value && onCommit(text)}
        onKeyDown={(e) => e.key === "Enter" && valid && text !== value && onCommit(text)}
      />
    </label>
  );
}

export function ComparisonView({ analysis }: { analysis: StoreApi<AnalysisState> }) {
  const comparison = useStore(analysis, (s) => s.comparison);
  if (!comparison) return <p className="sc-analysis__empty">Comparing providers…</p>;
  const cur = comparison.currency;
  return (
    <div className="sc-compare" data-testid="comparison">
      <h3>Side by side</h3>
      <table className="sc-cost__table">
        <thead>
          <tr>
            <th />
            {comparison.columns.map((c) => (
              <th key={c.provider}>
                {PROVIDER_NAMES[c.provider]}
                {comparison.cheapest === c.provider ? " (cheapest)" : ""}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr data-testid="comparison-monthly">
            <td>Monthly</td>
            {comparison.columns.map((c) => (
              <td key={c.provider}>{showMoney(c.totals.monthly, cur)}</td>
            ))}
          </tr>
          <tr>
            <td>Hourly</td>
            {comparison.columns.map((c) => (
              <td key={c.provider}>{showMoney(c.totals.hourly, cur)}</td>
            ))}
          </tr>
          <tr>
            <td>Egress charged</td>
            {comparison.columns.map((c) => (
              <td key={c.provider}>{c.egress ? `${c.egress.charged_gb} GB, ${showMoney(c.egress.monthly, cur)}` : "—"}</td>
            ))}
          </tr>
          <tr>
            <td>Warnings</td>
            {comparison.columns.map((c) => (
              <td key={c.provider}>{c.warnings.map((w) => `${w.message} (${w.components})`).join("; ") || "—"}</td>
            ))}
          </tr>
        </tbody>
      </table>
      <h3>Mapping</h3>
      <table className="sc-cost__table" data-testid="comparison-mappings">
        <tbody>
          {comparison.mappings.map((m, i) => (
            <tr key={i}>
              <td>{m.kind}</td>
              <td>
                {PROVIDER_NAMES[m.from_provider]} {m.from_size ?? ""} {m.from_region ?? ""}
              </td>
              <td>→ {PROVIDER_NAMES[m.to_provider]} {m.to_size ?? "—"} {m.to_region ?? ""}</td>
              <td>{String(m.fit).replaceAll("_", " ")}</td>
              <td>×{m.components}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {comparison.gaps.length > 0 && (
        <>
          <h3>Gaps</h3>
          <ul data-testid="comparison-gaps">
            {comparison.gaps.map((g, i) => (
              <li key={i}>
                {PROVIDER_NAMES[g.provider]} {g.kind} (×{g.components}): {g.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
