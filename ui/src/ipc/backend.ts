// Typed wrappers over the Tauri commands. The rest of the UI calls these and never sees Tauri:
// every failure arrives as a `BackendError` carrying the backend's tagged `ApiError`.
import { commands } from "./bindings";
import type { ApiError, Catalog, FileDesign, OpenedDesign, Recovery, SavedDesign, TemplateInfo } from "./contract";

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
    default: {
      // The shell will add kinds (credentials, provider errors); show what it sent.
      const other = error as { kind: string; detail?: unknown };
      return typeof other.detail === "string" ? other.detail : `${other.kind}: ${JSON.stringify(other.detail)}`;
    }
  }
}

function isApiError(value: unknown): value is ApiError {
  if (typeof value !== "object" || value === null) return false;
  // Any tagged error from the shell, including kinds added after this UI was built.
  return typeof (value as { kind?: unknown }).kind === "string" && "detail" in value;
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

/** Runs a generated command and unwraps its result, turning every failure into a `BackendError`. */
async function call<T>(command: () => Promise<MaybeResult<T>>): Promise<T> {
  try {
    return unwrap(await command());
  } catch (error) {
    if (error instanceof BackendError) throw error;
    if (isApiError(error)) throw new BackendError(error);
    throw new BackendError({ kind: "io", detail: error instanceof Error ? error.message : String(error) });
  }
}

/** The backend, one method per command of the shell. Designs travel in file form. */
export const backend = {
  catalog: (): Promise<Catalog> => call(() => commands.catalog()),
  templates: (): Promise<TemplateInfo[]> => call(() => commands.templates()),
  newDesign: (template: string | null): Promise<FileDesign> => call(() => commands.newDesign(template)),
  exampleDesign: (): Promise<FileDesign> => call(() => commands.exampleDesign()),
  startupFile: (): Promise<string | null> => call(() => commands.startupFile()),
  openDesign: (path: string): Promise<OpenedDesign> => call(() => commands.openDesign(path)),
  saveDesign: (path: string, design: FileDesign): Promise<SavedDesign> => call(() => commands.saveDesign(path, design)),
  writeRecovery: (design: FileDesign, path: string | null): Promise<null> => call(() => commands.writeRecovery(design, path)),
  takeRecovery: (): Promise<Recovery | null> => call(() => commands.takeRecovery()),
  discardRecovery: (): Promise<null> => call(() => commands.discardRecovery()),
};

export type Backend = typeof backend;
