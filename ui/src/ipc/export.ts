// The Export dialog's backend: the SVG preview, the export itself (Rust renders and writes the
// file; only the written paths come back), and the native save dialog with the format's filter.
import { save } from "@tauri-apps/plugin-dialog";
import { commands, type ExportBackground, type ExportedFiles, type ExportFormat, type ExportOptions, type ExportPaper } from "./bindings";
import { BackendError, type ApiError, type FileDesign } from "./backend";

export type { ExportBackground, ExportedFiles, ExportFormat, ExportOptions, ExportPaper };

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

/** Renders and writes `design` at `path`; resolves to the files written (the chosen one first). */
export async function exportDesign(design: FileDesign, options: ExportOptions, path: string): Promise<ExportedFiles> {
  let result: Awaited<ReturnType<typeof commands.exportDesign>>;
  try {
    result = await commands.exportDesign(design, options, path);
  } catch (error) {
    throw asBackendError(error);
  }
  if (result.status === "error") throw new BackendError(result.error);
  return result.data;
}

/** The native save dialog filtered to one extension; the extension is added when the user left it out. */
export async function chooseExportPath(suggestedName: string, filterName: string, extension: string): Promise<string | null> {
  const path = await save({ defaultPath: suggestedName, filters: [{ name: filterName, extensions: [extension] }] });
  if (!path) return null;
  return path.toLowerCase().endsWith(`.${extension}`) ? path : `${path}.${extension}`;
}
