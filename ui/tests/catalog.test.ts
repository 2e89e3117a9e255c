import { describe, expect, it } from "vitest";
import { connectionAllowed, defaultConnectionTraffic, sizeFamily, sizesFor } from "../src/model/catalog";
import { connect } from "../src/model/edits";
import { fromDocument } from "../src/model/document";
import { realCatalog, realTemplate } from "./fixtures";

const catalog = realCatalog();

describe("connection rules from the real catalogue", () => {
  it("refuses a DNS zone to a block volume with the reason the Rust model gives", () => {
    expect(connectionAllowed(catalog, "dns_zone", "block_volume")).toEqual({
      ok: false,
      reason: "A DNS zone cannot connect to a Block volume.",
    });
  });

  it("allows what connects_to lists and hints at the other direction", () => {
    expect(connectionAllowed(catalog, "app_server", "managed_database")).toEqual({ ok: true });
    const reversed = connectionAllowed(catalog, "managed_database", "app_server");
    expect(reversed.ok).toBe(false);
    if (!reversed.ok) {
      expect(reversed.reason).toBe(
        "A Managed database cannot connect to an App server. Draw it the other way, from App server to Managed database.",
      );
    }
  });

  it("agrees with connects_to for every pair of kinds", () => {
    for (const from of catalog.kinds) {
      for (const to of catalog.kinds) {
        expect(connectionAllowed(catalog, from.kind, to.kind).ok).toBe(from.connects_to.includes(to.kind));
      }
    }
  });

  it("gives a new connection the target's protocol and port", () => {
    expect(defaultConnectionTraffic(catalog, "managed_database")).toEqual({ protocol: "postgresql", ports: [5432] });
    expect(defaultConnectionTraffic(catalog, "app_server")).toEqual({ protocol: "http", ports: [80] });
    expect(defaultConnectionTraffic(catalog, "block_volume")).toEqual({ protocol: "tcp", ports: [] });
  });

  it("connects within a private network as private and refuses duplicates", () => {
    const design = fromDocument(realTemplate("growth"));
    const made = connect(design, catalog, "cmp_app", "cmp_worker");
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    const connection = made.design.connections.find((c) => c.id === made.id);
    expect(connection).toMatchObject({ from: "cmp_app", to: "cmp_worker", protocol: "ssh", ports: [22], network: "private" });
    const toLb = connect(design, catalog, "cmp_users", "cmp_app");
    expect(toLb.ok && toLb.design.connections.find((c) => c.id === toLb.id)?.network).toBe("public");
    const again = connect(design, catalog, "cmp_worker", "cmp_db");
    expect(again).toEqual({ ok: false, reason: "worker is already connected to postgres." });
  });
});

describe("changing provider", () => {
  it("moves components to the provider's default sizes and a region it has, in one edit", async () => {
    const { setProvider } = await import("../src/model/edits");
    const design = fromDocument(realTemplate("growth"));
    const next = setProvider(design, catalog, ["cmp_app", "cmp_db", "cmp_users"], "aws");
    const byId = (id: string) => next.components.find((c) => c.id === id);
    expect(byId("cmp_app")).toMatchObject({ provider: "aws", region: "us-east-1", size: "t3.small" });
    expect(byId("cmp_db")).toMatchObject({ provider: "aws", size: "m7i.large" });
    expect(byId("cmp_users")).toMatchObject({ provider: "aws", size: null });
    expect(byId("cmp_worker")).toBe(design.components.find((c) => c.id === "cmp_worker"));
    expect(setProvider(design, catalog, ["cmp_app"], "hetzner")).toBe(design);
  });
});

describe("sizes from the real catalogue", () => {
  it("filters sizes by family and region like sizes_for", () => {
    const fsn = sizesFor(catalog, "app_server", "hetzner", "fsn1").map((s) => s.id);
    const ash = sizesFor(catalog, "app_server", "hetzner", "ash").map((s) => s.id);
    expect(fsn).toContain("cx22");
    expect(ash).not.toContain("cx22");
    expect(ash).toContain("cpx11");
    expect(sizesFor(catalog, "load_balancer", "hetzner", null).every((s) => s.families.includes("load_balancer"))).toBe(true);
  });

  it("sizes a kind the provider lacks from its fallback", () => {
    expect(sizeFamily(catalog, "managed_database", "hetzner")).toBe("server");
    expect(sizeFamily(catalog, "managed_database", "digitalocean")).toBe("database");
    expect(sizesFor(catalog, "users", "aws", null)).toEqual([]);
  });
});
