// Configuration read from the environment, once, with the checks that keep production safe.
import { randomBytes } from "node:crypto";

export interface AdminEnv {
  apiUrl: string;
  adminToken: string;
  adminPassword: string;
  sessionSecret: string;
  production: boolean;
}

let cached: AdminEnv | null = null;

export function adminEnv(): AdminEnv {
  if (cached) return cached;
  const production = process.env.NODE_ENV === "production";
  const adminPassword = process.env.ADMIN_PASSWORD ?? "";
  let sessionSecret = process.env.SESSION_SECRET ?? "";
  if (!sessionSecret) {
    if (production) throw new Error("SESSION_SECRET must be set in production");
    // Dev only: sessions simply end when the process restarts.
    sessionSecret = randomBytes(32).toString("hex");
  }
  cached = {
    apiUrl: process.env.API_URL ?? "http://127.0.0.1:4000",
    adminToken: process.env.ADMIN_TOKEN ?? "",
    adminPassword,
    sessionSecret,
    production,
  };
  return cached;
}

/** Tests change the environment between cases. */
export function resetAdminEnv(): void {
  cached = null;
}
