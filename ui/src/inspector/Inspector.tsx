// The inspector: edits every property of the selection with a fitting control. Each edit is one
// recorded step whose label names what changed.
import { useState } from "react";
import type {
  Catalog,
  Component,
  ComponentKind,
  Connection,
  Design,
  FirewallRule,
  Group,
  Properties,
  Provider,
} from "../ipc/backend";
import { Icon } from "../app/icons";
import { groupKindLabel, kindSpec, offering, PROVIDER_LABELS, PROVIDERS, providerSpec, sizeLabel, sizesFor } from "../model/catalog";
import { descendantsOf } from "../model/geometry";
import { moveIntoGroup, setProvider, updateComponent, updateConnection, updateGroup } from "../model/edits";
import { appActions } from "../store/app-actions";
import { designStore, panelDesign, useDesign } from "../store/design-store";
import { Checkbox, CheckList, Field, NumberInput, options, Section, Select, TextInput, type CommitOptions } from "./fields";
import { checkCidr, checkCidrList, checkDomain, checkName, checkPortList, checkPortRange, parsePortList } from "./validation";

const commit = (label: string, edit: (d: Design) => Design, opts?: CommitOptions) => designStore.getState().commit(label, edit, opts);

/** Which properties each kind uses; "Show all properties" reveals the rest. */
const RELEVANT: Record<ComponentKind, (keyof Properties)[]> = {
  users: [],
  dns_zone: ["domain", "dns_ttl_seconds"],
  cdn: [],
  load_balancer: ["algorithm", "health_check"],
  reverse_proxy: ["proxy", "runtime", "workloads", "public_ipv4", "purchase"],
  app_server: ["workloads", "runtime", "public_ipv4", "backup", "purchase"],
  worker: ["workloads", "runtime", "public_ipv4", "backup", "purchase"],
  autoscaling_group: ["autoscaling", "workloads", "runtime", "health_check", "purchase"],
  managed_database: ["engine", "engine_version", "storage_gb", "standby_nodes", "backup", "purchase"],
  self_hosted_database: ["engine", "engine_version", "storage_gb", "standby_nodes", "backup", "runtime", "public_ipv4", "purchase"],
  cache: ["engine", "engine_version", "standby_nodes", "purchase"],
  object_storage: ["storage_gb"],
  block_volume: ["storage_gb", "attached_to", "backup"],
  firewall: ["default_inbound", "firewall_rules", "applies_to"],
  vpn_link: ["vpn", "members"],
  backup_job: ["backup", "backup_sources"],
  monitoring: ["workloads", "runtime"],
};

const ALL_PROPERTIES: (keyof Properties)[] = [
  "engine", "engine_version", "storage_gb", "standby_nodes", "workloads", "runtime", "backup", "backup_sources", "proxy", "algorithm",
  "health_check", "default_inbound", "firewall_rules", "applies_to", "domain", "dns_ttl_seconds", "vpn", "members", "autoscaling",
  "attached_to", "public_ipv4", "purchase",
];

export function Inspector() {
  const design = useDesign(panelDesign);
  const selection = useDesign((s) => s.selection);
  const catalog = useDesign((s) => s.catalog);
  if (!catalog) return <aside className="sc-inspector" aria-label="Inspector" />;
  const count = selection.nodes.length + selection.edges.length;
  let body;
  if (count === 0) body = <DesignInspector design={design} />;
  else if (count > 1) body = <MultiInspector design={design} nodes={selection.nodes} edges={selection.edges} />;
  else {
    const id = (selection.nodes[0] ?? selection.edges[0]) as string;
    const component = design.components.find((c) => c.id === id);
    const group = design.groups.find((g) => g.id === id);
    const connection = design.connections.find((c) => c.id === id);
    if (component) body = <ComponentInspector key={id} design={design} catalog={catalog} component={component} />;
    else if (group) body = <GroupInspector key={id} design={design} catalog={catalog} group={group} />;
    else if (connection) body = <ConnectionInspector key={id} design={design} catalog={catalog} connection={connection} />;
  }
  return (
    <aside className="sc-inspector" aria-label="Inspector">
      {body}
    </aside>
  );
}

function Header({ icon, title, subtitle }: { icon: string; title: string; subtitle: string }) {
  return (
    <div className="sc-inspector__header">
      <span className="sc-inspector__icon">
        <Icon name={icon} size={20} />
      </span>
      <div>
        <div className="sc-inspector__title">{title}</div>
        <div className="sc-inspector__subtitle">{subtitle}</div>
      </div>
    </div>
  );
}

function DesignInspector({ design }: { design: Design }) {
  const a = design.assumptions;
  const setAssumption = (key: keyof typeof a, label: string) => (value: number | null, o: CommitOptions) =>
    commit(`Change ${label}`, (d) => ({ ...d, assumptions: { ...d.assumptions, [key]: value } }), o);
  return (
    <>
      <Header icon="logo" title="Design" subtitle={`${design.components.length} components · ${design.connections.length} connections · ${design.groups.length} groups`} />
      <Section title="Document">
        <TextInput label="Name" value={design.name} check={checkName} apply={(name, o) => commit("Rename design", (d) => ({ ...d, name }), o)} />
        <TextInput label="Description" multiline value={design.description ?? ""} apply={(description, o) => commit("Change description", (d) => ({ ...d, description }), o)} />
      </Section>
      <Section title="Assumptions">
        <NumberInput label="Expected users" optional min={0} value={a.expected_users} apply={setAssumption("expected_users", "expected users")} />
        <NumberInput label="Peak requests per second" optional min={0} value={a.peak_rps} apply={setAssumption("peak_rps", "peak requests")} />
        <NumberInput label="Monthly egress" unit="GB" optional min={0} value={a.monthly_egress_gb} apply={setAssumption("monthly_egress_gb", "egress")} />
        <NumberInput label="Monthly growth" unit="%" optional min={0} max={1000} value={a.monthly_growth_percent} apply={setAssumption("monthly_growth_percent", "growth")} />
        <Select label="Target stage" allowNone value={a.target_stage} options={options(["mvp", "growth", "scale"] as const, { mvp: "MVP (< 1K users)", growth: "Growth (1K-50K)", scale: "Scale (50K+)" })}
          apply={(target_stage) => commit("Change target stage", (d) => ({ ...d, assumptions: { ...d.assumptions, target_stage } }))} />
        <Select label="Currency" value={a.currency} options={options(["EUR", "USD"] as const, { EUR: "EUR", USD: "USD" })}
          apply={(currency) => currency && commit("Change currency", (d) => ({ ...d, assumptions: { ...d.assumptions, currency } }))} />
      </Section>
      <Section title="Practices">
        <Checkbox label="Configuration is kept in Git" checked={design.practices.config_in_git}
          apply={(v) => commit("Change practices", (d) => ({ ...d, practices: { ...d.practices, config_in_git: v } }))} />
        <Checkbox label="A migration is under way" checked={design.practices.migration_in_progress}
          apply={(v) => commit("Change practices", (d) => ({ ...d, practices: { ...d.practices, migration_in_progress: v } }))} />
      </Section>
    </>
  );
}

function regionOptions(catalog: Catalog, provider: Provider) {
  return (providerSpec(catalog, provider)?.regions ?? []).map((r) => ({ value: r.id, label: `${r.id} · ${r.label}` }));
}

function groupOptions(design: Design, excluding?: string) {
  const excluded = new Set(excluding ? [excluding, ...descendantsOf(design, excluding)] : []);
  return design.groups.filter((g) => !excluded.has(g.id)).map((g) => ({ value: g.id, label: `${g.name} (${g.kind.replaceAll("_", " ")})` }));
}

function ComponentInspector({ design, catalog, component }: { design: Design; catalog: Catalog; component: Component }) {
  const spec = kindSpec(catalog, component.kind);
  const [showAll, setShowAll] = useState(false);
  const c = component;
  const patch = (label: string, p: Partial<Component>, o?: CommitOptions) => commit(`${label} of ${c.name}`, (d) => updateComponent(d, c.id, p), o);
  const sizes = c.provider === "unassigned" ? [] : sizesFor(catalog, c.kind, c.provider, c.region ?? null);
  const offer = offering(catalog, c.kind, c.provider);
  const relevant = RELEVANT[c.kind];
  const shown = showAll ? ALL_PROPERTIES : relevant;
  return (
    <>
      <Header icon={spec.icon} title={c.name} subtitle={spec.label} />
      <Section title="Component">
        <TextInput label="Name" testId="inspector-name" value={c.name} check={checkName} apply={(name, o) => commit(`Rename ${c.name}`, (d) => updateComponent(d, c.id, { name }), o)} />
        <Field label="Kind">
          <div className="sc-readonly" title={spec.description}>{spec.label}</div>
        </Field>
        <Select label="Provider" testId="inspector-provider" value={c.provider} options={PROVIDERS.map((p) => ({ value: p, label: PROVIDER_LABELS[p] }))}
          hint={offer ? `${offer.native ? "Native" : "Not native"}: ${offer.note}` : undefined}
          apply={(provider) => provider && commit(`Change provider of ${c.name}`, (d) => setProvider(d, catalog, [c.id], provider))} />
        {c.provider !== "unassigned" && (
          <Select label="Region" testId="inspector-region" allowNone value={c.region} options={regionOptions(catalog, c.provider)}
            apply={(region) => {
              const stillOffered = !c.size || sizesFor(catalog, c.kind, c.provider, region).some((s) => s.id === c.size);
              patch("Change region", stillOffered ? { region } : { region, size: offering(catalog, c.kind, c.provider)?.default_size ?? null });
            }} />
        )}
        {sizes.length > 0 && (
          <Select label="Size" testId="inspector-size" allowNone value={c.size} options={sizes.map((s) => ({ value: s.id, label: sizeLabel(s) }))}
            hint={c.region ? `Sizes offered in ${c.region}.` : "Sizes in every region; pick a region to narrow."}
            apply={(size) => patch("Change size", { size })} />
        )}
        <NumberInput label="Count" min={1} value={c.count} apply={(count, o) => count !== null && patch("Change count", { count }, o)} hint="Identical replicas." />
        <Select label="In group" allowNone noneLabel="None (top level)" value={c.group} options={groupOptions(design)} apply={(group) => commit(`Move ${c.name}`, (d) => moveIntoGroup(d, c.id, group))} />
      </Section>
      <Section
        title="Properties"
        actions={
          <button type="button" className="sc-link" onClick={() => setShowAll(!showAll)} aria-pressed={showAll}>
            {showAll ? "Show relevant" : "Show all properties"}
          </button>
        }
      >
        {shown.length === 0 && <p className="sc-muted">A {spec.label} has no settings of its own.</p>}
        {shown.map((key) => (
          <PropertyEditor key={key} field={key} design={design} component={c} />
        ))}
      </Section>
      <Ports catalog={catalog} kind={c.kind} />
    </>
  );
}

function Ports({ catalog, kind }: { catalog: Catalog; kind: ComponentKind }) {
  const spec = kindSpec(catalog, kind);
  if (spec.ports.length === 0) return null;
  return (
    <Section title="Listens on">
      <ul className="sc-ports">
        {spec.ports.map((p) => (
          <li key={`${p.protocol}${p.port}`}>
            <code>{p.protocol.toUpperCase()} {p.port}</code> <span className="sc-muted">{p.purpose}</span>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function PropertyEditor({ field, design, component }: { field: keyof Properties; design: Design; component: Component }) {
  const p = component.properties ?? {};
  const set = <K extends keyof Properties>(key: K, value: Properties[K], o?: CommitOptions) =>
    commit(`Change ${key.replaceAll("_", " ")} of ${component.name}`, (d) => updateComponent(d, component.id, { properties: { ...(d.components.find((x) => x.id === component.id)?.properties ?? {}), [key]: value } }), o);
  const others = design.components.filter((x) => x.id !== component.id).map((x) => ({ value: x.id, label: x.name }));
  switch (field) {
    case "engine":
      return <Select label="Engine" allowNone value={p.engine} options={options(["postgresql", "mysql", "redis", "valkey"] as const, { postgresql: "PostgreSQL", mysql: "MySQL", redis: "Redis", valkey: "Valkey" })} apply={(v) => set("engine", v)} />;
    case "engine_version":
      return <TextInput label="Engine version" value={p.engine_version ?? ""} placeholder="e.g. 17" apply={(v, o) => set("engine_version", v.trim() || null, o)} />;
    case "storage_gb":
      return <NumberInput label="Storage" unit="GB" optional min={1} value={p.storage_gb} apply={(v, o) => set("storage_gb", v, o)} />;
    case "standby_nodes":
      return <NumberInput label="Standby nodes" optional min={0} value={p.standby_nodes} apply={(v, o) => set("standby_nodes", v, o)} hint="Replicas beyond the primary." />;
    case "workloads":
      return <CheckList label="Workloads" values={p.workloads ?? []} options={options(["web", "jobs", "database", "cache", "reverse_proxy"] as const)} apply={(v) => set("workloads", v)} />;
    case "runtime":
      return <Select label="Runtime" allowNone value={p.runtime} options={options(["docker_compose", "systemd", "kubernetes"] as const, { docker_compose: "Docker Compose", systemd: "systemd", kubernetes: "Kubernetes" })} apply={(v) => set("runtime", v)} />;
    case "proxy":
      return <Select label="Proxy software" allowNone value={p.proxy} options={options(["caddy", "traefik", "nginx"] as const)} apply={(v) => set("proxy", v)} />;
    case "algorithm":
      return <Select label="Balancing algorithm" allowNone value={p.algorithm} options={options(["round_robin", "least_connections"] as const)} apply={(v) => set("algorithm", v)} />;
    case "default_inbound":
      return <Select label="Default inbound policy" allowNone value={p.default_inbound} options={options(["deny", "allow"] as const)} apply={(v) => set("default_inbound", v)} />;
    case "vpn":
      return <Select label="VPN software" allowNone value={p.vpn} options={options(["wireguard", "tailscale"] as const, { wireguard: "WireGuard", tailscale: "Tailscale" })} apply={(v) => set("vpn", v)} />;
    case "purchase":
      return <Select label="Purchase option" allowNone value={p.purchase} options={options(["on_demand", "reserved1y", "reserved3y", "spot"] as const, { reserved1y: "Reserved 1 year", reserved3y: "Reserved 3 years" })} apply={(v) => set("purchase", v)} />;
    case "public_ipv4":
      return (
        <Select label="Public IPv4 address" allowNone noneLabel="Provider default" value={p.public_ipv4 == null ? null : p.public_ipv4 ? "yes" : "no"}
          options={[{ value: "yes", label: "Yes" }, { value: "no", label: "No" }]} apply={(v) => set("public_ipv4", v === null ? null : v === "yes")} />
      );
    case "domain":
      return <TextInput label="Domain" value={p.domain ?? ""} placeholder="example.com" check={checkDomain} apply={(v, o) => set("domain", v.trim() || null, o)} />;
    case "dns_ttl_seconds":
      return <NumberInput label="DNS TTL" unit="seconds" optional min={1} value={p.dns_ttl_seconds} apply={(v, o) => set("dns_ttl_seconds", v, o)} />;
    case "backup_sources":
      return <CheckList label="Backs up" values={p.backup_sources ?? []} options={others} apply={(v) => set("backup_sources", v)} empty="No other components." />;
    case "applies_to":
      return <CheckList label="Protects" values={p.applies_to ?? []} options={others} apply={(v) => set("applies_to", v)} empty="No other components." />;
    case "members":
      return <CheckList label="Joins" values={p.members ?? []} options={others} apply={(v) => set("members", v)} empty="No other components." />;
    case "attached_to":
      return <Select label="Attached to" allowNone value={p.attached_to} options={others} apply={(v) => set("attached_to", v)} />;
    case "health_check": {
      const hc = p.health_check;
      return (
        <fieldset className="sc-subgroup">
          <legend>Health check</legend>
          <Checkbox label="Check health" checked={!!hc} apply={(on) => set("health_check", on ? { protocol: "http", port: 80, path: "/", interval_seconds: 15 } : null)} />
          {hc && (
            <>
              <Select label="Protocol" value={hc.protocol} options={options(["http", "https", "tcp", "grpc"] as const, { http: "HTTP", https: "HTTPS", tcp: "TCP", grpc: "gRPC" })} apply={(v) => v && set("health_check", { ...hc, protocol: v })} />
              <NumberInput label="Port" min={1} max={65535} value={hc.port} apply={(v, o) => v !== null && set("health_check", { ...hc, port: v }, o)} />
              <TextInput label="Path" value={hc.path ?? ""} placeholder="/healthz" apply={(v, o) => set("health_check", { ...hc, path: v.trim() || null }, o)} />
              <NumberInput label="Interval" unit="seconds" min={1} value={hc.interval_seconds} apply={(v, o) => v !== null && set("health_check", { ...hc, interval_seconds: v }, o)} />
            </>
          )}
        </fieldset>
      );
    }
    case "autoscaling": {
      const a = p.autoscaling;
      return (
        <fieldset className="sc-subgroup">
          <legend>Auto-scaling</legend>
          <Checkbox label="Scale automatically" checked={!!a} apply={(on) => set("autoscaling", on ? { min: 2, max: 4, target_cpu_percent: 60 } : null)} />
          {a && (
            <>
              <NumberInput label="Minimum" min={1} value={a.min} apply={(v, o) => v !== null && set("autoscaling", { ...a, min: v, max: Math.max(a.max, v) }, o)} />
              <NumberInput label="Maximum" min={Math.max(1, a.min)} value={a.max} apply={(v, o) => v !== null && set("autoscaling", { ...a, max: v }, o)} />
              <NumberInput label="Target CPU" unit="%" optional min={1} max={100} value={a.target_cpu_percent} apply={(v, o) => set("autoscaling", { ...a, target_cpu_percent: v }, o)} />
            </>
          )}
        </fieldset>
      );
    }
    case "backup": {
      const b = p.backup;
      const storage = design.components.filter((x) => x.kind === "object_storage").map((x) => ({ value: x.id, label: x.name }));
      const schedules = options(["hourly", "daily", "weekly", "monthly"] as const);
      return (
        <fieldset className="sc-subgroup">
          <legend>Backups</legend>
          <Checkbox label="Back up" checked={!!b} apply={(on) => set("backup", on ? { dumps: "daily", snapshots: null, before_changes: true, retention_days: 7, destination: null } : null)} />
          {b && (
            <>
              <Select label="Dumps" allowNone noneLabel="None" value={b.dumps} options={schedules} apply={(v) => set("backup", { ...b, dumps: v })} />
              <Select label="Snapshots" allowNone noneLabel="None" value={b.snapshots} options={schedules} apply={(v) => set("backup", { ...b, snapshots: v })} />
              <Checkbox label="Before every change" checked={b.before_changes ?? false} apply={(v) => set("backup", { ...b, before_changes: v })} />
              <NumberInput label="Retention" unit="days" optional min={1} value={b.retention_days} apply={(v, o) => set("backup", { ...b, retention_days: v }, o)} />
              <Select label="Destination" allowNone value={b.destination} options={storage} apply={(v) => set("backup", { ...b, destination: v })} hint={storage.length ? undefined : "Add object storage to send backups to."} />
            </>
          )}
        </fieldset>
      );
    }
    case "firewall_rules":
      return <FirewallRules rules={p.firewall_rules ?? []} apply={(rules, o) => set("firewall_rules", rules, o)} />;
  }
}

function FirewallRules({ rules, apply }: { rules: FirewallRule[]; apply: (rules: FirewallRule[], o?: CommitOptions) => void }) {
  const update = (i: number, patch: Partial<FirewallRule>, o?: CommitOptions) => apply(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)), o);
  return (
    <fieldset className="sc-subgroup">
      <legend>Firewall rules</legend>
      {rules.map((rule, i) => (
        <div className="sc-rule" key={i}>
          <div className="sc-rule__row">
            <Select label="Direction" value={rule.direction} options={options(["inbound", "outbound"] as const)} apply={(v) => v && update(i, { direction: v })} />
            <Select label="Protocol" value={rule.protocol} options={options(["tcp", "udp", "icmp"] as const, { tcp: "TCP", udp: "UDP", icmp: "ICMP" })} apply={(v) => v && update(i, { protocol: v })} />
          </div>
          <TextInput label="Port or range" value={rule.port ?? ""} placeholder="All ports" check={checkPortRange} apply={(v, o) => update(i, { port: v.trim() || null }, o)} />
          <TextInput label="Addresses (CIDR)" value={rule.addresses.join(", ")} check={checkCidrList}
            apply={(v, o) => update(i, { addresses: v.split(",").map((a) => a.trim()).filter(Boolean) }, o)} />
          <TextInput label="Description" value={rule.description ?? ""} apply={(v, o) => update(i, { description: v.trim() || null }, o)} />
          <button type="button" className="sc-button sc-button--ghost" onClick={() => apply(rules.filter((_, j) => j !== i))} aria-label={`Remove rule ${i + 1}`}>
            Remove rule
          </button>
        </div>
      ))}
      <button type="button" className="sc-button" onClick={() => apply([...rules, { direction: "inbound", protocol: "tcp", port: "443", addresses: ["0.0.0.0/0"], description: null }])}>
        Add rule
      </button>
    </fieldset>
  );
}

function GroupInspector({ design, catalog, group }: { design: Design; catalog: Catalog; group: Group }) {
  const g = group;
  const patch = (label: string, p: Partial<Group>, o?: CommitOptions) => commit(`${label} of ${g.name}`, (d) => updateGroup(d, g.id, p), o);
  return (
    <>
      <Header icon={g.kind} title={g.name} subtitle={groupKindLabel(catalog, g.kind)} />
      <Section title="Group">
        <TextInput label="Name" testId="inspector-name" value={g.name} check={checkName} apply={(name, o) => commit(`Rename ${g.name}`, (d) => updateGroup(d, g.id, { name }), o)} />
        <Select label="Kind" value={g.kind} options={catalog.group_kinds.map((k) => ({ value: k.kind, label: k.label }))} apply={(kind) => kind && patch("Change kind", { kind })} />
        <Select label="Provider" value={g.provider} options={PROVIDERS.map((p) => ({ value: p, label: PROVIDER_LABELS[p] }))} apply={(provider) => provider && patch("Change provider", { provider, region: null })} />
        {g.provider !== "unassigned" && <Select label="Region" allowNone value={g.region} options={regionOptions(catalog, g.provider)} apply={(region) => patch("Change region", { region })} />}
        {g.kind === "private_network" && (
          <TextInput label="Address range (CIDR)" value={g.cidr ?? ""} placeholder="10.0.0.0/16" check={(t) => (t.trim() === "" ? null : checkCidr(t))} apply={(v, o) => patch("Change address range", { cidr: v.trim() || null }, o)} />
        )}
        <Select label="Inside" allowNone noneLabel="None (top level)" value={g.parent} options={groupOptions(design, g.id)} apply={(parent) => commit(`Move ${g.name}`, (d) => moveIntoGroup(d, g.id, parent))} />
      </Section>
    </>
  );
}

function ConnectionInspector({ design, catalog, connection }: { design: Design; catalog: Catalog; connection: Connection }) {
  const c = connection;
  const from = design.components.find((x) => x.id === c.from);
  const to = design.components.find((x) => x.id === c.to);
  const patch = (label: string, p: Partial<Connection>, o?: CommitOptions) => commit(`${label} of ${from?.name ?? "?"} → ${to?.name ?? "?"}`, (d) => updateConnection(d, c.id, p), o);
  const targetPorts = to ? kindSpec(catalog, to.kind).ports : [];
  return (
    <>
      <Header icon="split" title={`${from?.name ?? c.from} → ${to?.name ?? c.to}`} subtitle="Connection" />
      <Section title="Traffic">
        <Select label="Protocol" testId="inspector-protocol" value={c.protocol}
          options={options(["http", "https", "tcp", "udp", "grpc", "postgresql", "mysql", "redis", "dns", "ssh", "wireguard", "s3"] as const, { http: "HTTP", https: "HTTPS", tcp: "TCP", udp: "UDP", grpc: "gRPC", postgresql: "PostgreSQL", mysql: "MySQL", redis: "Redis", dns: "DNS", ssh: "SSH", wireguard: "WireGuard", s3: "S3" })}
          apply={(protocol) => {
            if (!protocol) return;
            const listed = targetPorts.find((p) => p.protocol === protocol)?.port;
            patch("Change protocol", { protocol, ports: listed ? [listed] : (c.ports ?? []) });
          }} />
        <TextInput label="Ports" testId="inspector-ports" value={(c.ports ?? []).join(", ")} placeholder="e.g. 443" check={checkPortList}
          hint={targetPorts.length ? `${to?.name} listens on ${targetPorts.map((p) => `${p.port} (${p.purpose})`).join(", ")}.` : undefined}
          apply={(v, o) => patch("Change ports", { ports: parsePortList(v) ?? [] }, o)} />
        <Select label="Network" value={c.network} options={options(["public", "private", "vpn"] as const, { vpn: "VPN" })} apply={(network) => network && patch("Change network", { network })} />
        <TextInput label="Label" value={c.label ?? ""} apply={(v, o) => patch("Change label", { label: v.trim() || null }, o)} />
      </Section>
    </>
  );
}

function MultiInspector({ design, nodes, edges }: { design: Design; nodes: string[]; edges: string[] }) {
  const components = design.components.filter((c) => nodes.includes(c.id));
  const catalog = useDesign((s) => s.catalog);
  const providers = new Set(components.map((c) => c.provider));
  const shared = providers.size === 1 ? [...providers][0] : null;
  return (
    <>
      <Header icon="group" title={`${nodes.length + edges.length} selected`} subtitle={`${components.length} components · ${nodes.length - components.length} groups · ${edges.length} connections`} />
      {components.length > 0 && catalog && (
        <Section title="Components">
          <Select label="Provider" testId="inspector-bulk-provider" value={shared} noneLabel="Mixed" options={PROVIDERS.map((p) => ({ value: p, label: PROVIDER_LABELS[p] }))}
            apply={(provider) => provider && commit(`Change provider of ${components.length} components`, (d) => setProvider(d, catalog, components.map((c) => c.id), provider))} />
        </Section>
      )}
      {nodes.length >= 2 && (
        <Section title="Arrange">
          <div className="sc-button-grid">
            {(["left", "center", "right", "top", "middle", "bottom"] as const).map((how) => (
              <button key={how} type="button" className="sc-icon-button" aria-label={`Align ${how}`} title={`Align ${how}`} onClick={() => appActions.align(how)}>
                <Icon name={`align-${how}`} />
              </button>
            ))}
            <button type="button" className="sc-icon-button" aria-label="Distribute horizontally" title="Distribute horizontally" disabled={nodes.length < 3} onClick={() => appActions.distribute("horizontal")}>
              <Icon name="distribute-h" />
            </button>
            <button type="button" className="sc-icon-button" aria-label="Distribute vertically" title="Distribute vertically" disabled={nodes.length < 3} onClick={() => appActions.distribute("vertical")}>
              <Icon name="distribute-v" />
            </button>
          </div>
        </Section>
      )}
      {nodes.length > 0 && (
        <Section title="Group">
          <div className="sc-button-row">
            <button type="button" className="sc-button" onClick={() => appActions.groupSelection("private_network")} data-testid="group-selection">Private network</button>
            <button type="button" className="sc-button" onClick={() => appActions.groupSelection("region")}>Region</button>
            <button type="button" className="sc-button" onClick={() => appActions.groupSelection("availability_zone")}>Zone</button>
          </div>
        </Section>
      )}
      <Section title="Selection">
        <button type="button" className="sc-button sc-button--danger" onClick={() => appActions.deleteSelection()}>
          Delete {nodes.length + edges.length} items
        </button>
      </Section>
    </>
  );
}
