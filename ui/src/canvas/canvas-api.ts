// The canvas' viewport, for code outside React Flow (palette drops, paste, keyboard commands, and
// panels that point at a component: a finding, a plan line, a log line).
export interface CanvasApi {
  screenToFlow(point: { x: number; y: number }): { x: number; y: number };
  /** The flow position at the centre of the visible canvas. */
  viewportCentre(): { x: number; y: number };
  fitView(): void;
  zoomIn(): void;
  zoomOut(): void;
  /** Whether a screen point lies over the canvas. */
  contains(point: { x: number; y: number }): boolean;
  /** Pans and zooms so these nodes fill the view at a readable zoom; ids not on the canvas are ignored. */
  focusNodes(ids: string[]): void;
}

/** Zoom bounds when fitting: never so far out that labels cannot be read, never huge. */
export const READABLE_ZOOM = { min: 0.6, max: 1.2 } as const;
/** Zoom bounds when focusing a few components: close enough to read their badges. */
export const FOCUS_ZOOM = { min: 0.75, max: 1.2 } as const;

let current: CanvasApi | null = null;

export function registerCanvas(api: CanvasApi | null): void {
  current = api;
}

export function canvasApi(): CanvasApi | null {
  return current;
}

/**
 * Brings the given components (or groups) into view. Does nothing when no canvas is mounted or
 * none of the ids is given, so panels can call it freely.
 */
export function focusComponents(ids: readonly (string | null | undefined)[]): void {
  const present = ids.filter((id): id is string => typeof id === "string" && id.length > 0);
  if (present.length && current) current.focusNodes([...new Set(present)]);
}
