// Typed wrappers over the Tauri commands. The rest of the UI calls these and never sees Tauri:
// every failure arrives as a `BackendError` carrying the backend's tagged `ApiError`.
import { invoke } from "@tauri-apps/api/core";
import type {
  ApiError,
  Catalog,
  Design,
  OpenedDesign,
  Recovery,
  SavedDesign,
  TemplateInfo,
} from "./contract";

export type * from "./contract";

/** A command failed; `error.kind` says how (the UI switches on it, never on message text). */
export class BackendError extends Error {
  readonly error: ApiError;
  constructor(error: ApiError) {
    super(describeApiError(error));
    this.name = "BackendError";
    this.error = error;
  }
}

export function describeApiError(error: ApiError): string {
  switch (error.kind) {
    case "invalidDesign":
      return error.detail.map((p) => p.message).join("; ") || "The design is not valid.";
    case "io":
      return error.detail;
    case "notFound":
      return `Not found: ${error.detail}`;
  }
}

function isApiError(value: unknown): value is ApiError {
  if (typeof value !== "object" || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === "invalidDesign" || kind === "io" || kind === "notFound";
}

/** Either shape tauri-specta may produce: a `{status}` result or the raw value. */
type MaybeResult<T> = { status: "ok"; data: T } | { status: "error"; error: ApiError } | T;

function unwrap<T>(value: MaybeResult<T>): T {
  if (typeof value === "object" && value !== null && "status" in value) {
    const result = value as { status: string; data?: T; error?: ApiError };
    if (result.status === "ok") return result.data as T;
    if (result.status === "error" && result.error) throw new BackendError(result.error);
  }
  return value as T;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return unwrap(await invoke<MaybeResult<T>>(command, args));
  } catch (error) {
    if (error instanceof BackendError) throw error;
    if (isApiError(error)) throw new BackendError(error);
    throw new BackendError({ kind: "io", detail: String(error) });
  }
}

/** The backend, one method per command of the shell. */
export const backend = {
  catalog: () => call<Catalog>("catalog"),
  templates: () => call<TemplateInfo[]>("templates"),
  newDesign: (template: string | null) => call<Design>("new_design", { template }),
  exampleDesign: () => call<Design>("example_design"),
  startupFile: () => call<string | null>("startup_file"),
  openDesign: (path: string) => call<OpenedDesign>("open_design", { path }),
  saveDesign: (path: string, design: Design) => call<SavedDesign>("save_design", { path, design }),
  writeRecovery: (design: Design, path: string | null) =>
    call<null>("write_recovery", { design, path }),
  takeRecovery: () => call<Recovery | null>("take_recovery"),
  discardRecovery: () => call<null>("discard_recovery"),
};

export type Backend = typeof backend;
