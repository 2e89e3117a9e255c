import { describe, expect, it } from "vitest";
import { hasIcon } from "../src/app/icons";
import { realCatalog } from "./fixtures";

describe("icons", () => {
  it("draw every icon the real catalogue names, and every group kind", () => {
    const catalog = realCatalog();
    const missing = [...catalog.kinds.map((k) => k.icon), ...catalog.group_kinds.map((g) => g.kind)].filter((name) => !hasIcon(name));
    expect(missing, "add an SVG to src/app/icons.tsx for these catalogue icons").toEqual([]);
  });
});
