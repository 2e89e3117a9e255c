// An overview of the whole design in the corner. React Flow's own minimap subscribes once per
// node, which doubled the script time of every drag frame in a 1,000-component design; this one
// draws from the document (frozen while a drag lasts, like the other panels) as two SVG paths and
// only follows the viewport live. Click or drag in it to move the view.
import { memo, useMemo, useRef, type PointerEvent as ReactPointerEvent } from "react";
import { Panel, useReactFlow, useStore, type ReactFlowState } from "@xyflow/react";
import type { Design } from "../ipc/backend";
import { nodeRect, type Rect } from "../model/geometry";
import { panelDesign, useDesign } from "../store/design-store";

const WIDTH = 200;
const HEIGHT = 130;

const selectViewport = (s: ReactFlowState) => ({ x: s.transform[0], y: s.transform[1], zoom: s.transform[2], width: s.width, height: s.height });

function sameViewport(a: ReturnType<typeof selectViewport>, b: ReturnType<typeof selectViewport>) {
  return a.x === b.x && a.y === b.y && a.zoom === b.zoom && a.width === b.width && a.height === b.height;
}

function pathOf(rects: Rect[]): string {
  return rects.map((r) => `M${r.x} ${r.y}h${r.width}v${r.height}h${-r.width}z`).join("");
}

function contentOf(design: Design) {
  const groups = design.groups.map((g) => nodeRect(design, g.id));
  const components = design.components.map((c) => nodeRect(design, c.id));
  const all = [...groups, ...components];
  const bounds =
    all.length === 0
      ? { x: 0, y: 0, width: 1, height: 1 }
      : {
          x: Math.min(...all.map((r) => r.x)),
          y: Math.min(...all.map((r) => r.y)),
          width: Math.max(...all.map((r) => r.x + r.width)) - Math.min(...all.map((r) => r.x)),
          height: Math.max(...all.map((r) => r.y + r.height)) - Math.min(...all.map((r) => r.y)),
        };
  return { groups: pathOf(groups), components: pathOf(components), bounds };
}

const Content = memo(function Content({ groups, components }: { groups: string; components: string }) {
  return (
    <>
      <path d={groups} className="sc-minimap__groups" />
      <path d={components} className="sc-minimap__components" />
    </>
  );
});

export function DesignMinimap() {
  const design = useDesign(panelDesign);
  const content = useMemo(() => contentOf(design), [design]);
  const viewport = useStore(selectViewport, sameViewport);
  const flow = useReactFlow();
  const svg = useRef<SVGSVGElement>(null);

  // What the view shows, in flow coordinates, and a frame holding it and the whole design.
  const view = { x: -viewport.x / viewport.zoom, y: -viewport.y / viewport.zoom, width: viewport.width / viewport.zoom, height: viewport.height / viewport.zoom };
  const minX = Math.min(content.bounds.x, view.x);
  const minY = Math.min(content.bounds.y, view.y);
  const maxX = Math.max(content.bounds.x + content.bounds.width, view.x + view.width);
  const maxY = Math.max(content.bounds.y + content.bounds.height, view.y + view.height);
  const scale = Math.max((maxX - minX) / WIDTH, (maxY - minY) / HEIGHT) || 1;
  const pad = 8 * scale;
  const box = { x: minX - pad, y: minY - pad, width: WIDTH * scale + 2 * pad, height: HEIGHT * scale + 2 * pad };

  const centreAt = (event: ReactPointerEvent<SVGSVGElement>) => {
    const rect = svg.current?.getBoundingClientRect();
    if (!rect) return;
    const x = box.x + ((event.clientX - rect.left) / rect.width) * box.width;
    const y = box.y + ((event.clientY - rect.top) / rect.height) * box.height;
    void flow.setCenter(x, y, { zoom: viewport.zoom });
  };

  return (
    <Panel position="bottom-right" className="sc-minimap">
      <svg
        ref={svg}
        width={WIDTH}
        height={HEIGHT}
        viewBox={`${box.x} ${box.y} ${box.width} ${box.height}`}
        role="img"
        aria-label="Overview of the design; click to move the view"
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture(event.pointerId);
          centreAt(event);
        }}
        onPointerMove={(event) => {
          if (event.currentTarget.hasPointerCapture(event.pointerId)) centreAt(event);
        }}
      >
        <Content groups={content.groups} components={content.components} />
        <path
          className="sc-minimap__mask"
          fillRule="evenodd"
          d={`M${box.x} ${box.y}h${box.width}v${box.height}h${-box.width}z M${view.x} ${view.y}h${view.width}v${view.height}h${-view.width}z`}
        />
        <rect className="sc-minimap__view" x={view.x} y={view.y} width={view.width} height={view.height} vectorEffect="non-scaling-stroke" />
      </svg>
    </Panel>
  );
}
