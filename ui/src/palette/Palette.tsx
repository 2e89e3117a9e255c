// The palette: kinds by catalogue category, plus containers, with search. Items are dragged with
// pointer events (not HTML5 drag and drop) so WebDriver and touch can drive them; Enter or a click
// on an item adds it at the centre of the view.
import { memo, useMemo, useState, type KeyboardEvent, type PointerEvent as ReactPointerEvent } from "react";
import type { ComponentKind, GroupKind } from "../ipc/backend";
import { Icon } from "../app/icons";
import { useUi } from "../app/ui-store";
import { canvasApi } from "../canvas/canvas-api";
import { CATEGORY_LABELS, CATEGORY_ORDER } from "../model/catalog";
import { COMPONENT_HEIGHT, COMPONENT_WIDTH } from "../model/document";
import { appActions } from "../store/app-actions";
import { useDesign } from "../store/design-store";

const GROUP_KINDS: GroupKind[] = ["region", "private_network", "availability_zone"];
const DRAG_THRESHOLD = 4;

type Item = { kind: string; label: string; description: string; icon: string; isGroup: boolean };

function place(item: Item, centre: { x: number; y: number }) {
  if (item.isGroup) {
    appActions.addGroup(item.kind as GroupKind, { x: centre.x - 40, y: centre.y - 20 });
  } else {
    appActions.addComponent(item.kind as ComponentKind, { x: centre.x - COMPONENT_WIDTH / 2, y: centre.y - COMPONENT_HEIGHT / 2 });
  }
}

function addAtViewportCentre(item: Item) {
  const api = canvasApi();
  if (!api) return;
  const centre = api.viewportCentre();
  // Nudge repeated adds so they do not stack exactly.
  const jitter = (Math.random() - 0.5) * 48;
  place(item, { x: centre.x + jitter, y: centre.y + jitter });
}

const PaletteItem = memo(function PaletteItem({ item }: { item: Item }) {
  const setPaletteDrag = useUi((s) => s.setPaletteDrag);

  const onPointerDown = (event: ReactPointerEvent<HTMLButtonElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    const start = { x: event.clientX, y: event.clientY };
    let dragging = false;
    const move = (e: PointerEvent) => {
      if (!dragging && Math.hypot(e.clientX - start.x, e.clientY - start.y) < DRAG_THRESHOLD) return;
      dragging = true;
      setPaletteDrag({ kind: item.kind, label: item.label, x: e.clientX, y: e.clientY });
    };
    const end = (e: PointerEvent) => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", end);
      window.removeEventListener("pointercancel", cancel);
      setPaletteDrag(null);
      const api = canvasApi();
      if (!dragging) {
        addAtViewportCentre(item);
        return;
      }
      const point = { x: e.clientX, y: e.clientY };
      if (api?.contains(point)) place(item, api.screenToFlow(point));
    };
    const cancel = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", end);
      window.removeEventListener("pointercancel", cancel);
      setPaletteDrag(null);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", end);
    window.addEventListener("pointercancel", cancel);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      addAtViewportCentre(item);
    }
  };

  return (
    <li>
      <button
        type="button"
        className="sc-palette__item"
        data-testid={`palette-item-${item.kind}`}
        aria-label={`Add ${item.label}`}
        title={`${item.description}\nDrag onto the canvas, or press Enter to add it in the middle of the view.`}
        onPointerDown={onPointerDown}
        onKeyDown={onKeyDown}
      >
        <span className="sc-palette__icon">
          <Icon name={item.icon} size={18} />
        </span>
        <span className="sc-palette__label">{item.label}</span>
      </button>
    </li>
  );
});

export function Palette() {
  const catalog = useDesign((s) => s.catalog);
  const [query, setQuery] = useState("");
  const sections = useMemo(() => {
    if (!catalog) return [];
    const q = query.trim().toLowerCase();
    const matches = (i: Item) => !q || i.label.toLowerCase().includes(q) || i.description.toLowerCase().includes(q) || i.kind.includes(q);
    const byCategory = CATEGORY_ORDER.map((category) => ({
      title: CATEGORY_LABELS[category],
      items: catalog.kinds
        .filter((k) => k.category === category)
        .map((k) => ({ kind: k.kind, label: k.label, description: k.description, icon: k.icon, isGroup: false }))
        .filter(matches),
    }));
    const containers = {
      title: "Containers",
      items: GROUP_KINDS.map((kind) => {
        const spec = catalog.group_kinds.find((g) => g.kind === kind);
        return { kind, label: spec?.label ?? kind, description: spec?.description ?? "", icon: kind, isGroup: true };
      }).filter(matches),
    };
    return [...byCategory, containers].filter((s) => s.items.length > 0);
  }, [catalog, query]);

  return (
    <aside className="sc-palette" aria-label="Component palette">
      <div className="sc-palette__search">
        <Icon name="search" size={15} />
        <input
          type="search"
          placeholder="Search components"
          aria-label="Search components"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      <div className="sc-palette__sections">
        {sections.map((section) => (
          <section key={section.title} aria-label={section.title}>
            <h3>{section.title}</h3>
            <ul>
              {section.items.map((item) => (
                <PaletteItem key={item.kind} item={item} />
              ))}
            </ul>
          </section>
        ))}
        {sections.length === 0 && <p className="sc-muted">Nothing matches “{query}”.</p>}
      </div>
    </aside>
  );
}

/** The label that follows the pointer while an item is dragged from the palette. */
export function PaletteDragGhost() {
  const drag = useUi((s) => s.paletteDrag);
  if (!drag) return null;
  return (
    <div className="sc-drag-ghost" style={{ left: drag.x, top: drag.y }} aria-hidden="true">
      {drag.label}
    </div>
  );
}
