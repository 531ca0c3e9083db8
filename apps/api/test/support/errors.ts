import { TRPCClientError } from "@notify/client";
import { expect } from "vitest";

/** The tRPC error a call failed with; fails the test when the call succeeded. */
export async function trpcError(call: Promise<unknown>): Promise<{
  code: string;
  httpStatus: number;
  message: string;
  issues: { path: string; code: string; message: string }[] | null;
  zodError: { formErrors: string[]; fieldErrors: Record<string, string[]> } | null;
}> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, "expected the call to fail").toBeInstanceOf(TRPCClientError);
  const e = error as TRPCClientError<never>;
  // Our errorFormatter's shape; the client types it as the router's, which tests do not import.
  const data = e.data as unknown as {
    code: string;
    httpStatus: number;
    issues: { path: string; code: string; message: string }[] | null;
    zodError: { formErrors: string[]; fieldErrors: Record<string, string[]> } | null;
  };
  return {
    code: data.code,
    httpStatus: data.httpStatus,
    message: e.message,
    issues: data.issues,
    zodError: data.zodError,
  };
}
