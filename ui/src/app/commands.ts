// Every command the menus, toolbar and keyboard share, so each has one implementation.
import { canvasApi } from "../canvas/canvas-api";
import { layoutInWorker } from "../canvas/layout-client";
import { isFragment, type Fragment } from "../model/edits";
import { appActions } from "../store/app-actions";
import { designStore } from "../store/design-store";
import { openWithDialog, save, saveAs, showNewDialog, updatePreferences } from "./session";
import { useUi } from "./ui-store";

/** The last copied fragment, for when the system clipboard cannot be read. */
let localClipboard: Fragment | null = null;

export function fragmentText(fragment: Fragment): string {
  return JSON.stringify(fragment);
}

export function parseFragment(text: string): Fragment | null {
  try {
    const value: unknown = JSON.parse(text);
    return isFragment(value) ? value : null;
  } catch {
    return null;
  }
}

export async function copy(cut = false): Promise<void> {
  const fragment = appActions.copySelection();
  if (!fragment) return;
  localClipboard = fragment;
  try {
    await navigator.clipboard.writeText(fragmentText(fragment));
  } catch {
    // The in-app clipboard still works within this window.
  }
  if (cut) appActions.deleteSelection();
}

/** Copy from a native `copy`/`cut` event (keyboard): writes the clipboard synchronously. */
export function copyToEvent(event: ClipboardEvent, cut: boolean): boolean {
  const fragment = appActions.copySelection();
  if (!fragment || !event.clipboardData) return false;
  localClipboard = fragment;
  event.clipboardData.setData("text/plain", fragmentText(fragment));
  event.preventDefault();
  if (cut) appActions.deleteSelection();
  return true;
}

export function pasteFragment(fragment: Fragment): void {
  appActions.pasteFragment(fragment, `Paste ${fragment.components.length + fragment.groups.length} items`);
}

export async function paste(): Promise<void> {
  let fragment: Fragment | null;
  try {
    fragment = parseFragment(await navigator.clipboard.readText());
  } catch {
    fragment = null;
  }
  fragment ??= localClipboard;
  if (fragment) pasteFragment(fragment);
}

export function pasteFromEvent(event: ClipboardEvent): boolean {
  const text = event.clipboardData?.getData("text/plain") ?? "";
  // Other text on the clipboard is not ours to paste; an empty clipboard falls back to ours.
  const fragment = text === "" ? localClipboard : parseFragment(text);
  if (!fragment) return false;
  event.preventDefault();
  pasteFragment(fragment);
  return true;
}

export async function autoLayout(): Promise<void> {
  const design = designStore.getState().design;
  if (design.components.length > 200) useUi.getState().notify(`Laying out ${design.components.length} components…`);
  try {
    const result = await layoutInWorker(design);
    // Apply only if nothing changed meanwhile, so a late answer cannot undo newer edits.
    if (designStore.getState().design !== design) return;
    appActions.applyLayout(result);
    setTimeout(() => canvasApi()?.fitView(), 50);
  } catch (error) {
    useUi.getState().notify(`Auto-layout failed: ${String(error)}`, "error");
  }
}

export const commands = {
  newDesign: () => void showNewDialog(),
  open: () => void openWithDialog(),
  save: () => void save(),
  saveAs: () => void saveAs(),
  undo: () => designStore.getState().undo(),
  redo: () => designStore.getState().redo(),
  cut: () => void copy(true),
  copy: () => void copy(false),
  paste: () => void paste(),
  duplicate: () => appActions.duplicateSelection(),
  delete: () => appActions.deleteSelection(),
  selectAll: () => appActions.selectAll(),
  groupSelection: () => appActions.groupSelection("private_network"),
  autoLayout: () => void autoLayout(),
  fitView: () => canvasApi()?.fitView(),
  zoomIn: () => canvasApi()?.zoomIn(),
  zoomOut: () => canvasApi()?.zoomOut(),
  toggleGrid: () => updatePreferences({ snapToGrid: !useUi.getState().preferences.snapToGrid }),
  toggleMinimap: () => updatePreferences({ showMinimap: !useUi.getState().preferences.showMinimap }),
  toggleTheme: () => updatePreferences({ theme: useUi.getState().preferences.theme === "dark" ? "light" : "dark" }),
  help: () => useUi.getState().openDialog({ kind: "help" }),
  deselect: () => designStore.getState().select({ nodes: [], edges: [] }),
};

export type CommandName = keyof typeof commands;

/** Keyboard shortcuts: [keys as shown, description, command]. */
export const SHORTCUTS: [string, string, CommandName][] = [
  ["Ctrl+N", "New design", "newDesign"],
  ["Ctrl+O", "Open…", "open"],
  ["Ctrl+S", "Save", "save"],
  ["Ctrl+Shift+S", "Save as…", "saveAs"],
  ["Ctrl+Z", "Undo", "undo"],
  ["Ctrl+Shift+Z / Ctrl+Y", "Redo", "redo"],
  ["Ctrl+X", "Cut", "cut"],
  ["Ctrl+C", "Copy", "copy"],
  ["Ctrl+V", "Paste", "paste"],
  ["Ctrl+D", "Duplicate", "duplicate"],
  ["Delete / Backspace", "Delete selection", "delete"],
  ["Ctrl+A", "Select all", "selectAll"],
  ["Escape", "Clear the selection", "deselect"],
  ["Ctrl+G", "Group selection in a private network", "groupSelection"],
  ["Shift+L", "Auto-layout", "autoLayout"],
  ["Shift+1", "Fit view", "fitView"],
  ["Ctrl+= / Ctrl+-", "Zoom in / out", "zoomIn"],
  ["G", "Snap to grid on/off", "toggleGrid"],
  ["M", "Minimap on/off", "toggleMinimap"],
  ["?", "Keyboard shortcuts", "help"],
];

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** The command a key press means, or null. Text fields keep their own editing keys. */
export function commandForKey(event: KeyboardEvent): CommandName | null {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (mod && key === "s") return event.shiftKey ? "saveAs" : "save";
  if (mod && key === "o") return "open";
  if (mod && key === "n") return "newDesign";
  if (isEditable(event.target)) return null;
  if (mod && key === "z") return event.shiftKey ? "redo" : "undo";
  if (mod && key === "y") return "redo";
  if (mod && key === "d") return "duplicate";
  if (mod && key === "a") return "selectAll";
  if (mod && key === "g") return "groupSelection";
  if (mod && (key === "=" || key === "+")) return "zoomIn";
  if (mod && key === "-") return "zoomOut";
  if (mod) return null;
  if (key === "delete" || key === "backspace") return "delete";
  if (key === "escape") return "deselect";
  if (event.key === "?") return "help";
  if (event.shiftKey && key === "l") return "autoLayout";
  if (event.shiftKey && (event.code === "Digit1" || key === "!")) return "fitView";
  if (!event.shiftKey && key === "g") return "toggleGrid";
  if (!event.shiftKey && key === "m") return "toggleMinimap";
  return null;
}

export function isEditableTarget(target: EventTarget | null): boolean {
  return isEditable(target);
}
