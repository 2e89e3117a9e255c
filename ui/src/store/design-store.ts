// The design store: the source of truth the canvas, palette and inspector render. Every change of
// the document goes through `commit` (recorded, with an undo label) or through a gesture (a drag or
// resize: live updates while it lasts, one recorded entry when it ends). Selection and view state
// live beside the document and never touch history, so selecting never clears redo.
import { createStore, type StoreApi } from "zustand/vanilla";
import { useStore } from "zustand";
import type { Catalog, Design } from "../ipc/backend";

export interface HistoryEntry {
  /** What the change did, shown as "Undo <label>". */
  label: string;
  /** The design before the change (in `past`) or after it (in `future`). */
  design: Design;
  /** Consecutive commits with the same key (typing in one field) merge into one entry. */
  coalesceKey?: string;
}

export interface Selection {
  nodes: string[];
  edges: string[];
}

export interface DesignState {
  catalog: Catalog | null;
  design: Design;
  /** The design as last saved or opened; the document is dirty when `design` is another object. */
  savedDesign: Design | null;
  filePath: string | null;
  past: HistoryEntry[];
  future: HistoryEntry[];
  selection: Selection;
  /** The design when the current drag or resize started, or null. */
  gestureStart: Design | null;

  setCatalog(catalog: Catalog): void;
  /** Replaces the document (new, open, restore): history restarts. */
  load(design: Design, options: { path: string | null; saved: boolean }): void;
  markSaved(path: string, design: Design): void;
  /** A recorded change. Returns false (and records nothing) when the edit changed nothing. */
  commit(label: string, edit: (design: Design) => Design, options?: { coalesceKey?: string; select?: Selection }): boolean;
  /** Live update during a gesture; recorded once by `endGesture`. */
  gesture(edit: (design: Design) => Design): void;
  endGesture(label: string, finish?: (design: Design) => Design): void;
  undo(): void;
  redo(): void;
  select(selection: Selection): void;
}

const HISTORY_LIMIT = 200;
const EMPTY_SELECTION: Selection = { nodes: [], edges: [] };

export function emptyDesign(): Design {
  return {
    schema_version: 2,
    id: "dsg_untitled",
    name: "Untitled design",
    description: "",
    assumptions: { currency: "EUR" },
    practices: { config_in_git: false, migration_in_progress: false },
    groups: [],
    components: [],
    connections: [],
    layout: { nodes: {} },
  };
}

/** Drops selected ids that no longer exist in `design`. */
function prune(selection: Selection, design: Design): Selection {
  const nodes = new Set([...design.components.map((c) => c.id), ...design.groups.map((g) => g.id)]);
  const edges = new Set(design.connections.map((c) => c.id));
  const keptNodes = selection.nodes.filter((id) => nodes.has(id));
  const keptEdges = selection.edges.filter((id) => edges.has(id));
  if (keptNodes.length === selection.nodes.length && keptEdges.length === selection.edges.length) return selection;
  return { nodes: keptNodes, edges: keptEdges };
}

export function createDesignStore(initial: Design = emptyDesign()): StoreApi<DesignState> {
  return createStore<DesignState>()((set, get) => ({
    catalog: null,
    design: initial,
    savedDesign: initial,
    filePath: null,
    past: [],
    future: [],
    selection: EMPTY_SELECTION,
    gestureStart: null,

    setCatalog: (catalog) => set({ catalog }),

    load: (design, { path, saved }) =>
      set({
        design,
        savedDesign: saved ? design : null,
        filePath: path,
        past: [],
        future: [],
        selection: EMPTY_SELECTION,
        gestureStart: null,
      }),

    markSaved: (path, design) => set({ filePath: path, savedDesign: design }),

    commit: (label, edit, options) => {
      const { design, past } = get();
      const next = edit(design);
      if (next === design) return false;
      const top = past[past.length - 1];
      const merge = options?.coalesceKey !== undefined && top?.coalesceKey === options.coalesceKey && get().future.length === 0;
      const entry: HistoryEntry = { label, design, coalesceKey: options?.coalesceKey };
      set({
        design: next,
        past: merge ? past : [...past, entry].slice(-HISTORY_LIMIT),
        future: [],
        selection: prune(options?.select ?? get().selection, next),
      });
      return true;
    },

    gesture: (edit) => {
      const { design, gestureStart } = get();
      const next = edit(design);
      if (next === design) return;
      set({ design: next, gestureStart: gestureStart ?? design });
    },

    endGesture: (label, finish) => {
      const { gestureStart, past } = get();
      const design = finish ? finish(get().design) : get().design;
      if (!gestureStart) {
        if (design !== get().design) get().commit(label, () => design);
        return;
      }
      set({
        design,
        gestureStart: null,
        past: design === gestureStart ? past : [...past, { label, design: gestureStart }].slice(-HISTORY_LIMIT),
        future: design === gestureStart ? get().future : [],
      });
    },

    undo: () => {
      const { past, future, design, selection } = get();
      const entry = past[past.length - 1];
      if (!entry) return;
      set({
        design: entry.design,
        past: past.slice(0, -1),
        future: [...future, { label: entry.label, design }],
        selection: prune(selection, entry.design),
        gestureStart: null,
      });
    },

    redo: () => {
      const { past, future, design, selection } = get();
      const entry = future[future.length - 1];
      if (!entry) return;
      set({
        design: entry.design,
        future: future.slice(0, -1),
        past: [...past, { label: entry.label, design }],
        selection: prune(selection, entry.design),
        gestureStart: null,
      });
    },

    select: (selection) => set({ selection }),
  }));
}

/** The app's one document. Tests create their own with `createDesignStore`. */
export const designStore = createDesignStore();

export function useDesign<T>(selector: (state: DesignState) => T): T {
  return useStore(designStore, selector);
}

/**
 * The design for panels beside the canvas. During a drag or resize only positions change, which
 * no panel shows, so they keep the design from the gesture's start and skip re-rendering.
 */
export function panelDesign(state: DesignState): Design {
  return state.gestureStart ?? state.design;
}

export function isDirty(state: Pick<DesignState, "design" | "savedDesign">): boolean {
  return state.design !== state.savedDesign;
}

export function undoLabel(state: DesignState): string | null {
  return state.past[state.past.length - 1]?.label ?? null;
}

export function redoLabel(state: DesignState): string | null {
  return state.future[state.future.length - 1]?.label ?? null;
}
