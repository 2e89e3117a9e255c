import { defineConfig } from "vitest/config";

// Browser tests: they start `vite preview` on the built ui/dist and drive Debian's Chromium.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 90_000,
    hookTimeout: 90_000,
    fileParallelism: false,
  },
});
