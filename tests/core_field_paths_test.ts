import assert from "node:assert/strict";
import {
  definePipeline,
  env,
  ErrorCode,
  job,
  type PipelineConfig,
  type PipelineError,
  type PipelineIssue,
  sh,
  task,
} from "../mod.ts";
import { cliCall } from "./support/cli.ts";
import { tempDir } from "./support/temp_files.ts";

const MOD_URL = new URL("../mod.ts", import.meta.url).href;

function issuesOf(config: PipelineConfig): readonly PipelineIssue[] {
  try {
    definePipeline(config);
  } catch (error) {
    return (error as PipelineError).issues;
  }
  assert.fail("expected definePipeline to throw");
}

Deno.test("task id with a leading dash says why", () => {
  const issues = issuesOf({ name: "app", tasks: { "-b": task({}, sh`true`) } });
  assert.equal(issues.length, 1);
  assert.equal(issues[0].code, ErrorCode.INVALID_FIELD);
  assert.equal(issues[0].path, 'tasks["-b"]');
  assert.equal(issues[0].message, '"-b" is not a valid task id: it starts with "-".');
  assert.match(issues[0].hint ?? "", /^Start with a letter, digit or '_'/);
});

Deno.test("task id with a space names the space", () => {
  const issues = issuesOf({ name: "app", tasks: { "b c": task({}, sh`true`) } });
  assert.equal(issues.length, 1);
  assert.equal(issues[0].path, 'tasks["b c"]');
  assert.equal(issues[0].message, '"b c" is not a valid task id: it contains " ".');
});

Deno.test("rejected task id gets no unknown-task follow-on", () => {
  const issues = issuesOf({
    name: "app",
    tasks: {
      "-b": task({}, sh`true`),
      "--force": task({}, sh`true`),
      ok: task({ dependsOn: ["-b"] }, sh`true`),
    },
    jobs: { v: job({ target: ["-b", "--force"] }) },
  });
  assert.deepEqual(issues.map((issue) => issue.path), ['tasks["-b"]', 'tasks["--force"]']);
  assert.ok(issues.every((issue) => issue.code === ErrorCode.INVALID_FIELD));
});

Deno.test("unknown target without tasks says none are declared", () => {
  const issues = issuesOf({
    name: "app",
    tasks: { "-b": task({}, sh`true`) },
    jobs: { v: job({ target: "build" }) },
  });
  const unknown = issues.find((issue) => issue.code === ErrorCode.UNKNOWN_TASK);
  assert.ok(unknown, JSON.stringify(issues));
  assert.equal(unknown.path, "jobs.v.target");
  assert.equal(unknown.hint, "The pipeline declares no tasks.");
});

Deno.test("job id with a space is bracketed", () => {
  const issues = issuesOf({
    name: "app",
    tasks: { build: task({}, sh`true`) },
    jobs: { "a b": job({ target: "build" }) },
  });
  assert.equal(issues.length, 1);
  assert.equal(issues[0].path, 'jobs["a b"]');
  assert.equal(issues[0].message, '"a b" is not a valid job id: it contains " ".');
});

Deno.test("source id with a colon says why", () => {
  const issues = issuesOf({
    name: "app",
    sources: { "a:b": { kind: "source", type: "path", path: "x", prepare: [] } as never },
    tasks: { build: task({}, sh`true`) },
  });
  const invalid = issues.find((issue) => issue.path === "sources.a:b");
  assert.ok(invalid, JSON.stringify(issues));
  assert.equal(invalid.message, '"a:b" is not a valid source id: it contains ":".');
});

Deno.test("unknown field with a space is bracketed", () => {
  const issues = issuesOf({
    name: "app",
    tasks: { build: task({ "time out": "1s" } as never, sh`true`) },
  });
  const unknown = issues.find((issue) => issue.code === ErrorCode.UNKNOWN_FIELD);
  assert.ok(unknown, JSON.stringify(issues));
  assert.equal(unknown.path, 'tasks.build["time out"]');
});

Deno.test("env key with a space is bracketed", () => {
  const issues = issuesOf({
    name: "app",
    tasks: { build: task({}, sh`true`) },
    jobs: { ci: job({ target: "build", env: { "MY VAR": env.var("X") } }) },
  });
  assert.equal(issues.length, 1);
  assert.equal(issues[0].path, 'jobs.ci.env["MY VAR"]');
});

Deno.test("cli prints the dash-id reason without follow-ons", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(
    `${dir}/pipeline.ts`,
    `import { definePipeline, job, sh, task } from ${JSON.stringify(MOD_URL)};
export default definePipeline({
  name: "a",
  tasks: { "-b": task({}, sh\`echo dash\`), "--force": task({}, sh\`echo ff\`) },
  jobs: { v: job({ target: ["-b", "--force"] }) },
});
`,
  );
  const result = await cliCall(dir, ["metadata"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /tasks\["-b"\]: "-b" is not a valid task id: it starts with "-"\./);
  assert.match(result.stderr, /tasks\["--force"\]: "--force" is not a valid task id/);
  assert.doesNotMatch(result.stderr, /Known tasks/);
  assert.doesNotMatch(result.stderr, /UNKNOWN_TASK/);
});
