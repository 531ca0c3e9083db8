// OpenTelemetry for the project's processes: off unless an OTLP endpoint is configured
// (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces, the SDK's own
// variables). When on, spans go in batches to that endpoint over OTLP/HTTP (JSON), W3C trace
// context is the propagator, and the context follows async work (AsyncLocalStorage), so the
// engine's producer and consumer spans (@notify/queue tracing.ts) join the caller's trace.
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";

export interface Tracing {
  /** Sends what is buffered and stops; call it before the process exits. */
  shutdown(): Promise<void>;
}

let active = false;

/** True once startTracing registered the SDK: callers skip span work on hot paths otherwise. */
export function isTracing(): boolean {
  return active;
}

/** Where traces go, from the standard OTEL_* variables; undefined when tracing is off. */
export function tracesEndpoint(env: Record<string, string | undefined>): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined;
}

/** Registers the SDK when an endpoint is configured; returns null (and changes nothing) otherwise. */
export function startTracing(options: {
  serviceName: string;
  env?: Record<string, string | undefined>;
}): Tracing | null {
  const env = options.env ?? process.env;
  const url = tracesEndpoint(env);
  if (!url) return null;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME?.trim() || options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 500 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  active = true;
  return {
    async shutdown() {
      active = false;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
