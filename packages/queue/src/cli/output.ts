// Human output goes to stdout as aligned text; --json prints one JSON value (or JSON lines) instead.
export interface Output {
  readonly json: boolean;
  /** Prints `value` as JSON in --json mode, otherwise the human text `human()` returns. */
  result(value: unknown, human: () => string): void;
  line(text: string): void;
}

export function createOutput(json: boolean, write: (text: string) => void = (t) => process.stdout.write(t)): Output {
  return {
    json,
    result(value, human) {
      write(`${json ? JSON.stringify(value) : human()}\n`);
    },
    line(text) {
      write(`${text}\n`);
    },
  };
}

/** Left-aligned columns, two spaces apart; values are stringified as they are. */
export function columns(rows: (string | number)[][]): string {
  const cells = rows.map((row) => row.map(String));
  const widths: number[] = [];
  for (const row of cells) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return cells
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  "))
    .join("\n");
}

export function formatTime(ms: number | undefined | null): string {
  return typeof ms === "number" && Number.isFinite(ms) ? new Date(ms).toISOString() : "-";
}

/** Shortens one-line text for tables; full values are in --json. */
export function clip(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
