import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sandbox, sh, task } from "../mod.ts";
import { runPipelineCli } from "../cli/run_pipeline_cli.ts";
import { ErrorCode, PipelineError } from "../core/errors.ts";
import { Redactor } from "../node/redact.ts";
import { redactError } from "../node/redact_error.ts";
import { planJob } from "../node/runner/dry_run.ts";
import { runJob } from "../node/runner/run_job.ts";
import { standInProject, type StandIns } from "./support/standins.ts";

const MOD_URL = new URL("../mod.ts", import.meta.url).href;
const SECRET = "s3cr3t-TOKEN-xyz";

/** Returns an env whose stand-in `docker run` fails with exit 125, quoting the secret like a daemon might. */
function failingDockerEnv(standIns: StandIns, extra: Record<string, string> = {}) {
  return standIns.env({
    NPM_TOKEN: SECRET,
    STANDIN_DOCKER_RUN_ERROR: `Error response from daemon: invalid env value ${SECRET}`,
    ...extra,
  });
}

/** Returns the paths of the files under `dir` whose content contains `text`. */
async function filesContaining(dir: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path, "utf8")).includes(text)) found.push(path);
  }
  return found;
}

const pipeline = definePipeline({
  name: "leak",
  env: { NODE_AUTH_TOKEN: env.secret("NPM_TOKEN") },
  sandboxes: { docker: sandbox.docker({ image: "node:24" }) },
  tasks: {
    tools: task({ cache: false, requires: { tools: ["node"] } }, sh`echo hi`),
    required: task(
      { cache: false, requires: { tools: ["node"], secrets: ["DEPLOY_KEY"] } },
      sh`echo hi`,
    ),
  },
  jobs: { tools: job({ target: "tools" }), required: job({ target: "required" }) },
});

Deno.test("cli tool check failure masks secret everywhere", async () => {
  const { project, standIns } = await standInProject();
  await writeFile(
    join(project, "pipeline.ts"),
    `import { definePipeline, env, job, sandbox, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "leak",
  env: { NODE_AUTH_TOKEN: env.secret("NPM_TOKEN") },
  sandboxes: { docker: sandbox.docker({ image: "node:24" }) },
  tasks: { tools: task({ cache: false, requires: { tools: ["node"] } }, sh\`echo hi\`) },
  jobs: { tools: job({ target: "tools" }) },
});
`,
  );

  const outputs: string[] = [];
  for (
    const args of [
      ["run", "tools", "--sandbox", "docker"],
      ["run", "tools", "--sandbox", "docker", "--debug"],
      ["run", "tools", "--sandbox", "docker", "--format", "json"],
      ["run", "tools", "--sandbox", "docker", "--dry-run", "--debug"],
      ["run-task", "tools", "--sandbox", "docker"],
    ]
  ) {
    const result = await runPipelineCli({ args, cwd: project, env: failingDockerEnv(standIns) });
    assert.equal(result.code, 1, args.join(" "));
    outputs.push(result.stdout, result.stderr);
  }

  const output = outputs.join("\n");
  assert.match(output, /error\[ASYNC_PIPELINE_SANDBOX_FAILED\]: .*invalid env value \*\*\*\)/);
  assert.equal(output.includes(SECRET), false, output);
  assert.deepEqual(await filesContaining(join(project, ".async"), SECRET), []);
  // The runs were recorded, so the check above looked at the files that could leak.
  const records = await filesContaining(join(project, ".async"), "invalid env value ***");
  assert.ok(records.some((path) => path.endsWith("execution.json")), records.join(", "));
});

Deno.test("runJob tool check failure throws masked error", async () => {
  const { project, standIns } = await standInProject();

  const error = await runJob(pipeline, {
    id: "tools",
    cwd: project,
    env: failingDockerEnv(standIns),
    sandbox: "docker",
  }).then(() => undefined, (thrown: unknown) => thrown);

  assert.ok(error instanceof PipelineError);
  assert.equal(error.code, ErrorCode.SANDBOX_FAILED);
  assert.equal(
    error.message,
    'Sandbox "docker": docker run failed before the command started (docker: Error response from daemon: invalid env value ***).',
  );
  assert.equal(error.hint, "Run the docker command by hand to see the full error.");
  assert.equal(JSON.stringify(error.issues).includes(SECRET), false);
  assert.equal(error.stack?.includes(SECRET), false);
  assert.match(error.stack ?? "", /invalid env value \*\*\*/);
  assert.deepEqual(await filesContaining(join(project, ".async"), SECRET), []);
});

Deno.test("tool check failure masks required secret", async () => {
  const { project, standIns } = await standInProject();
  const key = "deploy-key-0123456789";
  const runEnv = failingDockerEnv(standIns, {
    DEPLOY_KEY: key,
    STANDIN_DOCKER_RUN_ERROR: `bad value ${key}`,
  });

  const error = await runJob(pipeline, {
    id: "required",
    cwd: project,
    env: runEnv,
    sandbox: "docker",
  })
    .then(() => undefined, (thrown: unknown) => thrown);

  assert.ok(error instanceof PipelineError);
  assert.match(error.message, /\(docker: bad value \*\*\*\)\.$/);
  assert.equal(error.stack?.includes(key), false);
  assert.deepEqual(await filesContaining(join(project, ".async"), key), []);
});

Deno.test("planJob tool check failure throws masked error", async () => {
  const { project, standIns } = await standInProject();

  const error = await planJob(pipeline, {
    id: "tools",
    cwd: project,
    env: failingDockerEnv(standIns),
    sandbox: "docker",
  }).then(() => undefined, (thrown: unknown) => thrown);

  assert.ok(error instanceof PipelineError);
  assert.equal(error.code, ErrorCode.SANDBOX_FAILED);
  assert.match(error.message, /invalid env value \*\*\*\)\.$/);
  assert.equal(error.stack?.includes(SECRET), false);
});

Deno.test("redactError keeps class, code and cause chain masked", () => {
  class SandboxError extends PipelineError {}
  const cause = new Error(`inner ${SECRET}`);
  const original = new SandboxError(ErrorCode.SANDBOX_FAILED, `outer ${SECRET}`, {
    path: "sandbox",
    hint: `try ${SECRET}`,
    cause,
  });

  const masked = redactError(new Redactor([SECRET]), original) as SandboxError;

  assert.ok(masked instanceof SandboxError);
  assert.notEqual(masked, original);
  assert.equal(masked.code, ErrorCode.SANDBOX_FAILED);
  assert.equal(masked.path, "sandbox");
  assert.equal(masked.message, "outer ***");
  assert.equal(masked.hint, "try ***");
  assert.deepEqual(masked.issues.map((issue) => [issue.message, issue.hint]), [[
    "outer ***",
    "try ***",
  ]]);
  assert.equal((masked.cause as Error).message, "inner ***");
  assert.equal(masked.stack?.includes(SECRET), false);
  assert.match(masked.stack ?? "", /outer \*\*\*/);
  // The original is left as it was.
  assert.equal(original.message, `outer ${SECRET}`);
});

Deno.test("redactError returns errors without secrets as they are", () => {
  const error = new PipelineError(ErrorCode.SANDBOX_FAILED, "no secret here");
  const redactor = new Redactor([SECRET]);

  assert.equal(redactError(redactor, error), error);
  const plain = new Error(SECRET);
  assert.equal(redactError(new Redactor(), plain), plain);
  assert.equal(redactError(redactor, SECRET), "***");
  const thrown = redactError(redactor, { token: SECRET });
  assert.ok(thrown instanceof Error);
  assert.equal(thrown.message, "{ token: '***' }");
});

Deno.test("redactError leaves code and path alone", () => {
  const error = new PipelineError(ErrorCode.MISSING_SECRET, "secret k is missing", {
    path: "tasks.build.requires.secrets",
  });

  const masked = redactError(new Redactor(["k"]), error) as PipelineError;

  assert.equal(masked.message, "secret *** is missing");
  assert.equal(masked.code, ErrorCode.MISSING_SECRET);
  assert.equal(masked.path, "tasks.build.requires.secrets");
  assert.equal(masked.issues[0].path, "tasks.build.requires.secrets");
  assert.equal(masked.name, "PipelineError");
});
