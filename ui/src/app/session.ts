// The document's life: start-up, new, open, save, recovery autosave, title and close. Talks to the
// backend through src/ipc only and reports failures in the UI without changing the document.
import { backend, BackendError, describeApiError, type Design, type FileDesign, type OpenedDesign } from "../ipc/backend";
import {
  chooseFileToOpen,
  chooseFileToSave,
  confirmDiscard,
  loadPreferences,
  loadRecentFiles,
  onWindowCloseRequested,
  rememberRecentFile,
  savePreferences,
  setWindowTitle,
  type Preferences,
} from "../ipc/desktop";
import { fromDocument, toDocument } from "../model/document";
import { designStore, isDirty } from "../store/design-store";
import { useUi } from "./ui-store";

export const AUTOSAVE_INTERVAL_MS = 5000;

function fileName(path: string | null): string {
  if (!path) return "Untitled";
  return path.split(/[\\/]/).pop() ?? path;
}

function reportFailure(action: string, error: unknown, subject = "the file"): void {
  const ui = useUi.getState();
  if (error instanceof BackendError && error.error.kind === "invalidDesign") {
    ui.openDialog({ kind: "problems", title: `${action}: ${subject} has problems`, problems: error.error.detail });
    return;
  }
  const text = error instanceof BackendError ? describeApiError(error.error) : String(error);
  ui.notify(`${action}: ${text}`, "error");
}

async function confirmLeavingChanges(): Promise<boolean> {
  if (!isDirty(designStore.getState())) return true;
  try {
    return await confirmDiscard("This design has unsaved changes. Discard them?");
  } catch {
    return window.confirm("This design has unsaved changes. Discard them?");
  }
}

async function adoptOpened(opened: OpenedDesign): Promise<void> {
  // A migrated file counts as changed: saving writes the current format.
  designStore.getState().load(fromDocument(opened.design), { path: opened.path, saved: opened.migrated_from == null });
  if (opened.migrated_from != null) {
    useUi.getState().notify(`Upgraded from file format ${opened.migrated_from}; save to keep the new format.`);
  }
  useUi.getState().setRecentFiles(await rememberRecentFile(opened.path).catch(() => useUi.getState().recentFiles));
}

/** Opens a design file; false (with the problem shown and the document unchanged) when it cannot. */
export async function openPath(path: string): Promise<boolean> {
  try {
    await adoptOpened(await backend.openDesign(path));
    return true;
  } catch (error) {
    reportFailure(`Could not open ${fileName(path)}`, error);
    return false;
  }
}

export async function openWithDialog(): Promise<void> {
  if (!(await confirmLeavingChanges())) return;
  const path = await chooseFileToOpen().catch(() => null);
  if (path) void (await openPath(path));
}

export async function openRecent(path: string): Promise<void> {
  if (!(await confirmLeavingChanges())) return;
  await openPath(path);
}

export async function showNewDialog(): Promise<void> {
  try {
    useUi.getState().openDialog({ kind: "new", templates: await backend.templates() });
  } catch (error) {
    reportFailure("Could not list templates", error);
  }
}

export async function newDesign(template: string | null): Promise<void> {
  if (!(await confirmLeavingChanges())) return;
  try {
    const design = await backend.newDesign(template);
    designStore.getState().load(fromDocument(design), { path: null, saved: true });
    useUi.getState().openDialog(null);
  } catch (error) {
    reportFailure("Could not create the design", error);
  }
}

async function saveTo(path: string, design: Design): Promise<boolean> {
  try {
    const saved = await backend.saveDesign(path, toDocument(design));
    designStore.getState().markSaved(saved.path, design);
    lastRecovered = design;
    await backend.discardRecovery().catch(() => null);
    useUi.getState().setRecentFiles(await rememberRecentFile(saved.path).catch(() => useUi.getState().recentFiles));
    useUi.getState().notify(`Saved ${fileName(saved.path)}`, "success");
    return true;
  } catch (error) {
    reportFailure(`Could not save ${fileName(path)}`, error, "the design");
    return false;
  }
}

/** Saves to the document's file, asking for one first when it has none. */
export async function save(): Promise<boolean> {
  const { filePath, design } = designStore.getState();
  if (filePath) return saveTo(filePath, design);
  return saveAs();
}

export async function saveAs(): Promise<boolean> {
  const { design, filePath } = designStore.getState();
  const suggested = filePath ?? `${design.name.replace(/[^\w.-]+/g, "-").toLowerCase() || "design"}.stagecraft.json`;
  const path = await chooseFileToSave(suggested).catch(() => null);
  if (!path) return false;
  return saveTo(path, design);
}

let lastRecovered: Design | null = null;

/** Writes the recovery copy when the document changed since the last one. */
export async function autosaveRecovery(): Promise<void> {
  const state = designStore.getState();
  if (!isDirty(state) || state.design === lastRecovered || state.gestureStart) return;
  const design = state.design;
  try {
    await backend.writeRecovery(toDocument(design), state.filePath);
    lastRecovered = design;
  } catch (error) {
    reportFailure("Could not write the recovery copy", error);
  }
}

/** Restores recovered work as an unsaved document; the recovery copy stays until it is saved. */
export function restoreRecovery(design: FileDesign, path: string | null): void {
  designStore.getState().load(fromDocument(design), { path, saved: false });
  useUi.getState().openDialog(null);
}

export function discardRecovery(): void {
  useUi.getState().openDialog(null);
  void backend.discardRecovery().catch(() => null);
}

/** Start-up: the file the app was opened with, else a recovery offer, else the example design. */
export async function start(): Promise<void> {
  const ui = useUi.getState();
  loadPreferences()
    .then((p) => ui.setPreferences(p))
    .catch(() => undefined);
  loadRecentFiles()
    .then((files) => ui.setRecentFiles(files))
    .catch(() => undefined);
  designStore.getState().setCatalog(await backend.catalog());
  const startup = await backend.startupFile().catch(() => null);
  if (startup) {
    // Like an editor given a new file name: a missing file starts a blank design saved there.
    let failure: unknown;
    try {
      await adoptOpened(await backend.openDesign(startup));
      return;
    } catch (error) {
      failure = error;
    }
    if (failure instanceof BackendError && failure.error.kind === "notFound") {
      designStore.getState().load(fromDocument(await backend.newDesign(null)), { path: startup, saved: false });
      ui.notify(`${fileName(startup)} does not exist yet; saving creates it.`);
      return;
    }
    // Anything else: show why, and open the example underneath so the app is usable.
    reportFailure(`Could not open ${fileName(startup)}`, failure);
    designStore.getState().load(fromDocument(await backend.exampleDesign()), { path: null, saved: true });
    return;
  }
  const recovery = await backend.takeRecovery().catch(async (error: unknown) => {
    // A damaged recovery copy stays on disk until the user agrees to drop it.
    const why = error instanceof BackendError ? describeApiError(error.error) : String(error);
    if (await confirmDiscard(`The recovery copy from the last session cannot be read (${why}). Discard it?`, "Damaged recovery copy").catch(() => false)) {
      await backend.discardRecovery().catch(() => null);
    }
    return null;
  });
  const example = await backend.exampleDesign();
  designStore.getState().load(fromDocument(example), { path: null, saved: true });
  if (recovery) ui.openDialog({ kind: "recovery", recovery });
}

export function updatePreferences(patch: Partial<Preferences>): void {
  const ui = useUi.getState();
  ui.setPreferences(patch);
  void savePreferences(useUi.getState().preferences).catch(() => undefined);
}

/** Keeps the window title in step with the file name and unsaved marker; wires autosave and close. */
export function installSessionHooks(): () => void {
  let lastTitle = "";
  const syncTitle = () => {
    const state = designStore.getState();
    const title = `${isDirty(state) ? "• " : ""}${state.filePath ? fileName(state.filePath) : state.design.name} — Stagecraft`;
    if (title !== lastTitle) {
      lastTitle = title;
      void setWindowTitle(title).catch(() => undefined);
    }
  };
  syncTitle();
  const unsubscribe = designStore.subscribe(syncTitle);
  const timer = setInterval(() => void autosaveRecovery(), AUTOSAVE_INTERVAL_MS);
  let removeClose: (() => void) | null = null;
  let disposed = false;
  onWindowCloseRequested(async () => {
    if (!(await confirmLeavingChanges())) return false;
    // A clean close leaves no recovery copy behind.
    await backend.discardRecovery().catch(() => null);
    return true;
  })
    .then((remove) => (disposed ? remove() : (removeClose = remove)))
    .catch(() => undefined);
  return () => {
    disposed = true;
    unsubscribe();
    clearInterval(timer);
    removeClose?.();
  };
}
