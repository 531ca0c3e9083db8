// Dev mode (seed 004): with no provider key the rendered message is printed, and with OUTBOX_DIR
// also written to disk (HTML, text, metadata) so it can be opened in a browser.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { escapeUnsafeText } from "../text-safety.ts";
import type { EmailMessage, EmailProvider, SendResult, SmsMessage, SmsProvider } from "./types.ts";

export interface ConsoleOptions {
  outboxDir?: string;
  write?: (text: string) => void;
}

const safeName = (id: string) => id.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 120);
const defaultWrite = (text: string) => process.stdout.write(text);

export function createConsoleEmailProvider(options: ConsoleOptions = {}): EmailProvider {
  const write = options.write ?? defaultWrite;
  return {
    name: "console",
    async send(message: EmailMessage): Promise<SendResult> {
      // A message is data from outside: nothing in it may act on the terminal that shows it.
      write(
        escapeUnsafeText(
          `\n=== email ${message.jobId} (${message.category}) ===\nFrom: ${message.from}\nTo: ${message.to}\nSubject: ${message.subject}\n\n${message.text}\n=== end ===\n`,
          { keepLineBreaks: true },
        ),
      );
      if (options.outboxDir) {
        const dir = join(options.outboxDir, "email");
        await mkdir(dir, { recursive: true });
        const base = join(dir, safeName(message.jobId));
        await writeFile(`${base}.html`, message.html);
        await writeFile(`${base}.txt`, message.text);
        await writeFile(`${base}.json`, JSON.stringify({ ...message, html: undefined, text: undefined }, null, 2));
      }
      return { providerId: `console-${message.jobId}` };
    },
  };
}

export function createConsoleSmsProvider(options: ConsoleOptions = {}): SmsProvider {
  const write = options.write ?? defaultWrite;
  return {
    name: "console",
    async send(message: SmsMessage): Promise<SendResult> {
      write(
        escapeUnsafeText(
          `\n=== sms ${message.jobId} (${message.category}) to ${message.to} ===\n${message.text}\n=== end ===\n`,
          { keepLineBreaks: true },
        ),
      );
      if (options.outboxDir) {
        const dir = join(options.outboxDir, "sms");
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, `${safeName(message.jobId)}.json`), JSON.stringify(message, null, 2));
      }
      return { providerId: `console-${message.jobId}` };
    },
  };
}
