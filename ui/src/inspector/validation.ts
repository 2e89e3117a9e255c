// Checks for values typed in the inspector. Each returns the problem in words, or null when the
// value is fine, so the field can show it as the user types and refuse to apply it.

export function checkName(text: string): string | null {
  return text.trim() === "" ? "A name cannot be empty." : null;
}

export function parseWhole(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

export function checkWhole(text: string, min: number, max = 4_294_967_295, what = "The value"): string | null {
  const n = parseWhole(text);
  if (n === null) return `${what} must be a whole number.`;
  if (n < min) return `${what} must be at least ${min}.`;
  if (n > max) return `${what} must be at most ${max}.`;
  return null;
}

export function checkPort(text: string): string | null {
  return checkWhole(text, 1, 65535, "A port");
}

/** A comma-separated list of ports; empty means none. */
export function parsePortList(text: string): number[] | null {
  if (text.trim() === "") return [];
  const parts = text.split(",").map((p) => p.trim());
  if (parts.some((p) => checkPort(p) !== null)) return null;
  return parts.map(Number);
}

export function checkPortList(text: string): string | null {
  if (text.trim() === "") return null;
  const bad = text.split(",").map((p) => p.trim()).find((p) => checkPort(p) !== null);
  return bad === undefined ? null : `“${bad}” is not a port: use 1-65535, separated by commas.`;
}

/** A firewall port: a single port or a range like 8000-8100 (like `FirewallRule::port_range`). */
export function checkPortRange(text: string): string | null {
  const t = text.trim();
  if (t === "") return null;
  const [from, to, extra] = t.split("-");
  if (extra !== undefined) return `“${t}” is not a port or a range like 8000-8100.`;
  if (to === undefined) return checkPort(t) && `“${t}” is not a port (1-65535) or a range like 8000-8100.`;
  if (checkPort(from ?? "") || checkPort(to)) return `“${t}” is not a port (1-65535) or a range like 8000-8100.`;
  if (Number(from) > Number(to)) return `“${t}”: the range starts after it ends.`;
  return null;
}

function checkIpv4(address: string): boolean {
  const parts = address.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function checkIpv6(address: string): boolean {
  if (!/^[0-9a-fA-F:]+$/.test(address) || !address.includes(":")) return false;
  const doubles = address.split("::").length - 1;
  if (doubles > 1) return false;
  const groups = address.split(":").filter((g) => g !== "");
  return groups.every((g) => g.length <= 4) && (doubles === 1 ? groups.length < 8 : groups.length === 8);
}

/** An IPv4 or IPv6 CIDR such as 10.0.0.0/16 or ::/0. */
export function checkCidr(text: string): string | null {
  const t = text.trim();
  const [address, prefix, extra] = t.split("/");
  const bad = `“${t}” is not a CIDR such as 10.0.0.0/16.`;
  if (!address || prefix === undefined || extra !== undefined || !/^\d{1,3}$/.test(prefix)) return bad;
  if (checkIpv4(address)) return Number(prefix) <= 32 ? null : `“${t}”: an IPv4 prefix is at most /32.`;
  if (checkIpv6(address)) return Number(prefix) <= 128 ? null : `“${t}”: an IPv6 prefix is at most /128.`;
  return bad;
}

/** A comma-separated list of CIDRs, at least one. */
export function checkCidrList(text: string): string | null {
  const parts = text.split(",").map((p) => p.trim()).filter((p) => p !== "");
  if (parts.length === 0) return "List at least one address range, such as 0.0.0.0/0.";
  for (const p of parts) {
    const problem = checkCidr(p);
    if (problem) return problem;
  }
  return null;
}

export function checkDomain(text: string): string | null {
  const t = text.trim();
  if (t === "") return null;
  return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(t) ? null : `“${t}” is not a domain name such as example.com.`;
}
