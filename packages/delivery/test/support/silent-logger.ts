import type { Logger } from "@notify/queue";

/** For tests that look at outcomes, not log lines. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
