import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, debugEnabled, maskEmail, maskPhone } from "../src/logger.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, destination };
}

describe("logger", () => {
  it("escapes control and bidi characters in fields, recipients included", () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: "info", component: "email", destination });
    log.info({ err: "bad\u0000reply \u001b[31mred\u202Efdp.exe\u2028next", to: "\u202Eann@example.com" }, "failed");
    expect(lines[0]?.err).toBe("bad\\u{0000}reply \\u{001B}[31mred\\u{202E}fdp.exe\\u{2028}next");
    expect(String(lines[0]?.to)).not.toMatch(/\u202E/);
  });

  it("masks addresses and phone numbers", () => {
    expect(maskEmail("jane.doe@example.com")).toBe("j***@example.com");
    expect(maskPhone("+919876543210")).toBe("+91******3210");
  });

  it("writes JSON with recipients masked and secrets redacted", () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: "info", component: "email", destination });
    log.info(
      {
        to: "jane@example.com",
        job: { recipient: "+919876543210" },
        apiKey: "SG.secret",
        headers: { authorization: "Bearer x" },
      },
      "sent",
    );
    const line = lines[0] ?? {};
    expect(line).toMatchObject({
      level: "info",
      component: "email",
      msg: "sent",
      to: "j***@example.com",
      apiKey: "[redacted]",
    });
    expect(JSON.stringify(line)).not.toContain("jane@");
    expect(JSON.stringify(line)).not.toContain("9876543210");
    expect(JSON.stringify(line)).not.toContain("SG.secret");
    expect(JSON.stringify(line)).not.toContain("Bearer x");
  });

  it("turns on debug output per component with DEBUG patterns", () => {
    expect(debugEnabled("worker:*", "worker:sms")).toBe(true);
    expect(debugEnabled("worker:email", "worker:sms")).toBe(false);
    expect(debugEnabled("worker:*,-worker:sms", "worker:sms")).toBe(false);
    const on = capture();
    createLogger({ level: "info", debug: "worker:email", component: "email", destination: on.destination }).debug(
      {},
      "detail",
    );
    const off = capture();
    createLogger({ level: "info", debug: "worker:email", component: "sms", destination: off.destination }).debug(
      {},
      "detail",
    );
    expect(on.lines).toHaveLength(1);
    expect(off.lines).toHaveLength(0);
  });
});
