import { PROVIDER_LABELS } from "../model/catalog";
import { designProvider } from "../model/edits";
import { panelDesign, useDesign, undoLabel } from "../store/design-store";
import { useUi } from "./ui-store";

export function StatusBar() {
  const design = useDesign(panelDesign);
  const selection = useDesign((s) => s.selection);
  const undo = useDesign(undoLabel);
  const path = useDesign((s) => s.filePath);
  const snap = useUi((s) => s.preferences.snapToGrid);
  const selected = selection.nodes.length + selection.edges.length;
  return (
    <footer className="sc-statusbar" aria-label="Status">
      <span>{design.components.length} components</span>
      <span>{design.connections.length} connections</span>
      <span>{design.groups.length} groups</span>
      {selected > 0 && <span>{selected} selected</span>}
      <span>Provider: {PROVIDER_LABELS[designProvider(design)]}</span>
      <span className="sc-statusbar__spacer" />
      {undo && <span className="sc-muted">Last change: {undo}</span>}
      <span>Snap {snap ? "on" : "off"}</span>
      <span className="sc-statusbar__path" title={path ?? undefined}>{path ?? "Not saved to a file"}</span>
    </footer>
  );
}
