// Amounts arrive as numbers or decimal strings (seed 004's Python producers send both).
const formatters = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: unknown, currency = "INR"): string {
  const value = typeof amount === "number" ? amount : Number(amount);
  if (!Number.isFinite(value)) return String(amount ?? "");
  const code = /^[A-Z]{3}$/.test(currency) ? currency : "INR";
  let formatter = formatters.get(code);
  if (!formatter) {
    formatter = new Intl.NumberFormat("en-IN", { style: "currency", currency: code });
    formatters.set(code, formatter);
  }
  return formatter.format(value);
}
