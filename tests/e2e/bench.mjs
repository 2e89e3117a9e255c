// Desktop benchmarks, run by bench.sh through run.sh (Xvfb + tauri-driver already up):
// 1. cold start to the first rendered canvas (example design) against a blank Tauri app;
// 2. a 1,000-component design: open time, frame times while dragging a node, memory.
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { centreOf, drag, env, launch, quit, screenshot, waitFor } from "./lib.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const root = new URL("../..", import.meta.url).pathname;
const blankApp = process.env.E2E_BLANK_APP;
const bigDesign = process.env.E2E_BIG_DESIGN;
if (!blankApp || !bigDesign) throw new Error("run through tests/e2e/bench.sh (E2E_BLANK_APP and E2E_BIG_DESIGN)");

const exampleComponents = JSON.parse(
  readFileSync(join(root, "crates/stagecraft-model/templates/growth.stagecraft.json"), "utf8"),
).components.length;

const median = (xs) => percentile(xs, 50);
function percentile(xs, p) {
  const sorted = [...xs].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
const ms = (x) => `${x.toFixed(1)} ms`;

/** The recovery file and settings would change what the next launch shows: start clean. */
function forgetAppData() {
  rmSync(join(env.work, "data"), { recursive: true, force: true });
  rmSync(join(env.work, "config"), { recursive: true, force: true });
}

/** Whether the canvas shows `count` component nodes, all measured and visible. */
async function canvasRendered(browser, count) {
  return browser.execute((n) => {
    const nodes = [...document.querySelectorAll('[data-testid^="node-cmp_"]')];
    if (nodes.length < n) return false;
    return nodes.every((e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && getComputedStyle(e.closest(".react-flow__node") ?? e).visibility === "visible";
    });
  }, count);
}

/** Launches, polls `ready` as fast as the driver answers, and returns the split timings. */
async function timeStart(application, args, ready) {
  const t0 = Date.now();
  const browser = await launch(args, application);
  const sessionAt = Date.now();
  await waitFor(browser, "first render", () => ready(browser), Boolean, 60_000);
  const renderedAt = Date.now();
  const navigationStart = await browser.execute(() => performance.timeOrigin);
  return {
    browser,
    total: renderedAt - t0,
    toNavigation: navigationStart - t0,
    session: sessionAt - t0,
  };
}

/** RSS and PSS (kB) of the app process and everything it spawned (WebKit web/network processes). */
function memoryOf(application) {
  const processes = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0];
      return { pid: Number(pid), ppid, cmd };
    } catch {
      return null;
    }
  }).filter(Boolean);
  const app = processes.find((p) => p.cmd === application);
  if (!app) throw new Error(`no running process of ${application}`);
  const tree = [app];
  for (let i = 0; i < tree.length; i += 1) tree.push(...processes.filter((p) => p.ppid === tree[i].pid));
  return tree.map((p) => {
    const status = readFileSync(`/proc/${p.pid}/status`, "utf8");
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    let pss = 0;
    try {
      pss = Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
    } catch {
      // smaps_rollup needs a 4.14+ kernel; RSS is still reported.
    }
    return { name: p.cmd.split("/").pop(), pid: p.pid, rssKb: rss, pssKb: pss };
  });
}

/** Frame deltas (ms) recorded by requestAnimationFrame in the page while `during` runs. */
async function frameTimes(browser, during) {
  await browser.execute(() => {
    const deltas = [];
    let last = performance.now();
    let running = true;
    const tick = (now) => {
      deltas.push(now - last);
      last = now;
      if (running) requestAnimationFrame(tick);
    };
    requestAnimationFrame((now) => {
      last = now;
      requestAnimationFrame(tick);
    });
    window.__benchFrames = { deltas, stop: () => { running = false; } };
  });
  await during();
  return browser.execute(() => {
    window.__benchFrames.stop();
    return window.__benchFrames.deltas;
  });
}

/** Drags the component node nearest the canvas centre across the canvas for about `seconds`. */
async function dragANode(browser, seconds = 3) {
  const target = await browser.execute(() => {
    const canvas = document.querySelector('[data-testid="canvas"]').getBoundingClientRect();
    const cx = canvas.left + canvas.width / 2;
    const cy = canvas.top + canvas.height / 2;
    let best = null;
    for (const e of document.querySelectorAll('[data-testid^="node-cmp_"]')) {
      const r = e.getBoundingClientRect();
      const d = Math.hypot(r.left + r.width / 2 - cx, r.top + r.height / 2 - cy);
      if (!best || d < best.d) best = { id: e.getAttribute("data-testid"), d };
    }
    return best?.id;
  });
  const from = await centreOf(browser, `[data-testid="${target}"]`);
  const steps = Math.round((seconds * 1000) / 16);
  // Out and back, so the node stays on screen: two drags of one history step each.
  await drag(browser, from, { x: from.x + 220, y: from.y + 120 }, steps / 2);
  await drag(browser, { x: from.x + 220, y: from.y + 120 }, from, steps / 2);
}

function summarise(deltas) {
  const frames = deltas.slice(2); // the first frames include the recorder's own start-up
  return {
    frames: frames.length,
    p50: percentile(frames, 50),
    p95: percentile(frames, 95),
    max: Math.max(...frames),
  };
}

const results = { rounds: ROUNDS, coldStart: { stagecraft: [], blank: [] } };

// 1. Cold starts, interleaved (and the order flipped every round) so both see the same machine
// load and neither always follows the other's shutdown.
for (let round = 0; round < ROUNDS; round += 1) {
  for (const which of round % 2 === 0 ? ["blank", "stagecraft"] : ["stagecraft", "blank"]) {
    forgetAppData();
    const run = which === "blank"
      ? await timeStart(blankApp, [], (b) => b.execute(() => document.getElementById("ready") !== null))
      : await timeStart(env.app, [], (b) => canvasRendered(b, exampleComponents));
    if (round >= ROUNDS - 2 && !results.memory?.[which === "blank" ? "blank" : "exampleDesign"]) {
      results.memory ??= {};
      results.memory[which === "blank" ? "blank" : "exampleDesign"] = memoryOf(which === "blank" ? blankApp : env.app);
      if (which === "stagecraft") screenshot("bench-example");
    }
    await quit(run.browser);
    delete run.browser;
    results.coldStart[which].push(run);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// 2. The 1,000-component design.
const big = JSON.parse(readFileSync(bigDesign, "utf8"));
results.bigDesign = { components: big.components.length, connections: big.connections.length, opens: [] };
for (let round = 0; round < Math.min(ROUNDS, 3); round += 1) {
  forgetAppData();
  const run = await timeStart(env.app, [bigDesign], (b) => b.execute((n) => {
    const status = document.querySelector(".sc-statusbar")?.textContent ?? "";
    return status.includes(`${n} components`) && document.querySelector('[data-testid^="node-cmp_"]') !== null;
  }, big.components.length));
  const browser = run.browser;
  delete run.browser;
  results.bigDesign.opens.push(run);
  if (round === 0) {
    // The backend part of opening, measured in the page: IPC, parse, check and serialisation.
    results.bigDesign.openDesignIpc = await browser.executeAsync((path, done) => {
      const t = performance.now();
      window.__TAURI_INTERNALS__.invoke("open_design", { path }).then(
        () => done(performance.now() - t),
        (e) => done(`failed: ${JSON.stringify(e)}`),
      );
    }, bigDesign);
    results.bigDesign.domNodes = await browser.execute(() => document.querySelectorAll(".react-flow__node").length);
    results.bigDesign.idleFrames = summarise(await frameTimes(browser, () => new Promise((r) => setTimeout(r, 2000))));
    results.bigDesign.dragFrames = summarise(await frameTimes(browser, () => dragANode(browser)));
    results.bigDesign.secondDragFrames = summarise(await frameTimes(browser, () => dragANode(browser)));
    results.memory.bigDesign = memoryOf(env.app);
    screenshot("bench-big-design");
  }
  await quit(browser);
  await new Promise((r) => setTimeout(r, 500));
}

// Frame times on the example design too, for comparison.
{
  forgetAppData();
  const run = await timeStart(env.app, [], (b) => canvasRendered(b, exampleComponents));
  results.exampleIdleFrames = summarise(await frameTimes(run.browser, () => new Promise((r) => setTimeout(r, 2000))));
  results.exampleDragFrames = summarise(await frameTimes(run.browser, () => dragANode(run.browser)));
  results.exampleSecondDragFrames = summarise(await frameTimes(run.browser, () => dragANode(run.browser)));
  await quit(run.browser);
}

function frameLine(label, f) {
  return `  ${label.padEnd(22)} p50 ${ms(f.p50)}  p95 ${ms(f.p95)}  max ${ms(f.max)}  (${f.frames} frames)`;
}

const coldStagecraft = median(results.coldStart.stagecraft.map((r) => r.total));
const coldBlank = median(results.coldStart.blank.map((r) => r.total));
const kb = (list) => list.reduce((s, p) => s + p.rssKb, 0);
const pss = (list) => list.reduce((s, p) => s + p.pssKb, 0);
const lines = [
  `Cold start to first rendered canvas, median of ${ROUNDS} (launch request -> content visible):`,
  `  blank Tauri app        ${ms(coldBlank)}   (to navigation start ${ms(median(results.coldStart.blank.map((r) => r.toNavigation)))})`,
  `  Stagecraft, example    ${ms(coldStagecraft)}   (to navigation start ${ms(median(results.coldStart.stagecraft.map((r) => r.toNavigation)))})`,
  `  ratio                  ${(coldStagecraft / coldBlank).toFixed(2)} (target <= 1.5)`,
  `  navigation -> render   blank ${ms(median(results.coldStart.blank.map((r) => r.total - r.toNavigation)))}, Stagecraft ${ms(median(results.coldStart.stagecraft.map((r) => r.total - r.toNavigation)))}`,
  `1,000 components / ${results.bigDesign.connections} connections:`,
  `  open to first render   ${ms(median(results.bigDesign.opens.map((r) => r.total)))} median of ${results.bigDesign.opens.length}`,
  `  open_design IPC        ${typeof results.bigDesign.openDesignIpc === "number" ? ms(results.bigDesign.openDesignIpc) : results.bigDesign.openDesignIpc}`,
  `  DOM nodes rendered     ${results.bigDesign.domNodes} (onlyRenderVisibleElements)`,
  frameLine("idle frames", results.bigDesign.idleFrames),
  frameLine("first drag of a node", results.bigDesign.dragFrames) + " (target p95 <= 16.7 ms)",
  frameLine("second drag", results.bigDesign.secondDragFrames),
  `Example design (${exampleComponents} components):`,
  frameLine("idle frames", results.exampleIdleFrames),
  frameLine("first drag of a node", results.exampleDragFrames),
  frameLine("second drag", results.exampleSecondDragFrames),
  `Memory, RSS (PSS) of the app and its WebKit processes:`,
  ...["blank", "exampleDesign", "bigDesign"].map((k) =>
    `  ${k.padEnd(14)} ${(kb(results.memory[k]) / 1024).toFixed(0)} MB (${(pss(results.memory[k]) / 1024).toFixed(0)} MB): ${results.memory[k].map((p) => `${p.name} ${(p.rssKb / 1024).toFixed(0)}`).join(", ")}`),
];
console.log(lines.join("\n"));
writeFileSync(join(root, "target/e2e-bench.json"), JSON.stringify(results, null, 2));
