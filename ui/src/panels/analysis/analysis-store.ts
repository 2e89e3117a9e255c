// Live analysis of the open design: the rules report (with pricing's cost findings), the
// advisor's answers and the cost estimate, re-asked of the backend whenever the document changes.
// - Debounced (~150 ms): a burst of edits asks once.
// - Skipped while a drag or resize lasts (only positions change; nothing analysed depends on them):
//   the gesture's end is a document change like any other.
// - Stale answers are dropped: each run has a generation number and only the latest one lands.
import { createStore, type StoreApi } from "zustand/vanilla";
import { useStore } from "zustand";
import type { Design, Provider } from "../../ipc/contract";
import {
  analysisBackend,
  DEFAULT_COST_OPTIONS,
  type AnalysisBackend,
  type Comparison,
  type CostOptions,
  type Finding,
  type Fix,
  type PricedAdvice,
  type ProviderEstimate,
  type Report,
} from "../../ipc/analysis";
import { BackendError } from "../../ipc/backend";
import type { DesignState } from "../../store/design-store";
import { sumMoney } from "./money";
import { focusComponents } from "../../canvas/canvas-api";

export const DEBOUNCE_MS = 150;

export type AnalysisTab = "problems" | "advisor" | "cost";

/** What a node's badges show. */
export interface ComponentBadge {
  error: number;
  warning: number;
  info: number;
  /** Monthly cost of the component's lines, in the estimate's currency; null when unpriced. */
  monthly: string | null;
}

export interface AnalysisState {
  open: boolean;
  tab: AnalysisTab;
  report: Report | null;
  advice: PricedAdvice | null;
  estimate: ProviderEstimate | null;
  comparison: Comparison | null;
  /** Price the design moved onto this provider; null prices it where it is placed. */
  provider: Provider | null;
  options: CostOptions;
  showComparison: boolean;
  /** The design the answers are about (the store's object, compared by identity). */
  analysed: Design | null;
  /** Generation of the latest request; answers of older ones are dropped. */
  generation: number;
  pending: boolean;
  error: string | null;
  badges: Record<string, ComponentBadge>;
  /** Finding the user clicked (index into `report.findings`), for highlighting. */
  focused: number | null;
  /** When the latest answers landed (performance.now()), for the re-validation measurement. */
  landedAt: number;
  set(patch: Partial<AnalysisState>): void;
}

export function createAnalysisStore(): StoreApi<AnalysisState> {
  return createStore<AnalysisState>()((set) => ({
    open: false,
    tab: "problems",
    report: null,
    advice: null,
    estimate: null,
    comparison: null,
    provider: null,
    options: DEFAULT_COST_OPTIONS,
    showComparison: false,
    analysed: null,
    generation: 0,
    pending: false,
    error: null,
    badges: {},
    focused: null,
    landedAt: 0,
    set: (patch) => set(patch),
  }));
}

export const analysisStore = createAnalysisStore();

export function useAnalysis<T>(selector: (state: AnalysisState) => T): T {
  return useStore(analysisStore, selector);
}

/** Per-component finding counts and monthly cost, for the node badges. */
export function computeBadges(
  report: Report | null,
  estimate: ProviderEstimate | null,
  previous: Record<string, ComponentBadge> = {},
): Record<string, ComponentBadge> {
  const badges: Record<string, ComponentBadge> = {};
  const badge = (id: string): ComponentBadge => (badges[id] ??= { error: 0, warning: 0, info: 0, monthly: null });
  for (const finding of report?.findings ?? []) {
    for (const id of new Set(finding.components)) badge(id)[finding.severity] += 1;
  }
  const lines = new Map<string, string[]>();
  for (const line of estimate?.estimate.lines ?? []) {
    if (!line.component) continue;
    const list = lines.get(line.component) ?? [];
    list.push(line.monthly);
    lines.set(line.component, list);
  }
  for (const [id, amounts] of lines) badge(id).monthly = sumMoney(amounts);
  // Unchanged badges keep their object, so nodes whose badges did not change do not re-render.
  for (const [id, next] of Object.entries(badges)) {
    const old = previous[id];
    if (old && old.error === next.error && old.warning === next.warning && old.info === next.info && old.monthly === next.monthly) badges[id] = old;
  }
  return badges;
}

export interface LiveAnalysis {
  /** Asks now (no debounce) for `design`; resolves when the answers landed or were superseded. */
  run(design: Design): Promise<void>;
  stop(): void;
}

/**
 * Follows `designs` and keeps `analysis` answered. Returns a handle to ask at once (after a fix)
 * and to stop following.
 */
export function startLiveAnalysis(
  designs: StoreApi<DesignState>,
  analysis: StoreApi<AnalysisState> = analysisStore,
  backend: AnalysisBackend = analysisBackend,
  debounceMs = DEBOUNCE_MS,
): LiveAnalysis {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last: Design | null = null;

  const run = async (design: Design): Promise<void> => {
    last = design;
    const generation = analysis.getState().generation + 1;
    const { provider, options, showComparison } = analysis.getState();
    analysis.setState({ generation, pending: true });
    try {
      const [report, estimate, advice, comparison] = await Promise.all([
        backend.checkDesign(design, null),
        backend.estimateCost(design, provider, options),
        backend.adviseDesign(design),
        showComparison ? backend.compareProviders(design, options) : Promise.resolve(null),
      ]);
      if (analysis.getState().generation !== generation) return;
      analysis.setState({
        report,
        estimate,
        advice,
        comparison,
        analysed: design,
        pending: false,
        error: null,
        badges: computeBadges(report, estimate, analysis.getState().badges),
        focused: null,
        landedAt: performance.now(),
      });
    } catch (error) {
      if (analysis.getState().generation !== generation) return;
      analysis.setState({ pending: false, error: error instanceof BackendError || error instanceof Error ? error.message : String(error) });
    }
  };

  const schedule = (state: DesignState) => {
    // A drag or resize only moves things; its end arrives as a change like any other.
    if (state.gestureStart !== null) return;
    if (state.design === last) return;
    if (timer !== null) clearTimeout(timer);
    const design = state.design;
    timer = setTimeout(() => {
      timer = null;
      void run(design);
    }, debounceMs);
  };

  const unsubscribe = designs.subscribe(schedule);
  // Cost settings changes re-price the current design.
  const unsubscribeOptions = analysis.subscribe((state, previous) => {
    if (state.provider !== previous.provider || state.options !== previous.options || (state.showComparison && !previous.showComparison)) {
      void run(designs.getState().design);
    }
  });
  schedule(designs.getState());
  return {
    run,
    stop() {
      if (timer !== null) clearTimeout(timer);
      unsubscribe();
      unsubscribeOptions();
      analysis.setState({ generation: analysis.getState().generation + 1, pending: false });
    },
  };
}

/** Selects a finding's components on the canvas (those still in the design). */
export function selectFinding(designs: StoreApi<DesignState>, analysis: StoreApi<AnalysisState>, index: number, finding: Finding): void {
  const present = new Set(designs.getState().design.components.map((c) => c.id));
  const nodes = finding.components.filter((id) => present.has(id));
  designs.getState().select({ nodes, edges: [] });
  analysis.setState({ focused: index });
  focusComponents(nodes);
}

export type FixOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Applies `fix` through the backend (the rules engine's `apply_fix` is the one implementation of
 * the edits) and records the answer as one undoable step labelled with the fix's label. When the
 * document changed while the backend answered, the fix is re-applied to the new version once.
 */
export async function applyFix(designs: StoreApi<DesignState>, fix: Fix, backend: AnalysisBackend = analysisBackend): Promise<FixOutcome> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const before = designs.getState().design;
    let next: Design;
    try {
      next = await backend.applyFix(before, fix);
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
    let applied = false;
    designs.getState().commit(fix.label, (current) => {
      if (current !== before) return current;
      applied = true;
      return next;
    });
    if (applied) return { ok: true };
  }
  return { ok: false, reason: "The design kept changing while the fix was applied; try again." };
}
