/**
 * Running one suite: a workspace per tool, then every scenario scenario-major
 * (all tools do "cold", then all do "cached", ...) so the tools of a scenario
 * are measured close together, then the floors.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { Adapter, BenchEnvironment } from "./adapters/types.ts";
import {
  checkRuns,
  measure,
  resetExecutionLog,
  type RunCheck,
  shellQuote,
  type Timing,
} from "./measure.ts";
import type { FloorResult, ScenarioResult, SuiteResult } from "./results.ts";
import { expectedExecutions, type ScenarioName, type SuiteDefinition } from "./suites.ts";
import { generateWorkspace, type WorkspaceInfo } from "./workspace.ts";

/** Settings and callbacks every suite of one invocation shares. */
export interface SuiteContext {
  readonly bench: BenchEnvironment;
  readonly adapters: readonly Adapter[];
  readonly runs: number;
  readonly concurrency: number;
  /** Directory under which each suite's workspaces are generated. */
  readonly workDir: string;
  /** Directory for hyperfine's JSON exports. */
  readonly rawDir: string;
  /** Environment of every measured command, with the benchmark's `node` first on PATH. */
  readonly env: Record<string, string>;
  /** Writes the summary so far; called after every measurement. */
  readonly save: () => void;
  readonly log: (message: string) => void;
}

const HELPERS = new URL("../helpers/", import.meta.url).pathname;

/** A little more than the cache's racy window (2 s, see docs/cache.md). */
const RACY_WINDOW_WAIT_MS = 2500;

/** Blocks until files written before the call are outside the racy window. */
export function waitOutRacyWindow(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RACY_WINDOW_WAIT_MS);
}

function prepareCommand(
  scenario: ScenarioName,
  adapter: Adapter,
  workspace: WorkspaceInfo,
): string | undefined {
  const touch = (file: string | undefined) =>
    `sh ${shellQuote(join(HELPERS, "touch.sh"))} ${shellQuote(file!)}`;
  switch (scenario) {
    case "cold":
      return adapter.clean;
    case "leaf":
      return touch(workspace.leafFile);
    case "root":
      return touch(workspace.rootFile);
    default:
      return undefined;
  }
}

/** Generates one workspace per supported tool and records each tool's version. */
function prepareWorkspaces(
  suite: SuiteDefinition,
  context: SuiteContext,
  result: SuiteResult,
): Map<Adapter, WorkspaceInfo> {
  const workspaces = new Map<Adapter, WorkspaceInfo>();
  const supported = context.adapters.filter((adapter) => {
    const reason = adapter.unsupported(suite.graph);
    if (reason) result.tools[adapter.name] = { skipped: reason, unsupported: true };
    return reason === undefined;
  });
  for (const adapter of supported) {
    const dir = join(context.workDir, suite.label, adapter.name);
    context.log(`generate ${dir}`);
    try {
      // Every workspace carries every tool's configuration, so all are identical.
      const workspace = generateWorkspace(dir, suite.graph, context.adapters, [
        adapter,
      ]);
      result.tools[adapter.name] = { version: adapter.version(dir) };
      workspaces.set(adapter, workspace);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      context.log(`  ${adapter.name} not run: ${message}`);
      result.tools[adapter.name] = { skipped: message };
    }
  }
  return workspaces;
}

function measureScenario(
  suite: SuiteDefinition,
  scenario: ScenarioName,
  adapter: Adapter,
  workspace: WorkspaceInfo,
  context: SuiteContext,
): ScenarioResult {
  const command = adapter.command(suite.graph, context.concurrency, workspace.dir);
  const prepare = prepareCommand(scenario, adapter, workspace);
  const env = { ...context.env, ...adapter.env };
  const slug = `${suite.label}-${adapter.name}-${scenario}`.replace(/[^\w.-]+/g, "_");
  context.log(`${suite.label} ${scenario} ${adapter.name}: ${command}`);

  if (scenario === "cached") {
    // One untimed run first, so the timed runs start from a full cache even
    // when no cold scenario came before. Files hashed less than the racy
    // window after they were written are hashed again by every run. So the
    // untimed run starts after that window, and the timed runs then measure a
    // cache that trusts its files, as a re-run seconds later would.
    waitOutRacyWindow();
    spawnSync("sh", ["-c", `${command} > /dev/null 2>&1`], { cwd: workspace.dir, env });
  }
  resetExecutionLog(workspace.dir);
  const loadBefore = loadavg()[0];
  const { timing, error, maxRssKb } = measure({
    name: `${adapter.name} ${scenario}`,
    command,
    prepare,
    runs: context.runs,
    warmup: 0,
    cwd: workspace.dir,
    env,
    exportPath: join(context.rawDir, `${slug}.json`),
  });
  const loadAfter = loadavg()[0];

  const perRun = expectedExecutions(scenario, suite.graph.stats);
  const check = checkRuns(workspace.dir, command, env, {
    executed: perRun * context.runs,
    outputs: suite.graph.kind === "packages" ? suite.graph.stats.nodes : 0,
  });
  context.log(timing ? `  ${describeTiming(timing, maxRssKb, check)}` : `  ${error}`);
  return { command, prepare, timing, error, maxRssKb, check, loadBefore, loadAfter };
}

/** Formats one scenario's log line: the median and range, the peak RSS and a failed check. */
function describeTiming(timing: Timing, maxRssKb: readonly number[], check: RunCheck): string {
  const seconds = (s: number) => s.toFixed(3);
  const rss = `max RSS ${Math.round(Math.max(0, ...maxRssKb) / 1024)} MB`;
  const verdict = check.ok ? "" : `, CHECK FAILED: ran ${check.executed}/${check.expected} ` +
    `commands, ${check.outputs}/${check.expectedOutputs} outputs`;
  return `median ${seconds(timing.median)} s (${seconds(timing.min)}–${seconds(timing.max)}), ` +
    `${rss}${verdict}`;
}

interface FloorSpec {
  readonly kind: FloorResult["kind"];
  readonly runtime?: "node" | "deno";
  readonly name: string;
  readonly command: string;
  readonly runs: number;
}

function floorSpecs(
  suite: SuiteDefinition,
  context: SuiteContext,
): FloorSpec[] {
  const { node, deno } = context.bench;
  const nodes = suite.graph.stats.nodes;
  const conc = context.concurrency;
  const helper = (name: string) => shellQuote(join(HELPERS, name));
  const specs: FloorSpec[] = [];
  for (const kind of suite.floors) {
    if (kind === "startup") {
      specs.push({
        kind,
        runtime: "node",
        name: "node -e 0",
        command: `${node} -e 0`,
        runs: 20,
      });
      specs.push({
        kind,
        runtime: "deno",
        name: "deno eval 0",
        command: `${deno} eval 0`,
        runs: 20,
      });
    } else if (kind === "npm") {
      specs.push({
        kind,
        name: "npm run (one no-op script)",
        command: "npm run -s bench:noop",
        runs: 10,
      });
    } else if (kind === "spawn") {
      const command = `${node} ${helper("floor_spawn.mjs")} ${nodes} ${conc} true`;
      specs.push({
        kind,
        runtime: "node",
        name: `spawn ${nodes} × sh -c true`,
        command,
        runs: 10,
      });
    } else if (kind === "piped") {
      const name = `direct, output piped: ${nodes} commands, output read through pipes`;
      const script = helper("floor_direct.mjs");
      specs.push({
        kind,
        runtime: "node",
        name,
        command: `${node} ${script} . ${conc} pipe`,
        runs: context.runs,
      });
      specs.push({
        kind,
        runtime: "deno",
        name,
        command: `${deno} run -A --no-config ${script} . ${conc} pipe`,
        runs: context.runs,
      });
    } else {
      const name = `direct: ${nodes} commands in dependency order, no runner`;
      const script = helper("floor_direct.mjs");
      specs.push({
        kind,
        runtime: "node",
        name,
        command: `${node} ${script} . ${conc}`,
        runs: context.runs,
      });
      const denoCommand = `${deno} run -A --no-config ${script} . ${conc}`;
      specs.push({
        kind,
        runtime: "deno",
        name,
        command: denoCommand,
        runs: context.runs,
      });
    }
  }
  return specs;
}

function measureFloors(
  suite: SuiteDefinition,
  dir: string,
  context: SuiteContext,
): FloorResult[] {
  return floorSpecs(suite, context).map((spec, index) => {
    context.log(
      `${suite.label} floor ${spec.name}${spec.runtime ? ` (${spec.runtime})` : ""}`,
    );
    const { timing, error, maxRssKb } = measure({
      name: spec.name,
      command: spec.command,
      runs: spec.runs,
      warmup: 1,
      cwd: dir,
      env: context.env,
      exportPath: join(context.rawDir, `${suite.label}-floor-${index}.json`),
    });
    if (timing) context.log(`  median ${(timing.median * 1000).toFixed(1)} ms`);
    return {
      kind: spec.kind,
      runtime: spec.runtime,
      name: spec.name,
      command: spec.command,
      timing,
      error,
      maxRssKb,
    };
  });
}

/** Runs every scenario and floor of `suite`, appending to `result` as it goes. */
export function runSuite(
  suite: SuiteDefinition,
  context: SuiteContext,
  result: SuiteResult,
): void {
  mkdirSync(context.rawDir, { recursive: true });
  const workspaces = prepareWorkspaces(suite, context, result);
  context.save();
  for (const scenario of suite.scenarios) {
    for (const [adapter, workspace] of workspaces) {
      const measured = measureScenario(
        suite,
        scenario,
        adapter,
        workspace,
        context,
      );
      (result.results[adapter.name] ??= {})[scenario] = measured;
      context.save();
    }
  }
  const floorDir = [...workspaces.values()][0]?.dir;
  if (floorDir) result.floors.push(...measureFloors(suite, floorDir, context));
  result.finished = new Date().toISOString();
  context.save();
}
