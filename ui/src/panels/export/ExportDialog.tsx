// File > Export… (Ctrl+E): pick a format and its options, see the diagram as Rust renders it,
// choose where to write in the native save dialog. Rust renders and writes the file; only the
// preview's SVG text and the written paths cross IPC. A review report can be compared with a
// previous version (a chosen file, or the design file's last commit in Git); the dialog shows the
// changes the report will list.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { Icon } from "../../app/icons";
import { useUi } from "../../app/ui-store";
import { BackendError } from "../../ipc/backend";
import {
  chooseExportPath,
  choosePreviousDesign,
  exportChanges,
  exportDesign,
  exportLastCommit,
  exportPreview,
  type ExportOptions,
  type PreviousSummary,
  type PreviousVersion,
} from "../../ipc/export";
import { toDocument } from "../../model/document";
import { designStore, useDesign } from "../../store/design-store";
import { DEFAULT_OPTIONS, FORMATS, formatInfo, suggestedPath } from "./formats";
import "./export.css";

type Preview = { state: "loading" } | { state: "ready"; url: string } | { state: "failed"; message: string };
// "noted": the export was written but differs from what was asked (a PNG drawn at a lower scale);
// the dialog stays open to say so.
type Progress = { state: "idle" } | { state: "exporting"; path: string } | { state: "failed"; message: string } | { state: "noted"; message: string };
/** The previous version a report is compared with, and the changes since it once Rust has read it. */
type Comparison =
  | { state: "none" }
  | { state: "loading"; previous: PreviousVersion }
  | { state: "ready"; previous: PreviousVersion; summary: PreviousSummary }
  | { state: "failed"; previous: PreviousVersion; message: string };

function message(error: unknown): string {
  return error instanceof BackendError || error instanceof Error ? error.message : String(error);
}

/** The SVG as an image: an <img> never runs scripts or loads anything the SVG names, and the CSP allows data: images. */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** Mounted once by the app: the Ctrl+E shortcut and, while open, the dialog. */
export function ExportPanel() {
  const open = useUi((s) => s.exportOpen);
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      const ui = useUi.getState();
      if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key.toLowerCase() === "e" && !ui.dialog && !ui.exportOpen) {
        event.preventDefault();
        ui.setExportOpen(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return open ? <ExportDialog onClose={() => useUi.getState().setExportOpen(false)} /> : null;
}

export function ExportDialog({ onClose }: { onClose: () => void }) {
  const design = useDesign((s) => s.design);
  const filePath = useDesign((s) => s.filePath);
  const document = useMemo(() => toDocument(design), [design]);
  const [options, setOptions] = useState<ExportOptions>(DEFAULT_OPTIONS);
  const [preview, setPreview] = useState<Preview>({ state: "loading" });
  const [progress, setProgress] = useState<Progress>({ state: "idle" });
  const [lastCommit, setLastCommit] = useState<string | null>(null);
  const [previous, setPrevious] = useState<PreviousVersion | null>(null);
  const [comparison, setComparison] = useState<Comparison>({ state: "none" });
  const ref = useRef<HTMLDivElement>(null);
  const info = formatInfo(options.format);
  const busy = progress.state === "exporting";
  const isReport = info.group === "Review report";

  // The last commit is offered only when the design file is in a Git repository.
  useEffect(() => {
    if (!isReport || !filePath) return;
    let current = true;
    exportLastCommit(filePath).then(
      (label) => current && setLastCommit(label),
      () => current && setLastCommit(null),
    );
    return () => {
      current = false;
    };
  }, [isReport, filePath]);

  // The changes since the chosen version, again whenever the design changes.
  useEffect(() => {
    if (!previous) {
      setComparison({ state: "none" });
      return;
    }
    let current = true;
    setComparison({ state: "loading", previous });
    exportChanges(document, previous).then(
      (summary) => current && setComparison({ state: "ready", previous, summary }),
      (error: unknown) => current && setComparison({ state: "failed", previous, message: message(error) }),
    );
    return () => {
      current = false;
    };
  }, [document, previous]);

  const comparisonChoice = previous?.kind ?? "none";
  const chooseComparison = async (choice: string) => {
    if (choice === "lastCommit" && filePath) setPrevious({ kind: "lastCommit", path: filePath });
    else if (choice === "file") {
      const path = await choosePreviousDesign().catch((error: unknown) => {
        setProgress({ state: "failed", message: `The open dialog failed: ${message(error)}` });
        return null;
      });
      if (path) setPrevious({ kind: "file", path });
    } else setPrevious(null);
  };

  useEffect(() => {
    ref.current?.querySelector<HTMLElement>("input:checked, button")?.focus();
  }, []);

  useEffect(() => {
    let current = true;
    exportPreview(document).then(
      (svg) => current && setPreview({ state: "ready", url: svgDataUrl(svg) }),
      (error: unknown) => current && setPreview({ state: "failed", message: message(error) }),
    );
    return () => {
      current = false;
    };
  }, [document]);

  const set = (change: Partial<ExportOptions>) => {
    setOptions((o) => ({ ...o, ...change }));
    if (progress.state === "failed" || progress.state === "noted") setProgress({ state: "idle" });
  };

  const close = () => {
    if (!busy) onClose();
  };

  const run = async () => {
    const chosen = await chooseExportPath(suggestedPath(info, options, design.name, filePath), info.filterName, info.extension).catch((error: unknown) => {
      setProgress({ state: "failed", message: `The save dialog failed: ${message(error)}` });
      return null;
    });
    if (!chosen) return;
    setProgress({ state: "exporting", path: chosen });
    try {
      // The design as it is now, in case it changed while the save dialog was open.
      const written = await exportDesign(toDocument(designStore.getState().design), options, chosen, isReport ? previous : null);
      const others = written.files.length > 1 ? ` (and ${written.files.slice(1).join(", ")})` : "";
      useUi.getState().notify(`Exported ${info.group === "Review report" ? `${info.label} report` : info.label} to ${written.files[0] ?? chosen}${others}`, "success");
      if (written.note) {
        setProgress({ state: "noted", message: written.note });
        return;
      }
      setProgress({ state: "idle" });
      onClose();
    } catch (error) {
      setProgress({ state: "failed", message: message(error) });
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // The dialog is modal: the canvas' shortcuts (Delete, Ctrl+Z...) must not act behind it.
    event.stopPropagation();
    if (event.key === "Escape") close();
  };

  const groups = [...new Set(FORMATS.map((f) => f.group))];
  const backgroundClass = info.options.includes("background") && options.background === "white" ? " is-white" : "";

  return (
    <div className="sc-modal-backdrop" onPointerDown={(e) => e.target === e.currentTarget && close()}>
      <div className="sc-modal sc-modal--wide sc-export" role="dialog" aria-modal="true" aria-label="Export" ref={ref} onKeyDown={onKeyDown} data-testid="export-dialog">
        <header>
          <h2>Export</h2>
          <button type="button" className="sc-icon-button" aria-label="Close" onClick={close} disabled={busy}>
            <Icon name="close" />
          </button>
        </header>
        <div className="sc-modal__body sc-export__body">
          <fieldset className="sc-export__formats" disabled={busy}>
            <legend className="sc-visually-hidden">Format</legend>
            {groups.map((group) => (
              <div key={group} className="sc-export__group" role="group" aria-label={group}>
                <div className="sc-export__group-title">{group}</div>
                {FORMATS.filter((f) => f.group === group).map((f) => (
                  <label key={f.format} className={`sc-export__format${f.format === options.format ? " is-selected" : ""}`} data-testid={`export-format-${f.format}`}>
                    <input type="radio" name="export-format" value={f.format} checked={f.format === options.format} onChange={() => set({ format: f.format })} />
                    <span>
                      <strong>{f.label}</strong>
                      <span className="sc-muted">{f.description}</span>
                    </span>
                  </label>
                ))}
              </div>
            ))}
          </fieldset>
          <div className="sc-export__side">
            <div className={`sc-export__preview${backgroundClass}`} data-testid="export-preview-frame" aria-busy={preview.state === "loading"}>
              {preview.state === "loading" && <span className="sc-muted">Rendering preview…</span>}
              {preview.state === "ready" && <img src={preview.url} alt={`Preview of ${design.name}`} data-testid="export-preview" />}
              {preview.state === "failed" && (
                <span className="sc-export__error" role="alert">
                  The preview could not be drawn: {preview.message}
                </span>
              )}
            </div>
            <fieldset className="sc-export__options" disabled={busy} data-testid="export-options">
              <legend className="sc-visually-hidden">Options</legend>
              {info.options.includes("scale") && (
                <div className="sc-field">
                  <label htmlFor="export-scale">Size</label>
                  <select id="export-scale" data-testid="export-scale" value={options.scale} onChange={(e) => set({ scale: Number(e.target.value) })}>
                    <option value={1}>1x (canvas size)</option>
                    <option value={2}>2x (sharp on high-density screens)</option>
                  </select>
                </div>
              )}
              {info.options.includes("background") && (
                <div className="sc-field">
                  <label htmlFor="export-background">Background</label>
                  <select id="export-background" data-testid="export-background" value={options.background} onChange={(e) => set({ background: e.target.value === "white" ? "white" : "transparent" })}>
                    <option value="transparent">Transparent</option>
                    <option value="white">Solid white</option>
                  </select>
                </div>
              )}
              {info.options.includes("paper") && (
                <div className="sc-field">
                  <label htmlFor="export-paper">Paper</label>
                  <select id="export-paper" data-testid="export-paper" value={options.paper} onChange={(e) => set({ paper: e.target.value === "letter" ? "letter" : "a4" })}>
                    <option value="a4">A4</option>
                    <option value="letter">US Letter</option>
                  </select>
                </div>
              )}
              {info.options.length === 0 && <p className="sc-muted">No options for this format.</p>}
              {isReport && (
                <div className="sc-field">
                  <label htmlFor="export-previous">Changes since</label>
                  <select id="export-previous" data-testid="export-previous" value={comparisonChoice} onChange={(e) => void chooseComparison(e.target.value)}>
                    <option value="none">No comparison</option>
                    {filePath && lastCommit && <option value="lastCommit">The {lastCommit}</option>}
                    <option value="file">{previous?.kind === "file" ? `File: ${previous.path}` : "A design file…"}</option>
                  </select>
                </div>
              )}
              {isReport && <p className="sc-muted">Includes the stage, the findings and the monthly cost per provider{previous ? ", and the changes since the version chosen above" : ""}.</p>}
            </fieldset>
            {isReport && comparison.state !== "none" && (
              <section className="sc-export__changes" data-testid="export-changes" aria-busy={comparison.state === "loading"} aria-label="Changes since the previous version">
                {comparison.state === "loading" && <span className="sc-muted">Comparing with the previous version…</span>}
                {comparison.state === "ready" && (
                  <>
                    <h3>Changes since the {comparison.previous.kind === "file" ? `file ${comparison.summary.label}` : comparison.summary.label}</h3>
                    {comparison.summary.changes.length === 0 ? (
                      <p className="sc-muted">No changes.</p>
                    ) : (
                      <ul>
                        {comparison.summary.changes.map((change) => (
                          <li key={change}>{change}</li>
                        ))}
                      </ul>
                    )}
                  </>
                )}
                {comparison.state === "failed" && (
                  <span className="sc-export__error" role="alert">
                    {comparison.message}
                  </span>
                )}
              </section>
            )}
            {progress.state === "exporting" && (
              <p role="status" className="sc-export__progress" data-testid="export-progress">
                Exporting {info.label} to {progress.path}…
              </p>
            )}
            {progress.state === "noted" && (
              <p role="status" className="sc-export__progress" data-testid="export-note">
                {progress.message}
              </p>
            )}
            {progress.state === "failed" && (
              <p role="alert" className="sc-export__error" data-testid="export-error">
                {progress.message}
              </p>
            )}
            <div className="sc-button-row sc-button-row--end">
              <button type="button" className="sc-button" onClick={close} disabled={busy}>
                Cancel
              </button>
              <button type="button" className="sc-button sc-button--primary" onClick={() => void run()} disabled={busy} aria-busy={busy} data-testid="export-run">
                {busy ? "Exporting…" : `Export as .${info.extension}…`}
              </button>
            </div>
          </div>
        </div>
      </div>
    </div>
  );
}
