// The canvas focus API in Chromium: the example design opens fitted at a readable zoom, and
// clicking a finding, a plan line or a log line brings its component into the viewport after the
// user has panned it far out of sight.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startHarness, type Harness } from "./browser";
import { installMockBackend, mockData } from "./mock-backend";

const SAVE_PATH = "/tmp/stagecraft-e2e/focus.stagecraft.json";
const FIXTURES = join(import.meta.dirname, "../src/panels/analysis/fixtures");
const read = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));
/** The analysis answers the live dock asks for besides the check (from the real Rust code). */
const analysisFixtures = { estimate: read("growth.estimate.json"), comparison: read("growth.compare.json"), advice: read("growth.advice.json") };

/** Runs in the page after the base mock: one finding about the database, and a plan. */
function installFocusMock(fixtures: { estimate: unknown; comparison: unknown; advice: unknown }): void {
  type Design = { id: string; components: { id: string; name: string; provider: string }[] };
  const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (cmd: string, args?: Record<string, unknown>) => Promise<unknown> } }).__TAURI_INTERNALS__;
  const base = internals.invoke;
  const finding = { rule: "backup.missing", severity: "warning", message: "postgres has no off-site backup", why: "a lost disk loses the data", components: ["cmp_db"] };
  const answers: Record<string, (args: Record<string, unknown>) => unknown> = {
    estimate_cost: () => fixtures.estimate,
    compare_providers: () => fixtures.comparison,
    advise_design: () => fixtures.advice,
    check_design: () => ({ detected_stage: "growth", target_stage: "growth", findings: [finding], counts: { error: 0, warning: 1, info: 0 } }),
    provision_plan: ({ design }) => ({
      design_id: (design as Design).id,
      design_name: "example",
      changes: [{ key: "cmp_db/server-0", provider: "hetzner", kind: "server", component: "cmp_db", name: "postgres-0", action: "create", reasons: ["database server"], provider_id: null }],
      unchanged: [],
      not_provisioned: [],
      monthly_cost_change: null,
    }),
  };
  internals.invoke = async (cmd, args = {}) => {
    const answer = answers[cmd];
    return answer ? answer(args) : base(cmd, args);
  };
}

let harness: Harness;
let page: Page;

beforeAll(async () => {
  harness = await startHarness();
  await harness.context.addInitScript(installMockBackend, mockData(SAVE_PATH));
  await harness.context.addInitScript(installFocusMock, analysisFixtures);
  page = await harness.context.newPage();
  page.on("pageerror", (error) => console.error("page error:", error.stack));
  await page.goto(harness.url);
});

afterAll(async () => {
  await harness?.close();
});

async function zoom(): Promise<number> {
  return page.locator(".react-flow__viewport").evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);
}

/** Whether the node's box lies wholly inside the canvas' box. */
async function nodeInView(id: string): Promise<boolean> {
  const canvas = await page.getByTestId("canvas").boundingBox();
  const node = await page.getByTestId(`node-${id}`).boundingBox();
  if (!canvas || !node) return false;
  return node.x >= canvas.x && node.y >= canvas.y && node.x + node.width <= canvas.x + canvas.width && node.y + node.height <= canvas.y + canvas.height;
}

/** Pans the view far to the right and down (scrolling pans the canvas) until `id` is out of sight. */
async function panAway(id: string) {
  const canvas = await page.getByTestId("canvas").boundingBox();
  if (!canvas) throw new Error("no canvas");
  await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
  for (let i = 0; i < 12 && (await nodeInView(id)); i++) await page.mouse.wheel(900, 700);
  await expect.poll(() => nodeInView(id)).toBe(false);
}

async function openProblems() {
  if (!(await page.getByTestId("finding-0").isVisible())) await page.getByTestId("analysis-tab-problems").click();
  await expect.poll(() => page.getByTestId("finding-0").isVisible()).toBe(true);
}

describe("canvas focus", () => {
  it("opens the example fitted to the window at a readable zoom", async () => {
    await expect.poll(() => page.getByTestId("node-cmp_app").isVisible()).toBe(true);
    // The opening fit runs once the nodes are measured; give it a moment to settle.
    await page.waitForTimeout(400);
    await expect.poll(zoom).toBeGreaterThanOrEqual(0.6);
    expect(await zoom()).toBeLessThanOrEqual(1.2);
    // Fitted: the example is centred, and at least its main path is on screen.
    for (const id of ["cmp_lb", "cmp_app", "cmp_db"]) expect(await nodeInView(id), `${id} is visible on opening`).toBe(true);
  });

  it("brings a finding's component into view when the finding is clicked", async () => {
    await openProblems();
    await panAway("cmp_db");
    await page.getByTestId("finding-0").click();
    await expect.poll(() => nodeInView("cmp_db")).toBe(true);
    // The focus animates (250 ms): the node can be in view before the zoom settles.
    await expect.poll(zoom).toBeGreaterThanOrEqual(0.75);
    expect(await page.getByTestId("node-cmp_db").getAttribute("class")).toContain("selected");
  });

  it("brings a plan line's component into view when the line is clicked", async () => {
    await panAway("cmp_db");
    await page.keyboard.press("Control+s");
    await expect.poll(() => page.getByTestId("document-status").textContent()).toBe("Saved");
    await page.getByTestId("menu-provision").click();
    await page.getByTestId("menu-provision-plan").click();
    await page.getByTestId("plan-change-cmp_db/server-0").click();
    await page.getByTestId("plan-view").getByRole("button", { name: "Close" }).first().click();
    await expect.poll(() => nodeInView("cmp_db")).toBe(true);
  });
});
