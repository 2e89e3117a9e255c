// Prefixed ids in the same form the Rust model generates and accepts: prefix + 10 of [a-z0-9].
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

export type IdPrefix = "cmp_" | "con_" | "grp_" | "dsg_";

export function generateId(prefix: IdPrefix): string {
  const bytes = new Uint8Array(10);
  crypto.getRandomValues(bytes);
  let suffix = "";
  for (const b of bytes) suffix += ALPHABET[b % ALPHABET.length];
  return prefix + suffix;
}
