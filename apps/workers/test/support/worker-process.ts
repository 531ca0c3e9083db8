export { BUN, killAll, spawnWorker, type WorkerProcess, waitStarted } from "../../dev/worker-process.ts";
