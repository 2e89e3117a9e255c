// View state that is not part of the document: preferences, dialogs, notices, recent files.
import { create } from "zustand";
import type { LoadProblem, Recovery, TemplateInfo } from "../ipc/backend";
import { DEFAULT_PREFERENCES, type Preferences } from "../ipc/desktop";

export type Dialog =
  | { kind: "new"; templates: TemplateInfo[] }
  | { kind: "problems"; title: string; problems: LoadProblem[] }
  | { kind: "recovery"; recovery: Recovery }
  | { kind: "help" }
  | null;

export interface Notice {
  id: number;
  tone: "info" | "error" | "success";
  text: string;
}

interface UiState {
  preferences: Preferences;
  recentFiles: string[];
  dialog: Dialog;
  notices: Notice[];
  paletteDrag: { kind: string; label: string; x: number; y: number } | null;
  /** The Export dialog (ui/src/panels/export) is open. */
  exportOpen: boolean;
  setExportOpen(open: boolean): void;
  setPreferences(p: Partial<Preferences>): void;
  setRecentFiles(files: string[]): void;
  openDialog(dialog: Dialog): void;
  notify(text: string, tone?: Notice["tone"]): void;
  dismiss(id: number): void;
  setPaletteDrag(drag: UiState["paletteDrag"]): void;
}

let noticeId = 1;

export const useUi = create<UiState>()((set) => ({
  preferences: DEFAULT_PREFERENCES,
  recentFiles: [],
  dialog: null,
  notices: [],
  paletteDrag: null,
  setPreferences: (p) => set((s) => ({ preferences: { ...s.preferences, ...p } })),
  setRecentFiles: (recentFiles) => set({ recentFiles }),
  openDialog: (dialog) => set({ dialog }),
  notify: (text, tone = "info") => {
    const id = noticeId++;
    // The same message again replaces the old one instead of stacking.
    set((s) => ({ notices: [...s.notices.filter((n) => n.text !== text).slice(-2), { id, tone, text }] }));
    setTimeout(() => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })), tone === "error" ? 7000 : 3500);
  },
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  setPaletteDrag: (paletteDrag) => set({ paletteDrag }),
  exportOpen: false,
  setExportOpen: (exportOpen) => set({ exportOpen }),
}));
