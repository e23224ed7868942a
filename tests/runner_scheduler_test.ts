import assert from "node:assert/strict";
import { schedule, type ScheduleNode } from "../node/runner/scheduler.ts";

/** A node run that the test settles by hand, with its release callback. */
interface Pending {
  readonly release: () => void;
  readonly settle: (ok: boolean) => void;
}

/** Schedules `nodes` with runs that wait for the test, and returns the live runs by id. */
function manualSchedule(nodes: readonly ScheduleNode[], concurrency: number) {
  const pending = new Map<string, Pending>();
  const order: string[] = [];
  const done = schedule({
    nodes,
    concurrency,
    stopped: () => false,
    run: (id, slot) =>
      new Promise<boolean>((settle) => {
        order.push(id);
        pending.set(id, { release: slot.release, settle });
      }),
  });
  return { pending, order, done };
}

/** Waits a few microtask turns, so settled runs reach the scheduler. */
async function turn(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

const flat = (ids: string[]): ScheduleNode[] => ids.map((id) => ({ id, dependsOn: [] }));

Deno.test("schedule starts the next node when a running node releases its slot", async () => {
  const { pending, order, done } = manualSchedule(flat(["a", "b", "c"]), 1);
  await turn();
  assert.deepEqual(order, ["a"]);
  pending.get("a")!.release();
  await turn();
  assert.deepEqual(order, ["a", "b"]);
  for (const id of ["a", "b"]) pending.get(id)!.settle(true);
  await turn();
  pending.get("c")!.settle(true);
  assert.deepEqual([...await done], ["a", "b", "c"]);
});

Deno.test("schedule keeps dependents waiting until a released node settles", async () => {
  const nodes = [{ id: "a", dependsOn: [] }, { id: "b", dependsOn: ["a"] }];
  const { pending, order, done } = manualSchedule(nodes, 2);
  await turn();
  pending.get("a")!.release();
  await turn();
  assert.deepEqual(order, ["a"]);
  pending.get("a")!.settle(true);
  await turn();
  assert.deepEqual(order, ["a", "b"]);
  pending.get("b")!.settle(true);
  await done;
});

Deno.test("schedule bounds unsettled nodes at twice the concurrency", async () => {
  const { pending, order, done } = manualSchedule(flat(["a", "b", "c", "d"]), 1);
  await turn();
  pending.get("a")!.release();
  await turn();
  pending.get("b")!.release();
  await turn();
  assert.deepEqual(order, ["a", "b"]);
  pending.get("a")!.settle(true);
  await turn();
  assert.deepEqual(order, ["a", "b", "c"]);
  for (const id of ["b", "c"]) pending.get(id)!.settle(true);
  await turn();
  pending.get("d")!.settle(true);
  await done;
});

Deno.test("schedule counts a repeated release once", async () => {
  const { pending, order, done } = manualSchedule(flat(["a", "b", "c"]), 1);
  await turn();
  pending.get("a")!.release();
  pending.get("a")!.release();
  await turn();
  assert.deepEqual(order, ["a", "b"]);
  for (const id of ["a", "b"]) pending.get(id)!.settle(true);
  await turn();
  pending.get("c")!.settle(true);
  await done;
});

Deno.test("schedule starts nothing after a released node fails", async () => {
  const { pending, order, done } = manualSchedule(flat(["a", "b", "c"]), 1);
  await turn();
  pending.get("a")!.release();
  await turn();
  pending.get("a")!.settle(false);
  await turn();
  pending.get("b")!.settle(true);
  assert.deepEqual([...await done], ["a", "b"]);
  assert.deepEqual(order, ["a", "b"]);
});

/** Schedules `nodes` with lookahead: each run requests a slot, then waits for the test. */
function lookaheadSchedule(nodes: readonly ScheduleNode[], concurrency: number) {
  const pending = new Map<string, Pending>();
  const requested: string[] = [];
  const granted = new Map<string, boolean>();
  let stop = false;
  const done = schedule({
    nodes,
    concurrency,
    lookahead: true,
    stopped: () => stop,
    run: async (id, slot) => {
      requested.push(id);
      const ok = await slot.acquire();
      granted.set(id, ok);
      if (!ok) return "unstarted";
      return await new Promise<boolean>((settle) => {
        pending.set(id, { release: slot.release, settle });
      });
    },
  });
  return { pending, requested, granted, done, stopNow: () => stop = true };
}

Deno.test("schedule with lookahead starts nodes before a slot is free", async () => {
  const { pending, requested, granted, done } = lookaheadSchedule(flat(["a", "b", "c", "d"]), 1);
  await turn();
  assert.deepEqual(requested, ["a", "b"]);
  assert.deepEqual([...granted.keys()], ["a"]);
  pending.get("a")!.settle(true);
  await turn();
  assert.deepEqual([...granted.keys()], ["a", "b"]);
  assert.deepEqual(requested, ["a", "b", "c"]);
  pending.get("b")!.settle(true);
  await turn();
  pending.get("c")!.settle(true);
  await turn();
  pending.get("d")!.settle(true);
  assert.deepEqual([...await done], ["a", "b", "c", "d"]);
});

Deno.test("schedule with lookahead grants at most concurrency slots", async () => {
  const { pending, requested, granted, done } = lookaheadSchedule(flat(["a", "b", "c", "d"]), 2);
  await turn();
  assert.deepEqual(requested, ["a", "b", "c", "d"]);
  assert.deepEqual([...granted.keys()], ["a", "b"]);
  pending.get("b")!.release();
  await turn();
  assert.deepEqual([...granted.keys()], ["a", "b", "c"]);
  for (const id of ["a", "b", "c"]) pending.get(id)!.settle(true);
  await turn();
  pending.get("d")!.settle(true);
  await done;
});

Deno.test("schedule with lookahead refuses waiting nodes after a failure", async () => {
  const { pending, granted, done } = lookaheadSchedule(flat(["a", "b", "c"]), 1);
  await turn();
  pending.get("a")!.settle(false);
  await turn();
  assert.equal(granted.get("b"), false);
  assert.deepEqual([...await done], ["a"]);
  assert.equal(granted.has("c"), false);
});

Deno.test("schedule with lookahead refuses waiting nodes once stopped", async () => {
  const { pending, granted, done, stopNow } = lookaheadSchedule(flat(["a", "b"]), 1);
  await turn();
  stopNow();
  pending.get("a")!.settle(true);
  await turn();
  assert.equal(granted.get("b"), false);
  assert.deepEqual([...await done], ["a"]);
});
