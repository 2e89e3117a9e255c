// Money arrives as decimal strings (rust_decimal, serialized as text). Sums for badges and group
// totals stay exact: amounts are scaled to integers (BigInt), never added as floating point.

const SCALE_DIGITS = 6;
const SCALE = 10n ** BigInt(SCALE_DIGITS);

/** "12.345" -> 12345000n (units of 10^-6). Throws on anything that is not a plain decimal. */
export function parseMoney(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal amount: ${text}`);
  const [, sign, whole, fraction = ""] = match;
  const digits = (fraction + "0".repeat(SCALE_DIGITS)).slice(0, SCALE_DIGITS);
  const value = BigInt(whole ?? "0") * SCALE + BigInt(digits);
  return sign === "-" ? -value : value;
}

/** 12345000n -> "12.35" (rounded half away from zero to `digits`). */
export function formatMoney(value: bigint, digits = 2): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(SCALE_DIGITS - digits);
  const rounded = (abs + unit / 2n) / unit;
  const base = 10n ** BigInt(digits);
  const whole = rounded / base;
  const fraction = digits > 0 ? "." + (rounded % base).toString().padStart(digits, "0") : "";
  return `${negative && rounded !== 0n ? "-" : ""}${whole.toString()}${fraction}`;
}

export function sumMoney(amounts: readonly string[]): string {
  return formatMoney(amounts.reduce((total, a) => total + parseMoney(a), 0n));
}

const SYMBOLS: Record<string, string> = { EUR: "€", USD: "$" };

/** "€12.35", "-$3.00". */
export function showMoney(amount: string, currency: string): string {
  const symbol = SYMBOLS[currency] ?? `${currency} `;
  const value = formatMoney(parseMoney(amount));
  return value.startsWith("-") ? `-${symbol}${value.slice(1)}` : `${symbol}${value}`;
}
