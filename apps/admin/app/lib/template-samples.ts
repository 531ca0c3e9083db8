// Sample data for every template the engine defines, so each one can be previewed in one click.
// Names follow packages/queue's notifications module; the API rejects any that drift.
export const EMAIL_SAMPLES: Record<string, Record<string, unknown>> = {
  welcome: { user_name: "Asha Rao", referral_code: "ASHA50" },
  order_confirmation: {
    order_number: "ORD-10293",
    total_amount: "1499.00",
    currency: "INR",
    items: [
      { name: "Noise-cancelling headphones", quantity: 1, price: "1299.00" },
      { name: "USB-C cable", quantity: 2, price: "100.00" },
    ],
  },
  cashback_confirmed: { amount: "120.50", new_balance: "980.25" },
  withdrawal_requested: { amount: "500.00", method: "UPI" },
  withdrawal_processed: { amount: "500.00", transaction_id: "TXN-77812", status: "completed" },
  withdrawal_rejected: { amount: "500.00", reason: "Bank account name does not match", refunded_amount: "500.00" },
};

export const SMS_SAMPLES: Record<string, Record<string, unknown>> = {
  otp: { otp: "482913", expires_in_minutes: 10 },
  order_confirmation: { order_number: "ORD-10293", total_amount: "1499.00" },
  cashback_credited: { amount: "120.50" },
  withdrawal_processed: { amount: "500.00" },
  withdrawal_rejected: { amount: "500.00", reason: "Name mismatch" },
};

export type Channel = "email" | "sms";

export function samplesFor(channel: Channel): Record<string, Record<string, unknown>> {
  return channel === "email" ? EMAIL_SAMPLES : SMS_SAMPLES;
}
