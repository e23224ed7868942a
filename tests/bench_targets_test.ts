import assert from "node:assert/strict";
import { evaluateTargets } from "../bench/lib/targets.ts";
import { passingSuite, summaryOf } from "./support/bench_summary.ts";

const TOOLS = ["turbo", "wireit", "async-pipeline-node"];

Deno.test("bench targets of a quick run are one line", () => {
  const lines = evaluateTargets(summaryOf([passingSuite("p50", ["cold", "cached"], TOOLS)]));
  assert.equal(lines.filter((line) => line.startsWith("|")).length, 0);
  assert.ok(lines.includes("## Targets"));
  assert.match(lines.join("\n"), /This run checked no target\./);
  assert.match(lines.join("\n"), /p200, noop1000, files20k, files20/);
  assert.match(lines.join("\n"), /without `--quick`/);
});

Deno.test("bench targets table checks the suites run", () => {
  const p200 = passingSuite("p200", ["cold", "cached", "leaf", "root"], TOOLS);
  const text = evaluateTargets(summaryOf([p200])).join("\n");
  assert.match(
    text,
    /\| p200 fully cached vs Turborepo \| ≤ ×0\.5 \| async-pipeline-node \| ×1\.00 \|/,
  );
  assert.doesNotMatch(text, /\| 1,000 no-op tasks/);
  assert.match(text, /Not checked, because this run did not include their suites: /);
  assert.match(text, /1,000 no-op tasks vs direct-spawn floor \(same runtime\) \(noop1000\)/);
  assert.match(text, /peak memory of the runner process \(p200, noop1000, files20k\)/);
});

Deno.test("bench targets row without a measurement says why", () => {
  const p200 = passingSuite("p200", ["cold", "cached", "leaf", "root"], TOOLS);
  delete p200.results.turbo.cached;
  const text = evaluateTargets(summaryOf([p200])).join("\n");
  assert.match(
    text,
    /\| p200 fully cached vs Turborepo \| ≤ ×0\.5 \| async-pipeline-node \| not measured \| — \(run check failed or not run\) \|/,
  );
});

Deno.test("bench targets verdict says met or MISSED", () => {
  const p200 = passingSuite("p200", ["cold", "cached", "leaf", "root"], TOOLS);
  const text = evaluateTargets(summaryOf([p200])).join("\n");
  // Every tool took 0.1 s, so ×1.00 misses the ×0.5 limit by a factor of 2.
  assert.match(text, /\| p200 fully cached vs Turborepo \| .* \| MISSED: 2\.00× over \|/);
});
