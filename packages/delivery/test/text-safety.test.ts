// Control characters (NUL, ESC, U+202E, U+2028) from job data never reach a subject, an SMS or the
// terminal the console provider writes to as they are.
import { beforeAll, describe, expect, it } from "vitest";
import { createConsoleEmailProvider, createConsoleSmsProvider } from "../src/providers/console.ts";
import { EmailRenderer } from "../src/templates/email-renderer.ts";
import { renderSms } from "../src/templates/sms-templates.ts";
import { escapeUnsafeText, oneLineText } from "../src/text-safety.ts";

const HOSTILE = "Ann\u0000\u001b[2J\u202Etxt.exe\u2028Bcc: x@evil.example\r\nEnd\u0085\u2066";
const UNSAFE = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u;

let renderer: EmailRenderer;
beforeAll(async () => {
  renderer = await EmailRenderer.create({ appName: "Notify", appUrl: "https://app.example.com" });
});

describe("unsafe characters", () => {
  it("are removed from rendered subjects", () => {
    const { subject } = renderer.render({
      type: "welcome",
      data: { user_name: HOSTILE },
      jobId: "j1",
      to: "a@example.com",
    });
    expect(subject).not.toMatch(UNSAFE);
    expect(subject).toBe("Welcome to Notify, Ann [2J txt.exe Bcc: x@evil.example End !");
  });

  it("are removed from SMS text", () => {
    const text = renderSms("order_confirmation", { order_number: `A1${HOSTILE}` }, "Shop\u202E");
    expect(text).not.toMatch(UNSAFE);
    expect(text).toContain("order A1Ann [2J txt.exe Bcc: x@evil.example End is confirmed");
  });

  it("are shown as escapes by the console provider, line breaks kept", async () => {
    let out = "";
    const write = (text: string) => {
      out += text;
    };
    await createConsoleEmailProvider({ write }).send({
      jobId: "j2",
      to: "a@example.com",
      from: "n@example.com",
      subject: "Hi\u001b]0;owned\u0007",
      html: "<p>x</p>",
      text: `line one\n${HOSTILE}`,
      category: "welcome",
    });
    await createConsoleSmsProvider({ write }).send({
      jobId: "j3",
      to: "+919876543210",
      text: "1234\u202E",
      category: "otp",
    });
    expect(out).not.toMatch(/(?!\n)[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u);
    expect(out).toContain("Subject: Hi\\u{001B}]0;owned\\u{0007}");
    expect(out).toContain("line one\nAnn\\u{0000}\\u{001B}[2J\\u{202E}txt.exe\\u{2028}Bcc");
    expect(out).toContain("1234\\u{202E}");
  });

  it("leave ordinary text, other scripts and emoji alone", () => {
    const text = "Zahlung über 5 € für Ünal — 日本語 🎉";
    expect(oneLineText(text)).toBe(text);
    expect(escapeUnsafeText(text)).toBe(text);
  });
});
