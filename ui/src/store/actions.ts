// Edits the UI performs, each one history step with a label. They read the catalogue and the
// selection from the store so callers (canvas, menus, shortcuts, tests) only say what to do.
import type { StoreApi } from "zustand/vanilla";
import type { ComponentKind, Design, GroupKind } from "../ipc/backend";
import { groupKindLabel, kindSpec } from "../model/catalog";
import * as edits from "../model/edits";
import { isGroupId, nodeRect, parentOf } from "../model/geometry";
import type { DesignState, Selection } from "./design-store";

/** A change React Flow reports for a node, in the subset the store applies. */
export type FlowNodeChange =
  | { type: "position"; id: string; position?: { x: number; y: number }; dragging?: boolean }
  | { type: "dimensions"; id: string; dimensions?: { width: number; height: number }; resizing?: boolean; setAttributes?: boolean | "width" | "height" }
  | { type: "select"; id: string; selected: boolean }
  | { type: string; id?: string };

export type FlowEdgeChange = { type: "select"; id: string; selected: boolean } | { type: string; id?: string };

function nameOf(design: Design, id: string): string {
  return (
    design.components.find((c) => c.id === id)?.name ?? design.groups.find((g) => g.id === id)?.name ?? design.connections.find((c) => c.id === id)?.id ?? id
  );
}

function describe(design: Design, ids: string[], noun = "items"): string {
  return ids.length === 1 ? nameOf(design, ids[0] as string) : `${ids.length} ${noun}`;
}

export function createActions(store: StoreApi<DesignState>) {
  const state = () => store.getState();
  const catalog = () => {
    const c = state().catalog;
    if (!c) throw new Error("The catalogue has not loaded yet");
    return c;
  };

  /** Absolute position of a node's parent group, to turn React Flow's relative positions absolute. */
  const parentOrigin = (design: Design, id: string) => {
    const parent = parentOf(design, id);
    if (!parent) return { x: 0, y: 0 };
    const r = nodeRect(design, parent);
    return { x: r.x, y: r.y };
  };

  return {
    addComponent(kind: ComponentKind, at: { x: number; y: number }): string {
      let id = "";
      state().commit(`Add ${kindSpec(catalog(), kind).label}`, (d) => {
        const made = edits.addComponent(d, catalog(), kind, at);
        id = made.id;
        return made.design;
      });
      state().select({ nodes: [id], edges: [] });
      return id;
    },

    addGroup(kind: GroupKind, at: { x: number; y: number }): string {
      let id = "";
      state().commit(`Add ${groupKindLabel(catalog(), kind)}`, (d) => {
        const made = edits.addGroup(d, catalog(), kind, { x: at.x, y: at.y, width: 420, height: 280 });
        id = made.id;
        return made.design;
      });
      state().select({ nodes: [id], edges: [] });
      return id;
    },

    groupSelection(kind: GroupKind): string | null {
      const ids = state().selection.nodes;
      let id: string | null = null;
      state().commit(`Group ${describe(state().design, ids)} in ${groupKindLabel(catalog(), kind)}`, (d) => {
        const made = edits.groupNodes(d, catalog(), kind, ids);
        if (!made) return d;
        id = made.id;
        return made.design;
      });
      if (id) state().select({ nodes: [id], edges: [] });
      return id;
    },

    /** Connects two components; the reason when the catalogue refuses. */
    connect(from: string, to: string): { ok: true; id: string } | { ok: false; reason: string } {
      const result = edits.connect(state().design, catalog(), from, to);
      if (!result.ok) return result;
      const d = state().design;
      state().commit(`Connect ${nameOf(d, from)} to ${nameOf(d, to)}`, () => result.design, {
        select: { nodes: [], edges: [result.id] },
      });
      return { ok: true, id: result.id };
    },

    deleteSelection(): void {
      const { nodes, edges } = state().selection;
      const ids = [...nodes, ...edges];
      if (ids.length === 0) return;
      state().commit(`Delete ${describe(state().design, ids)}`, (d) => edits.removeElements(d, ids), {
        select: { nodes: [], edges: [] },
      });
    },

    duplicateSelection(): void {
      const ids = state().selection.nodes;
      const fragment = edits.copyFragment(state().design, ids);
      if (!fragment) return;
      this.pasteFragment(fragment, `Duplicate ${describe(state().design, ids)}`);
    },

    copySelection(): edits.Fragment | null {
      return edits.copyFragment(state().design, state().selection.nodes);
    },

    pasteFragment(fragment: edits.Fragment, label = "Paste", offset = { x: 40, y: 40 }): void {
      let ids: string[] = [];
      state().commit(label, (d) => {
        const pasted = edits.pasteFragment(d, fragment, offset);
        ids = pasted.ids;
        return pasted.design;
      });
      state().select({ nodes: ids, edges: [] });
    },

    align(how: edits.Alignment): void {
      const ids = state().selection.nodes;
      state().commit(`Align ${ids.length} items ${how}`, (d) => edits.alignNodes(d, ids, how));
    },

    distribute(axis: "horizontal" | "vertical"): void {
      const ids = state().selection.nodes;
      state().commit(`Distribute ${ids.length} items ${axis}ly`, (d) => edits.distributeNodes(d, ids, axis));
    },

    applyLayout(result: edits.LayoutResult): void {
      state().commit("Auto-layout", (d) => edits.applyLayoutResult(d, result));
    },

    selectAll(): void {
      const d = state().design;
      state().select({ nodes: [...d.groups.map((g) => g.id), ...d.components.map((c) => c.id)], edges: [] });
    },

    /**
     * Applies React Flow's node changes: selection to the selection, drags and resizes as
     * gestures (one history entry when they end, with drag into/out of groups), sizes measured by
     * the browser are ignored (they are not part of the document).
     */
    applyNodeChanges(changes: FlowNodeChange[]): void {
      let selection: Selection | null = null;
      const positions: edits.NodePositions = {};
      let dragEnded = false;
      let resize: { id: string; rect: { x: number; y: number; width: number; height: number }; ended: boolean } | null = null;
      const design = state().design;
      for (const change of changes) {
        if (change.type === "select" && "selected" in change && change.id) {
          const current: Selection = selection ?? state().selection;
          const nodes = current.nodes.filter((n) => n !== change.id);
          selection = { ...current, nodes: change.selected ? [...nodes, change.id] : nodes };
        } else if (change.type === "position" && "position" in change && change.id) {
          if (change.position) {
            const origin = parentOrigin(design, change.id);
            positions[change.id] = { x: change.position.x + origin.x, y: change.position.y + origin.y };
          }
          // Keyboard moves and other one-off moves arrive without `dragging: true`: each is a step.
          if (change.dragging !== true) dragEnded = true;
        } else if (change.type === "dimensions" && "resizing" in change && change.id && change.resizing !== undefined && isGroupId(change.id)) {
          const r = nodeRect(design, change.id);
          const pos = positions[change.id] ?? { x: r.x, y: r.y };
          resize = {
            id: change.id,
            rect: { ...pos, width: change.dimensions?.width ?? r.width, height: change.dimensions?.height ?? r.height },
            ended: change.resizing === false,
          };
        }
      }
      if (selection) state().select(selection);
      if (resize) {
        const { id, rect } = resize;
        // React Flow shifts children's relative positions when a group grows up or left; the
        // file keeps absolute positions, so children stay put and those changes are dropped.
        for (const moved of Object.keys(positions)) delete positions[moved];
        dragEnded = false;
        state().gesture((d) => edits.resizeGroup(d, id, rect));
        if (resize.ended) state().endGesture(`Resize ${nameOf(state().design, id)}`, (d) => edits.reparent(d, [id]));
      }
      const moved = Object.keys(positions);
      if (moved.length > 0) state().gesture((d) => edits.moveNodes(d, positions));
      if (dragEnded) {
        const ids = moved.length > 0 ? moved : state().selection.nodes;
        state().endGesture(`Move ${describe(state().design, ids)}`, (d) => edits.reparent(d, ids));
      }
    },

    applyEdgeChanges(changes: FlowEdgeChange[]): void {
      let selection: Selection | null = null;
      for (const change of changes) {
        if (change.type === "select" && "selected" in change && change.id) {
          const current: Selection = selection ?? state().selection;
          const edges = current.edges.filter((e) => e !== change.id);
          selection = { ...current, edges: change.selected ? [...edges, change.id] : edges };
        }
      }
      if (selection) state().select(selection);
    },
  };
}

export type Actions = ReturnType<typeof createActions>;
