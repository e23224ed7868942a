import assert from "node:assert/strict";
import {
  checkChoice,
  parseCommandLine,
  positiveInteger,
  UsageError,
} from "../bench/lib/options.ts";

const RUN = new URL("../bench/run.ts", import.meta.url).pathname;
const PROFILE = new URL("../bench/profile.ts", import.meta.url).pathname;
const IN_PROCESS = new URL("../bench/in_process.ts", import.meta.url).pathname;

/** Runs a benchmark script with `args` and returns its exit code and output. */
async function runScript(script: string, args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("bench options reject an unknown option", () => {
  assert.throws(
    () => parseCommandLine(["--suite", "p50"], { suites: { type: "string" } }),
    (error: unknown) =>
      error instanceof UsageError &&
      error.message === "unknown option '--suite'; valid options: --suites <value>.",
  );
});

Deno.test("bench options reject a missing value", () => {
  assert.throws(
    () => parseCommandLine(["--suites"], { suites: { type: "string" } }),
    (error: unknown) => error instanceof UsageError && /'--suites <value>'/.test(error.message),
  );
});

Deno.test("bench options reject a positional argument", () => {
  assert.throws(
    () => parseCommandLine(["p50"], { quick: { type: "boolean" } }),
    (error: unknown) => error instanceof UsageError && /'p50'/.test(error.message),
  );
});

Deno.test("bench options parse valid values", () => {
  const values = parseCommandLine(["--suites", "p50", "--quick"], {
    suites: { type: "string" },
    quick: { type: "boolean", default: false },
  });
  assert.equal(values.suites, "p50");
  assert.equal(values.quick, true);
});

Deno.test("bench choice names the bad value and the valid ones", () => {
  assert.throws(
    () => checkChoice("--runtime", "bun", ["node", "deno"]),
    (error: unknown) =>
      error instanceof UsageError &&
      error.message === 'invalid --runtime "bun"; valid: node, deno.',
  );
  assert.equal(checkChoice("--runtime", "deno", ["node", "deno"]), "deno");
});

Deno.test("bench positive integer rejects zero, fractions and text", () => {
  for (const value of ["0", "-1", "1.5", "x", ""]) {
    assert.throws(() => positiveInteger("--runs", value), UsageError, value);
  }
  assert.equal(positiveInteger("--runs", "3"), 3);
});

Deno.test("bench run exits 2 on a bad suite", async () => {
  const result = await runScript(RUN, ["--suites", "p50,p5"]);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    'bench: invalid suite "p5" in --suites; valid: p50, p200, noop1000, files20k, files20.\n',
  );
  assert.equal(result.stdout, "");
});

Deno.test("bench run exits 2 on an unknown option", async () => {
  const result = await runScript(RUN, ["--suite", "p50"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^bench: unknown option '--suite'; valid options: --quick, --suites/);
  assert.equal(result.stderr.trim().split("\n").length, 1);
});

Deno.test("bench run exits 2 on a missing tarball", async () => {
  const result = await runScript(RUN, ["--node-build", "/nonexistent/pipeline.tgz"]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /^bench: invalid --node-build "\/nonexistent\/pipeline\.tgz"; valid: /,
  );
});

Deno.test("bench profile exits 2 on a bad suite", async () => {
  const result = await runScript(PROFILE, ["--suite", "p5"]);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    'bench:profile: invalid --suite "p5"; valid: p50, p200, noop1000, files20k, files20.\n',
  );
});

Deno.test("bench profile exits 2 on a scenario the suite lacks", async () => {
  const result = await runScript(PROFILE, ["--suite", "noop1000", "--scenario", "cached"]);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    'bench:profile: invalid --scenario "cached" for noop1000; valid: noop.\n',
  );
});

Deno.test("bench profile exits 2 on a bad runtime", async () => {
  const result = await runScript(PROFILE, ["--runtime", "bun"]);
  assert.equal(result.code, 2);
  assert.equal(result.stderr, 'bench:profile: invalid --runtime "bun"; valid: node, deno.\n');
});

Deno.test("bench in_process exits 2 on a suite without packages", async () => {
  const result = await runScript(IN_PROCESS, ["--suite", "noop1000"]);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    'in_process: invalid --suite "noop1000"; valid: p50, p200, files20k, files20.\n',
  );
});

Deno.test("bench in_process exits 2 on a bad scenario", async () => {
  const result = await runScript(IN_PROCESS, ["--scenario", "leaf"]);
  assert.equal(result.code, 2);
  assert.equal(result.stderr, 'in_process: invalid --scenario "leaf"; valid: cached, cold.\n');
});
