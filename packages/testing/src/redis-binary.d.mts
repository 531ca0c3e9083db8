export interface RedisBinaries {
  server: string;
  cli: string;
}

export function findRedisBinaries(): RedisBinaries | null;
export function ensureRedisBinaries(options?: { log?: (line: string) => void }): RedisBinaries;
