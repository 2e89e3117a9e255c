// Typed wrappers over the provisioning commands (issue 7). The token goes to the shell once, in
// `setCredentials`, and no answer ever carries it back: the UI only learns `hasCredentials`.
// Apply and destroy stream typed progress events over a Tauri channel.
import { Channel } from "@tauri-apps/api/core";
import { open } from "@tauri-apps/plugin-dialog";
import { LazyStore } from "@tauri-apps/plugin-store";
import { commands } from "./bindings";
import type {
  ApiError,
  ApplyProgress,
  RunReport,
  BlockingFinding,
  ChangeAction,
  CredentialStatus,
  DestroyTarget,
  Drift,
  DriftKind,
  DriftReport,
  Plan,
  PlannedChange,
  ResourceStatus,
  RunOptions,
  ProviderAccount,
  LinkEvent,
  LinkProgress,
  LinkReport,
  LinkSettings,
  TunnelLink,
} from "./bindings";
import { BackendError, type FileDesign, type Provider } from "./backend";

export type {
  ApplyProgress,
  RunReport,
  BlockingFinding,
  ChangeAction,
  CredentialStatus,
  DestroyTarget,
  Drift,
  DriftKind,
  DriftReport,
  Plan,
  PlannedChange,
  ResourceStatus,
  RunOptions,
  ProviderAccount,
  LinkEvent,
  LinkProgress,
  LinkReport,
  LinkSettings,
  TunnelLink,
};

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: ApiError };

function isApiError(value: unknown): value is ApiError {
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string" && "detail" in value;
}

/** Runs a command and unwraps its result; every failure becomes a `BackendError`. */
async function call<T>(command: () => Promise<Result<T> | T>): Promise<T> {
  let value: Result<T> | T;
  try {
    value = await command();
  } catch (error) {
    if (isApiError(error)) throw new BackendError(error);
    throw new BackendError({ kind: "io", detail: error instanceof Error ? error.message : String(error) });
  }
  if (typeof value === "object" && value !== null && "status" in value) {
    const result = value as Result<T>;
    if (result.status === "ok") return result.data;
    throw new BackendError(result.error);
  }
  return value as T;
}

function progressChannel(onProgress: (event: ApplyProgress) => void): Channel<ApplyProgress> {
  return new Channel<ApplyProgress>(onProgress);
}

export const provisionBackend = {
  credentialsStatus: (account: string | null): Promise<CredentialStatus[]> => call(() => commands.provisionCredentialsStatus(account)),
  /** Hands the token to the keyring. Keep no copy of it after this call. */
  setCredentials: (provider: Provider, account: string | null, token: string): Promise<CredentialStatus> =>
    call(() => commands.provisionSetCredentials(provider, account, token)),
  testCredentials: (provider: Provider, account: string | null): Promise<null> => call(() => commands.provisionTestCredentials(provider, account)),
  deleteCredentials: (provider: Provider, account: string | null): Promise<CredentialStatus> =>
    call(() => commands.provisionDeleteCredentials(provider, account)),
  plan: (path: string, design: FileDesign, options: RunOptions): Promise<Plan> => call(() => commands.provisionPlan(path, design, options)),
  apply: (path: string, design: FileDesign, options: RunOptions, onProgress: (event: ApplyProgress) => void): Promise<RunReport> =>
    call(() => commands.provisionApply(path, design, options, progressChannel(onProgress))),
  destroyPreview: (path: string, design: FileDesign, options: RunOptions): Promise<DestroyTarget[]> =>
    call(() => commands.provisionDestroyPreview(path, design, options)),
  destroy: (path: string, design: FileDesign, options: RunOptions, onProgress: (event: ApplyProgress) => void): Promise<RunReport> =>
    call(() => commands.provisionDestroy(path, design, options, progressChannel(onProgress))),
  cancel: (): Promise<boolean> => call(() => commands.provisionCancel()),
  refresh: (path: string, design: FileDesign, options: RunOptions): Promise<DriftReport> => call(() => commands.provisionRefresh(path, design, options)),
  /** The checked public key line of an SSH key file; the shell refuses private keys. */
  readPublicKey: (path: string): Promise<string> => call(() => commands.provisionReadPublicKey(path)),
  /** The design's connections that WireGuard tunnels carry (nothing to link when empty). */
  tunnels: (design: FileDesign): Promise<TunnelLink[]> => call(() => commands.provisionTunnels(design)),
  /** Applies as needed, then exchanges the tunnel servers' public keys over SSH. */
  link: (path: string, design: FileDesign, options: RunOptions, settings: LinkSettings, onProgress: (event: LinkEvent) => void): Promise<LinkReport> =>
    call(() => commands.provisionLink(path, design, options, settings, new Channel<LinkEvent>(onProgress))),
};

export type ProvisionBackend = typeof provisionBackend;

/** Lets the user pick an SSH public key file (`.pub`) in the native dialog. */
export async function choosePublicKeyFile(): Promise<string | null> {
  const picked = await open({ multiple: false, directory: false, title: "Choose your SSH public key (.pub)", filters: [{ name: "SSH public key", extensions: ["pub"] }] });
  return typeof picked === "string" ? picked : null;
}

/** Lets the user pick the private key file `ssh` should use; only its path is kept and sent. */
export async function choosePrivateKeyFile(): Promise<string | null> {
  const picked = await open({ multiple: false, directory: false, title: "Choose the SSH private key that matches your public key" });
  return typeof picked === "string" ? picked : null;
}

/**
 * What provisioning remembers between sessions, in the settings store: the account names per
 * provider, which one each provider uses, the SSH public key, and how Link reaches the servers
 * (admin address, SSH user, the private key file's path). Never a token or a private key.
 */
export interface ProvisionSettings {
  accounts: Partial<Record<Provider, string[]>>;
  selected: Partial<Record<Provider, string>>;
  sshPublicKey: string | null;
  adminCidr?: string | null;
  sshUser?: string | null;
  identityFile?: string | null;
}

// Its own file: the preferences store belongs to the app shell (desktop.ts).
const settingsStore = new LazyStore("provisioning.json", { defaults: {}, autoSave: 200 });

export async function loadProvisionSettings(): Promise<ProvisionSettings | null> {
  return (await settingsStore.get<ProvisionSettings>("provisioning")) ?? null;
}

export async function saveProvisionSettings(settings: ProvisionSettings): Promise<void> {
  await settingsStore.set("provisioning", settings);
}
