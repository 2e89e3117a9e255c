// Starts `vite preview` on the built ui/dist and Debian's Chromium, for the browser tests.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { preview, type PreviewServer } from "vite";

export const CHROMIUM = process.env.STAGECRAFT_CHROMIUM ?? "/usr/bin/chromium";
const UI_DIR = join(import.meta.dirname, "..");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Harness {
  url: string;
  /** A fresh Chromium profile (its own --user-data-dir). */
  context: BrowserContext;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install chromium) for the browser tests`);
  }
  if (!existsSync(join(UI_DIR, "dist/index.html"))) {
    throw new Error("ui/dist is missing: run `npm run -w ui build` first (`npm run -w ui e2e` does)");
  }
  const port = await freePort();
  const server: PreviewServer = await preview({
    root: UI_DIR,
    logLevel: "warn",
    preview: { host: "127.0.0.1", port, strictPort: true, open: false },
  });
  const userDataDir = mkdtempSync(join(tmpdir(), "stagecraft-chromium-"));
  // Playwright passes the fresh profile as --user-data-dir through launchPersistentContext.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    context,
    async close() {
      await context.close().catch(() => undefined);
      await server.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
