// The provider's HTTP call as a CLIENT span inside a traced job's "process" span, so a trace shows
// the enqueue, the job and the call that sent it. Untraced jobs (no active recording span) pay
// nothing here.
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

export async function providerCall<T>(
  provider: string,
  channel: "email" | "sms",
  jobId: string,
  send: () => Promise<T>,
): Promise<T> {
  if (!trace.getActiveSpan()?.isRecording()) return send();
  return trace.getTracer("@notify/delivery").startActiveSpan(
    `${provider} send`,
    {
      kind: SpanKind.CLIENT,
      attributes: { "notify.provider": provider, "notify.channel": channel, "messaging.message.id": jobId },
    },
    async (span) => {
      try {
        return await send();
      } catch (error) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
