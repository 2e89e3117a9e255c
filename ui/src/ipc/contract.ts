// The UI's view of the backend contract. Catalogue, error and IO types come straight from the
// generated bindings. The design types here are the *store form*: the file form (`FileDesign`,
// as tauri-specta generates it) marks every serde-defaulted field optional, the store form has
// them all present so edits never meet a missing field. `model/document.ts` converts between them;
// the store form is assignable to the file form, so the compiler checks the two stay compatible.
import type * as Generated from "./bindings";

export type {
  ApiError,
  Arch,
  Autoscaling,
  BackupPolicy,
  Catalog,
  Category,
  ComponentKind,
  Currency,
  Direction,
  Engine,
  FirewallProtocol,
  FirewallRule,
  GroupKind,
  GroupKindSpec,
  HealthCheck,
  KindSpec,
  LbAlgorithm,
  LoadProblem,
  NetworkPath,
  Offering,
  OpenedDesign,
  Policy,
  PortSpec,
  Properties,
  Protocol,
  Provider,
  ProviderSpec,
  ProxySoftware,
  PurchaseOption,
  RecoveredDesign as Recovery,
  RegionSpec,
  Runtime,
  SavedDesign,
  Schedule,
  SizeFamily,
  SizeSpec,
  Stage,
  TemplateInfo,
  VpnSoftware,
  Workload,
} from "./bindings";

/** A design exactly as the backend sends and receives it (file form). */
export type FileDesign = Generated.Design;

export type Assumptions = Generated.Assumptions & { currency: Generated.Currency };
export type Practices = Required<Generated.Practices>;
export type Component = Generated.Component & { provider: Generated.Provider; count: number; properties: Generated.Properties };
export type Connection = Generated.Connection & { network: Generated.NetworkPath };
export type Group = Generated.Group & { provider: Generated.Provider };
export interface Placement {
  x: number;
  y: number;
  width?: number | null;
  height?: number | null;
}
export interface Layout {
  nodes: Record<string, Placement>;
}
export type Design = Omit<Generated.Design, "assumptions" | "practices" | "groups" | "components" | "connections" | "layout"> & {
  description: string;
  assumptions: Assumptions;
  practices: Practices;
  groups: Group[];
  components: Component[];
  connections: Connection[];
  layout: Layout;
};
