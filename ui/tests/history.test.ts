import { beforeEach, describe, expect, it } from "vitest";
import { createActions } from "../src/store/actions";
import { createDesignStore, isDirty, redoLabel, undoLabel } from "../src/store/design-store";
import { fromDocument } from "../src/model/document";
import { runLayoutInProcess } from "../src/canvas/layout-engine";
import { realCatalog, realTemplate } from "./fixtures";

function setup() {
  const store = createDesignStore();
  store.getState().setCatalog(realCatalog());
  store.getState().load(fromDocument(realTemplate("growth")), { path: "/tmp/growth.stagecraft.json", saved: true });
  return { store, actions: createActions(store) };
}

describe("history", () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => {
    ctx = setup();
  });

  it("records a whole drag as one step and undo puts the node back", () => {
    const { store, actions } = ctx;
    const before = store.getState().design.layout.nodes["cmp_users"];
    for (let i = 1; i <= 10; i += 1) {
      actions.applyNodeChanges([{ type: "position", id: "cmp_users", position: { x: 20 + i * 5, y: 80 + i * 3 }, dragging: true }]);
    }
    expect(store.getState().past).toHaveLength(0);
    actions.applyNodeChanges([{ type: "position", id: "cmp_users", position: { x: 75, y: 113 }, dragging: false }]);
    expect(store.getState().past).toHaveLength(1);
    expect(undoLabel(store.getState())).toBe("Move Users");
    expect(store.getState().design.layout.nodes["cmp_users"]).toMatchObject({ x: 75, y: 113 });
    expect(isDirty(store.getState())).toBe(true);

    store.getState().undo();
    expect(store.getState().design.layout.nodes["cmp_users"]).toEqual(before);
    expect(isDirty(store.getState())).toBe(false);
    expect(redoLabel(store.getState())).toBe("Move Users");
  });

  it("converts a child's relative drag position to absolute and moves group contents with the group", () => {
    const { store, actions } = ctx;
    // cmp_app sits in grp_net at (270,140); React Flow reports child positions relative to it.
    actions.applyNodeChanges([{ type: "position", id: "cmp_app", position: { x: 40, y: 70 }, dragging: false }]);
    expect(store.getState().design.layout.nodes["cmp_app"]).toMatchObject({ x: 310, y: 210 });
    store.getState().undo();
    // grp_net is inside grp_fsn1 at (240,20): move it by +10,+10 and its children follow.
    actions.applyNodeChanges([{ type: "position", id: "grp_net", position: { x: 40, y: 130 }, dragging: false }]);
    const nodes = store.getState().design.layout.nodes;
    expect(nodes["grp_net"]).toMatchObject({ x: 280, y: 150, width: 660, height: 380 });
    expect(nodes["cmp_app"]).toMatchObject({ x: 310, y: 210 });
    expect(store.getState().past).toHaveLength(1);
  });

  it("dragging a component out of its group and into another updates `group` in the same step", () => {
    const { store, actions } = ctx;
    // Into Helsinki (1020,20 260x200): relative to grp_net's origin (270,140).
    actions.applyNodeChanges([{ type: "position", id: "cmp_worker", position: { x: 1040 - 270, y: 60 - 140 }, dragging: false }]);
    expect(store.getState().design.components.find((c) => c.id === "cmp_worker")?.group).toBe("grp_hel1");
    // Out to empty canvas.
    actions.applyNodeChanges([{ type: "position", id: "cmp_worker", position: { x: 1400 - 1020, y: 800 - 20 }, dragging: false }]);
    expect(store.getState().design.components.find((c) => c.id === "cmp_worker")?.group).toBeNull();
    store.getState().undo();
    store.getState().undo();
    expect(store.getState().design.components.find((c) => c.id === "cmp_worker")?.group).toBe("grp_net");
  });

  it("records a group resize from its top-left corner as one step and leaves its contents in place", () => {
    const { store, actions } = ctx;
    const before = store.getState().design;
    // grp_net (270,140 660x380) inside grp_fsn1 (240,20): drag its top-left corner up-left by 20.
    for (const step of [10, 20]) {
      actions.applyNodeChanges([
        { type: "position", id: "grp_net", position: { x: 30 - step, y: 120 - step } },
        { type: "dimensions", id: "grp_net", resizing: true, setAttributes: true, dimensions: { width: 660 + step, height: 380 + step } },
        { type: "position", id: "cmp_app", position: { x: 30 + step, y: 60 + step } },
      ]);
    }
    actions.applyNodeChanges([{ type: "dimensions", id: "grp_net", resizing: false, dimensions: { width: 680, height: 400 } }]);
    const nodes = store.getState().design.layout.nodes;
    expect(nodes["grp_net"]).toEqual({ x: 250, y: 120, width: 680, height: 400 });
    expect(nodes["cmp_app"]).toEqual(before.layout.nodes["cmp_app"]);
    expect(store.getState().past).toHaveLength(1);
    expect(undoLabel(store.getState())).toBe("Resize app-network");
    store.getState().undo();
    expect(store.getState().design).toBe(before);
  });

  it("keeps redo when the selection changes after an undo", () => {
    const { store, actions } = ctx;
    actions.addComponent("cache", { x: 900, y: 600 });
    store.getState().undo();
    expect(store.getState().future).toHaveLength(1);
    actions.applyNodeChanges([{ type: "select", id: "cmp_db", selected: true }]);
    actions.applyEdgeChanges([{ type: "select", id: "con_lb_app", selected: true }]);
    store.getState().select({ nodes: [], edges: [] });
    expect(store.getState().future).toHaveLength(1);
    store.getState().redo();
    expect(store.getState().design.components.some((c) => c.kind === "cache")).toBe(true);
  });

  it("deletes several components and their connections in one step", () => {
    const { store, actions } = ctx;
    const before = store.getState().design;
    store.getState().select({ nodes: ["cmp_app", "cmp_db", "cmp_worker"], edges: [] });
    actions.deleteSelection();
    const after = store.getState().design;
    expect(after.components.map((c) => c.id)).not.toContain("cmp_app");
    expect(after.connections.some((c) => c.from === "cmp_app" || c.to === "cmp_app" || c.to === "cmp_db")).toBe(false);
    expect(store.getState().past).toHaveLength(1);
    expect(undoLabel(store.getState())).toBe("Delete 3 items");
    store.getState().undo();
    expect(store.getState().design).toBe(before);
  });

  it("deleting a group keeps its contents, lifted to the group's parent", () => {
    const { store, actions } = ctx;
    store.getState().select({ nodes: ["grp_net"], edges: [] });
    actions.deleteSelection();
    expect(store.getState().design.components.find((c) => c.id === "cmp_app")?.group).toBe("grp_fsn1");
  });

  it("applies an auto-layout of the real template as one undoable step", async () => {
    const { store, actions } = ctx;
    const before = store.getState().design;
    const result = await runLayoutInProcess(before);
    actions.applyLayout(result);
    const after = store.getState().design;
    expect(after).not.toBe(before);
    const moved = Object.keys(after.layout.nodes).filter(
      (id) => JSON.stringify(after.layout.nodes[id]) !== JSON.stringify(before.layout.nodes[id]),
    );
    expect(moved.length).toBeGreaterThan(5);
    expect(store.getState().past).toHaveLength(1);
    expect(undoLabel(store.getState())).toBe("Auto-layout");
    store.getState().undo();
    expect(store.getState().design).toBe(before);
  });

  it("merges typing in one field into one step, and a new focus starts a new step", () => {
    const { store } = ctx;
    for (const name of ["a", "ap", "api"]) {
      store.getState().commit("Rename app", (d) => ({ ...d, components: d.components.map((c) => (c.id === "cmp_app" ? { ...c, name } : c)) }), {
        coalesceKey: "focus-1:cmp_app:name",
      });
    }
    expect(store.getState().past).toHaveLength(1);
    store.getState().commit("Rename app", (d) => ({ ...d, components: d.components.map((c) => (c.id === "cmp_app" ? { ...c, name: "api2" } : c)) }), {
      coalesceKey: "focus-2:cmp_app:name",
    });
    expect(store.getState().past).toHaveLength(2);
    store.getState().undo();
    store.getState().undo();
    expect(store.getState().design.components.find((c) => c.id === "cmp_app")?.name).toBe("app");
  });

  it("aligns and distributes a selection as one step each", () => {
    const { store, actions } = ctx;
    store.getState().select({ nodes: ["cmp_users", "cmp_dns", "cmp_lb"], edges: [] });
    actions.align("left");
    const nodes = store.getState().design.layout.nodes;
    expect([nodes["cmp_users"]?.x, nodes["cmp_dns"]?.x, nodes["cmp_lb"]?.x]).toEqual([20, 20, 20]);
    expect(undoLabel(store.getState())).toBe("Align 3 items left");
    actions.distribute("vertical");
    const after = store.getState().design.layout.nodes;
    const ys = ["cmp_lb", "cmp_users", "cmp_dns"].map((id) => after[id]?.y ?? 0).sort((a, b) => a - b);
    expect(ys[1]! - ys[0]!).toBe(ys[2]! - ys[1]!);
    expect(store.getState().past).toHaveLength(2);
  });

  it("a new change after undo clears redo", () => {
    const { store, actions } = ctx;
    actions.addComponent("cache", { x: 900, y: 600 });
    store.getState().undo();
    actions.addComponent("worker", { x: 900, y: 700 });
    expect(store.getState().future).toHaveLength(0);
  });
});
