// The canvas' viewport, for code outside React Flow (palette drops, paste, keyboard commands).
export interface CanvasApi {
  screenToFlow(point: { x: number; y: number }): { x: number; y: number };
  /** The flow position at the centre of the visible canvas. */
  viewportCentre(): { x: number; y: number };
  fitView(): void;
  zoomIn(): void;
  zoomOut(): void;
  /** Whether a screen point lies over the canvas. */
  contains(point: { x: number; y: number }): boolean;
}

let current: CanvasApi | null = null;

export function registerCanvas(api: CanvasApi | null): void {
  current = api;
}

export function canvasApi(): CanvasApi | null {
  return current;
}
