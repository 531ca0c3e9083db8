// Every script file compiles on a real server (a syntax error would otherwise surface only on
// the code path that first calls it).
import { describe, expect, it } from "vitest";
import { ALL_SCRIPTS, scriptSource } from "../src/scripts.ts";
import { useRedis } from "./setup.ts";

const t = useRedis();

describe("Lua scripts", () => {
  it.each(ALL_SCRIPTS)("%s loads", async (name) => {
    const sha = await t.redis.script("LOAD", scriptSource(name));
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(scriptSource(name)).toMatch(/KEYS\[1\]/);
    expect(scriptSource(name)).toMatch(/Returns?:/);
  });
});
