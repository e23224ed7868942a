import assert from "node:assert/strict";
import { triggerIssues } from "./support/triggers.ts";
import {
  cache,
  command,
  defineCache,
  dependsOn,
  fileCache,
  job,
  memoryCache,
  redisCache,
  sandbox,
  sh,
  source,
  task,
  trigger,
} from "../mod.ts";
import { ErrorCode } from "../core/errors.ts";

function hasCode(code: string) {
  return (error: Error & { code?: string }) => {
    assert.equal(error.code, code);
    return true;
  };
}

Deno.test("task config overload keeps run", () => {
  const step = sh`pnpm test`;
  assert.deepEqual(task({ run: step }).config, { run: step });
});

Deno.test("task second argument becomes run", () => {
  const step = sh`pnpm test`;
  assert.deepEqual(task({ inputs: ["src/**"] }, step).config, { inputs: ["src/**"], run: step });
});

Deno.test("task array overload keeps directives", () => {
  const steps = [cache.use("file:local"), sh`pnpm test`];
  assert.deepEqual(task({}, steps).config.run, steps);
});

Deno.test("task rejects run given twice", () => {
  assert.throws(
    () => task({ run: sh`a` }, sh`b`),
    hasCode(ErrorCode.TASK_ARGUMENT_CONFLICT),
  );
});

Deno.test("task rejects a non-object config", () => {
  assert.throws(
    () => task(sh`a` as unknown as object),
    /task\(config, run\?\) expects a config object/,
  );
});

Deno.test("task result is frozen", () => {
  const built = task({ run: sh`a` });
  assert.equal(Object.isFrozen(built), true);
  assert.equal(Object.isFrozen(built.config), true);
});

Deno.test("job keeps its config", () => {
  assert.deepEqual(job({ target: "build", trigger: ["push"] }).config, {
    target: "build",
    trigger: ["push"],
  });
});

Deno.test("dependsOn directive lists ids", () => {
  assert.deepEqual(dependsOn("build", "lint"), {
    kind: "directive",
    type: "dependsOn",
    ids: ["build", "lint"],
  });
  assert.throws(() => dependsOn(), /expects one or more task ids/);
});

Deno.test("cache.use directive keeps the ref", () => {
  assert.deepEqual(cache.use("memory:session"), {
    kind: "directive",
    type: "cache",
    ref: "memory:session",
  });
  assert.throws(() => cache.use(""), /expects a ref/);
});

Deno.test("trigger builders produce declarations", () => {
  assert.deepEqual(trigger.manual(), { kind: "manual" });
  assert.deepEqual(trigger.github({ events: ["push", "pull_request"], branches: ["main"] }), {
    kind: "github",
    events: ["push", "pull_request"],
    branches: ["main"],
  });
  assert.deepEqual(trigger.cron("0 9 * * 1"), { kind: "cron", cron: "0 9 * * 1" });
  assert.deepEqual(trigger.schedule("0 9 * * 1"), trigger.cron("0 9 * * 1"));
});

Deno.test("trigger.github rejects an unknown event", () => {
  const issues = triggerIssues(trigger.github({ events: ["pushh" as "push"] }));
  assert.equal(issues.length, 1);
  assert.equal(issues[0].code, ErrorCode.INVALID_TRIGGER);
  assert.match(issues[0].message, /unknown event "pushh"/);
  assert.equal(issues[0].hint, 'Did you mean "push"?');
});

Deno.test("trigger.github rejects empty lists", () => {
  const noEvents = triggerIssues(trigger.github({ events: [] }));
  assert.deepEqual(noEvents.map((issue) => [issue.code, issue.path]), [
    [ErrorCode.INVALID_TRIGGER, "triggers.t.events"],
  ]);
  const noBranches = triggerIssues(trigger.github({ events: ["push"], branches: [] }));
  assert.equal(noBranches.length, 1);
  assert.match(noBranches[0].message, /branches must be a non-empty array/);
});

Deno.test("trigger.github rejects unknown fields", () => {
  assert.throws(
    () => trigger.github({ events: ["push"], branch: ["main"] } as unknown as { events: ["push"] }),
    hasCode(ErrorCode.UNKNOWN_FIELD),
  );
});

Deno.test("trigger.cron rejects a bad expression", () => {
  const issues = triggerIssues(trigger.cron("0 25 * * *"));
  assert.deepEqual(issues.map((issue) => issue.code), [ErrorCode.INVALID_CRON]);
});

Deno.test("cache store builders apply defaults", () => {
  assert.deepEqual(fileCache(), { kind: "cache-store", type: "file", root: ".async/cache/tasks" });
  assert.deepEqual(fileCache({ root: "tmp/cache", ttlMs: "1h" }), {
    kind: "cache-store",
    type: "file",
    root: "tmp/cache",
    ttlMs: 3_600_000,
  });
  assert.deepEqual(memoryCache({ ttlMs: 500 }), {
    kind: "cache-store",
    type: "memory",
    ttlMs: 500,
  });
  assert.deepEqual(redisCache({ url: { env: "REDIS_URL" } }), {
    kind: "cache-store",
    type: "redis",
    url: { env: "REDIS_URL" },
  });
});

Deno.test("cache store builders reject bad options", () => {
  assert.throws(
    () => fileCache({ rot: "x" } as unknown as { root: string }),
    hasCode(ErrorCode.UNKNOWN_FIELD),
  );
  assert.throws(
    () => defineCache({ stores: { memory: memoryCache({ ttlMs: "soon" }) } }),
    hasCode(ErrorCode.INVALID_DURATION),
  );
  assert.throws(() => redisCache({ url: 42 as unknown as string }), /url must be a string/);
});

Deno.test("defineCache checks its default ref", () => {
  const registry = defineCache({ default: "file:local", stores: { file: fileCache() } });
  assert.equal(registry.default, "file:local");
  assert.throws(
    () => defineCache({ default: "disk:local", stores: { file: fileCache() } }),
    hasCode(ErrorCode.UNKNOWN_CACHE_STORE),
  );
  assert.throws(
    () =>
      defineCache({
        stores: { file: { type: "file" } as unknown as ReturnType<typeof fileCache> },
      }),
    /stores\.file must be fileCache/,
  );
});

Deno.test("source.path applies defaults", () => {
  assert.deepEqual(source.path({ path: "../admin" }), {
    kind: "source",
    type: "path",
    path: "../admin",
    pipeline: "pipeline.ts",
    writable: false,
    prepare: [],
  });
});

Deno.test("source.git applies defaults", () => {
  const declared = source.git({ url: "file:///tmp/repo.git" });
  assert.equal(declared.ref, "main");
  assert.equal(declared.pipeline, "pipeline.ts");
});

Deno.test("source builders reject bad prepare steps", () => {
  assert.throws(
    () => source.path({ path: "x", prepare: ["pnpm install" as unknown as ReturnType<typeof sh>] }),
    /prepare\[0\] must be sh/,
  );
  assert.throws(() => source.git({ url: "" }), /url must be a non-empty string/);
});

Deno.test("sandbox builders validate fields", () => {
  assert.deepEqual(sandbox.docker({ image: "node:24" }), {
    kind: "sandbox",
    type: "docker",
    image: "node:24",
  });
  assert.deepEqual(sandbox.lima({ vm: "async-pipeline" }), {
    kind: "sandbox",
    type: "lima",
    vm: "async-pipeline",
  });
  assert.throws(() => sandbox.docker({ image: "" }), /image must be a non-empty string/);
  assert.throws(
    () => sandbox.lima({ vm: "x", mem: 4 } as unknown as { vm: string }),
    hasCode(ErrorCode.UNKNOWN_FIELD),
  );
});

Deno.test("command builders build a policy", () => {
  const policy = command.policy({
    rules: [command.rule({ prefix: ["npm", "publish"], action: command.deny() })],
  });
  assert.equal(policy.fallback.kind, "allow");
  assert.equal(policy.record, false);
  assert.deepEqual(policy.output, { maxBytes: 20_000, redactSecrets: true });
  assert.deepEqual(command.mock({ stdout: "ok\n" }), {
    kind: "mock",
    code: 0,
    stdout: "ok\n",
    stderr: "",
  });
  assert.deepEqual(command.requireEnvironment("production"), {
    kind: "require-environment",
    environment: "production",
  });
});

Deno.test("command.rule needs exactly one matcher", () => {
  assert.throws(() => command.rule({ action: command.allow() }), /exactly one of exact or prefix/);
  assert.throws(
    () => command.rule({ exact: ["a"], prefix: ["a"], action: command.allow() }),
    /exactly one of exact or prefix/,
  );
  assert.throws(
    () => command.rule({ exact: [], action: command.allow() }),
    /non-empty array of strings/,
  );
});

Deno.test("command.mock rejects an out-of-range code", () => {
  assert.throws(() => command.mock({ code: 300 }), /code must be an integer from 0 to 255/);
});

Deno.test("task rejects steps given twice", () => {
  assert.throws(() => task({ steps: [sh`a`] }, sh`b`), hasCode(ErrorCode.TASK_ARGUMENT_CONFLICT));
});

Deno.test("source.path rejects a non-boolean writable", () => {
  assert.throws(
    () => source.path({ path: "../x", writable: "yes" as unknown as boolean }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.match(error.message, /writable must be true or false, got "yes"/);
      return true;
    },
  );
});

Deno.test("builders reject missing options objects", () => {
  assert.throws(
    () => source.path(undefined as unknown as { path: string }),
    /source\.path expects an options object, got undefined/,
  );
});

Deno.test("builders suggest the nearest field", () => {
  assert.throws(
    () => fileCache({ rot: "x" } as unknown as { root: string }),
    (error: Error & { hint?: string }) => {
      assert.equal(error.hint, 'Did you mean "root"?');
      return true;
    },
  );
});

Deno.test("trigger.github rejects branches on release", () => {
  const issues = triggerIssues(trigger.github({ events: ["release"], branches: ["main"] }));
  assert.equal(issues.length, 1);
  assert.match(issues[0].message, /branches cannot filter the release event/);
});
