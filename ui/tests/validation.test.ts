import { describe, expect, it } from "vitest";
import { checkCidr, checkCidrList, checkName, checkPort, checkPortList, checkPortRange, checkWhole, parsePortList } from "../src/inspector/validation";

describe("inspector value checks", () => {
  it("ports are whole numbers from 1 to 65535", () => {
    expect(checkPort("443")).toBeNull();
    expect(checkPort("0")).toBe("A port must be at least 1.");
    expect(checkPort("65536")).toBe("A port must be at most 65535.");
    expect(checkPort("80a")).toBe("A port must be a whole number.");
    expect(parsePortList("80, 443")).toEqual([80, 443]);
    expect(parsePortList("80, x")).toBeNull();
    expect(checkPortList("80, 70000")).toMatch(/70000/);
  });

  it("firewall ports accept ranges like the Rust model", () => {
    expect(checkPortRange("8000-8100")).toBeNull();
    expect(checkPortRange("22")).toBeNull();
    expect(checkPortRange("8100-8000")).toMatch(/starts after it ends/);
    expect(checkPortRange("1-2-3")).not.toBeNull();
  });

  it("CIDRs are checked for IPv4 and IPv6", () => {
    expect(checkCidr("10.0.0.0/16")).toBeNull();
    expect(checkCidr("0.0.0.0/0")).toBeNull();
    expect(checkCidr("::/0")).toBeNull();
    expect(checkCidr("2001:db8::/32")).toBeNull();
    expect(checkCidr("10.0.0.0/33")).toMatch(/at most \/32/);
    expect(checkCidr("10.0.0.256/16")).not.toBeNull();
    expect(checkCidr("10.0.0.0")).not.toBeNull();
    expect(checkCidrList("")).not.toBeNull();
    expect(checkCidrList("10.0.0.0/8, 192.168.0.0/16")).toBeNull();
  });

  it("counts are at least one and names are not empty", () => {
    expect(checkWhole("0", 1, undefined, "Count")).toBe("Count must be at least 1.");
    expect(checkWhole("3", 1)).toBeNull();
    expect(checkName("   ")).toBe("A name cannot be empty.");
    expect(checkName("api")).toBeNull();
  });
});
