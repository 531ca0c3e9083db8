// Seed 004's SMS templates. Plain text, kept inside GSM-7 (so "Rs." rather than the rupee sign,
// which would halve the characters per segment). The whole message is flattened to one line.
import type { SmsTemplate, SmsTemplateData } from "@notify/queue/notifications";
import { oneLineText } from "../text-safety.ts";

const money = (amount: number | string) => {
  const value = typeof amount === "number" ? amount : Number(amount);
  return `Rs.${Number.isFinite(value) ? value.toLocaleString("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : String(amount)}`;
};

type Renderers = { [T in SmsTemplate]: (data: SmsTemplateData<T>, appName: string) => string };

export const smsTemplates: Renderers = {
  otp: (d, app) =>
    `${d.otp} is your ${app} verification code. It expires in ${d.expires_in_minutes ?? 10} minutes. Do not share it with anyone.`,
  order_confirmation: (d, app) =>
    `Your ${app} order ${d.order_number} is confirmed${d.total_amount === undefined ? "" : ` for ${money(d.total_amount)}`}. Thank you for shopping with us.`,
  cashback_credited: (d, app) => `${money(d.amount)} cashback has been credited to your ${app} wallet.`,
  withdrawal_processed: (d, app) => `Your ${app} withdrawal of ${money(d.amount)} has been processed.`,
  withdrawal_rejected: (d, app) =>
    `Your ${app} withdrawal of ${money(d.amount)} was rejected${d.reason ? `: ${d.reason}` : ""}. The amount is back in your wallet.`,
};

export function renderSms<T extends SmsTemplate>(type: T, data: SmsTemplateData<T>, appName: string): string {
  const render = smsTemplates[type] as (data: SmsTemplateData<T>, appName: string) => string;
  // One line with no control or bidi characters (they would break or disguise the message),
  // applied to the whole text: user data and the configured app name alike.
  return oneLineText(render(data, appName));
}
