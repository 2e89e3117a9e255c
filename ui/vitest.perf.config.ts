import { defineConfig } from "vitest/config";

// Canvas measurements in Chromium (`npm run perf`): they print figures, they are not tests.
export default defineConfig({
  test: {
    include: ["e2e/**/*.perf.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 90_000,
  },
});
