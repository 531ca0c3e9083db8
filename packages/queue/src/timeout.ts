/**
 * Waits for `promise` at most `ms`: `{ done: true, value }` when it settled in time, `{ done: false }`
 * otherwise. The timer is cleared either way, so a finished wait keeps no process alive.
 */
export async function within<T>(promise: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.then((value) => ({ done: true as const, value })),
      new Promise<{ done: false }>((resolve) => {
        timer = setTimeout(() => resolve({ done: false }), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
