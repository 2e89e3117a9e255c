// Absolute canvas geometry of the design's nodes. The file stores absolute positions; React Flow
// wants children relative to their parent group, so the canvas converts at the edge.
import type { Design, Group } from "../ipc/backend";
import { COMPONENT_HEIGHT, COMPONENT_WIDTH, DEFAULT_GROUP_HEIGHT, DEFAULT_GROUP_WIDTH } from "./document";

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function isGroupId(id: string): boolean {
  return id.startsWith("grp_");
}

/** The absolute rectangle of a component or group, defaults for nodes the layout lacks. */
export function nodeRect(design: Design, id: string): Rect {
  const placement = design.layout.nodes[id];
  const group = isGroupId(id);
  return {
    x: placement?.x ?? 0,
    y: placement?.y ?? 0,
    width: placement?.width ?? (group ? DEFAULT_GROUP_WIDTH : COMPONENT_WIDTH),
    height: placement?.height ?? (group ? DEFAULT_GROUP_HEIGHT : COMPONENT_HEIGHT),
  };
}

/** The group a node sits in directly: `group` of a component, `parent` of a group. */
export function parentOf(design: Design, id: string): string | null {
  if (isGroupId(id)) return design.groups.find((g) => g.id === id)?.parent ?? null;
  return design.components.find((c) => c.id === id)?.group ?? null;
}

/** Ids of every group and component inside `groupId`, at any depth. */
export function descendantsOf(design: Design, groupId: string): string[] {
  const out: string[] = [];
  const queue = [groupId];
  const seen = new Set(queue);
  while (queue.length) {
    const current = queue.shift() as string;
    for (const g of design.groups) {
      if (g.parent === current && !seen.has(g.id)) {
        seen.add(g.id);
        out.push(g.id);
        queue.push(g.id);
      }
    }
    for (const c of design.components) if (c.group === current) out.push(c.id);
  }
  return out;
}

/** Nesting depth of a group (0 for a top-level group); cycles stop the walk. */
export function groupDepth(design: Design, group: Group): number {
  let depth = 0;
  let parent = group.parent;
  const seen = new Set<string>([group.id]);
  while (parent && !seen.has(parent)) {
    seen.add(parent);
    depth += 1;
    parent = design.groups.find((g) => g.id === parent)?.parent ?? null;
  }
  return depth;
}

function contains(outer: Rect, x: number, y: number): boolean {
  return x >= outer.x && y >= outer.y && x <= outer.x + outer.width && y <= outer.y + outer.height;
}

/**
 * The innermost group whose rectangle holds the centre of node `id`, skipping the node itself
 * and its descendants (a group cannot go inside itself).
 */
export function groupAtCentreOf(design: Design, id: string): string | null {
  const rect = nodeRect(design, id);
  return groupAtPoint(design, rect.x + rect.width / 2, rect.y + rect.height / 2, id);
}

export function groupAtPoint(design: Design, x: number, y: number, excluding?: string): string | null {
  const excluded = new Set<string>();
  if (excluding) {
    excluded.add(excluding);
    if (isGroupId(excluding)) for (const d of descendantsOf(design, excluding)) excluded.add(d);
  }
  let best: { id: string; area: number } | null = null;
  for (const g of design.groups) {
    if (excluded.has(g.id)) continue;
    const r = nodeRect(design, g.id);
    if (!contains(r, x, y)) continue;
    const area = r.width * r.height;
    if (!best || area < best.area) best = { id: g.id, area };
  }
  return best?.id ?? null;
}

export function boundsOf(rects: Rect[]): Rect {
  const minX = Math.min(...rects.map((r) => r.x));
  const minY = Math.min(...rects.map((r) => r.y));
  const maxX = Math.max(...rects.map((r) => r.x + r.width));
  const maxY = Math.max(...rects.map((r) => r.y + r.height));
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}
