// The Export dialog's backend: the SVG preview, the export itself (Rust renders and writes the
// file; only the written paths come back), the native save dialog with the format's filter, and
// the previous version a review report is compared with (a chosen file, or the design file's last
// commit, both read by Rust; only the version's name and the list of changes come back).
import { open, save } from "@tauri-apps/plugin-dialog";
import {
  commands,
  type ExportBackground,
  type ExportedFiles,
  type ExportFormat,
  type ExportOptions,
  type ExportPaper,
  type PreviousSummary,
  type PreviousVersion,
} from "./bindings";
import { BackendError, type ApiError, type FileDesign } from "./backend";

export type { ExportBackground, ExportedFiles, ExportFormat, ExportOptions, ExportPaper, PreviousSummary, PreviousVersion };

function isApiError(value: unknown): value is ApiError {
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string" && "detail" in value;
}

/** A rejected promise (a framework failure or a thrown ApiError) as a `BackendError`. */
function asBackendError(error: unknown): BackendError {
  if (error instanceof BackendError) return error;
  if (isApiError(error)) return new BackendError(error);
  return new BackendError({ kind: "io", detail: error instanceof Error ? error.message : String(error) });
}

/** The design as SVG text, drawn by the same renderer as the SVG, PNG and PDF exports. */
export async function exportPreview(design: FileDesign): Promise<string> {
  try {
    return await commands.exportPreview(design);
  } catch (error) {
    throw asBackendError(error);
  }
}

/**
 * Renders and writes `design` at `path`; resolves to the files written (the chosen one first).
 * A review report given a `previous` version lists the changes since it.
 */
export async function exportDesign(design: FileDesign, options: ExportOptions, path: string, previous: PreviousVersion | null = null): Promise<ExportedFiles> {
  let result: Awaited<ReturnType<typeof commands.exportDesign>>;
  try {
    result = await commands.exportDesign(design, options, path, previous);
  } catch (error) {
    throw asBackendError(error);
  }
  if (result.status === "error") throw new BackendError(result.error);
  return result.data;
}

/** The name of the design file's last commit in Git, or null when it is not in a repository or never committed. */
export async function exportLastCommit(path: string): Promise<string | null> {
  let result: Awaited<ReturnType<typeof commands.exportLastCommit>>;
  try {
    result = await commands.exportLastCommit(path);
  } catch (error) {
    throw asBackendError(error);
  }
  if (result.status === "error") throw new BackendError(result.error);
  return result.data;
}

/** What changed in `design` since `previous`, as the report will list it. */
export async function exportChanges(design: FileDesign, previous: PreviousVersion): Promise<PreviousSummary> {
  let result: Awaited<ReturnType<typeof commands.exportChanges>>;
  try {
    result = await commands.exportChanges(design, previous);
  } catch (error) {
    throw asBackendError(error);
  }
  if (result.status === "error") throw new BackendError(result.error);
  return result.data;
}

/** The native open dialog for a previous version of the design. */
export async function choosePreviousDesign(): Promise<string | null> {
  const picked = await open({ multiple: false, directory: false, title: "Choose a previous version of the design", filters: [{ name: "Stagecraft design", extensions: ["json"] }] });
  return typeof picked === "string" ? picked : null;
}

/** The native save dialog filtered to one extension; the extension is added when the user left it out. */
export async function chooseExportPath(suggestedName: string, filterName: string, extension: string): Promise<string | null> {
  const path = await save({ defaultPath: suggestedName, filters: [{ name: filterName, extensions: [extension] }] });
  if (!path) return null;
  return path.toLowerCase().endsWith(`.${extension}`) ? path : `${path}.${extension}`;
}
