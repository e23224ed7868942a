import assert from "node:assert/strict";
import { failureSummaryLine, listFailures } from "../bench/lib/failures.ts";
import { renderReport } from "../bench/lib/report.ts";
import { check, passingSuite, scenarioResult, summaryOf } from "./support/bench_summary.ts";

const TOOLS = ["turbo", "async-pipeline-node"];

Deno.test("bench failures empty when every check passed", () => {
  const summary = summaryOf([passingSuite("p50", ["cold", "cached"], TOOLS)]);
  assert.deepEqual(listFailures(summary), []);
});

Deno.test("bench failures name a failed run check", () => {
  const suite = passingSuite("p50", ["cold", "cached"], TOOLS);
  suite.results["async-pipeline-node"].cold = scenarioResult(0.1, check(0, 100));
  const failures = listFailures(summaryOf([suite]));
  assert.deepEqual(failures, [{
    suite: "p50",
    scenario: "cold",
    tool: "async-pipeline-node",
    reason: "ran 0/100 commands, 1/1 outputs",
  }]);
});

Deno.test("bench failures name a failed hyperfine run", () => {
  const suite = passingSuite("p50", ["cold"], TOOLS);
  suite.results.turbo.cold = scenarioResult(undefined, check(5, 5));
  const failures = listFailures(summaryOf([suite]));
  assert.equal(failures.length, 1);
  assert.equal(failures[0].tool, "turbo");
  assert.equal(failures[0].reason, "hyperfine failed");
});

Deno.test("bench failures name a tool that could not run", () => {
  const suite = passingSuite("p50", ["cold"], ["turbo"]);
  suite.tools["async-pipeline-node"] = { skipped: "npm install failed" };
  const failures = listFailures(summaryOf([suite]));
  assert.equal(failures.length, 1);
  assert.equal(failures[0].tool, "async-pipeline-node");
  assert.equal(failures[0].scenario, undefined);
  assert.equal(failures[0].reason, "not run: npm install failed");
});

Deno.test("bench failures skip unsupported tools", () => {
  const suite = passingSuite("noop1000", ["noop"], ["async-pipeline-node"]);
  suite.tools.turbo = { skipped: "each task is an npm run", unsupported: true };
  assert.deepEqual(listFailures(summaryOf([suite])), []);
});

Deno.test("bench failures name a missing scenario", () => {
  const suite = passingSuite("p50", ["cold", "leaf"], TOOLS);
  delete suite.results.turbo.leaf;
  const failures = listFailures(summaryOf([suite]));
  assert.equal(failures.length, 1);
  assert.equal(failures[0].scenario, "leaf");
  assert.equal(failures[0].reason, "did not run");
});

Deno.test("bench failures wait for an unfinished suite", () => {
  const suite = passingSuite("p50", ["cold", "leaf"], TOOLS);
  delete suite.results.turbo.leaf;
  suite.finished = undefined;
  assert.deepEqual(listFailures(summaryOf([suite])), []);
});

Deno.test("bench failures name a failed floor", () => {
  const suite = passingSuite("p50", ["cold"], TOOLS);
  suite.floors.push({
    kind: "direct",
    runtime: "node",
    name: "direct",
    command: "x",
    maxRssKb: [],
  });
  const failures = listFailures(summaryOf([suite]));
  assert.equal(failures.length, 1);
  assert.equal(failures[0].scenario, "floor direct (node)");
});

Deno.test("bench failure line names suite, scenario and tool", () => {
  const suite = passingSuite("p50", ["cold"], TOOLS);
  suite.results["async-pipeline-node"].cold = scenarioResult(0.1, check(0, 100));
  const line = failureSummaryLine(listFailures(summaryOf([suite])));
  assert.equal(line, "1 measurement failed or did not run: p50 cold async-pipeline-node.");
});

Deno.test("bench failure line shortens a long list", () => {
  const suite = passingSuite("p50", ["cold", "cached", "leaf", "root"], TOOLS);
  for (const scenario of suite.scenarios) {
    suite.results.turbo[scenario] = scenarioResult(0.1, check(0, 100));
    suite.results["async-pipeline-node"][scenario] = scenarioResult(0.1, check(0, 100));
  }
  const line = failureSummaryLine(listFailures(summaryOf([suite])));
  assert.match(line, /^8 measurements failed or did not run: /);
  assert.match(line, /, and 4 more\.$/);
});

Deno.test("bench report opens with its failures", () => {
  const suite = passingSuite("p50", ["cold"], TOOLS);
  suite.results["async-pipeline-node"].cold = scenarioResult(0.1, check(0, 100));
  const report = renderReport(summaryOf([suite]));
  assert.ok(report.indexOf("## Failures") < report.indexOf("## Targets"));
  assert.match(report, /- p50 cold async-pipeline-node: ran 0\/100 commands/);
});

Deno.test("bench report has no failures section after a clean run", () => {
  const report = renderReport(summaryOf([passingSuite("p50", ["cold"], TOOLS)]));
  assert.doesNotMatch(report, /## Failures/);
});

Deno.test("bench report labels an unsupported tool as skipped", () => {
  const suite = passingSuite("noop1000", ["noop"], ["async-pipeline-node"]);
  suite.tools.turbo = { skipped: "each task is an npm run", unsupported: true };
  const report = renderReport(summaryOf([suite]));
  assert.match(report, /- turbo skipped, unsupported: each task is an npm run/);
});
