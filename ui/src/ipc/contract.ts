// The backend contract, written from crates/stagecraft-model (design.rs, catalog.rs) with the
// tauri-specta mapping: snake_case fields as in the file, Option -> `T | null`, enums -> string
// unions. Replaced by re-exports of the generated bindings.ts once it is committed.

export type Provider = "hetzner" | "digitalocean" | "aws" | "unassigned";
export type Stage = "mvp" | "growth" | "scale";
export type Currency = "EUR" | "USD";
export type ComponentKind =
  | "users" | "dns_zone" | "cdn" | "load_balancer" | "reverse_proxy" | "app_server" | "worker"
  | "autoscaling_group" | "managed_database" | "self_hosted_database" | "cache" | "object_storage"
  | "block_volume" | "firewall" | "vpn_link" | "backup_job" | "monitoring";
export type Engine = "postgresql" | "mysql" | "redis" | "valkey";
export type Workload = "web" | "jobs" | "database" | "cache" | "reverse_proxy";
export type Runtime = "docker_compose" | "systemd" | "kubernetes";
export type Schedule = "hourly" | "daily" | "weekly" | "monthly";
export type ProxySoftware = "caddy" | "traefik" | "nginx";
export type LbAlgorithm = "round_robin" | "least_connections";
export type Policy = "deny" | "allow";
export type Direction = "inbound" | "outbound";
export type FirewallProtocol = "tcp" | "udp" | "icmp";
export type VpnSoftware = "wireguard" | "tailscale";
export type PurchaseOption = "on_demand" | "reserved1y" | "reserved3y" | "spot";
export type Protocol =
  | "http" | "https" | "tcp" | "udp" | "grpc" | "postgresql" | "mysql" | "redis" | "dns" | "ssh"
  | "wireguard" | "s3";
export type NetworkPath = "public" | "private" | "vpn";
export type GroupKind = "region" | "private_network" | "availability_zone";

export interface Assumptions {
  expected_users?: number | null;
  peak_rps?: number | null;
  monthly_egress_gb?: number | null;
  monthly_growth_percent?: number | null;
  target_stage?: Stage | null;
  currency: Currency;
}
export interface Practices {
  config_in_git: boolean;
  migration_in_progress: boolean;
}
export interface BackupPolicy {
  dumps?: Schedule | null;
  snapshots?: Schedule | null;
  before_changes: boolean;
  retention_days?: number | null;
  destination?: string | null;
}
export interface HealthCheck {
  protocol: Protocol;
  port: number;
  path?: string | null;
  interval_seconds: number;
}
export interface FirewallRule {
  direction: Direction;
  protocol: FirewallProtocol;
  port?: string | null;
  addresses: string[];
  description?: string | null;
}
export interface Autoscaling {
  min: number;
  max: number;
  target_cpu_percent?: number | null;
}
export interface Properties {
  engine?: Engine | null;
  engine_version?: string | null;
  storage_gb?: number | null;
  standby_nodes?: number | null;
  workloads?: Workload[];
  runtime?: Runtime | null;
  backup?: BackupPolicy | null;
  backup_sources?: string[];
  proxy?: ProxySoftware | null;
  algorithm?: LbAlgorithm | null;
  health_check?: HealthCheck | null;
  default_inbound?: Policy | null;
  firewall_rules?: FirewallRule[];
  applies_to?: string[];
  domain?: string | null;
  dns_ttl_seconds?: number | null;
  vpn?: VpnSoftware | null;
  members?: string[];
  autoscaling?: Autoscaling | null;
  attached_to?: string | null;
  public_ipv4?: boolean | null;
  purchase?: PurchaseOption | null;
}
export interface Component {
  id: string;
  kind: ComponentKind;
  name: string;
  provider: Provider;
  region?: string | null;
  size?: string | null;
  count: number;
  group?: string | null;
  properties?: Properties;
}
export interface Connection {
  id: string;
  from: string;
  to: string;
  protocol: Protocol;
  ports?: number[];
  network: NetworkPath;
  label?: string | null;
}
export interface Group {
  id: string;
  kind: GroupKind;
  name: string;
  provider: Provider;
  region?: string | null;
  cidr?: string | null;
  parent?: string | null;
}
export interface Placement {
  x: number;
  y: number;
  width?: number | null;
  height?: number | null;
}
export interface Layout {
  nodes: Partial<Record<string, Placement>>;
}
export interface Design {
  schema_version: number;
  id: string;
  name: string;
  description?: string;
  assumptions: Assumptions;
  practices: Practices;
  groups: Group[];
  components: Component[];
  connections: Connection[];
  layout: Layout;
}

export type Category = "edge" | "compute" | "data" | "network" | "operations";
export type SizeFamily = "server" | "database" | "cache" | "load_balancer";
export type Arch = "x86" | "arm";
export interface PortSpec { port: number; protocol: Protocol; purpose: string }
export interface Offering {
  provider: Provider;
  native: boolean;
  resource: string;
  default_size?: string | null;
  fallback?: ComponentKind | null;
  note: string;
}
export interface KindSpec {
  kind: ComponentKind;
  label: string;
  category: Category;
  description: string;
  icon: string;
  ports: PortSpec[];
  sizing?: SizeFamily | null;
  connects_to: ComponentKind[];
  needs_connection: boolean;
  offerings: Offering[];
}
export interface GroupResource { provider: Provider; resource: string }
export interface GroupKindSpec { kind: GroupKind; label: string; description: string; resources: GroupResource[] }
export interface RegionSpec { id: string; label: string; area: string }
export interface SizeSpec {
  id: string;
  families: SizeFamily[];
  vcpus: number;
  memory_mb: number;
  disk_gb: number;
  arch: Arch;
  dedicated_cpu: boolean;
  regions?: string[];
}
export interface ProviderSpec { provider: Provider; label: string; source: string; regions: RegionSpec[]; sizes: SizeSpec[] }
export interface Catalog { as_of: string; kinds: KindSpec[]; group_kinds: GroupKindSpec[]; providers: ProviderSpec[] }

export interface TemplateInfo { slug: string; stage: Stage; name: string; description: string }
export interface Position { line: number; column: number }
export interface LoadProblem {
  kind: string;
  file: string;
  position?: Position | null;
  field?: string | null;
  message: string;
}
export type ApiError =
  | { kind: "invalidDesign"; detail: LoadProblem[] }
  | { kind: "io"; detail: string }
  | { kind: "notFound"; detail: string };
export interface OpenedDesign { path: string; design: Design; migrated_from?: number | null }
export interface SavedDesign { path: string }
export interface Recovery { design: Design; path?: string | null; saved_at: string }
