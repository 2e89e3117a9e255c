// Conversion between the file form of a design (as the backend sends and receives it) and the
// store form. The store form fills every default so edits never meet a missing field; the file
// form drops what the Rust serializer skips, so a save writes exactly the canonical document.
import type { Component, Connection, Design, FileDesign, Group, Placement, Properties } from "../ipc/backend";

type FileComponent = NonNullable<FileDesign["components"]>[number];

export const COMPONENT_WIDTH = 200;
export const COMPONENT_HEIGHT = 64;
export const DEFAULT_GROUP_WIDTH = 420;
export const DEFAULT_GROUP_HEIGHT = 280;

/** The store form: the design with every defaulted field present. */
export function fromDocument(file: FileDesign): Design {
  return {
    schema_version: file.schema_version,
    id: file.id,
    name: file.name,
    description: file.description ?? "",
    // The file form may omit these; these are the defaults serde fills in.
    assumptions: { ...file.assumptions, currency: file.assumptions?.currency ?? "EUR" },
    practices: {
      config_in_git: file.practices?.config_in_git ?? false,
      migration_in_progress: file.practices?.migration_in_progress ?? false,
    },
    groups: (file.groups ?? []).map((g) => ({ ...g, provider: g.provider ?? "unassigned" })),
    components: (file.components ?? []).map((c) => ({
      ...c,
      provider: c.provider ?? "unassigned",
      count: c.count ?? 1,
      properties: c.properties ?? {},
    })),
    connections: (file.connections ?? []).map((c) => ({ ...c, network: c.network ?? "public", ports: c.ports ?? [] })),
    layout: { nodes: placements(file) },
  };
}

function placements(file: FileDesign): Record<string, Placement> {
  const nodes: Record<string, Placement> = {};
  for (const [id, p] of Object.entries(file.layout?.nodes ?? {})) {
    nodes[id] = { ...p, x: p.x ?? 0, y: p.y ?? 0 };
  }
  return nodes;
}

/** Drops null/undefined members and empty lists, the way `skip_serializing_if` does. */
function stripEmpty<T extends object>(value: T, keepEmpty: readonly string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === null || member === undefined) continue;
    if (Array.isArray(member) && member.length === 0 && !keepEmpty.includes(key)) continue;
    out[key] = member;
  }
  return out as T;
}

function canonicalProperties(p: Properties): Properties | undefined {
  const cleaned: Properties = stripEmpty({
    ...p,
    backup: p.backup ? stripEmpty(p.backup) : null,
    health_check: p.health_check ? stripEmpty(p.health_check) : null,
    autoscaling: p.autoscaling ? stripEmpty(p.autoscaling) : null,
    firewall_rules: (p.firewall_rules ?? []).map((r) => stripEmpty(r, ["addresses"])),
  });
  return Object.keys(cleaned).length === 0 ? undefined : cleaned;
}

function canonicalComponent(c: Component): FileComponent {
  const { properties, ...rest } = c;
  const props = canonicalProperties(properties ?? {});
  return stripEmpty({ ...rest, ...(props ? { properties: props } : {}) });
}

function canonicalPlacement(p: Placement): Placement {
  return stripEmpty({ x: p.x, y: p.y, width: p.width, height: p.height });
}

/** The file form: what the backend saves. Layout keys are sorted like the Rust `BTreeMap`. */
export function toDocument(design: Design): FileDesign {
  const nodes: Record<string, Placement> = {};
  for (const key of Object.keys(design.layout.nodes).sort()) {
    const placement = design.layout.nodes[key];
    if (placement) nodes[key] = canonicalPlacement(placement);
  }
  const doc: FileDesign = {
    schema_version: design.schema_version,
    id: design.id,
    name: design.name,
    assumptions: stripEmpty(design.assumptions),
    practices: design.practices,
    groups: design.groups.map((g: Group) => stripEmpty(g)),
    components: design.components.map(canonicalComponent),
    connections: design.connections.map((c: Connection) => stripEmpty(c)),
    layout: { nodes },
  };
  if (design.description) doc.description = design.description;
  return doc;
}
