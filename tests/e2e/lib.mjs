// Shared by the desktop test and the benchmark: sessions on tauri-driver, waits, screenshots of
// the Xvfb screen and pointer drags. Configuration comes from run.sh / bench.sh via the environment.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { remote } from "webdriverio";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through tests/e2e/run.sh (or bench.sh)`);
  return value;
}

export const env = {
  get driverPort() {
    return Number(required("E2E_DRIVER_PORT"));
  },
  get app() {
    return required("E2E_APP");
  },
  get work() {
    return required("E2E_WORK");
  },
  get shots() {
    return required("E2E_SHOTS");
  },
};

/** Starts the app (through tauri-driver) with `args`, and returns the WebDriver session. */
export async function launch(args = [], application = env.app) {
  return remote({
    hostname: "127.0.0.1",
    port: env.driverPort,
    logLevel: "warn",
    connectionRetryCount: 0,
    connectionRetryTimeout: 120_000,
    capabilities: { "tauri:options": { application, args } },
  });
}

/** Ends the session, which closes the app; never throws, so cleanup always runs. */
export async function quit(browser) {
  if (!browser) return;
  try {
    await browser.deleteSession();
  } catch (error) {
    console.error(`closing the session failed: ${error.message}`);
  }
}

/**
 * Captures the whole Xvfb screen (the WebDriver screenshot call hangs with WebKitWebDriver).
 * Returns the file's path.
 */
export function screenshot(name) {
  mkdirSync(env.shots, { recursive: true });
  const file = join(env.shots, `${name}.png`);
  execFileSync("import", ["-window", "root", file], { stdio: ["ignore", "ignore", "inherit"] });
  return file;
}

/** Polls `read` in the page until `accept` holds; the failure message shows the last value. */
export async function waitFor(browser, description, read, accept = Boolean, timeout = 20_000) {
  const start = Date.now();
  let last;
  for (;;) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      last = `error: ${error.message}`;
    }
    if (Date.now() - start > timeout) {
      throw new Error(`timed out after ${timeout} ms waiting for ${description}; last value: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Ids of the component nodes the canvas currently shows. */
export async function componentNodeIds(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid^="node-cmp_"]')].map((e) => e.getAttribute("data-testid").slice("node-".length)),
  );
}

/** Waits until the canvas shows at least `min` component nodes; returns their ids. */
export async function waitForCanvas(browser, min = 1, timeout = 30_000) {
  return waitFor(browser, `the canvas with at least ${min} component node(s)`, async () => {
    const present = await browser.execute(() => document.querySelector('[data-testid="canvas"]') !== null);
    return present ? componentNodeIds(browser) : [];
  }, (ids) => ids.length >= min, timeout);
}

/** Centre of an element in viewport CSS pixels. */
export async function centreOf(browser, selector) {
  return browser.execute((sel) => {
    const element = document.querySelector(sel);
    if (!element) return null;
    const r = element.getBoundingClientRect();
    return { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) };
  }, selector);
}

/**
 * A point on the empty canvas (the React Flow pane itself, not a node, edge or panel), searching
 * a grid from the lower right where templates leave room.
 */
export async function emptyCanvasPoint(browser) {
  return browser.execute(() => {
    const canvas = document.querySelector('[data-testid="canvas"]');
    const r = canvas.getBoundingClientRect();
    for (let fy = 0.8; fy >= 0.2; fy -= 0.05) {
      for (let fx = 0.75; fx >= 0.25; fx -= 0.05) {
        const x = Math.round(r.left + r.width * fx);
        const y = Math.round(r.top + r.height * fy);
        // The point and a node's size around it must be free, so the dropped node lands on the pane.
        const free = [[0, 0], [-90, -40], [90, 40], [-90, 40], [90, -40]].every(([dx, dy]) => {
          const hit = document.elementFromPoint(x + dx, y + dy);
          return hit && hit.classList.contains("react-flow__pane");
        });
        if (free) return { x, y };
      }
    }
    return null;
  });
}

/** Presses the pointer at `from`, moves to `to` in steps, and releases: one drag. */
export async function drag(browser, from, to, steps = 12) {
  let action = browser.action("pointer", { parameters: { pointerType: "mouse" } })
    .move({ x: from.x, y: from.y, origin: "viewport" })
    .down({ button: 0 })
    .pause(50);
  for (let i = 1; i <= steps; i += 1) {
    const x = Math.round(from.x + ((to.x - from.x) * i) / steps);
    const y = Math.round(from.y + ((to.y - from.y) * i) / steps);
    action = action.move({ x, y, origin: "viewport", duration: 16 });
  }
  await action.pause(50).up({ button: 0 }).perform();
}

/** Starts recording CSP violations in the page; read them with `cspViolations`. */
export async function recordCspViolations(browser) {
  await browser.execute(() => {
    window.__e2eCspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__e2eCspViolations.push(`${e.violatedDirective}: ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
}

export async function cspViolations(browser) {
  return browser.execute(() => window.__e2eCspViolations ?? ["the recorder was not installed"]);
}
