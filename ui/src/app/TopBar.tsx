import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { appActions } from "../store/app-actions";
import { useProvisionMenuItems } from "../panels/provision/menu";
import { useDesign, isDirty, redoLabel, undoLabel } from "../store/design-store";
import { commands, type CommandName } from "./commands";
import { Icon } from "./icons";
import { openRecent } from "./session";
import { useUi } from "./ui-store";

type MenuItem = { label: string; shortcut?: string; command?: CommandName; run?: () => void; disabled?: boolean; testId?: string } | "separator";

function Menu({ label, items }: { label: string; items: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  // Arrow keys move between the enabled items, like a native menu.
  const onMenuKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(ref.current?.querySelectorAll<HTMLButtonElement>("[role=menuitem]:not(:disabled)") ?? [])];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === "Escape") close();
    else if (event.key === "ArrowDown") items[(at + 1) % items.length]?.focus();
    else if (event.key === "ArrowUp") items[(at - 1 + items.length) % items.length]?.focus();
    else return;
    event.preventDefault();
    event.stopPropagation();
  };
  useEffect(() => {
    if (!open) return;
    // After the click that opened the menu has finished moving focus to the menu button.
    const frame = requestAnimationFrame(() => ref.current?.querySelector<HTMLButtonElement>("[role=menuitem]:not(:disabled)")?.focus());
    return () => cancelAnimationFrame(frame);
  }, [open]);
  useEffect(() => {
    if (!open) return;
    const close = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener("pointerdown", close);
    return () => window.removeEventListener("pointerdown", close);
  }, [open]);
  return (
    <div className="sc-menu" ref={ref}>
      <button ref={button} type="button" className={`sc-menu__button${open ? " is-open" : ""}`} aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)} data-testid={`menu-${label.toLowerCase()}`}>
        {label}
      </button>
      {open && (
        <div className="sc-menu__list" role="menu" aria-label={label} onKeyDown={onMenuKey}>
          {items.map((item, i) =>
            item === "separator" ? (
              <div key={i} className="sc-menu__separator" role="separator" />
            ) : (
              <button
                key={i}
                type="button"
                role="menuitem"
                className="sc-menu__item"
                disabled={item.disabled}
                data-testid={item.testId}
                onClick={() => {
                  setOpen(false);
                  if (item.run) item.run();
                  else if (item.command) commands[item.command]();
                }}
              >
                <span>{item.label}</span>
                {item.shortcut && <kbd>{item.shortcut}</kbd>}
              </button>
            ),
          )}
        </div>
      )}
    </div>
  );
}

function ToolButton({ icon, label, onClick, disabled, testId, pressed }: { icon: string; label: string; onClick: () => void; disabled?: boolean; testId?: string; pressed?: boolean }) {
  return (
    <button type="button" className={`sc-icon-button${pressed ? " is-pressed" : ""}`} aria-label={label} title={label} onClick={onClick} disabled={disabled} data-testid={testId} aria-pressed={pressed}>
      <Icon name={icon} />
    </button>
  );
}

function Divider() {
  return <span className="sc-toolbar__divider" aria-hidden="true" />;
}

export function TopBar() {
  const undo = useDesign(undoLabel);
  const redo = useDesign(redoLabel);
  const dirty = useDesign(isDirty);
  const name = useDesign((s) => s.design.name);
  const path = useDesign((s) => s.filePath);
  const hasSelection = useDesign((s) => s.selection.nodes.length > 0);
  const multi = useDesign((s) => s.selection.nodes.length >= 2);
  const threeOrMore = useDesign((s) => s.selection.nodes.length >= 3);
  const recent = useUi((s) => s.recentFiles);
  const prefs = useUi((s) => s.preferences);
  const provisionItems = useProvisionMenuItems();
  const file = path ? (path.split(/[\\/]/).pop() ?? path) : name;

  const fileItems: MenuItem[] = [
    { label: "New…", shortcut: "Ctrl+N", command: "newDesign" },
    { label: "Open…", shortcut: "Ctrl+O", command: "open" },
    "separator",
    { label: "Save", shortcut: "Ctrl+S", command: "save" },
    { label: "Save as…", shortcut: "Ctrl+Shift+S", command: "saveAs" },
    "separator",
    { label: "Export…", shortcut: "Ctrl+E", run: () => useUi.getState().setExportOpen(true), testId: "menu-export" },
  ];
  if (recent.length) {
    fileItems.push("separator", ...recent.map((p): MenuItem => ({ label: p.split(/[\\/]/).pop() ?? p, run: () => void openRecent(p) })));
  }
  const editItems: MenuItem[] = [
    { label: undo ? `Undo ${undo}` : "Undo", shortcut: "Ctrl+Z", command: "undo", disabled: !undo, testId: "menu-undo" },
    { label: redo ? `Redo ${redo}` : "Redo", shortcut: "Ctrl+Shift+Z", command: "redo", disabled: !redo, testId: "menu-redo" },
    "separator",
    { label: "Cut", shortcut: "Ctrl+X", command: "cut", disabled: !hasSelection },
    { label: "Copy", shortcut: "Ctrl+C", command: "copy", disabled: !hasSelection },
    { label: "Paste", shortcut: "Ctrl+V", command: "paste" },
    { label: "Duplicate", shortcut: "Ctrl+D", command: "duplicate", disabled: !hasSelection },
    { label: "Delete", shortcut: "Del", command: "delete", disabled: !hasSelection },
    "separator",
    { label: "Select all", shortcut: "Ctrl+A", command: "selectAll" },
  ];
  const arrangeItems: MenuItem[] = [
    ...(["left", "center", "right", "top", "middle", "bottom"] as const).map(
      (how): MenuItem => ({ label: `Align ${how}`, run: () => appActions.align(how), disabled: !multi }),
    ),
    { label: "Distribute horizontally", run: () => appActions.distribute("horizontal"), disabled: !threeOrMore },
    { label: "Distribute vertically", run: () => appActions.distribute("vertical"), disabled: !threeOrMore },
    "separator",
    { label: "Group in private network", shortcut: "Ctrl+G", command: "groupSelection", disabled: !hasSelection },
    { label: "Auto-layout", shortcut: "Shift+L", command: "autoLayout" },
  ];
  const viewItems: MenuItem[] = [
    { label: "Fit view", shortcut: "Shift+1", command: "fitView" },
    { label: "Zoom in", shortcut: "Ctrl+=", command: "zoomIn" },
    { label: "Zoom out", shortcut: "Ctrl+-", command: "zoomOut" },
    "separator",
    { label: `${prefs.snapToGrid ? "✓ " : ""}Snap to grid`, shortcut: "G", command: "toggleGrid" },
    { label: `${prefs.showMinimap ? "✓ " : ""}Minimap`, shortcut: "M", command: "toggleMinimap" },
    { label: prefs.theme === "dark" ? "Light theme" : "Dark theme", command: "toggleTheme" },
    "separator",
    { label: "Keyboard shortcuts", shortcut: "?", command: "help" },
  ];

  return (
    <header className="sc-topbar">
      <div className="sc-brand">
        <Icon name="logo" size={20} />
        <span>Stagecraft</span>
      </div>
      <nav className="sc-menubar" aria-label="Main menu">
        <Menu label="File" items={fileItems} />
        <Menu label="Edit" items={editItems} />
        <Menu label="Arrange" items={arrangeItems} />
        <Menu label="View" items={viewItems} />
        <Menu label="Provision" items={provisionItems} />
      </nav>
      <div className="sc-toolbar" role="toolbar" aria-label="Tools">
        <ToolButton icon="new" label="New design (Ctrl+N)" onClick={commands.newDesign} testId="menu-new" />
        <ToolButton icon="open" label="Open (Ctrl+O)" onClick={commands.open} testId="menu-open" />
        <ToolButton icon="save" label="Save (Ctrl+S)" onClick={commands.save} testId="menu-save" />
        <Divider />
        <ToolButton icon="undo" label={undo ? `Undo ${undo} (Ctrl+Z)` : "Nothing to undo"} onClick={commands.undo} disabled={!undo} testId="toolbar-undo" />
        <ToolButton icon="redo" label={redo ? `Redo ${redo} (Ctrl+Shift+Z)` : "Nothing to redo"} onClick={commands.redo} disabled={!redo} testId="toolbar-redo" />
        <Divider />
        <ToolButton icon="group" label="Group selection in a private network (Ctrl+G)" onClick={commands.groupSelection} disabled={!hasSelection} testId="toolbar-group" />
        <ToolButton icon="align-left" label="Align left" onClick={() => appActions.align("left")} disabled={!multi} />
        <ToolButton icon="align-top" label="Align top" onClick={() => appActions.align("top")} disabled={!multi} />
        <ToolButton icon="layout" label="Auto-layout (Shift+L)" onClick={commands.autoLayout} testId="toolbar-layout" />
        <ToolButton icon="fit" label="Fit view (Shift+1)" onClick={commands.fitView} />
        <Divider />
        <ToolButton icon="grid" label="Snap to grid (G)" onClick={commands.toggleGrid} pressed={prefs.snapToGrid} />
        <ToolButton icon="minimap" label="Minimap (M)" onClick={commands.toggleMinimap} pressed={prefs.showMinimap} />
        <ToolButton icon={prefs.theme === "dark" ? "sun" : "moon"} label={prefs.theme === "dark" ? "Light theme" : "Dark theme"} onClick={commands.toggleTheme} testId="toolbar-theme" />
        <ToolButton icon="help" label="Keyboard shortcuts (?)" onClick={commands.help} />
      </div>
      <div className="sc-docname" title={path ?? "Not saved to a file yet"}>
        <span className="sc-docname__file">{file}</span>
        <span className="sc-docname__name">{path ? name : "Not saved to a file yet"}</span>
      </div>
      <DocumentStatus dirty={dirty} hasFile={path !== null && path !== undefined} />
    </header>
  );
}

/** "Saved" only when there is a file: a clean design that was never saved has "No changes". */
function DocumentStatus({ dirty, hasFile }: { dirty: boolean; hasFile: boolean }): ReactNode {
  return (
    <div className={`sc-status-pill${dirty ? " is-dirty" : ""}`} data-testid="document-status" role="status" aria-live="polite">
      {dirty ? "Unsaved changes" : hasFile ? "Saved" : "No changes"}
    </div>
  );
}
