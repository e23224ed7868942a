/** `async-pipeline doctor`: checks the project and the machine and lists what needs action. @module */

import { collectDoctorReport, type DoctorReport } from "../../node/doctor/report.ts";
import { printablePath } from "../../node/printable.ts";
import { parseCommandArgs, parseFormat } from "../args.ts";
import type { CliContext } from "../io.ts";
import type { CliCommand } from "../registry.ts";
import { DOCTOR } from "./specs.ts";

async function runDoctor(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs("doctor", args, {
    format: { type: "string" },
    config: { type: "string" },
    "fix-crashed": { type: "boolean" },
  }, false);
  const format = parseFormat(values.format, ["json", "text"] as const, "text");
  const report = await collectDoctorReport({
    cwd: ctx.cwd,
    env: ctx.env,
    config: values.config,
    fixCrashed: values["fix-crashed"] === true,
  });
  ctx.stdout.write(
    format === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderDoctorReport(report),
  );
  return report.ok ? 0 : 1;
}

/** Renders the report as aligned text lines followed by the actions to take. */
export function renderDoctorReport(report: DoctorReport): string {
  const { versions } = report;
  const rows: [string, string][] = [
    ["package", `@async/pipeline ${versions.package}`],
    [
      "runtime",
      `${versions.runtime} ${versions.runtimeVersion} (${versions.platform} ${versions.arch})`,
    ],
    [
      "pipeline",
      "name" in report.pipeline
        ? `${report.pipeline.name} (${report.pipeline.path})`
        : `not loaded: ${report.pipeline.error.code}`,
    ],
    ["run lock", describeLock(report)],
    ["runs", describeRuns(report)],
    ["cache", describeCache(report)],
    ["generated", describeGenerated(report)],
    ["tools", describeTools(report)],
  ];
  const lines = ["async-pipeline doctor", ""];
  for (const [label, value] of rows) lines.push(`  ${label.padEnd(10)}  ${value}`);
  lines.push("");
  if (report.actions.length === 0) {
    lines.push("Nothing needs action.");
  } else {
    lines.push("Needs action:");
    for (const action of report.actions) {
      lines.push(`  - ${action.message}`, `    fix: ${action.fix}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function describeLock({ lock }: DoctorReport): string {
  const holder = `pid ${lock.pid}${lock.runId ? `, run ${lock.runId}` : ""}${
    lock.jobId ? `, job ${printablePath(lock.jobId)}` : ""
  }`;
  switch (lock.state) {
    case "free":
      return "free";
    case "held":
      return `held by ${holder} (alive)`;
    case "stale":
      return `left by ${holder}, which no longer exists; the next run reclaims it`;
    case "unreadable":
      if (lock.broken === "directory") return `${lock.path} is a directory`;
      if (lock.broken === "dangling-link") {
        return `${lock.path} is a symbolic link to ${
          printablePath(lock.target ?? "")
        }, which does not exist`;
      }
      return lock.error === undefined
        ? `${lock.path} exists but names no holder pid`
        : `${lock.path} could not be read (${lock.error})`;
  }
}

function describeRuns({ runs }: DoctorReport): string {
  const crashed = runs.running.filter((run) => run.crashed && !run.fixed).length;
  const fixed = runs.running.filter((run) => run.fixed).length;
  const live = runs.running.filter((run) => !run.crashed).length;
  const parts = [`${runs.total} recorded`];
  if (live > 0) parts.push(`${live} running`);
  if (crashed > 0) parts.push(`${crashed} crashed`);
  if (fixed > 0) parts.push(`${fixed} crashed, now marked failed`);
  if (runs.unreadable !== undefined) {
    parts.push(`${runs.unreadable.length} unreadable (${runs.unreadable.join(", ")})`);
  }
  return parts.join(", ");
}

function describeCache({ cache }: DoctorReport): string {
  const size = `${formatBytes(cache.bytes)} in ${cache.files} files (${cache.path})`;
  if (cache.unfinished === undefined) return size;
  const { entries, bytes } = cache.unfinished;
  const noun = entries === 1 ? "unfinished entry" : "unfinished entries";
  return `${size}; ${formatBytes(bytes)} in ${entries} ${noun} of killed stores ` +
    "(gc removes them after an hour, cache clear at once)";
}

/** Text of a check that needs the pipeline, when the pipeline did not load. */
const SKIPPED = "skipped: the pipeline did not load";

function describeGenerated({ generated, pipeline }: DoctorReport): string {
  if ("error" in pipeline) return SKIPPED;
  if (generated.length === 0) return "none configured";
  const outdated = generated.filter((file) => file.state !== "current");
  if (outdated.length === 0) return `${generated.length} files current`;
  return outdated.map((file) => `${file.path || file.provider} ${file.state}`).join(", ");
}

function describeTools({ tools, pipeline }: DoctorReport): string {
  if ("error" in pipeline) return SKIPPED;
  if (tools.length === 0) return "none required";
  const missing = tools.filter((tool) => !tool.path).map((tool) => tool.name);
  const found = tools.filter((tool) => tool.path).map((tool) => tool.name);
  const parts = [];
  if (found.length > 0) parts.push(`found ${found.join(", ")}`);
  if (missing.length > 0) parts.push(`missing ${missing.join(", ")}`);
  return parts.join("; ");
}

/** Formats a byte count with binary units, such as `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The doctor command. */
export const doctorCommand: CliCommand = { ...DOCTOR, run: runDoctor };
