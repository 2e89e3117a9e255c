import { useEffect, useRef, type ReactNode } from "react";
import { SHORTCUTS } from "./commands";
import { Icon } from "./icons";
import { discardRecovery, newDesign, restoreRecovery } from "./session";
import { useUi } from "./ui-store";

function Modal({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>("button, [tabindex]")?.focus();
  }, []);
  return (
    <div className="sc-modal-backdrop" onPointerDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className={`sc-modal${wide ? " sc-modal--wide" : ""}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        ref={ref}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <header>
          <h2>{title}</h2>
          <button type="button" className="sc-icon-button" aria-label="Close" onClick={onClose}>
            <Icon name="close" />
          </button>
        </header>
        <div className="sc-modal__body">{children}</div>
      </div>
    </div>
  );
}

export function Dialogs() {
  const dialog = useUi((s) => s.dialog);
  const close = () => useUi.getState().openDialog(null);
  if (!dialog) return null;
  switch (dialog.kind) {
    case "help":
      return (
        <Modal title="Keyboard shortcuts" onClose={close} wide>
          <table className="sc-shortcuts">
            <tbody>
              {SHORTCUTS.map(([keys, what]) => (
                <tr key={keys}>
                  <td>
                    <kbd>{keys}</kbd>
                  </td>
                  <td>{what}</td>
                </tr>
              ))}
              <tr>
                <td><kbd>Shift+drag</kbd></td>
                <td>Box select; Shift+click adds to the selection</td>
              </tr>
              <tr>
                <td><kbd>Scroll / Ctrl+scroll</kbd></td>
                <td>Pan / zoom; drag with the middle or right button to pan</td>
              </tr>
            </tbody>
          </table>
        </Modal>
      );
    case "new":
      return (
        <Modal title="New design" onClose={close} wide>
          <div className="sc-template-grid">
            <button type="button" className="sc-template" onClick={() => void newDesign(null)} data-testid="new-blank">
              <strong>Blank design</strong>
              <span>An empty canvas.</span>
            </button>
            {dialog.templates.map((t) => (
              <button key={t.slug} type="button" className="sc-template" onClick={() => void newDesign(t.slug)} data-testid={`new-template-${t.slug}`}>
                <span className="sc-template__stage">{t.stage.toUpperCase()}</span>
                <strong>{t.name}</strong>
                <span>{t.description}</span>
              </button>
            ))}
          </div>
        </Modal>
      );
    case "problems":
      return (
        <Modal title={dialog.title} onClose={close} wide>
          <p className="sc-muted">Nothing was changed. Fix these in the file and open it again.</p>
          <ul className="sc-problems" data-testid="load-problems">
            {dialog.problems.map((p, i) => (
              <li key={i}>
                <Icon name="alert" size={16} />
                <div>
                  <code>
                    {p.file}
                    {p.position ? `:${p.position.line}:${p.position.column}` : ""}
                  </code>
                  {p.field && <span className="sc-problems__field">{p.field}</span>}
                  <div>{p.message}</div>
                </div>
              </li>
            ))}
          </ul>
        </Modal>
      );
    case "recovery": {
      const { recovery } = dialog;
      return (
        <Modal title="Recover unsaved work?" onClose={() => discardRecovery()}>
          <p>
            Stagecraft closed with unsaved changes to <strong>{recovery.design.name}</strong>
            {recovery.path ? ` (${recovery.path})` : ""}, last kept at {new Date(recovery.saved_at).toLocaleString()}.
          </p>
          <div className="sc-button-row sc-button-row--end">
            <button type="button" className="sc-button" onClick={() => discardRecovery()} data-testid="recovery-discard">
              Discard
            </button>
            <button type="button" className="sc-button sc-button--primary" onClick={() => restoreRecovery(recovery.design, recovery.path ?? null)} data-testid="recovery-restore">
              Restore
            </button>
          </div>
        </Modal>
      );
    }
  }
}

export function Notices() {
  const notices = useUi((s) => s.notices);
  const dismiss = useUi((s) => s.dismiss);
  return (
    <div className="sc-notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`sc-notice sc-notice--${n.tone}`} role={n.tone === "error" ? "alert" : "status"} data-testid="notice">
          <span>{n.text}</span>
          <button type="button" className="sc-icon-button" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
