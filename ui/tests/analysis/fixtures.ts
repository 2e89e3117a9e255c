// The analysis fixtures: answers of the real Rust commands on the growth template, written by
// src-tauri/tests/analysis.rs (which fails when they go stale).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FileDesign } from "../../src/ipc/backend";
import type { Comparison, PricedAdvice, ProviderEstimate, Report } from "../../src/ipc/analysis";

const DIR = join(import.meta.dirname, "../../src/panels/analysis/fixtures");

function read<T>(name: string): T {
  return JSON.parse(readFileSync(join(DIR, name), "utf8")) as T;
}

export const growthCheck = () => read<Report>("growth.check.json");
export const growthAtScaleCheck = () => read<Report>("growth-at-scale.check.json");
export const growthAtScaleFixed = () => read<{ finding_rule: string; design: FileDesign; report: Report }>("growth-at-scale.fixed.json");
export const growthEstimate = () => read<ProviderEstimate>("growth.estimate.json");
export const growthComparison = () => read<Comparison>("growth.compare.json");
export const growthAdvice = () => read<PricedAdvice>("growth.advice.json");
