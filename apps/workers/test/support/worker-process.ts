export { BUN, killAll, spawnWorker, type WorkerProcess, waitStarted } from "../../src/dev/worker-process.ts";
