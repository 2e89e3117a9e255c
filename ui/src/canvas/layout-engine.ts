// Auto-layout with ELK: groups become compound nodes so contents stay inside their region or
// network, and edges route left to right. The app runs it in a Web Worker (layout.worker.ts) so a
// large design never blocks the canvas; tests run the same code in-process.
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";
import type { Design } from "../ipc/backend";
import { COMPONENT_HEIGHT, COMPONENT_WIDTH } from "../model/document";
import type { LayoutResult } from "../model/edits";

const ROOT_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.layered.spacing.nodeNodeBetweenLayers": "80",
  "elk.spacing.nodeNode": "40",
  "elk.spacing.componentComponent": "60",
  "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
};
const GROUP_OPTIONS = { "elk.padding": "[top=48,left=28,bottom=28,right=28]" };

/** The ELK graph of a design: groups nest, components are fixed-size leaves. */
export function toElkGraph(design: Design): ElkNode {
  const groupIds = new Set(design.groups.map((g) => g.id));
  const byParent = new Map<string | null, ElkNode[]>();
  const nodes = new Map<string, ElkNode>();
  const push = (parent: string | null | undefined, node: ElkNode) => {
    const key = parent && groupIds.has(parent) ? parent : null;
    byParent.set(key, [...(byParent.get(key) ?? []), node]);
  };
  for (const g of design.groups) {
    const node: ElkNode = { id: g.id, layoutOptions: GROUP_OPTIONS, children: [] };
    nodes.set(g.id, node);
    push(g.parent, node);
  }
  for (const c of design.components) push(c.group, { id: c.id, width: COMPONENT_WIDTH, height: COMPONENT_HEIGHT });
  for (const [parent, children] of byParent) {
    if (parent) {
      const node = nodes.get(parent);
      if (node) node.children = children;
    }
  }
  const componentIds = new Set(design.components.map((c) => c.id));
  const edges: ElkExtendedEdge[] = design.connections
    .filter((c) => componentIds.has(c.from) && componentIds.has(c.to))
    .map((c) => ({ id: c.id, sources: [c.from], targets: [c.to] }));
  return { id: "root", layoutOptions: ROOT_OPTIONS, children: byParent.get(null) ?? [], edges };
}

/** Absolute positions (and group sizes) from a laid-out ELK graph. */
export function fromElkGraph(graph: ElkNode, origin = { x: 40, y: 40 }): LayoutResult {
  const nodes: LayoutResult["nodes"] = {};
  const walk = (node: ElkNode, ox: number, oy: number) => {
    for (const child of node.children ?? []) {
      const x = ox + (child.x ?? 0);
      const y = oy + (child.y ?? 0);
      nodes[child.id] = child.id.startsWith("grp_") ? { x, y, width: child.width, height: child.height } : { x, y };
      walk(child, x, y);
    }
  };
  walk(graph, origin.x, origin.y);
  return { nodes };
}

/** Runs the layout on this thread. */
export async function runLayoutInProcess(design: Design): Promise<LayoutResult> {
  const elk = new ELK();
  return fromElkGraph(await elk.layout(toElkGraph(design)));
}
