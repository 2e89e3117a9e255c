import { describe, expect, it } from "vitest";
import { fromDocument, toDocument } from "../src/model/document";
import { toFlowEdges, toFlowNodes } from "../src/canvas/flow";
import { createActions } from "../src/store/actions";
import { createDesignStore } from "../src/store/design-store";
import { realCatalog, realTemplate, TEMPLATE_SLUGS } from "./fixtures";

describe("store <-> document conversion", () => {
  it.each(TEMPLATE_SLUGS)("round-trips the %s template exactly", (slug) => {
    const file = realTemplate(slug);
    const store = fromDocument(file);
    // The store form has every default filled in...
    expect(store.components.every((c) => c.properties !== undefined && c.count >= 1)).toBe(true);
    // ...and the file form is the canonical document again, nothing added or lost.
    expect(toDocument(store)).toEqual(file);
  });

  it("drops what the Rust serializer skips after an edit", () => {
    const store = createDesignStore();
    store.getState().setCatalog(realCatalog());
    store.getState().load(fromDocument(realTemplate("mvp")), { path: null, saved: true });
    const actions = createActions(store);
    const id = actions.addComponent("object_storage", { x: 10.4, y: 20.6 });
    const doc = toDocument(store.getState().design);
    const added = doc.components?.find((c) => c.id === id);
    const nodes = doc.layout?.nodes ?? {};
    expect(added).toEqual({ id, kind: "object_storage", name: "Object storage", provider: "hetzner", region: "fsn1", count: 1 });
    expect(nodes[id]).toEqual({ x: 10, y: 21 });
    expect(Object.keys(nodes)).toEqual([...Object.keys(nodes)].sort());
  });

  it.each(TEMPLATE_SLUGS)("draws the %s template with parents first and relative child positions", (slug) => {
    const design = fromDocument(realTemplate(slug));
    const nodes = toFlowNodes(design, { nodes: [], edges: [] });
    expect(nodes).toHaveLength(design.components.length + design.groups.length);
    const index = new Map(nodes.map((n, i) => [n.id, i]));
    for (const node of nodes) {
      if (!node.parentId) {
        expect(node.position).toEqual({ x: design.layout.nodes[node.id]?.x, y: design.layout.nodes[node.id]?.y });
        continue;
      }
      expect(index.get(node.parentId)).toBeLessThan(index.get(node.id) as number);
      const parent = design.layout.nodes[node.parentId];
      const own = design.layout.nodes[node.id];
      expect(node.position).toEqual({ x: (own?.x ?? 0) - (parent?.x ?? 0), y: (own?.y ?? 0) - (parent?.y ?? 0) });
    }
    expect(toFlowEdges(design.connections, [])).toHaveLength(design.connections.length);
  });
});

describe("React Flow node objects", () => {
  it("are reused unless their own inputs change, so a drag re-renders only what moved", async () => {
    const { createMemo } = await import("../src/canvas/flow");
    const { moveNodes } = await import("../src/model/edits");
    const memo = createMemo<ReturnType<typeof toFlowNodes>[number]>();
    const design = fromDocument(realTemplate("growth"));
    const first = new Map(toFlowNodes(design, { nodes: [], edges: [] }, memo).map((n) => [n.id, n]));
    // Move the private network: its contents keep their relative positions, so their objects stay.
    const moved = moveNodes(design, { grp_net: { x: 300, y: 170 } });
    const second = new Map(toFlowNodes(moved, { nodes: [], edges: [] }, memo).map((n) => [n.id, n]));
    expect(second.get("grp_net")).not.toBe(first.get("grp_net"));
    expect(second.get("grp_net")?.position).toEqual({ x: 60, y: 150 });
    for (const id of ["cmp_app", "cmp_worker", "cmp_db", "cmp_users", "grp_fsn1"]) expect(second.get(id)).toBe(first.get(id));
    const selected = toFlowNodes(moved, { nodes: ["cmp_app"], edges: [] }, memo);
    expect(selected.find((n) => n.id === "cmp_app")).not.toBe(second.get("cmp_app"));
    expect(selected.find((n) => n.id === "cmp_db")).toBe(second.get("cmp_db"));
  });
});

describe("moving into a group from the inspector", () => {
  it("places the node inside the chosen group and refuses a group inside itself", async () => {
    const { moveIntoGroup } = await import("../src/model/edits");
    const design = fromDocument(realTemplate("growth"));
    const moved = moveIntoGroup(design, "cmp_users", "grp_hel1");
    expect(moved.components.find((c) => c.id === "cmp_users")?.group).toBe("grp_hel1");
    expect(moved.layout.nodes["cmp_users"]).toEqual({ x: 1044, y: 64 });
    // Already inside: only the reference changes.
    const inPlace = moveIntoGroup(design, "cmp_app", "grp_fsn1");
    expect(inPlace.layout).toBe(design.layout);
    expect(moveIntoGroup(design, "grp_fsn1", "grp_net")).toBe(design);
  });
});

describe("copy and paste", () => {
  it("pastes a group with its contents and inner connections under fresh ids, selecting the outermost", async () => {
    const { copyFragment, pasteFragment } = await import("../src/model/edits");
    const design = fromDocument(realTemplate("growth"));
    const fragment = copyFragment(design, ["grp_net"]);
    expect(fragment?.components.map((c) => c.id).sort()).toEqual(["cmp_app", "cmp_db", "cmp_monitoring", "cmp_volume", "cmp_worker"].filter((id) => design.components.find((c) => c.id === id)?.group === "grp_net").sort());
    const pasted = pasteFragment(design, JSON.parse(JSON.stringify(fragment)), { x: 2000, y: 0 });
    expect(pasted.ids).toHaveLength(1);
    const newGroup = pasted.design.groups.find((g) => g.id === pasted.ids[0]);
    expect(newGroup).toMatchObject({ kind: "private_network", parent: null });
    const inside = pasted.design.components.filter((c) => c.group === newGroup?.id);
    expect(inside).toHaveLength(fragment?.components.length ?? -1);
    const innerConnections = pasted.design.connections.length - design.connections.length;
    expect(innerConnections).toBe(fragment?.connections.length);
    expect(pasted.design.layout.nodes[newGroup?.id ?? ""]?.x).toBe((design.layout.nodes["grp_net"]?.x ?? 0) + 2000);
  });

  it("pastes a component copied out of a group where it lands", async () => {
    const { copyFragment, pasteFragment } = await import("../src/model/edits");
    const design = fromDocument(realTemplate("growth"));
    const fragment = copyFragment(design, ["cmp_db"]);
    if (!fragment) throw new Error("copy gave nothing");
    const nearby = pasteFragment(design, fragment, { x: 40, y: 40 });
    expect(nearby.ids).toHaveLength(1);
    expect(nearby.design.components.find((c) => c.id === nearby.ids[0])?.group).toBe("grp_net");
    const far = pasteFragment(design, fragment, { x: 3000, y: 3000 });
    expect(far.design.components.find((c) => c.id === far.ids[0])?.group).toBeNull();
    expect(far.design.components.find((c) => c.id === far.ids[0])?.name).toBe("postgres 2");
  });
});
