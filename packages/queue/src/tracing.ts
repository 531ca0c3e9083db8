// One trace from the enqueue to the handler and its provider call: the producer opens a PRODUCER
// span and writes its W3C traceparent into the envelope (`trace`); the worker continues it with a
// CONSUMER span around the handler (OpenTelemetry messaging conventions). Without an
// OpenTelemetry SDK registered (the default, see @notify/telemetry) spans do not record, jobs
// carry no trace field, and the worker skips all of this for jobs without one.
import { context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { errorMessage } from "./errors.ts";
import type { Job } from "./job.ts";

const tracer = () => trace.getTracer("@notify/queue");

function messaging(queue: string, operation: "send" | "process"): Record<string, string> {
  return { "messaging.system": "redis", "messaging.destination.name": queue, "messaging.operation.type": operation };
}

async function runInSpan<T>(span: Span, run: () => Promise<T>, parent = context.active()): Promise<T> {
  try {
    return await context.with(trace.setSpan(parent, span), run);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
    throw error;
  } finally {
    span.end();
  }
}

/** Runs a push inside a "send <queue>" span; `push` gets the traceparent to write into the jobs. */
export function tracedSend<T>(queue: string, count: number, push: (traceparent?: string) => Promise<T>): Promise<T> {
  const span = tracer().startSpan(`send ${queue}`, {
    kind: SpanKind.PRODUCER,
    attributes: { ...messaging(queue, "send"), "messaging.batch.message_count": count },
  });
  if (!span.isRecording()) {
    span.end();
    return push(undefined);
  }
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return runInSpan(span, () => push(carrier.traceparent));
}

/** Runs a traced job's handler inside a "process <queue>" span that continues the producer's trace. */
export function tracedProcess(queue: string, job: Job, attempt: number, run: () => Promise<void>): Promise<void> {
  const parent = propagation.extract(ROOT_CONTEXT, { traceparent: String(job.trace) });
  const span = tracer().startSpan(
    `process ${queue}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messaging(queue, "process"),
        "messaging.message.id": job.id,
        "messaging.message.delivery_attempt": attempt,
        "notify.job.type": job.type,
      },
    },
    parent,
  );
  if (!span.isRecording()) {
    span.end();
    return run();
  }
  return runInSpan(span, run, parent);
}
