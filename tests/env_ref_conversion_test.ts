import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import { ErrorCode, isPipelineError } from "../core/errors.ts";
import { runJob } from "../node/mod.ts";
import { baseEnv, makeProject, runCliUnder } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const SECRET = "ref-conversion-secret-73";

/** Asserts that `convert` throws the conversion error naming `label`. */
function assertConversionRejected(convert: () => unknown, label: string): void {
  assert.throws(convert, (error: unknown) => {
    assert.ok(isPipelineError(error));
    assert.equal(error.code, ErrorCode.INVALID_FIELD);
    assert.ok(error.message.startsWith(`${label} cannot be joined into a string`), error.message);
    assert.match(error.hint ?? "", /on its own/);
    assert.match(error.hint ?? "", /ctx\.env\.KEY/);
    return true;
  });
}

Deno.test("secret ref in template literal", () => {
  const ref = env.secret("NPM_TOKEN");
  assertConversionRejected(() => `Bearer ${ref}`, 'env.secret("NPM_TOKEN")');
});

Deno.test("secret ref joined with plus", () => {
  const ref = env.secret("NPM_TOKEN");
  assertConversionRejected(() => "Bearer " + (ref as unknown as string), 'env.secret("NPM_TOKEN")');
});

Deno.test("String() of a secret ref", () => {
  assertConversionRejected(() => String(env.secret("NPM_TOKEN")), 'env.secret("NPM_TOKEN")');
});

Deno.test("toString() of a secret ref", () => {
  assertConversionRejected(() => env.secret("NPM_TOKEN").toString(), 'env.secret("NPM_TOKEN")');
});

Deno.test("secret ref in Array.join", () => {
  assertConversionRejected(() => [env.secret("NPM_TOKEN")].join(","), 'env.secret("NPM_TOKEN")');
});

Deno.test("var ref in template literal", () => {
  const ref = env.var("STAGE", { prod: "p", dev: "d" }, { default: "dev" });
  assertConversionRejected(() => `stage=${ref}`, 'env.var("STAGE")');
});

Deno.test("var ref converted to number", () => {
  const ref = env.var("PORT", { default: "80" });
  assertConversionRejected(() => Number(ref), 'env.var("PORT")');
});

Deno.test("refs keep their plain shape", () => {
  const ref = env.secret("NPM_TOKEN");
  assert.equal(JSON.stringify(ref), '{"kind":"secret","name":"NPM_TOKEN"}');
  assert.deepEqual(Object.keys(ref), ["kind", "name"]);
  assert.deepEqual({ ...ref }, { kind: "secret", name: "NPM_TOKEN" });
  assert.ok(Object.isFrozen(ref));
});

Deno.test("ref alone in sh renders", () => {
  const command = sh`npm publish --token ${env.secret("NPM_TOKEN")} --tag ${env.var("TAG")}`;
  assert.equal(command.text, 'npm publish --token *** --tag "$TAG"');
});

Deno.test("ref joined in a step fails", async () => {
  const cwd = await tempDir();
  const pipeline = definePipeline({
    name: "join",
    tasks: {
      t: task({
        cache: false,
        run: (ctx) => {
          ctx.log("token " + (env.secret("JOIN_TOKEN") as unknown as string));
        },
      }),
    },
    jobs: { j: job({ target: "t" }) },
  });
  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv({ JOIN_TOKEN: SECRET }) });
  const [result] = record.tasks;
  assert.equal(result.status, "failed");
  assert.equal(result.error?.code, ErrorCode.INVALID_FIELD);
  assert.match(result.error!.message, /env\.secret\("JOIN_TOKEN"\) cannot be joined/);
  assert.match(result.error?.hint ?? "", /on its own/);
  assert.ok(!JSON.stringify(record).includes(SECRET));
});

Deno.test("ref alone in sh gets its value", async () => {
  const cwd = await tempDir();
  const pipeline = definePipeline({
    name: "whole",
    tasks: {
      t: task(
        { cache: false },
        sh`printf '%s' ${env.secret("WHOLE_TOKEN")} > token.txt`,
      ),
    },
    jobs: { j: job({ target: "t" }) },
  });
  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv({ WHOLE_TOKEN: SECRET }) });
  assert.equal(record.tasks[0].status, "passed");
  assert.equal(await readFile(join(cwd, "token.txt"), "utf8"), SECRET);
});

const JOINED_AT_LOAD = `import { definePipeline, env, job, sh, task } from "@mod";
export default definePipeline({
  name: "load",
  tasks: { t: task({ cache: false }, sh\`echo "$TOKEN"\`) },
  jobs: { j: job({ target: "t", env: { TOKEN: \`Bearer \${env.secret("LOAD_TOKEN")}\` } }) },
});
`;

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`CLI under ${runtime} rejects joined ref at load`, async () => {
    const cwd = await makeProject(JOINED_AT_LOAD);
    const result = await runCliUnder(runtime, cwd, ["run", "j"], { LOAD_TOKEN: SECRET });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /error\[ASYNC_PIPELINE_INVALID_FIELD\]: env\.secret\("LOAD_TOKEN"\) cannot be joined/,
    );
    assert.doesNotMatch(result.stdout, /Bearer/);
    assert.ok(!(result.stdout + result.stderr).includes(SECRET));
  });
}
