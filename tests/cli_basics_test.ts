import assert from "node:assert/strict";
import { listCommands } from "../cli/registry.ts";
import { VERSION } from "../core/version.ts";
import { DEFAULT_CACHE_DAYS } from "../node/cache/maintenance.ts";
import { cliCall } from "./support/cli.ts";
import { BufferSink } from "../cli/io.ts";
import { reportError } from "../cli/app.ts";
import { withPath } from "../node/atomic_write.ts";
import { lstat, writeFile } from "node:fs/promises";
import { tempDir } from "./support/temp_files.ts";
import { pathToFileURL } from "node:url";

const MOD_URL = new URL("../mod.ts", import.meta.url).href;
const CLI_PATH = new URL("../cli/main.ts", import.meta.url).pathname;

function cli(
  args: string[],
  cwd = Deno.cwd(),
  debug = false,
  env: Record<string, string> = {},
) {
  return cliCall(cwd, args, { debug, env });
}

async function projectWith(source: string): Promise<string> {
  const dir = await tempDir();
  await Deno.writeTextFile(
    `${dir}/pipeline.ts`,
    source.replaceAll("MOD_URL", JSON.stringify(MOD_URL)),
  );
  return dir;
}

Deno.test("cli version prints the package version", async () => {
  const result = await cli(["--version"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `${VERSION}\n`);
});

Deno.test("cli version matches deno.json", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assert.equal(VERSION, denoJson.version);
});

Deno.test("cli help lists every command", async () => {
  const result = await cli(["--help"]);
  assert.equal(result.code, 0);
  for (const command of listCommands()) {
    assert.ok(result.stdout.includes(command.path.join(" ")), command.path.join(" "));
  }
});

Deno.test("cli help covers the API commands", () => {
  const names = listCommands().map((command) => command.path.join(" "));
  for (
    const expected of [
      "run",
      "run-task",
      "metadata",
      "sync list",
      "sync generate",
      "sync check",
      "sync github list",
      "sync github generate",
      "sync github check",
      "sync tasks list",
      "sync tasks generate",
      "sync tasks check",
      "github generate",
      "github check",
      "github run",
      "cache clear",
      "gc",
      "doctor",
    ]
  ) assert.ok(names.includes(expected), `missing command ${expected}`);
});

Deno.test("cli command help shows usage", async () => {
  for (const command of listCommands()) {
    const result = await cli([...command.path, "--help"]);
    assert.equal(result.code, 0, command.path.join(" "));
    assert.ok(
      result.stdout.startsWith(`Usage: async-pipeline ${command.path.join(" ")}`),
      result.stdout,
    );
  }
});

Deno.test("cli every command loads its handler", async () => {
  // Handlers are imported on first use, and each one rejects an unknown option first.
  for (const command of listCommands()) {
    const result = await cli([...command.path, "--no-such-option"]);
    assert.equal(result.code, 1, command.path.join(" "));
    assert.match(result.stderr, /unknown option "--no-such-option"/, command.path.join(" "));
  }
});

Deno.test("cli gc help shows the cache days default", async () => {
  const result = await cli(["gc", "--help"]);
  assert.equal(result.code, 0);
  assert.ok(result.stdout.includes(`(default ${DEFAULT_CACHE_DAYS})`), result.stdout);
});

Deno.test("cli unknown command fails with usage", async () => {
  const result = await cli(["frobnicate"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error\[ASYNC_PIPELINE_USAGE\]: unknown command "frobnicate"/);
});

Deno.test("cli unknown command leaves its options out", async () => {
  const result = await cli(["frobnicate", "--config", "x.ts"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error\[ASYNC_PIPELINE_USAGE\]: unknown command "frobnicate"\.\n/);
});

Deno.test("cli help before a command shows that command's help", async () => {
  for (const args of [["--help", "run"], ["-h", "run"], ["help", "run"]]) {
    const result = await cli(args);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: async-pipeline run <job>/);
  }
});

Deno.test("cli metadata prints json", async () => {
  const dir = await projectWith(`import { definePipeline, job, sh, task } from MOD_URL;
export default definePipeline({
  name: "demo",
  tasks: { build: task({ run: sh\`echo build\` }), test: task({ dependsOn: ["build"], run: sh\`echo test\` }) },
  jobs: { verify: job({ target: "test" }) },
});
`);
  const result = await cli(["metadata", "--format", "json"], dir);
  assert.equal(result.code, 0, result.stderr);
  const metadata = JSON.parse(result.stdout);
  assert.equal(metadata.name, "demo");
  assert.deepEqual(metadata.tasks.test.dependsOn, ["build"]);
  assert.deepEqual(metadata.jobs.verify.targets, ["test"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli metadata prints readable text", async () => {
  const dir = await projectWith(`import { definePipeline, job, sh, task } from MOD_URL;
export default definePipeline({
  name: "demo",
  tasks: { build: task({ run: sh\`echo build\` }) },
  jobs: { verify: job({ target: "build" }) },
});
`);
  const result = await cli(["metadata"], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    "pipeline demo\n\ntasks:\n  build\n    $ echo build\n\njobs:\n  verify -> build\n",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli metadata text shows settings", async () => {
  const dir = await projectWith(
    `import { definePipeline, env, job, sh, task, trigger } from MOD_URL;
export default definePipeline({
  name: "demo",
  env: { MODE: "ci" },
  triggers: {
    push: trigger.github({ events: ["push"], branches: ["main"] }),
    nightly: trigger.schedule("0 3 * * *"),
  },
  tasks: { build: task({ run: sh\`echo build\` }) },
  jobs: {
    release: job({
      target: "build",
      trigger: ["push", "nightly"],
      env: {
        TOKEN: env.secret("NPM_TOKEN"),
        LEVEL: env.var("LEVEL", { default: "1" }),
        API: env.var("STAGE", { dev: "http://127.0.0.1:8080", prod: "http://[::1]:8443" }, {
          default: "dev",
        }),
      },
      github: { permissions: { contents: "read" } },
    }),
  },
  sync: { github: true, tasks: true },
});
`,
  );
  const result = await cli(["metadata"], dir, false, { NPM_TOKEN: "s3cret-value" });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\nenv:\n {2}MODE="ci"\n/);
  assert.match(result.stdout, /\ntriggers:\n {2}push: github push branches main\n/);
  assert.match(result.stdout, /\n {2}nightly: cron 0 3 \* \* \*\n/);
  assert.match(result.stdout, /\n {2}release -> build on push, nightly\n/);
  assert.match(
    result.stdout,
    /\n {4}env: TOKEN \(secret NPM_TOKEN\), LEVEL \(var LEVEL, default "1"\), API \(var STAGE, default "dev", mapped: dev -> "http:\/\/127\.0\.0\.1:8080", prod -> "http:\/\/\[::1\]:8443"\)\n/,
  );
  assert.match(result.stdout, /\n {4}permissions: contents read\n/);
  assert.match(result.stdout, /\nsync:\n {2}github: \.github\/workflows\/async-pipeline\.yml\n/);
  assert.match(
    result.stdout,
    /\n {2}tasks: manifest not found \(prefix pipeline\)\n {4}sync\.tasks found no package\.json or deno\.json or deno\.jsonc in the project root /,
  );
  assert.doesNotMatch(result.stdout, /s3cret-value/);
});

Deno.test("cli metadata reads --config", async () => {
  const dir = await projectWith(`import { definePipeline } from MOD_URL;
export default definePipeline({ name: "other", tasks: {} });
`);
  await Deno.rename(`${dir}/pipeline.ts`, `${dir}/custom.ts`);
  const result = await cli(["metadata", "--format", "json", "--config", "custom.ts"], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).name, "other");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli reports a missing pipeline file", async () => {
  const dir = await tempDir();
  const result = await cli(["metadata"], dir);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error\[ASYNC_PIPELINE_CONFIG_NOT_FOUND\]: No pipeline file in /);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli reports every validation problem", async () => {
  const dir = await projectWith(`import { definePipeline, job, sh, task } from MOD_URL;
export default definePipeline({
  name: "bad",
  tasks: { build: task({ run: sh\`true\`, timout: "1m" } as never) },
  jobs: { verify: job({ target: "biuld" }) },
});
`);
  const result = await cli(["metadata"], dir);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /error\[ASYNC_PIPELINE_INVALID_PIPELINE\]: 2 problems found:/);
  assert.match(
    result.stderr,
    /tasks\.build\.timout: unknown field "timout"\. Did you mean "timeout"\?/,
  );
  assert.match(
    result.stderr,
    /jobs\.verify\.target: target "biuld" is not a task\. Did you mean "build"\?/,
  );
  assert.doesNotMatch(result.stderr, /\n\s+at /);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli debug prints the stack of the cause", async () => {
  const dir = await projectWith(`import { definePipeline } from MOD_URL;
function explode(): never {
  throw new Error("exploded at import");
}
explode();
export default definePipeline({ name: "x", tasks: {} });
`);
  const result = await cli(["metadata"], dir, true);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /CONFIG_LOAD_FAILED\]: Failed to load .*: exploded at import/);
  assert.match(
    result.stderr,
    /\nCaused by: Error: exploded at import\n\s+at explode \(.*pipeline\.ts:3:/,
  );
});

// Without --debug, the one place shown is the line of the pipeline file that threw.
Deno.test("cli hides the cause without debug", async () => {
  const dir = await projectWith(`throw new Error("exploded at import");\n`);
  const result = await cli(["metadata"], dir);
  assert.equal(result.code, 1);
  assert.doesNotMatch(result.stderr, /Caused by/);
  assert.deepEqual(result.stderr.match(/\n\s+at .*/g), [
    `\n  at ${pathToFileURL(dir).href}/pipeline.ts:1:7`,
  ]);
});

Deno.test("cli reports a refused file operation as IO_FAILED", async () => {
  const dir = await projectWith(`import { definePipeline, job, sh, task } from MOD_URL;
export default definePipeline({
  name: "x",
  tasks: { a: task({}, sh\`true\`) },
  jobs: { verify: job({ target: "a" }) },
});
`);
  await Deno.writeTextFile(`${dir}/.async`, "a file where the state directory goes");
  const result = await cli(["run", "verify"], dir);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error\[ASYNC_PIPELINE_IO_FAILED\]: E[A-Z]+: .*\.async/);
  assert.match(result.stderr, /hint: Check that the path exists/);
  assert.doesNotMatch(result.stderr, /INTERNAL/);
});

Deno.test("cli binary runs as a main module", async () => {
  const deno = new URL("../node_modules/.bin/deno", import.meta.url).pathname;
  const output = await new Deno.Command(deno, {
    args: ["run", "-A", CLI_PATH, "--version"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.equal(new TextDecoder().decode(output.stdout), `${VERSION}\n`);
});

Deno.test("cli binary under deno names its deno run line in hints", async () => {
  const deno = new URL("../node_modules/.bin/deno", import.meta.url).pathname;
  const dir = await tempDir();
  const output = await new Deno.Command(deno, {
    args: ["run", "-A", CLI_PATH, "nosuch"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 1);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(
    stderr.includes(`Run \`deno run -A ${CLI_PATH} --help\` to list commands.`),
    stderr,
  );
});

Deno.test("cli metadata text shows warnings", async () => {
  const dir = await projectWith(`import { definePipeline, sh, task } from MOD_URL;
export default definePipeline({
  name: "demo",
  tasks: { build: task({ inputs: [".git/x/**"], run: sh\`true\` }) },
});
`);
  const result = await cli(["metadata"], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(
    result.stdout.includes(
      '\nwarnings:\n  tasks.build.inputs[0]: input pattern ".git/x/**" points inside .git/',
    ),
    result.stdout,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli suggests a misspelled option", async () => {
  const result = await cli(["gc", "--kep", "3"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /error\[ASYNC_PIPELINE_USAGE\]: gc: unknown option "--kep"\./);
  assert.match(result.stderr, /hint: Did you mean "--keep"\?/);
});

Deno.test("cli names an option whose value is missing", async () => {
  const result = await cli(["gc", "--cache-days"]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_USAGE\]: gc: option "--cache-days" needs a value\.\n/,
  );
});

Deno.test("cli explains a value that starts with a dash", async () => {
  const result = await cli(["metadata", "--config", "-pipeline.ts"]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /metadata: option "--config" is followed by "-pipeline\.ts", which reads as an option\. Write --config=-pipeline\.ts to pass it as the value\.\n/,
  );
});

Deno.test("cli rejects a negative number without suggesting the = form", async () => {
  const result = await cli(["gc", "--cache-days", "-1"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /gc: --cache-days cannot be negative, got "-1"\.\n/);
  assert.doesNotMatch(result.stderr, /--cache-days=-1/);
});

Deno.test("cli suggests a misspelled command", async () => {
  const result = await cli(["rn", "verify"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /unknown command "rn verify"\.\n {2}hint: Did you mean "run"\?/);
});

Deno.test("cli rejects an option before the command", async () => {
  const result = await cli(["--config", "x.ts", "run", "build"]);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    'error[ASYNC_PIPELINE_USAGE]: option "--config" comes before the command "run", but options ' +
      "go after it: async-pipeline run build --config x.ts\n" +
      "  hint: Run `async-pipeline run --help` for its options.\n",
  );
});

Deno.test("cli moves every leading option after the command", async () => {
  const result = await cli([
    "--config=a b.ts",
    "--force",
    "run-task",
    "build",
    "--concurrency",
    "2",
  ]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /option "--config" comes before the command "run-task", .*: async-pipeline run-task build --concurrency 2 '--config=a b\.ts' --force\n/,
  );
});

Deno.test("cli names a two-word command after an option", async () => {
  const result = await cli(["--workflow", "ci.yml", "sync", "github", "check"]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /before the command "sync github check", .*: async-pipeline sync github check --workflow ci\.yml\n/,
  );
});

Deno.test("cli rejects an option with no command", async () => {
  const result = await cli(["--concurrency", "2"]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_USAGE\]: option "--concurrency" comes before any command, .*: async-pipeline <command> --concurrency 2\n {2}hint: Run `async-pipeline --help` to list commands\.\n$/,
  );
});

Deno.test("cli still reads --debug before the command", async () => {
  const result = await cli(["--debug", "frobnicate"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /unknown command "frobnicate"/);
});

Deno.test("cli suggests a misspelled subcommand", async () => {
  const result = await cli(["github", "genrate"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /hint: Did you mean "github generate"\?/);
});

Deno.test("cli help and version skip the pipeline", async () => {
  const dir = await projectWith(
    `import { writeFileSync } from "node:fs";\nwriteFileSync(new URL("./ran.txt", import.meta.url), "ran");\nexport default {};\n`,
  );
  const { invokePipelineCli } = await import("../cli/run_pipeline_cli.ts");
  for (const args of [["--version"], ["--help"], ["run", "--help"], []]) {
    const stdout = new BufferSink();
    const stderr = new BufferSink();
    const result = await invokePipelineCli({ args, cwd: dir, env: {}, stdout, stderr });
    assert.equal(result.code, 0, args.join(" "));
    assert.equal(stderr.text(), "", args.join(" "));
  }
  await assert.rejects(Deno.stat(`${dir}/ran.txt`), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli names the file of a failed write", async () => {
  // Writing to /dev/full fails in `write` with ENOSPC, an error whose message names no path.
  const failure = await writeFile("/dev/full", "x").then(
    () => assert.fail("a write to /dev/full passed"),
    (error) => withPath(error, "/dev/full"),
  );
  const stderr = new BufferSink();
  assert.equal(reportError(failure, { stderr, debug: false }), 1);
  assert.match(
    stderr.text(),
    /^error\[ASYNC_PIPELINE_IO_FAILED\]: ENOSPC: .*write \(\/dev\/full\)\n/,
  );
});

Deno.test("cli quotes a control-character path in IO_FAILED", async () => {
  const path = `${await tempDir()}/new\nline\x1b[31m`;
  const failure = await lstat(path).then(() => assert.fail("lstat passed"), (error) => error);
  const stderr = new BufferSink();
  assert.equal(reportError(failure, { stderr, debug: false }), 1);
  assert.match(stderr.text(), /^error\[ASYNC_PIPELINE_IO_FAILED\]: ENOENT: /);
  assert.ok(stderr.text().includes(`lstat ${JSON.stringify(path)}`), stderr.text());
  assert.ok(!stderr.text().includes("\x1b"), "no raw escape is printed");
});

Deno.test("cli rejects a --config that names a directory", async () => {
  const dir = await tempDir();
  await Deno.mkdir(`${dir}/ci/`);
  const result = await cli(["metadata", "--config", "ci/"], dir);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_CONFIG_NOT_FOUND\]: --config names a directory, not a pipeline file: .*\/ci\.\n/,
  );
  assert.match(result.stderr, /hint: Pass the file itself, such as --config ci\/pipeline\.ts\./);
});

Deno.test("cli rejects an empty --config", async () => {
  const dir = await tempDir();
  const result = await cli(["metadata", "--config="], dir);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error\[ASYNC_PIPELINE_CONFIG_NOT_FOUND\]: --config is empty\.\n/);
});

Deno.test("cli metadata text shows provenance id-token", async () => {
  const dir = await projectWith(`import { definePipeline, job, sh, task, trigger } from MOD_URL;
export default definePipeline({
  name: "demo",
  triggers: { manual: trigger.manual() },
  tasks: { publish: task({ run: sh\`npm publish --provenance\` }) },
  jobs: {
    publish: job({
      target: "publish",
      trigger: ["manual"],
      environment: "npm-publish",
      requires: { provenance: true },
    }),
  },
});
`);
  const result = await cli(["metadata"], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(
    result.stdout.endsWith(
      "\njobs:\n  publish -> publish on manual\n    environment: npm-publish\n" +
        "    permissions: idToken write (requires.provenance)\n",
    ),
    result.stdout,
  );
});

Deno.test("cli metadata text shows runner and timeout", async () => {
  const dir = await projectWith(`import { definePipeline, job, sh, task, trigger } from MOD_URL;
export default definePipeline({
  name: "demo",
  triggers: { push: trigger.github({ events: ["push"] }) },
  tasks: { build: task({ run: sh\`echo build\` }) },
  jobs: {
    deploy: job({
      target: "build",
      trigger: ["push"],
      environment: { name: "prod", url: "https://example.invalid/app" },
      requires: { provenance: true },
      github: {
        permissions: { contents: "write" },
        runsOn: "self-hosted",
        timeoutMinutes: 30,
      },
    }),
  },
});
`);
  const result = await cli(["metadata"], dir);
  assert.equal(result.code, 0, result.stderr);
  const job = result.stdout.split("\njobs:\n")[1];
  assert.equal(
    job,
    "  deploy -> build on push\n" +
      "    environment: prod (https://example.invalid/app)\n" +
      "    permissions: contents write, idToken write (requires.provenance)\n" +
      "    runs on: self-hosted\n" +
      "    timeout: 30 minutes\n",
  );
});

Deno.test("cli metadata text omits unset GitHub settings", async () => {
  const dir = await projectWith(`import { definePipeline, job, sh, task } from MOD_URL;
export default definePipeline({
  name: "demo",
  tasks: { build: task({ run: sh\`echo build\` }) },
  jobs: { verify: job({ target: "build", github: { permissions: { idToken: "write" } } }) },
});
`);
  const result = await cli(["metadata"], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(
    result.stdout.endsWith("\njobs:\n  verify -> build\n    permissions: idToken write\n"),
    result.stdout,
  );
});
