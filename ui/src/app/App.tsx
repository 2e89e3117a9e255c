import { useEffect, useState } from "react";
import { Canvas } from "../canvas/Canvas";
import { AnalysisPanel } from "../panels/analysis/AnalysisPanel";
import { Inspector } from "../inspector/Inspector";
import { Palette, PaletteDragGhost } from "../palette/Palette";
import { ProvisionPanel } from "../panels/provision/ProvisionPanel";
import { ExportPanel } from "../panels/export/ExportDialog";
import { useDesign } from "../store/design-store";
import { commandForKey, commands, copyToEvent, isEditableTarget, pasteFromEvent } from "./commands";
import { Dialogs, Notices } from "./Dialogs";
import { installSessionHooks, start, updatePreferences } from "./session";
import { StatusBar } from "./StatusBar";
import { TopBar } from "./TopBar";
import { useUi } from "./ui-store";

/** How long to wait for the browser's own clipboard event before using the clipboard API. */
const CLIPBOARD_EVENT_GRACE_MS = 80;

function useShortcuts() {
  useEffect(() => {
    // Ctrl+C/X/V go through the browser's clipboard events (they carry the system clipboard and
    // need no permission). Some engines fire none without a text selection; then the clipboard
    // API (or the in-app clipboard) takes over.
    let pending: { kind: "copy" | "cut" | "paste"; timer: number } | null = null;
    const settle = () => {
      if (pending) clearTimeout(pending.timer);
      pending = null;
    };
    const onKey = (event: KeyboardEvent) => {
      if (useUi.getState().dialog && event.key !== "Escape") return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && !event.shiftKey && (key === "c" || key === "x" || key === "v") && !isEditableTarget(event.target)) {
        settle();
        const kind = key === "c" ? "copy" : key === "x" ? "cut" : "paste";
        pending = {
          kind,
          timer: window.setTimeout(() => {
            pending = null;
            if (kind === "paste") commands.paste();
            else if (kind === "cut") commands.cut();
            else commands.copy();
          }, CLIPBOARD_EVENT_GRACE_MS),
        };
        return;
      }
      const command = commandForKey(event);
      if (!command) return;
      event.preventDefault();
      commands[command]();
    };
    const onCopy = (event: ClipboardEvent) => {
      if (isEditableTarget(event.target)) return;
      settle();
      copyToEvent(event, false);
    };
    const onCut = (event: ClipboardEvent) => {
      if (isEditableTarget(event.target)) return;
      settle();
      copyToEvent(event, true);
    };
    const onPaste = (event: ClipboardEvent) => {
      if (isEditableTarget(event.target)) return;
      settle();
      pasteFromEvent(event);
    };
    window.addEventListener("keydown", onKey);
    document.addEventListener("copy", onCopy);
    document.addEventListener("cut", onCut);
    document.addEventListener("paste", onPaste);
    return () => {
      settle();
      window.removeEventListener("keydown", onKey);
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("cut", onCut);
      document.removeEventListener("paste", onPaste);
    };
  }, []);
}

/** A drag handle that resizes a side panel and keeps the width in preferences. */
function PanelResizer({ side }: { side: "palette" | "inspector" }) {
  return (
    <div
      className={`sc-resizer sc-resizer--${side}`}
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${side}`}
      onPointerDown={(event) => {
        event.preventDefault();
        const startX = event.clientX;
        const key = side === "palette" ? "paletteWidth" : "inspectorWidth";
        const startWidth = useUi.getState().preferences[key];
        const move = (e: PointerEvent) => {
          const delta = side === "palette" ? e.clientX - startX : startX - e.clientX;
          useUi.getState().setPreferences({ [key]: Math.min(520, Math.max(180, startWidth + delta)) });
        };
        const up = () => {
          window.removeEventListener("pointermove", move);
          window.removeEventListener("pointerup", up);
          updatePreferences({});
        };
        window.addEventListener("pointermove", move);
        window.addEventListener("pointerup", up);
      }}
    />
  );
}

export function App() {
  const [failure, setFailure] = useState<string | null>(null);
  const ready = useDesign((s) => s.catalog !== null);
  const preferences = useUi((s) => s.preferences);
  useShortcuts();
  useEffect(() => {
    start().catch((error: unknown) => setFailure(error instanceof Error ? error.message : String(error)));
    return installSessionHooks();
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = preferences.theme;
  }, [preferences.theme]);

  if (failure) {
    return (
      <div className="sc-fatal" role="alert">
        <h1>Stagecraft could not start</h1>
        <p>{failure}</p>
      </div>
    );
  }
  return (
    <div className="sc-app" style={{ gridTemplateColumns: `${preferences.paletteWidth}px 4px 1fr 4px ${preferences.inspectorWidth}px` }}>
      <TopBar />
      {ready ? (
        <>
          <Palette />
          <PanelResizer side="palette" />
          <main className="sc-main">
            <Canvas />
            <AnalysisPanel onFixFailed={(reason) => useUi.getState().notify(reason, "error")} />
          </main>
          <PanelResizer side="inspector" />
          <Inspector />
        </>
      ) : (
        <div className="sc-loading">Loading…</div>
      )}
      <StatusBar />
      <Dialogs />
      <ProvisionPanel />
      <ExportPanel />
      <Notices />
      <PaletteDragGhost />
    </div>
  );
}
