// Pure edits of the design. Each takes a design and returns a new one (unchanged parts shared),
// so history can keep whole snapshots cheaply and React can compare by reference.
import type {
  Catalog,
  Component,
  ComponentKind,
  Connection,
  Design,
  Group,
  GroupKind,
  Placement,
  Provider,
} from "../ipc/backend";
import { connectionAllowed, defaultConnectionTraffic, kindSpec, offering } from "./catalog";
import { generateId } from "./ids";
import { boundsOf, descendantsOf, groupAtCentreOf, isGroupId, nodeRect, parentOf, type Rect } from "./geometry";

export type NodePositions = Record<string, { x: number; y: number }>;

function withPlacements(design: Design, updates: Record<string, Placement>): Design {
  return { ...design, layout: { nodes: { ...design.layout.nodes, ...updates } } };
}

/** A name not yet used in the design: "App server", "App server 2", ... */
function freshName(design: Design, base: string): string {
  const taken = new Set([...design.components.map((c) => c.name), ...design.groups.map((g) => g.name)]);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) if (!taken.has(`${base} ${n}`)) return `${base} ${n}`;
}

/** The provider new components get: the one every placed component uses, else unassigned. */
export function designProvider(design: Design): Provider {
  const used = new Set(design.components.map((c) => c.provider).filter((p) => p !== "unassigned"));
  return used.size === 1 ? ([...used][0] as Provider) : "unassigned";
}

/** A component of `kind` with the catalogue's defaults, its top-left corner at `at`. */
export function addComponent(
  design: Design,
  catalog: Catalog,
  kind: ComponentKind,
  at: { x: number; y: number },
): { design: Design; id: string } {
  const spec = kindSpec(catalog, kind);
  const id = generateId("cmp_");
  const provider = designProvider(design);
  const region =
    provider === "unassigned"
      ? null
      : (design.components.find((c) => c.provider === provider && c.region)?.region ?? null);
  const size = provider === "unassigned" ? null : (offering(catalog, kind, provider)?.default_size ?? null);
  const component: Component = {
    id,
    kind,
    name: freshName(design, spec.label),
    provider,
    region,
    size,
    count: 1,
    group: null,
    properties: {},
  };
  let next = withPlacements(
    { ...design, components: [...design.components, component] },
    { [id]: { x: Math.round(at.x), y: Math.round(at.y) } },
  );
  next = reparent(next, [id]);
  return { design: next, id };
}

export function addGroup(
  design: Design,
  catalog: Catalog,
  kind: GroupKind,
  rect: Rect,
): { design: Design; id: string } {
  const id = generateId("grp_");
  const label = catalog.group_kinds.find((g) => g.kind === kind)?.label ?? "Group";
  const group: Group = {
    id,
    kind,
    name: freshName(design, label),
    provider: designProvider(design),
    region: null,
    cidr: kind === "private_network" ? "10.0.0.0/16" : null,
    parent: null,
  };
  let next = withPlacements(
    { ...design, groups: [...design.groups, group] },
    { [id]: { x: Math.round(rect.x), y: Math.round(rect.y), width: rect.width, height: rect.height } },
  );
  next = reparent(next, [id]);
  return { design: next, id };
}

/** Wraps the selected nodes in a new group sized around them; they move into it. */
export function groupNodes(
  design: Design,
  catalog: Catalog,
  kind: GroupKind,
  ids: string[],
): { design: Design; id: string } | null {
  if (ids.length === 0) return null;
  const padding = 40;
  const b = boundsOf(ids.map((id) => nodeRect(design, id)));
  const commonParent = ids.map((id) => parentOf(design, id)).every((p, _, all) => p === all[0])
    ? parentOf(design, ids[0] as string)
    : null;
  const made = addGroup(design, catalog, kind, {
    x: b.x - padding,
    y: b.y - padding - 16,
    width: b.width + padding * 2,
    height: b.height + padding * 2 + 16,
  });
  const withParent = setParent(made.design, made.id, commonParent);
  let next = withParent;
  for (const id of ids) next = setParent(next, id, made.id);
  return { design: next, id: made.id };
}

/** Moves a node into group `parent` (or to the top level with null). Refuses cycles. */
export function setParent(design: Design, id: string, parent: string | null): Design {
  if (parentOf(design, id) === parent) return design;
  if (isGroupId(id)) {
    if (parent && (parent === id || descendantsOf(design, id).includes(parent))) return design;
    return { ...design, groups: design.groups.map((g) => (g.id === id ? { ...g, parent } : g)) };
  }
  return { ...design, components: design.components.map((c) => (c.id === id ? { ...c, group: parent } : c)) };
}

/**
 * Moves a node into a group chosen by name (the inspector): the node is also placed inside the
 * group's rectangle when it is outside, so the drawing agrees with the document.
 */
export function moveIntoGroup(design: Design, id: string, group: string | null): Design {
  const next = setParent(design, id, group);
  if (next === design || !group) return next;
  const target = nodeRect(next, group);
  const own = nodeRect(next, id);
  const cx = own.x + own.width / 2;
  const cy = own.y + own.height / 2;
  if (cx >= target.x && cx <= target.x + target.width && cy >= target.y && cy <= target.y + target.height) return next;
  return moveNodes(next, { [id]: { x: target.x + 24, y: target.y + 44 } });
}

/** Puts each of `ids` into the innermost group under its centre (drag into and out of groups). */
export function reparent(design: Design, ids: string[]): Design {
  let next = design;
  for (const id of ids) next = setParent(next, id, groupAtCentreOf(next, id));
  return next;
}

/**
 * Moves nodes to absolute positions. A moved group carries every descendant not moved itself,
 * because the file stores absolute positions.
 */
export function moveNodes(design: Design, positions: NodePositions): Design {
  const updates: Record<string, Placement> = {};
  for (const [id, pos] of Object.entries(positions)) {
    const old = design.layout.nodes[id];
    const current = nodeRect(design, id);
    updates[id] = { ...(old ?? {}), x: pos.x, y: pos.y };
    if (isGroupId(id)) {
      const dx = pos.x - current.x;
      const dy = pos.y - current.y;
      if (dx === 0 && dy === 0) continue;
      for (const child of descendantsOf(design, id)) {
        if (child in positions) continue;
        const placement = design.layout.nodes[child];
        const r = nodeRect(design, child);
        updates[child] = { ...(placement ?? {}), x: r.x + dx, y: r.y + dy };
      }
    }
  }
  return withPlacements(design, updates);
}

export function resizeGroup(design: Design, id: string, rect: Rect): Design {
  return withPlacements(design, {
    [id]: { x: rect.x, y: rect.y, width: Math.max(120, rect.width), height: Math.max(80, rect.height) },
  });
}

/** Removes components, groups and connections; a group's contents move to the group's parent. */
export function removeElements(design: Design, ids: string[]): Design {
  const gone = new Set(ids);
  const removedGroups = design.groups.filter((g) => gone.has(g.id));
  const lift = (group: string | null | undefined): string | null => {
    let current = group ?? null;
    while (current && gone.has(current)) current = removedGroups.find((g) => g.id === current)?.parent ?? null;
    return current;
  };
  const components = design.components
    .filter((c) => !gone.has(c.id))
    .map((c) => (c.group && gone.has(c.group) ? { ...c, group: lift(c.group) } : c))
    .map((c) => ({ ...c, properties: withoutReferences(c.properties ?? {}, gone) }));
  const groups = design.groups
    .filter((g) => !gone.has(g.id))
    .map((g) => (g.parent && gone.has(g.parent) ? { ...g, parent: lift(g.parent) } : g));
  const connections = design.connections.filter((c) => !gone.has(c.id) && !gone.has(c.from) && !gone.has(c.to));
  const nodes = { ...design.layout.nodes };
  for (const id of gone) delete nodes[id];
  return { ...design, components, groups, connections, layout: { nodes } };
}

function withoutReferences(p: NonNullable<Component["properties"]>, gone: Set<string>) {
  const keep = (list: string[] | undefined) => (list ?? []).filter((id) => !gone.has(id));
  const touches =
    [...(p.backup_sources ?? []), ...(p.applies_to ?? []), ...(p.members ?? [])].some((id) => gone.has(id)) ||
    (p.attached_to && gone.has(p.attached_to)) ||
    (p.backup?.destination && gone.has(p.backup.destination));
  if (!touches) return p;
  return {
    ...p,
    backup_sources: keep(p.backup_sources),
    applies_to: keep(p.applies_to),
    members: keep(p.members),
    attached_to: p.attached_to && gone.has(p.attached_to) ? null : p.attached_to,
    backup: p.backup && p.backup.destination && gone.has(p.backup.destination) ? { ...p.backup, destination: null } : p.backup,
  };
}

export type ConnectResult = { ok: true; design: Design; id: string } | { ok: false; reason: string };

/** A connection from `from` to `to` with the target's default traffic, or why it is refused. */
export function connect(design: Design, catalog: Catalog, from: string, to: string): ConnectResult {
  const source = design.components.find((c) => c.id === from);
  const target = design.components.find((c) => c.id === to);
  if (!source || !target) return { ok: false, reason: "Connections join two components, not groups." };
  if (from === to) return { ok: false, reason: "A component cannot connect to itself." };
  const allowed = connectionAllowed(catalog, source.kind, target.kind);
  if (!allowed.ok) return allowed;
  if (design.connections.some((c) => c.from === from && c.to === to)) {
    return { ok: false, reason: `${source.name} is already connected to ${target.name}.` };
  }
  const traffic = defaultConnectionTraffic(catalog, target.kind);
  const privateNet = (c: Component) => {
    let g = c.group;
    while (g) {
      const group = design.groups.find((x) => x.id === g);
      if (!group) return null;
      if (group.kind === "private_network") return group.id;
      g = group.parent;
    }
    return null;
  };
  const sourceNet = privateNet(source);
  const id = generateId("con_");
  const connection: Connection = {
    id,
    from,
    to,
    protocol: traffic.protocol,
    ports: traffic.ports,
    network: sourceNet && sourceNet === privateNet(target) ? "private" : "public",
    label: null,
  };
  return { ok: true, design: { ...design, connections: [...design.connections, connection] }, id };
}

export function updateComponent(design: Design, id: string, patch: Partial<Component>): Design {
  return { ...design, components: design.components.map((c) => (c.id === id ? { ...c, ...patch } : c)) };
}

/**
 * Puts components on another provider: region kept when the provider has it (else its first
 * region), size reset to the catalogue's default for each kind.
 */
export function setProvider(design: Design, catalog: Catalog, ids: string[], provider: Provider): Design {
  const chosen = new Set(ids);
  const regions = catalog.providers.find((p) => p.provider === provider)?.regions ?? [];
  let changed = false;
  const components = design.components.map((c) => {
    if (!chosen.has(c.id) || c.provider === provider) return c;
    changed = true;
    if (provider === "unassigned") return { ...c, provider, region: null, size: null };
    const region = c.region && regions.some((r) => r.id === c.region) ? c.region : (regions[0]?.id ?? null);
    return { ...c, provider, region, size: offering(catalog, c.kind, provider)?.default_size ?? null };
  });
  return changed ? { ...design, components } : design;
}

export function updateConnection(design: Design, id: string, patch: Partial<Connection>): Design {
  return { ...design, connections: design.connections.map((c) => (c.id === id ? { ...c, ...patch } : c)) };
}

export function updateGroup(design: Design, id: string, patch: Partial<Group>): Design {
  return { ...design, groups: design.groups.map((g) => (g.id === id ? { ...g, ...patch } : g)) };
}

/** What copy puts on the clipboard: the selection with its internal connections and layout. */
export interface Fragment {
  stagecraft_fragment: 1;
  components: Component[];
  groups: Group[];
  connections: Connection[];
  layout: Record<string, Placement>;
}

export function isFragment(value: unknown): value is Fragment {
  return typeof value === "object" && value !== null && (value as { stagecraft_fragment?: unknown }).stagecraft_fragment === 1;
}

/** The selected nodes (groups with their contents) and the connections among them. */
export function copyFragment(design: Design, ids: string[]): Fragment | null {
  const chosen = new Set<string>();
  for (const id of ids) {
    chosen.add(id);
    if (isGroupId(id)) for (const d of descendantsOf(design, id)) chosen.add(d);
  }
  const components = design.components.filter((c) => chosen.has(c.id));
  const groups = design.groups.filter((g) => chosen.has(g.id));
  if (components.length + groups.length === 0) return null;
  const connections = design.connections.filter((c) => chosen.has(c.from) && chosen.has(c.to));
  const layout: Record<string, Placement> = {};
  for (const id of chosen) layout[id] = { ...nodeRect(design, id) };
  for (const c of components) {
    const p = layout[c.id];
    if (p) layout[c.id] = { x: p.x, y: p.y };
  }
  return { stagecraft_fragment: 1, components, groups, connections, layout };
}

/**
 * Adds a fragment with fresh ids, shifted by `offset`. References to things outside the fragment
 * are dropped (a pasted group keeps its parent only if that group exists here).
 */
export function pasteFragment(
  design: Design,
  fragment: Fragment,
  offset: { x: number; y: number },
): { design: Design; ids: string[] } {
  const ids = new Map<string, string>();
  for (const g of fragment.groups) ids.set(g.id, generateId("grp_"));
  for (const c of fragment.components) ids.set(c.id, generateId("cmp_"));
  const existing = new Set(design.groups.map((g) => g.id));
  const mapRef = (id: string | null | undefined) => (id ? (ids.get(id) ?? (existing.has(id) ? id : null)) : null);
  const mapList = (list: string[] | undefined) => (list ?? []).map((id) => ids.get(id)).filter((x): x is string => !!x);
  const groups = fragment.groups.map((g) => ({ ...g, id: ids.get(g.id) as string, parent: mapRef(g.parent) }));
  const components = fragment.components.map((c) => {
    const p = c.properties ?? {};
    return {
      ...c,
      id: ids.get(c.id) as string,
      name: freshName(design, c.name),
      group: mapRef(c.group),
      properties: {
        ...p,
        backup_sources: mapList(p.backup_sources),
        applies_to: mapList(p.applies_to),
        members: mapList(p.members),
        attached_to: p.attached_to ? (ids.get(p.attached_to) ?? null) : p.attached_to,
        backup: p.backup ? { ...p.backup, destination: p.backup.destination ? (ids.get(p.backup.destination) ?? null) : null } : p.backup,
      },
    };
  });
  const connections = fragment.connections.map((c) => ({
    ...c,
    id: generateId("con_"),
    from: ids.get(c.from) as string,
    to: ids.get(c.to) as string,
  }));
  const placements: Record<string, Placement> = {};
  for (const [old, fresh] of ids) {
    const p = fragment.layout[old];
    if (p) placements[fresh] = { ...p, x: p.x + offset.x, y: p.y + offset.y };
  }
  const next = withPlacements(
    {
      ...design,
      groups: [...design.groups, ...groups],
      components: [...design.components, ...components],
      connections: [...design.connections, ...connections],
    },
    placements,
  );
  // Nodes whose container was not copied with them land in whatever group is under them now.
  const fresh = new Set(ids.values());
  const outermost = [
    ...groups.filter((g) => !g.parent || !fresh.has(g.parent)),
    ...components.filter((c) => !c.group || !fresh.has(c.group)),
  ].map((x) => x.id);
  return { design: reparent(next, outermost), ids: outermost };
}

export type Alignment = "left" | "center" | "right" | "top" | "middle" | "bottom";

export function alignNodes(design: Design, ids: string[], how: Alignment): Design {
  if (ids.length < 2) return design;
  const rects = ids.map((id) => [id, nodeRect(design, id)] as const);
  const b = boundsOf(rects.map(([, r]) => r));
  const positions: NodePositions = {};
  for (const [id, r] of rects) {
    const x =
      how === "left" ? b.x : how === "right" ? b.x + b.width - r.width : how === "center" ? b.x + (b.width - r.width) / 2 : r.x;
    const y =
      how === "top" ? b.y : how === "bottom" ? b.y + b.height - r.height : how === "middle" ? b.y + (b.height - r.height) / 2 : r.y;
    positions[id] = { x: Math.round(x), y: Math.round(y) };
  }
  return moveNodes(design, positions);
}

/** Spaces nodes evenly between the outermost two, along x or y. */
export function distributeNodes(design: Design, ids: string[], axis: "horizontal" | "vertical"): Design {
  if (ids.length < 3) return design;
  const horizontal = axis === "horizontal";
  const rects = ids
    .map((id) => [id, nodeRect(design, id)] as const)
    .sort(([, a], [, b]) => (horizontal ? a.x - b.x : a.y - b.y));
  const b = boundsOf(rects.map(([, r]) => r));
  const total = rects.reduce((sum, [, r]) => sum + (horizontal ? r.width : r.height), 0);
  const gap = ((horizontal ? b.width : b.height) - total) / (rects.length - 1);
  let cursor = horizontal ? b.x : b.y;
  const positions: NodePositions = {};
  for (const [id, r] of rects) {
    positions[id] = horizontal ? { x: Math.round(cursor), y: r.y } : { x: r.x, y: Math.round(cursor) };
    cursor += (horizontal ? r.width : r.height) + gap;
  }
  return moveNodes(design, positions);
}

/** Absolute positions and group sizes from an auto-layout run, applied in one edit. */
export interface LayoutResult {
  nodes: Record<string, { x: number; y: number; width?: number; height?: number }>;
}

export function applyLayoutResult(design: Design, result: LayoutResult): Design {
  const updates: Record<string, Placement> = {};
  for (const [id, r] of Object.entries(result.nodes)) {
    updates[id] = isGroupId(id)
      ? { x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width ?? 0), height: Math.round(r.height ?? 0) }
      : { x: Math.round(r.x), y: Math.round(r.y) };
  }
  return withPlacements(design, updates);
}
