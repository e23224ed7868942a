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
    run: (id, release) =>
      new Promise<boolean>((settle) => {
        order.push(id);
        pending.set(id, { release, settle });
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
