// Provisioning view state: which provisioning view is open, the last plan, live status of each
// resource and component during apply/destroy, the run log, and drift after a refresh.
// Never holds a token: the credentials dialog keeps the pasted token in its own input only.
import { create } from "zustand";
import type { ApiError, Provider } from "../../ipc/backend";
import type { ApplyProgress, BlockingFinding, CredentialStatus, DestroyTarget, Drift, LinkReport, Plan, ResourceStatus, TunnelLink } from "../../ipc/provision";

export type ProvisionView = "credentials" | "plan" | "destroy" | "link" | null;

/** Why Link stopped, for the dialog: the server, what happened, and what to fix. */
export interface LinkProblem {
  server: string | null;
  message: string;
  fix: string | null;
}

/** What a component's badge shows: the state of its least advanced resource. */
export type BadgeStatus = "pending" | "creating" | "updating" | "deleting" | "ready" | "deleted" | "failed";

export interface LogLine {
  id: number;
  tone: "info" | "error" | "success";
  text: string;
  /** The component the line is about, so clicking it can show that component. */
  component?: string | null;
}

export interface ResourceProgress {
  component: string | null;
  name: string;
  status: ResourceStatus;
  message: string;
}

interface ProvisionState {
  view: ProvisionView;
  /** Keyring account each provider's runs use (absent = the default account). */
  selectedAccounts: Partial<Record<Provider, string>>;
  /** Account names the user stored tokens under, per provider (names only, never tokens). */
  knownAccounts: Partial<Record<Provider, string[]>>;
  /** The SSH public key installed on every server (checked; never a private key). */
  sshPublicKey: string | null;
  /** Whether the remembered settings were read from the store this session. */
  settingsLoaded: boolean;
  /** Stored-token status of each provider and account shown. */
  credentials: CredentialStatus[] | null;
  keyringProblem: string | null;
  plan: Plan | null;
  blocking: BlockingFinding[];
  planError: string | null;
  planning: boolean;
  running: "apply" | "destroy" | "link" | null;
  /** The design's connections that WireGuard tunnels carry; Link tunnels shows when not empty. */
  tunnels: TunnelLink[];
  /** Link settings (remembered): the admin address opening SSH on tunnel servers, the SSH user,
   *  and the private key file's path (the key itself is never read here). */
  adminCidr: string;
  sshUser: string;
  identityFile: string;
  linkProblem: LinkProblem | null;
  linkReport: LinkReport | null;
  resources: Record<string, ResourceProgress>;
  log: LogLine[];
  logOpen: boolean;
  destroyTargets: DestroyTarget[] | null;
  /** Drift found by the last refresh, by component id. */
  drift: Record<string, Drift[]>;
}

export const initialProvisionState: ProvisionState = {
  view: null,
  selectedAccounts: {},
  knownAccounts: {},
  sshPublicKey: null,
  settingsLoaded: false,
  credentials: null,
  keyringProblem: null,
  plan: null,
  blocking: [],
  planError: null,
  planning: false,
  running: null,
  tunnels: [],
  adminCidr: "",
  sshUser: "root",
  identityFile: "",
  linkProblem: null,
  linkReport: null,
  resources: {},
  log: [],
  logOpen: false,
  destroyTargets: null,
  drift: {},
};

export const useProvision = create<ProvisionState>()(() => ({ ...initialProvisionState }));

let logId = 1;

export function addLog(text: string, tone: LogLine["tone"] = "info", component: string | null = null): void {
  useProvision.setState((s) => ({ log: [...s.log.slice(-499), { id: logId++, tone, text, component }], logOpen: true }));
}

/** Records one progress event: the resource's status and a log line. */
export function recordProgress(event: ApplyProgress): void {
  useProvision.setState((s) => ({
    resources: {
      ...s.resources,
      [event.resource]: { component: event.component, name: event.name, status: event.status, message: event.message },
    },
  }));
  const tone = event.status === "failed" ? "error" : event.status === "ready" || event.status === "deleted" ? "success" : "info";
  addLog(`${event.status.padEnd(8)} ${event.name} (${event.resource})${event.message ? ` — ${event.message}` : ""}`, tone, event.component);
}

// The order a component's resources move through; its badge shows the least advanced one, and a
// failure anywhere wins.
const RANK: Record<ResourceStatus, number> = { failed: 0, pending: 1, creating: 2, updating: 2, deleting: 2, ready: 3, deleted: 3 };

/** A component's badge from its resources' statuses; `null` when no run touched it. */
export function componentStatus(resources: Record<string, ResourceProgress>, componentId: string): BadgeStatus | null {
  let worst: ResourceStatus | null = null;
  for (const resource of Object.values(resources)) {
    if (resource.component !== componentId) continue;
    if (worst === null || RANK[resource.status] < RANK[worst]) worst = resource.status;
  }
  return worst;
}

/** Describes a provisioning failure for people: which provider or resource, why, what to do. */
export function describeProvisionError(error: ApiError): string {
  const e = error as { kind: string; detail?: unknown };
  switch (e.kind) {
    case "credentialsMissing": {
      const d = e.detail as { provider: string; account: string };
      return `No ${d.provider} token is stored for account “${d.account}”. Add one in Provision › Credentials….`;
    }
    case "keyringUnavailable":
      return `The OS keyring is not available: ${String(e.detail)}`;
    case "keyringLocked":
      return `The OS keyring is locked: ${String(e.detail)}`;
    case "provider": {
      const d = e.detail as { provider: string; reason: string; resource: string | null; message: string; retryable: boolean; created: string[]; not_attempted: string[] };
      let text = d.resource ? `${d.resource} failed at ${d.provider}: ${d.message}` : `${d.provider}: ${d.message}`;
      if (d.reason === "unauthorized") text += " — the token was refused; check it in Provision › Credentials….";
      if (d.retryable) text += " Trying again may work.";
      if (d.created.length) text += ` Already created (kept and recorded): ${d.created.join(", ")}.`;
      if (d.not_attempted.length) text += ` Not attempted: ${d.not_attempted.join(", ")}.`;
      return text;
    }
    case "blockingFindings":
      return `The design has ${(e.detail as BlockingFinding[]).length} finding(s) at error level; fix them before provisioning.`;
    case "link": {
      const d = e.detail as { server: string | null; message: string; fix: string };
      return `${d.server ? `${d.server}: ` : ""}${d.message} — To fix: ${d.fix}`;
    }
    case "invalidOption":
    case "unsavedChanges":
    case "busy":
    case "credentials":
    case "io":
    case "notFound":
      return String(e.detail);
    case "invalidDesign":
      return (e.detail as { message: string }[]).map((p) => p.message).join("; ");
    default:
      return typeof e.detail === "string" ? e.detail : `${e.kind}: ${JSON.stringify(e.detail)}`;
  }
}
