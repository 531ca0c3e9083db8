// Operator controls: pause (workers stop claiming within about a second, nothing is lost), resume,
// and clear (drops every waiting job; running jobs and dead letters stay).
import { Queue } from "../index.ts";
import { type Command, requireQueue, stringOption } from "./command.ts";

export const pause: Command = {
  usage: "pause <queue> [--reason text]",
  summary: "stop workers claiming from the queue; in-flight jobs finish, nothing is lost",
  options: { reason: { type: "string" } },
  async run(ctx) {
    const name = requireQueue(ctx, this.usage);
    const queue = await Queue.open(name, { connection: await ctx.redis() });
    await queue.pause(stringOption(ctx.values, "reason") ?? "paused from the CLI");
    const state = await queue.isPaused();
    ctx.out.result({ queue: name, ...state }, () => `${name}: paused (${state.reason ?? ""})`);
  },
};

export const resume: Command = {
  usage: "resume <queue>",
  summary: "let workers claim from the queue again",
  async run(ctx) {
    const name = requireQueue(ctx, this.usage);
    const queue = await Queue.open(name, { connection: await ctx.redis() });
    const before = await queue.isPaused();
    await queue.resume();
    ctx.out.result({ queue: name, paused: false, wasPaused: before.paused }, () =>
      before.paused ? `${name}: resumed` : `${name}: was not paused`,
    );
  },
};

export const clear: Command = {
  usage: "clear <queue>",
  summary: "remove every waiting job (pending and delayed); running jobs and dead letters stay",
  async run(ctx) {
    const name = requireQueue(ctx, this.usage);
    const { removed } = await (await Queue.open(name, { connection: await ctx.redis() })).clear();
    ctx.out.result({ queue: name, removed }, () => `${name}: removed ${removed} waiting jobs`);
  },
};
