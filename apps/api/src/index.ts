// Public entry of @notify/api: the fetch handler factory and the router type clients build on.
export { createApp, type FetchHandler, type RequestInfo, TRPC_ENDPOINT } from "./app.ts";
export { type ApiConfig, configFromEnv } from "./config.ts";
export type { Context } from "./context.ts";
export type { AppDeps, JobHandler, TemplateRenderer } from "./deps.ts";
export { type ApiMetrics, createMetrics } from "./metrics/registry.ts";
export { type AppRouter, appRouter } from "./routers/_app.ts";
export { createCallerFactory } from "./trpc.ts";
