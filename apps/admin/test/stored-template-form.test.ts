// The Stored templates form's fields to the API's shape (pure; the page itself runs in Chromium).
import { describe, expect, it } from "vitest";
import { parseJsonObject, parseLocales, parseVariables, variablesText } from "../app/lib/stored-template-form.ts";

describe("stored template form", () => {
  it("reads variables, optional ones marked with ?, and writes them back the same way", () => {
    const variables = parseVariables(" order_number , carrier?,, ");
    expect(variables).toEqual([
      { name: "order_number", required: true },
      { name: "carrier", required: false },
    ]);
    expect(variablesText(variables)).toBe("order_number, carrier?");
  });

  it("builds the locales from the default fields and the other locales' JSON", () => {
    const email = parseLocales("email", {
      subject: "S",
      mjml: "<mjml/>",
      text: "T",
      more: '{"de": {"subject": "D", "mjml": "<mjml/>", "text": "t"}}',
    });
    expect(email.ok && Object.keys(email.email)).toEqual(["de", "default"]);
    const sms = parseLocales("sms", { subject: "", mjml: "", text: "Hi", more: "" });
    expect(sms.ok && sms.sms).toEqual({ default: { text: "Hi" } });
    // The default locale comes from the fields, whatever the JSON says.
    const overridden = parseLocales("sms", {
      subject: "",
      mjml: "",
      text: "mine",
      more: '{"default": {"text": "theirs"}}',
    });
    expect(overridden.ok && overridden.sms.default).toEqual({ text: "mine" });
  });

  it("refuses JSON that is not an object, malformed or too long, with a message", () => {
    expect(parseJsonObject("[1]")).toEqual({ ok: false, message: "The JSON must be an object." });
    expect(parseJsonObject("{")).toEqual({ ok: false, message: "The JSON is not valid." });
    expect(parseJsonObject(`"${"x".repeat(80_000)}"`)).toEqual({ ok: false, message: "The JSON is too long." });
    expect(parseLocales("email", { subject: "", mjml: "", text: "", more: "nope" })).toEqual({
      ok: false,
      message: "Other locales: The JSON is not valid.",
    });
  });
});
