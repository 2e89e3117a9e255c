// Native dialogs, window title and close handling, and preferences, wrapped so the UI never
// imports Tauri. Each degrades to a harmless no-op outside Tauri (plain browser previews).
import { ask, open, save } from "@tauri-apps/plugin-dialog";
import { LazyStore } from "@tauri-apps/plugin-store";
import { getCurrentWindow } from "@tauri-apps/api/window";

const DESIGN_FILTER = [{ name: "Stagecraft design", extensions: ["json"] }];

export async function chooseFileToOpen(): Promise<string | null> {
  const picked = await open({ multiple: false, directory: false, filters: DESIGN_FILTER });
  return typeof picked === "string" ? picked : null;
}

export async function chooseFileToSave(suggestedName: string): Promise<string | null> {
  const path = await save({ defaultPath: suggestedName, filters: DESIGN_FILTER });
  if (!path) return null;
  return path.endsWith(".stagecraft.json") ? path : path.replace(/(\.json)?$/, ".stagecraft.json");
}

/** Asks a yes/no question whose yes throws work away; true when the user chose Discard. */
export async function confirmDiscard(question: string, title = "Unsaved changes"): Promise<boolean> {
  return ask(question, { title, kind: "warning", okLabel: "Discard", cancelLabel: "Keep" });
}

export async function setWindowTitle(title: string): Promise<void> {
  document.title = title;
  await getCurrentWindow().setTitle(title);
}

/**
 * Runs `shouldClose` when the user closes the window; the window stays open when it resolves
 * false. Returns the function that removes the handler.
 */
export async function onWindowCloseRequested(shouldClose: () => Promise<boolean>): Promise<() => void> {
  return getCurrentWindow().onCloseRequested(async (event) => {
    if (!(await shouldClose())) event.preventDefault();
  });
}

export interface Preferences {
  theme: "light" | "dark";
  snapToGrid: boolean;
  showMinimap: boolean;
  paletteWidth: number;
  inspectorWidth: number;
}

export const DEFAULT_PREFERENCES: Preferences = {
  theme: "light",
  snapToGrid: true,
  showMinimap: true,
  paletteWidth: 248,
  inspectorWidth: 320,
};

const store = new LazyStore("preferences.json", { defaults: {}, autoSave: 200 });

/** Saved preferences over the defaults; the theme follows the system until one is chosen. */
export async function loadPreferences(): Promise<Preferences> {
  const saved = await store.get<Partial<Preferences>>("preferences");
  const systemDark = typeof window.matchMedia === "function" && window.matchMedia("(prefers-color-scheme: dark)").matches;
  return { ...DEFAULT_PREFERENCES, theme: systemDark ? "dark" : "light", ...(saved ?? {}) };
}

export async function savePreferences(preferences: Preferences): Promise<void> {
  await store.set("preferences", preferences);
}

const RECENT_LIMIT = 8;

export async function loadRecentFiles(): Promise<string[]> {
  return (await store.get<string[]>("recent_files")) ?? [];
}

/** Puts `path` first in the recent list and returns the new list. */
export async function rememberRecentFile(path: string): Promise<string[]> {
  const recent = [path, ...(await loadRecentFiles()).filter((p) => p !== path)].slice(0, RECENT_LIMIT);
  await store.set("recent_files", recent);
  return recent;
}
