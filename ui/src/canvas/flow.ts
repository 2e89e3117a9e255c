// The design as React Flow nodes and edges. Node objects are reused while their inputs are
// unchanged, so dragging one node in a 1,000-component design re-renders only that node.
import type { Edge, Node } from "@xyflow/react";
import type { Component, Connection, Design, Group } from "../ipc/backend";
import { COMPONENT_HEIGHT, COMPONENT_WIDTH } from "../model/document";
import { groupDepth, nodeRect } from "../model/geometry";
import type { Selection } from "../store/design-store";

export type ComponentNodeData = { component: Component };
export type GroupNodeData = { group: Group; depth: number };
export type ComponentFlowNode = Node<ComponentNodeData, "component">;
export type GroupFlowNode = Node<GroupNodeData, "group">;
export type FlowNode = ComponentFlowNode | GroupFlowNode;
export type ConnectionEdgeData = { connection: Connection };
export type FlowEdge = Edge<ConnectionEdgeData, "connection">;

type Cached<T> = { deps: unknown[]; value: T };

function sameDeps(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

/** Remembers the last value per id and returns it while the deps are unchanged. */
export function createMemo<T>() {
  const cache = new Map<string, Cached<T>>();
  return (id: string, deps: unknown[], make: () => T): T => {
    const hit = cache.get(id);
    if (hit && sameDeps(hit.deps, deps)) return hit.value;
    const value = make();
    cache.set(id, { deps, value });
    return value;
  };
}

export function toFlowNodes(design: Design, selection: Selection, memo = createMemo<FlowNode>()): FlowNode[] {
  const selected = new Set(selection.nodes);
  const groupIds = new Set(design.groups.map((g) => g.id));
  const placements = design.layout.nodes;
  // React Flow needs parents before children: groups by depth, then components.
  const groups = design.groups
    .map((group) => ({ group, depth: groupDepth(design, group) }))
    .sort((a, b) => a.depth - b.depth);
  const nodes: FlowNode[] = [];
  for (const { group, depth } of groups) {
    const parent = group.parent && groupIds.has(group.parent) ? group.parent : undefined;
    const r = nodeRect(design, group.id);
    const p = parent ? nodeRect(design, parent) : { x: 0, y: 0 };
    const x = r.x - p.x;
    const y = r.y - p.y;
    const isSelected = selected.has(group.id);
    // Keyed on the relative position: moving a group leaves its contents' node objects alone.
    nodes.push(
      memo(group.id, [group, x, y, r.width, r.height, parent, isSelected, depth], () => {
        return {
          id: group.id,
          type: "group",
          position: { x, y },
          width: r.width,
          height: r.height,
          // Known sizes go in `measured`: without it React Flow re-measures (forcing a layout)
          // every node object it has not seen before, which is the dragged node on every frame.
          measured: { width: r.width, height: r.height },
          style: { width: r.width, height: r.height },
          parentId: parent,
          selected: isSelected,
          zIndex: depth,
          data: { group, depth },
          ariaLabel: `${group.kind.replace("_", " ")} ${group.name}`,
        } satisfies GroupFlowNode;
      }),
    );
  }
  for (const component of design.components) {
    const parent = component.group && groupIds.has(component.group) ? component.group : undefined;
    const own = placements[component.id];
    const origin = parent ? placements[parent] : undefined;
    const x = (own?.x ?? 0) - (origin?.x ?? 0);
    const y = (own?.y ?? 0) - (origin?.y ?? 0);
    const isSelected = selected.has(component.id);
    nodes.push(
      memo(component.id, [component, x, y, parent, isSelected], () => {
        return {
          id: component.id,
          type: "component",
          position: { x, y },
          width: COMPONENT_WIDTH,
          height: COMPONENT_HEIGHT,
          measured: { width: COMPONENT_WIDTH, height: COMPONENT_HEIGHT },
          parentId: parent,
          selected: isSelected,
          zIndex: 1000,
          data: { component },
          ariaLabel: `${component.name} (${component.kind.replaceAll("_", " ")})`,
        } satisfies ComponentFlowNode;
      }),
    );
  }
  return nodes;
}

/**
 * Edges depend only on the connections and the edge selection: keeping the array the same while
 * nodes move spares React Flow rebuilding its connection index on every drag frame.
 */
export function toFlowEdges(connections: Connection[], selectedEdges: string[], memo = createMemo<FlowEdge>()): FlowEdge[] {
  const selected = new Set(selectedEdges);
  return connections.map((connection) => {
    const isSelected = selected.has(connection.id);
    return memo(connection.id, [connection, isSelected], () => ({
      id: connection.id,
      type: "connection",
      source: connection.from,
      target: connection.to,
      selected: isSelected,
      zIndex: 1001,
      data: { connection },
      ariaLabel: `Connection ${connection.protocol} from ${connection.from} to ${connection.to}`,
    }));
  });
}
