// One kind of error the CLI reports as a single line; `exitCode` 2 means the command line was wrong.
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export function usageError(message: string): CliError {
  return new CliError(`${message} (see: npm run queue -- help)`, 2);
}
