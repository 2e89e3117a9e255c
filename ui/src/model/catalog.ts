// Catalogue look-ups the canvas needs. They mirror stagecraft_model::Catalog (size_family,
// sizes_for, connection_allowed) so the UI and the Rust rules cannot disagree.
import type {
  Catalog,
  Category,
  ComponentKind,
  GroupKind,
  KindSpec,
  Offering,
  Protocol,
  Provider,
  SizeFamily,
  SizeSpec,
} from "../ipc/backend";

export const CATEGORY_ORDER: Category[] = ["edge", "compute", "data", "network", "operations"];
export const CATEGORY_LABELS: Record<Category, string> = {
  edge: "Edge",
  compute: "Compute",
  data: "Data",
  network: "Network",
  operations: "Operations",
};
export const PROVIDER_LABELS: Record<Provider, string> = {
  hetzner: "Hetzner",
  digitalocean: "DigitalOcean",
  aws: "AWS",
  unassigned: "Unassigned",
};
export const PROVIDERS: Provider[] = ["hetzner", "digitalocean", "aws", "unassigned"];

export function kindSpec(catalog: Catalog, kind: ComponentKind): KindSpec {
  const spec = catalog.kinds.find((k) => k.kind === kind);
  if (!spec) throw new Error(`The catalogue has no entry for kind ${kind}`);
  return spec;
}

export function groupKindLabel(catalog: Catalog, kind: GroupKind): string {
  return catalog.group_kinds.find((g) => g.kind === kind)?.label ?? kind;
}

export function offering(catalog: Catalog, kind: ComponentKind, provider: Provider): Offering | undefined {
  return kindSpec(catalog, kind).offerings.find((o) => o.provider === provider);
}

export function providerSpec(catalog: Catalog, provider: Provider) {
  return catalog.providers.find((p) => p.provider === provider);
}

export function findSize(catalog: Catalog, provider: Provider, size: string): SizeSpec | undefined {
  return providerSpec(catalog, provider)?.sizes.find((s) => s.id === size);
}

/** The size list a kind picks from on a provider (like `Catalog::size_family`). */
export function sizeFamily(catalog: Catalog, kind: ComponentKind, provider: Provider): SizeFamily | null {
  const offer = offering(catalog, kind, provider);
  if (!offer) return null;
  if (offer.native) return kindSpec(catalog, kind).sizing ?? null;
  if (offer.fallback) return sizeFamily(catalog, offer.fallback, provider);
  if (!offer.default_size) return null;
  return findSize(catalog, provider, offer.default_size)?.families[0] ?? null;
}

/** Sizes a kind can take on a provider in a region, all regions when `region` is null (like `sizes_for`). */
export function sizesFor(
  catalog: Catalog,
  kind: ComponentKind,
  provider: Provider,
  region: string | null,
): SizeSpec[] {
  const family = sizeFamily(catalog, kind, provider);
  const spec = providerSpec(catalog, provider);
  if (!family || !spec) return [];
  return spec.sizes.filter(
    (s) =>
      s.families.includes(family) &&
      (region === null || !s.regions || s.regions.length === 0 || s.regions.includes(region)),
  );
}

/** Whether a connection from `from` to `to` makes sense; the reason when not (like `connection_allowed`). */
export function connectionAllowed(
  catalog: Catalog,
  from: ComponentKind,
  to: ComponentKind,
): { ok: true } | { ok: false; reason: string } {
  const fromSpec = kindSpec(catalog, from);
  const toSpec = kindSpec(catalog, to);
  if (fromSpec.connects_to.includes(to)) return { ok: true };
  const hint = toSpec.connects_to.includes(from)
    ? ` Draw it the other way, from ${toSpec.label} to ${fromSpec.label}.`
    : "";
  const subject = withArticle(fromSpec.label);
  const sentence = `${subject.charAt(0).toUpperCase()}${subject.slice(1)} cannot connect to ${withArticle(toSpec.label)}.`;
  return { ok: false, reason: `${sentence}${hint}` };
}

/** A kind's label as a sentence needs it, like the Rust `with_article`: "a DNS zone", "an App server", "Users". */
export function withArticle(label: string): string {
  if (label.endsWith("s") && !label.endsWith("ss")) return label;
  return /^[aeiou]/i.test(label) ? `an ${label}` : `a ${label}`;
}

/** Protocol and ports a new connection to `to` gets: the target's first non-SSH port. */
export function defaultConnectionTraffic(
  catalog: Catalog,
  to: ComponentKind,
): { protocol: Protocol; ports: number[] } {
  const ports = kindSpec(catalog, to).ports;
  const main = ports.find((p) => p.protocol !== "ssh") ?? ports[0];
  return main ? { protocol: main.protocol, ports: [main.port] } : { protocol: "tcp", ports: [] };
}

export function sizeLabel(size: SizeSpec): string {
  const memory = size.memory_mb >= 1024 ? `${+(size.memory_mb / 1024).toFixed(1)} GB` : `${size.memory_mb} MB`;
  const cpu = `${size.vcpus} vCPU${size.vcpus === 1 ? "" : "s"}${size.dedicated_cpu ? " dedicated" : ""}`;
  return `${size.id} · ${cpu} · ${memory}${size.disk_gb ? ` · ${size.disk_gb} GB disk` : ""}${size.arch === "arm" ? " · Arm" : ""}`;
}
