// Seed 004's email templates. Bodies are MJML (compiled once at start into mail-client-safe HTML)
// with Handlebars placeholders: `{{x}}` is always HTML-escaped, `{{money x}}` formats an amount and
// `{{link '/path'}}` builds an app link (wrapped for click tracking when tracking is on).
// To add a template: add its data schema in @notify/queue/notifications (email-jobs.ts), then an
// entry here with the same name.
import type { EmailTemplate } from "@notify/queue/notifications";

export interface EmailTemplateSource {
  subject: string;
  /** MJML for the inside of <mj-column>; the shared layout adds header and footer. */
  body: string;
  text: string;
}

const button = (label: string, path: string) =>
  `<mj-button href="{{link '${path}'}}" background-color="#2563eb" border-radius="6px">${label}</mj-button>`;

export const emailTemplateSources: Record<EmailTemplate, EmailTemplateSource> = {
  welcome: {
    subject: "Welcome to {{app_name}}{{#if user_name}}, {{user_name}}{{/if}}!",
    body: `<mj-text font-size="20px" font-weight="600">Welcome{{#if user_name}}, {{user_name}}{{/if}}!</mj-text>
<mj-text>Your account is ready. Shop through {{app_name}} and earn cashback on every order.</mj-text>
{{#if referral_code}}<mj-text>Your referral code: <strong>{{referral_code}}</strong>. Share it and earn more.</mj-text>{{/if}}
${button("Start shopping", "/")}`,
    text: `Welcome{{#if user_name}}, {{user_name}}{{/if}}!

Your account is ready. Shop through {{app_name}} and earn cashback on every order.
{{#if referral_code}}Your referral code: {{referral_code}}
{{/if}}
Start shopping: {{link '/'}}`,
  },
  order_confirmation: {
    subject: "Order {{order_number}} confirmed",
    body: `<mj-text font-size="20px" font-weight="600">Thanks for your order!</mj-text>
<mj-text>Order <strong>{{order_number}}</strong> is confirmed.</mj-text>
{{#if items}}<mj-table>
<tr style="border-bottom:1px solid #e5e7eb;text-align:left"><th>Item</th><th>Qty</th><th>Price</th></tr>
{{#each items}}<tr><td>{{name}}</td><td>{{quantity}}</td><td>{{money price ../currency}}</td></tr>{{/each}}
</mj-table>{{/if}}
<mj-text>Total: <strong>{{money total_amount currency}}</strong></mj-text>
${button("View order", "/orders")}`,
    text: `Thanks for your order!

Order {{order_number}} is confirmed.
{{#each items}}- {{name}} x{{quantity}}: {{money price ../currency}}
{{/each}}Total: {{money total_amount currency}}

View order: {{link '/orders'}}`,
  },
  cashback_confirmed: {
    subject: "{{money amount}} cashback added to your wallet",
    body: `<mj-text font-size="20px" font-weight="600">Cashback confirmed</mj-text>
<mj-text><strong>{{money amount}}</strong> has been added to your wallet.{{#if new_balance}} Your balance is now <strong>{{money new_balance}}</strong>.{{/if}}</mj-text>
${button("Open wallet", "/wallet")}`,
    text: `Cashback confirmed

{{money amount}} has been added to your wallet.{{#if new_balance}} Your balance is now {{money new_balance}}.{{/if}}

Open wallet: {{link '/wallet'}}`,
  },
  withdrawal_requested: {
    subject: "We received your withdrawal request",
    body: `<mj-text font-size="20px" font-weight="600">Withdrawal requested</mj-text>
<mj-text>We received your request to withdraw <strong>{{money amount}}</strong>{{#if method}} via {{method}}{{/if}}. We will let you know once it is processed.</mj-text>
${button("Track withdrawal", "/wallet")}`,
    text: `Withdrawal requested

We received your request to withdraw {{money amount}}{{#if method}} via {{method}}{{/if}}. We will let you know once it is processed.

Track withdrawal: {{link '/wallet'}}`,
  },
  withdrawal_processed: {
    subject: "Your withdrawal of {{money amount}} was processed",
    body: `<mj-text font-size="20px" font-weight="600">Withdrawal processed</mj-text>
<mj-text>Your withdrawal of <strong>{{money amount}}</strong> has been {{#if status}}{{status}}{{else}}approved{{/if}}.</mj-text>
{{#if transaction_id}}<mj-text>Transaction id: <strong>{{transaction_id}}</strong></mj-text>{{/if}}
${button("Open wallet", "/wallet")}`,
    text: `Withdrawal processed

Your withdrawal of {{money amount}} has been {{#if status}}{{status}}{{else}}approved{{/if}}.
{{#if transaction_id}}Transaction id: {{transaction_id}}
{{/if}}
Open wallet: {{link '/wallet'}}`,
  },
  withdrawal_rejected: {
    subject: "Your withdrawal of {{money amount}} was rejected",
    body: `<mj-text font-size="20px" font-weight="600">Withdrawal rejected</mj-text>
<mj-text>Your withdrawal of <strong>{{money amount}}</strong> could not be processed.</mj-text>
{{#if reason}}<mj-text>Reason: {{reason}}</mj-text>{{/if}}
{{#if refunded_amount}}<mj-text><strong>{{money refunded_amount}}</strong> has been refunded to your wallet.</mj-text>{{/if}}
${button("Contact support", "/support")}`,
    text: `Withdrawal rejected

Your withdrawal of {{money amount}} could not be processed.
{{#if reason}}Reason: {{reason}}
{{/if}}{{#if refunded_amount}}{{money refunded_amount}} has been refunded to your wallet.
{{/if}}
Contact support: {{link '/support'}}`,
  },
};

/** Shared MJML layout; `{{{content}}}` is the template body (trusted, ours), never user data. */
export const emailLayout = (body: string) => `<mjml>
<mj-head>
<mj-title>{{app_name}}</mj-title>
<mj-attributes><mj-all font-family="Helvetica, Arial, sans-serif" /><mj-text font-size="15px" line-height="22px" color="#111827" /></mj-attributes>
</mj-head>
<mj-body background-color="#f3f4f6">
<mj-section><mj-column><mj-text font-size="18px" font-weight="700" color="#2563eb">{{app_name}}</mj-text></mj-column></mj-section>
<mj-section background-color="#ffffff" border-radius="8px" padding="24px"><mj-column>
${body}
</mj-column></mj-section>
<mj-section><mj-column><mj-text font-size="12px" color="#6b7280" align="center">You receive this email because you have an account with {{app_name}}. <a href="{{link '/settings/notifications'}}" style="color:#6b7280">Email preferences</a></mj-text></mj-column></mj-section>
</mj-body>
</mjml>`;
