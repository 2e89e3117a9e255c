// Measurement, not a test: frame times in Chromium while dragging a component in a design of
// 1,000 components and 1,500 connections. Run with `npm run -w ui perf`; figures are printed.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startHarness, type Harness } from "./browser";
import { generatedDesign } from "./generated-design";
import { installMockBackend, mockData } from "./mock-backend";

// STAGECRAFT_PERF_COMPONENTS sets the size, to compare against a small design on the same machine.
const SIZE = Number(process.env.STAGECRAFT_PERF_COMPONENTS ?? 1000);
let harness: Harness;
let page: Page;

beforeAll(async () => {
  harness = await startHarness();
  const data = mockData("/tmp/perf.stagecraft.json");
  data.templates.growth = generatedDesign(SIZE);
  await harness.context.addInitScript(installMockBackend, data);
  page = await harness.context.newPage();
});

afterAll(async () => harness?.close());

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

it("drags a component in a 1,000-component design", async () => {
  const started = Date.now();
  await page.goto(harness.url);
  await page.locator(".react-flow__node-component").first().waitFor();
  const openMs = Date.now() - started;
  const counts = await page.evaluate(() => ({
    rendered: document.querySelectorAll(".react-flow__node").length,
  }));
  // The app server nearest the middle of the view.
  const target = await page.evaluate(() => {
    const canvas = document.querySelector("[data-testid=canvas]")?.getBoundingClientRect();
    const cx = (canvas?.left ?? 0) + (canvas?.width ?? 0) / 2;
    const cy = (canvas?.top ?? 0) + (canvas?.height ?? 0) / 2;
    let best: { id: string; d: number } | null = null;
    for (const el of document.querySelectorAll("[data-testid^='node-cmp_'][data-testid$='_app1']")) {
      const r = el.getBoundingClientRect();
      const d = Math.hypot(r.left + r.width / 2 - cx, r.top + r.height / 2 - cy);
      if (!best || d < best.d) best = { id: el.getAttribute("data-testid") ?? "", d };
    }
    return best?.id ?? "";
  });
  const box = await page.getByTestId(target).boundingBox();
  if (!box) throw new Error("node not visible");
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__frames = [];
    w.__recording = true;
    const tick = (t: number) => {
      w.__frames.push(t);
      if (w.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  // Main-thread work per frame from a Chromium trace: wall-clock frame times on a busy shared
  // machine measure the machine as much as the app.
  const cdp = await page.context().newCDPSession(page);
  const events: { name?: unknown; dur?: unknown; ph?: unknown }[] = [];
  cdp.on("Tracing.dataCollected", (e) => void events.push(...(e.value as typeof events)));
  const done = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
  await cdp.send("Tracing.start", { categories: "devtools.timeline", transferMode: "ReportEvents" });
  const from = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 120; i += 1) {
    await page.mouse.move(from.x + i * 2, from.y + Math.sin(i / 10) * 40);
  }
  await page.mouse.up();
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__recording = false;
    return w.__frames;
  });
  await cdp.send("Tracing.end");
  await done;
  const byName = new Map<string, number>();
  for (const e of events) {
    if (e.ph === "X" && typeof e.dur === "number" && typeof e.name === "string") byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur / 1000);
  }
  const perFrame = (name: string) => ((byName.get(name) ?? 0) / Math.max(1, frames.length)).toFixed(1);
  const deltas = frames.slice(1).map((t, i) => t - (frames[i] as number));
  const p50 = percentile(deltas, 50);
  const p95 = percentile(deltas, 95);
  console.log(
    `${SIZE} components: open ${openMs} ms, ${counts.rendered} nodes in the DOM, ` +
      `${deltas.length} frames while dragging, frame time p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...deltas).toFixed(1)} ms; ` +
      `main-thread work per frame: script ${perFrame("FunctionCall")} ms, paint ${perFrame("Paint")} ms, ` +
      `layout ${perFrame("Layout")} ms, style ${perFrame("UpdateLayoutTree")} ms`,
  );
  expect(deltas.length).toBeGreaterThan(10);
  expect(await page.getByTestId("toolbar-undo").getAttribute("aria-label")).toMatch(/^Undo Move app1-\d+ \(Ctrl\+Z\)$/);
});
