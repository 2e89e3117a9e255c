// The analysis dock in the built UI (Chromium) against the mocked shell, which answers the
// analysis commands with fixtures produced by the real Rust code (src-tauri/tests/analysis.rs):
// findings grouped by severity, click to select on the canvas, a fix as one undo step, the cost
// table with sources, and node badges.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startHarness, type Harness } from "./browser";
import { installMockBackend, mockData } from "./mock-backend";

const FIXTURES = join(import.meta.dirname, "../src/panels/analysis/fixtures");
const read = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));

interface AnalysisFixtures {
  check: unknown;
  atScale: { findings: { rule: string; severity: string; components: string[]; fix?: { label: string } }[] };
  fixed: { finding_rule: string; design: { components: unknown[] }; report: unknown };
  estimate: { estimate: { lines: { component: string | null; price: { source: string; as_of: string } }[] } };
  comparison: unknown;
  advice: unknown;
}

const fixtures: AnalysisFixtures = {
  check: read("growth.check.json"),
  atScale: read("growth-at-scale.check.json") as AnalysisFixtures["atScale"],
  fixed: read("growth-at-scale.fixed.json") as AnalysisFixtures["fixed"],
  estimate: read("growth.estimate.json") as AnalysisFixtures["estimate"],
  comparison: read("growth.compare.json"),
  advice: read("growth.advice.json"),
};

/** Runs in the page after the base mock: answers the analysis commands from the fixtures. */
function installAnalysisMock(f: AnalysisFixtures): void {
  const w = window as unknown as { __TAURI_INTERNALS__: { invoke: (cmd: string, args?: Record<string, unknown>) => Promise<unknown> } };
  const base = w.__TAURI_INTERNALS__.invoke;
  type D = { id: string; components: unknown[]; assumptions?: { target_stage?: string } };
  const isFixed = (d: D) => JSON.stringify(d.components) === JSON.stringify(f.fixed.design.components);
  const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  const answers: Record<string, (args: Record<string, unknown>) => unknown> = {
    check_design: ({ design }) => {
      const d = design as D;
      if (d.assumptions?.target_stage !== "scale") return clone(f.check);
      return clone(isFixed(d) ? f.fixed.report : f.atScale);
    },
    apply_fix: ({ design }) => ({ ...clone(f.fixed.design), id: (design as D).id, assumptions: (design as D).assumptions }),
    estimate_cost: () => clone(f.estimate),
    compare_providers: () => clone(f.comparison),
    advise_design: () => clone(f.advice),
  };
  w.__TAURI_INTERNALS__.invoke = async (cmd, args = {}) => {
    const answer = answers[cmd];
    return answer ? answer(args) : base(cmd, args);
  };
}

let harness: Harness;
let page: Page;

beforeAll(async () => {
  harness = await startHarness();
  await harness.context.addInitScript(installMockBackend, mockData("/tmp/stagecraft-e2e/analysis.stagecraft.json"));
  await harness.context.addInitScript(installAnalysisMock, fixtures);
  page = await harness.context.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  await page.goto(harness.url);
  await page.getByTestId("analysis-panel").waitFor();
});

afterAll(async () => {
  await harness?.close();
});

describe("analysis dock", () => {
  it("judges the design at the target stage chosen in the stage indicator", async () => {
    await page.getByTestId("analysis-tab-problems").click();
    await expect.poll(() => page.getByTestId("stage-detected").textContent()).toBe("Growth");
    await page.getByTestId("stage-target").selectOption("scale");
    const errors = fixtures.atScale.findings.filter((f) => f.severity === "error").length;
    const warnings = fixtures.atScale.findings.filter((f) => f.severity === "warning").length;
    await expect.poll(() => page.locator("[data-testid='problems-warning'] li.sc-finding").count()).toBe(warnings);
    expect(await page.locator("[data-testid='problems-error'] li.sc-finding").count()).toBe(errors);
    expect(await page.getByTestId("toolbar-undo").getAttribute("aria-label")).toContain("Set target stage to Scale");
  });

  it("selects a finding's components on the canvas when clicked", async () => {
    const index = fixtures.atScale.findings.findIndex((f) => f.components.length > 0);
    const first = fixtures.atScale.findings[index]?.components[0] ?? "";
    await page.getByTestId(`finding-${index}`).click();
    await expect.poll(() => page.getByTestId(`node-${first}`).getAttribute("class")).toContain("is-selected");
  });

  it("applies a fix as one undo step named after it, and the finding goes", async () => {
    const index = fixtures.atScale.findings.findIndex((f) => f.rule === fixtures.fixed.finding_rule && f.fix);
    const label = fixtures.atScale.findings[index]?.fix?.label ?? "";
    const before = await page.locator(`li.sc-finding[data-rule='${fixtures.fixed.finding_rule}']`).count();
    await page.getByTestId(`fix-${index}`).click();
    await expect.poll(() => page.getByTestId("toolbar-undo").getAttribute("aria-label")).toContain(label);
    await expect.poll(() => page.locator(`li.sc-finding[data-rule='${fixtures.fixed.finding_rule}']`).count()).toBeLessThan(before);
  });

  it("shows the cost lines with their price source and badges on the nodes", async () => {
    await page.getByTestId("analysis-tab-cost").click();
    const lines = fixtures.estimate.estimate.lines;
    await expect.poll(() => page.locator("[data-testid^='cost-line-']").count()).toBe(lines.length);
    expect(await page.getByTestId("cost-source-0").textContent()).toContain(lines[0]?.price.as_of);
    const priced = lines.find((l) => l.component)?.component ?? "";
    expect(await page.getByTestId(`node-cost-${priced}`).textContent()).toMatch(/^[€$]\d+\.\d\d$/);
    await page.screenshot({ path: join(import.meta.dirname, "../test-results/analysis-cost.png") });
  });
});
