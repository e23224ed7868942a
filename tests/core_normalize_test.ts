import assert from "node:assert/strict";
import {
  cache,
  defineCache,
  definePipeline,
  dependsOn,
  env,
  ErrorCode,
  fileCache,
  job,
  type PipelineConfig,
  type PipelineError,
  redisCache,
  sh,
  source,
  task,
  trigger,
} from "../mod.ts";

const step = sh`true`;

function pipelineWith(overrides: Partial<PipelineConfig>): PipelineConfig {
  return { name: "app", tasks: { build: task({ run: step }) }, ...overrides };
}

function rejects(
  config: PipelineConfig,
  code: string,
  path: string,
  message?: RegExp,
): PipelineError {
  let caught: PipelineError | undefined;
  try {
    definePipeline(config);
  } catch (error) {
    caught = error as PipelineError;
  }
  assert.ok(caught, "expected definePipeline to throw");
  const issue = caught.issues.find((candidate) =>
    candidate.code === code && candidate.path === path
  );
  assert.ok(issue, `expected issue ${code} at ${path}, got ${JSON.stringify(caught.issues)}`);
  if (message) assert.match(`${issue.message} ${issue.hint ?? ""}`, message);
  return caught;
}

/** Returns the error that `definePipeline` throws for `config`. */
function catchDefine(config: unknown): PipelineError {
  try {
    definePipeline(config as PipelineConfig);
  } catch (error) {
    return error as PipelineError;
  }
  throw new Error("expected definePipeline to throw");
}

Deno.test("normalize applies segment then id defaults", () => {
  const pipeline = definePipeline({
    name: "app",
    taskDefaults: {
      test: { timeout: "1m", retry: 2 },
      "test:e2e": { timeout: "5m" },
    },
    tasks: {
      "test:unit": task({ run: step }),
      "test:e2e": task({ run: step }),
      "test:own": task({ run: step, timeout: "10s" }),
      build: task({ run: step }),
    },
  });
  assert.equal(pipeline.tasks["test:unit"].timeoutMs, 60_000);
  assert.equal(pipeline.tasks["test:unit"].retry.attempts, 2);
  assert.equal(pipeline.tasks["test:e2e"].timeoutMs, 300_000);
  assert.equal(pipeline.tasks["test:e2e"].retry.attempts, 2);
  assert.equal(pipeline.tasks["test:own"].timeoutMs, 10_000);
  assert.equal(pipeline.tasks.build.timeoutMs, undefined);
});

Deno.test("normalize expands named inputs", () => {
  const pipeline = definePipeline({
    name: "app",
    namedInputs: { source: ["src/**/*.ts", "!src/**/*.test.ts"] },
    tasks: { build: task({ inputs: ["source", "package.json"], run: step }) },
  });
  assert.deepEqual(pipeline.tasks.build.inputs, [
    "src/**/*.ts",
    "!src/**/*.test.ts",
    "package.json",
  ]);
});

Deno.test("normalize treats retry forms alike", () => {
  const pipeline = definePipeline({
    name: "app",
    tasks: {
      number: task({ run: step, retry: 2 }),
      object: task({ run: step, retry: { attempts: 2 } }),
      delayed: task({ run: step, retry: { attempts: 3, delayMs: "1s" } }),
      one: task({ run: step, retry: 1 }),
      none: task({ run: step }),
    },
  });
  assert.deepEqual(pipeline.tasks.number.retry, { attempts: 2, delayMs: 0 });
  assert.deepEqual(pipeline.tasks.object.retry, pipeline.tasks.number.retry);
  assert.deepEqual(pipeline.tasks.delayed.retry, { attempts: 3, delayMs: 1000 });
  assert.deepEqual(pipeline.tasks.one.retry, { attempts: 1, delayMs: 0 });
  assert.deepEqual(pipeline.tasks.none.retry, pipeline.tasks.one.retry);
});

Deno.test("normalize rejects zero retry attempts", () => {
  rejects(
    pipelineWith({ tasks: { build: task({ run: step, retry: 0 }) } }),
    ErrorCode.INVALID_FIELD,
    "tasks.build.retry",
  );
});

Deno.test("normalize parses timeouts", () => {
  const pipeline = definePipeline({
    name: "app",
    tasks: { a: task({ run: step, timeout: 250 }), b: task({ run: step, timeout: "2m" }) },
  });
  assert.equal(pipeline.tasks.a.timeoutMs, 250);
  assert.equal(pipeline.tasks.b.timeoutMs, 120_000);
});

Deno.test("normalize rejects an invalid timeout", () => {
  rejects(
    pipelineWith({ tasks: { build: task({ run: step, timeout: "2 minutes" }) } }),
    ErrorCode.INVALID_DURATION,
    "tasks.build.timeout",
  );
});

Deno.test("normalize accepts string and array targets", () => {
  const pipeline = definePipeline({
    name: "app",
    tasks: { a: task({ run: step }), b: task({ run: step }) },
    jobs: { one: job({ target: "a" }), both: job({ target: ["a", "b"] }) },
  });
  assert.deepEqual(pipeline.jobs.one.targets, ["a"]);
  assert.deepEqual(pipeline.jobs.both.targets, ["a", "b"]);
});

Deno.test("normalize layers job env over pipeline env", () => {
  const pipeline = definePipeline({
    name: "app",
    env: { NODE_ENV: "production", REGION: "eu" },
    tasks: { a: task({ run: step }) },
    jobs: { deploy: job({ target: "a", env: { REGION: "us", TOKEN: env.secret("NPM_TOKEN") } }) },
  });
  assert.deepEqual(pipeline.jobs.deploy.env, {
    NODE_ENV: "production",
    REGION: "us",
    TOKEN: { kind: "secret", name: "NPM_TOKEN" },
  });
});

Deno.test("normalize lifts directives into metadata", () => {
  const pipeline = definePipeline({
    name: "app",
    tasks: {
      build: task({ run: step }),
      test: task({}, [dependsOn("build"), cache.use("memory:session"), sh`pnpm test`]),
    },
  });
  const test = pipeline.tasks.test;
  assert.deepEqual(test.dependsOn, ["build"]);
  assert.equal(test.cache.enabled && test.cache.ref, "memory:session");
  assert.equal(test.cache.enabled && test.cache.storeType, "memory");
  assert.equal(test.steps.length, 1);
  assert.deepEqual(test.directives, [
    { type: "dependsOn", ids: ["build"] },
    { type: "cache", ref: "memory:session" },
  ]);
});

Deno.test("normalize caches by the pipeline default", () => {
  const pipeline = definePipeline({
    name: "app",
    cache: "file:local",
    tasks: {
      cached: task({ inputs: ["src/**"], run: step }),
      off: task({ cache: false, run: step }),
      all: task({ run: step }),
    },
  });
  assert.equal(pipeline.tasks.cached.cache.enabled, true);
  assert.equal(pipeline.tasks.off.cache.enabled, false);
  assert.deepEqual(pipeline.tasks.all.inputs, ["**"]);
  assert.equal(pipeline.tasks.all.defaultInputs, true);
});

Deno.test("normalize leaves tasks uncached without a default", () => {
  const pipeline = definePipeline({
    name: "app",
    tasks: { plain: task({ run: step }), opted: task({ cache: true, run: step }) },
  });
  assert.equal(pipeline.tasks.plain.cache.enabled, false);
  assert.equal(pipeline.tasks.opted.cache.enabled && pipeline.tasks.opted.cache.ref, "file:local");
});

Deno.test("normalize resolves cache options and ttl", () => {
  const pipeline = definePipeline({
    name: "app",
    cache: defineCache({
      default: "file:local",
      stores: {
        file: fileCache({ ttlMs: "1h" }),
        redis: redisCache({ url: "redis://127.0.0.1:6379" }),
      },
    }),
    tasks: {
      inherits: task({ run: step }),
      short: task({ cache: { ttlMs: "5s" }, run: step }),
      remote: task({ cache: "redis:shared", run: step }),
    },
  });
  const { inherits, short, remote } = pipeline.tasks;
  assert.equal(inherits.cache.enabled && inherits.cache.ttlMs, 3_600_000);
  assert.equal(short.cache.enabled && short.cache.ttlMs, 5000);
  assert.equal(remote.cache.enabled && remote.cache.storeType, "redis");
  assert.equal(remote.cache.enabled && remote.cache.namespace, "shared");
});

Deno.test("normalize output is deeply frozen", () => {
  const pipeline = definePipeline(pipelineWith({ jobs: { verify: job({ target: "build" }) } }));
  assert.equal(Object.isFrozen(pipeline), true);
  assert.equal(Object.isFrozen(pipeline.tasks.build), true);
  assert.equal(Object.isFrozen(pipeline.tasks.build.dependsOn), true);
  assert.equal(Object.isFrozen(pipeline.jobs.verify.targets), true);
});

Deno.test("normalize warns on inputs in tool directories", () => {
  const pipeline = definePipeline({
    name: "app",
    tasks: { build: task({ inputs: [".async/foo/**", "src/**"], run: step }) },
  });
  assert.equal(pipeline.warnings.length, 1);
  assert.equal(pipeline.warnings[0].path, "tasks.build.inputs[0]");
  assert.match(pipeline.warnings[0].message, /inside \.async\/, which the cache never walks/);
});

Deno.test("normalize warns on outputs in tool directories", () => {
  const pipeline = definePipeline({
    name: "app",
    tasks: { build: task({ outputs: ["dist/**", ".git/hooks/*"], run: step }) },
  });
  assert.equal(pipeline.warnings.length, 1);
  assert.equal(pipeline.warnings[0].path, "tasks.build.outputs[1]");
  assert.match(
    pipeline.warnings[0].message,
    /^output pattern "\.git\/hooks\/\*" points inside \.git\//,
  );
});

Deno.test("normalize accepts patterns inside node_modules", () => {
  const pipeline = definePipeline({
    name: "app",
    tasks: {
      build: task({
        inputs: ["node_modules/.package-lock.json", "pkg/node_modules/x/**"],
        outputs: ["node_modules/.prisma/**"],
        run: step,
      }),
    },
  });
  assert.deepEqual(pipeline.warnings, []);
});

Deno.test("normalize warns on tool directories after ./", () => {
  const pipeline = definePipeline({
    name: "app",
    tasks: {
      build: task({
        inputs: ["./.git/HEAD", "!./.async", "gitx/.git", "src/**/.git", "gitx"],
        run: step,
      }),
    },
  });
  assert.deepEqual(pipeline.warnings.map((warning) => warning.path), [
    "tasks.build.inputs[0]",
    "tasks.build.inputs[1]",
    "tasks.build.inputs[2]",
  ]);
});

Deno.test("normalize accepts dots inside path segments", () => {
  const pipeline = definePipeline({
    name: "app",
    tasks: { build: task({ inputs: ["src/..hidden/**", "v1..2/*", "a/b../c"], run: step }) },
  });
  assert.deepEqual(pipeline.tasks.build.inputs, ["src/..hidden/**", "v1..2/*", "a/b../c"]);
  assert.deepEqual(pipeline.warnings, []);
});

Deno.test("normalize rejects .. between backslashes", () => {
  rejects(
    pipelineWith({ tasks: { build: task({ outputs: ["dist\\..\\..\\x"], run: step }) } }),
    ErrorCode.PATH_OUTSIDE_ROOT,
    "tasks.build.outputs[0]",
    /escapes the project root/,
  );
});

Deno.test("normalize rejects unknown pipeline fields", () => {
  rejects(
    { name: "app", tasks: {}, taks: {} } as PipelineConfig,
    ErrorCode.UNKNOWN_FIELD,
    "taks",
    /Did you mean "tasks"/,
  );
});

Deno.test("normalize rejects unknown task fields", () => {
  rejects(
    pipelineWith({ tasks: { build: task({ run: step, timout: "1m" } as never) } }),
    ErrorCode.UNKNOWN_FIELD,
    "tasks.build.timout",
    /Did you mean "timeout"/,
  );
});

Deno.test("normalize rejects unknown taskDefaults fields", () => {
  rejects(
    pipelineWith({ taskDefaults: { build: { retyr: 2 } as never } }),
    ErrorCode.UNKNOWN_FIELD,
    "taskDefaults.build.retyr",
    /Did you mean "retry"/,
  );
});

Deno.test("normalize rejects unknown job fields", () => {
  rejects(
    pipelineWith({ jobs: { verify: job({ target: "build", triger: ["x"] } as never) } }),
    ErrorCode.UNKNOWN_FIELD,
    "jobs.verify.triger",
    /Did you mean "trigger"/,
  );
});

Deno.test("normalize rejects unknown job github fields", () => {
  rejects(
    pipelineWith({
      jobs: { verify: job({ target: "build", github: { permisions: {} } as never }) },
    }),
    ErrorCode.UNKNOWN_FIELD,
    "jobs.verify.github.permisions",
    /Did you mean "permissions"/,
  );
});

Deno.test("normalize rejects unknown permission fields", () => {
  rejects(
    pipelineWith({
      jobs: {
        verify: job({
          target: "build",
          github: { permissions: { pullRequest: "write" } as never },
        }),
      },
    }),
    ErrorCode.UNKNOWN_FIELD,
    "jobs.verify.github.permissions.pullRequest",
    /Did you mean "pullRequests"/,
  );
});

Deno.test("normalize rejects invalid permission levels", () => {
  rejects(
    pipelineWith({
      jobs: {
        verify: job({ target: "build", github: { permissions: { idToken: "read" } as never } }),
      },
    }),
    ErrorCode.INVALID_FIELD,
    "jobs.verify.github.permissions.idToken",
  );
});

Deno.test("normalize rejects an unknown dependency", () => {
  rejects(
    {
      name: "app",
      tasks: { build: task({ run: step }), test: task({ dependsOn: ["biuld"], run: step }) },
    },
    ErrorCode.UNKNOWN_TASK,
    "tasks.test.dependsOn",
    /unknown task "biuld".*Did you mean "build"/,
  );
});

Deno.test("normalize rejects an undeclared source dependency", () => {
  rejects(
    {
      name: "app",
      sources: { admin: source.git({ url: "file:///tmp/admin.git" }) },
      tasks: { test: task({ dependsOn: ["storefront:test"], run: step }) },
    },
    ErrorCode.UNKNOWN_SOURCE,
    "tasks.test.dependsOn",
    /source "storefront"/,
  );
});

Deno.test("normalize accepts a declared source dependency", () => {
  const pipeline = definePipeline({
    name: "app",
    sources: { storefront: source.git({ url: "file:///tmp/storefront.git" }) },
    tasks: { test: task({ dependsOn: ["storefront:test"], run: step }) },
    jobs: { all: job({ target: ["test", "storefront:lint"] }) },
  });
  assert.deepEqual(pipeline.tasks.test.dependsOn, ["storefront:test"]);
});

Deno.test("normalize reports a dependency cycle", () => {
  const error = rejects(
    {
      name: "app",
      tasks: {
        a: task({ dependsOn: ["b"], run: step }),
        b: task({ dependsOn: ["c"], run: step }),
        c: task({ dependsOn: ["a"], run: step }),
      },
    },
    ErrorCode.DEPENDENCY_CYCLE,
    "tasks.a.dependsOn",
  );
  assert.match(error.message, /a -> b -> c -> a/);
});

Deno.test("normalize reports every dependency cycle", () => {
  const error = catchDefine({
    name: "app",
    tasks: {
      a: task({ dependsOn: ["b"], run: step }),
      b: task({ dependsOn: ["a"], run: step }),
      x: task({ dependsOn: ["y"], run: step }),
      y: task({ dependsOn: ["x", "x"], run: step }),
    },
  });
  assert.equal(error.code, ErrorCode.DEPENDENCY_CYCLE);
  assert.deepEqual(
    error.issues.map((issue) => [issue.code, issue.path, issue.message]),
    [
      [ErrorCode.DEPENDENCY_CYCLE, "tasks.a.dependsOn", "dependency cycle: a -> b -> a."],
      [ErrorCode.DEPENDENCY_CYCLE, "tasks.x.dependsOn", "dependency cycle: x -> y -> x."],
    ],
  );
  assert.match(error.message, /^Invalid pipeline definition: 2 problems found:\n/);
});

Deno.test("normalize reports two cycles through one task", () => {
  const error = catchDefine({
    name: "app",
    tasks: {
      a: task({ dependsOn: ["b", "c"], run: step }),
      b: task({ dependsOn: ["a"], run: step }),
      c: task({ dependsOn: ["a"], run: step }),
    },
  });
  assert.deepEqual(error.issues.map((issue) => issue.message), [
    "dependency cycle: a -> b -> a.",
    "dependency cycle: a -> c -> a.",
  ]);
});

Deno.test("normalize gives mixed problems the umbrella code", () => {
  const error = catchDefine({
    name: "app",
    tasks: {
      a: task({ dependsOn: ["b"], run: step }),
      b: task({ dependsOn: ["a"], run: step }),
    },
    jobs: { verify: job({ target: "a" }) },
    taskDefault: {},
  });
  assert.equal(error.code, ErrorCode.INVALID_PIPELINE);
  assert.deepEqual(error.issues.map((issue) => issue.code).sort(), [
    ErrorCode.DEPENDENCY_CYCLE,
    ErrorCode.UNKNOWN_FIELD,
  ]);
  assert.match(error.message, /\[ASYNC_PIPELINE_UNKNOWN_FIELD\] taskDefault: /);
  assert.match(error.message, /\[ASYNC_PIPELINE_DEPENDENCY_CYCLE\] tasks\.a\.dependsOn: /);
});

Deno.test("normalize rejects an unknown job target", () => {
  rejects(
    pipelineWith({ jobs: { verify: job({ target: "bulid" }) } }),
    ErrorCode.UNKNOWN_TASK,
    "jobs.verify.target",
    /Did you mean "build"/,
  );
});

Deno.test("normalize rejects an unknown trigger id", () => {
  rejects(
    pipelineWith({
      triggers: { push: trigger.github({ events: ["push"] }) },
      jobs: { verify: job({ target: "build", trigger: ["psuh"] }) },
    }),
    ErrorCode.UNKNOWN_TRIGGER,
    "jobs.verify.trigger",
    /Did you mean "push"/,
  );
});

Deno.test("unknown push trigger hints at a GitHub trigger", () => {
  rejects(
    pipelineWith({ jobs: { verify: job({ target: "build", trigger: ["push"] }) } }),
    ErrorCode.UNKNOWN_TRIGGER,
    "jobs.verify.trigger",
    /triggers: \{ push: trigger\.github\(\{ events: \["push"\] \}\) \}/,
  );
});

Deno.test("unknown custom trigger hints at a manual trigger", () => {
  rejects(
    pipelineWith({ jobs: { verify: job({ target: "build", trigger: ["nightly-run"] }) } }),
    ErrorCode.UNKNOWN_TRIGGER,
    "jobs.verify.trigger",
    /triggers: \{ "nightly-run": trigger\.manual\(\) \}/,
  );
});

Deno.test("normalize rejects an unknown cache store", () => {
  rejects(
    pipelineWith({ tasks: { build: task({ cache: "disk:local", run: step }) } }),
    ErrorCode.UNKNOWN_CACHE_STORE,
    "tasks.build.cache",
  );
  rejects(pipelineWith({ cache: "disk:local" }), ErrorCode.UNKNOWN_CACHE_STORE, "cache");
});

Deno.test("normalize suggests the store a cache ref abbreviates", () => {
  rejects(
    pipelineWith({ cache: "mem:x" }),
    ErrorCode.UNKNOWN_CACHE_STORE,
    "cache",
    /unknown store "mem"\. Did you mean "memory"\?/,
  );
});

Deno.test("normalize rejects prepare on a read-only path source", () => {
  rejects(
    pipelineWith({
      sources: { admin: source.path({ path: "../admin", prepare: [sh`pnpm install`] }) },
    }),
    ErrorCode.SOURCE_NOT_WRITABLE,
    "sources.admin",
    /writable: true/,
  );
});

Deno.test("normalize accepts prepare on a writable path source", () => {
  const pipeline = definePipeline(
    pipelineWith({
      sources: {
        admin: source.path({ path: "../admin", writable: true, prepare: [sh`pnpm install`] }),
      },
    }),
  );
  assert.equal(pipeline.sources.admin.type, "path");
});

for (
  const [field, pattern, message] of [
    ["inputs", "../shared/**", /escapes the project root: "\.\." segments are not allowed/],
    ["outputs", "/etc/passwd", /is an absolute path: patterns are relative to the project/],
    ["outputs", "dist/../../x", /escapes the project root/],
    ["inputs", "!../x", /escapes the project root/],
    ["inputs", "src/sub/../sub/a.txt", /contains a "\.\." segment, which patterns may not use/],
    ["outputs", "dist/./..", /contains a "\.\." segment/],
  ] as const
) {
  Deno.test(`normalize rejects ${field} ${pattern}`, () => {
    rejects(
      pipelineWith({ tasks: { build: task({ [field]: [pattern], run: step }) } }),
      ErrorCode.PATH_OUTSIDE_ROOT,
      `tasks.build.${field}[0]`,
      message,
    );
  });
}

Deno.test("normalize does not call an inner .. an escape", () => {
  const error = rejects(
    pipelineWith({ tasks: { build: task({ inputs: ["src/sub/../sub/a.txt"], run: step }) } }),
    ErrorCode.PATH_OUTSIDE_ROOT,
    "tasks.build.inputs[0]",
  );
  const issue = error.issues.find((candidate) => candidate.path === "tasks.build.inputs[0]");
  assert.doesNotMatch(issue?.message ?? "", /escapes/);
});

Deno.test("normalize rejects a task without steps", () => {
  rejects(
    pipelineWith({ tasks: { build: task({}) } }),
    ErrorCode.INVALID_FIELD,
    "tasks.build",
    /no steps/,
  );
});

Deno.test("normalize rejects non-string env values", () => {
  rejects(
    pipelineWith({ env: { PORT: 3000 as unknown as string } }),
    ErrorCode.INVALID_FIELD,
    "env.PORT",
    /Write "3000" as a string/,
  );
});

Deno.test("normalize collects every problem at once", () => {
  let caught: PipelineError | undefined;
  try {
    definePipeline({
      name: "app",
      tasks: {
        build: task({ run: step, timout: 5 } as never),
        test: task({ dependsOn: ["nope"], run: step, timeout: "forever" }),
      },
      jobs: { verify: job({ target: "missing" }) },
    });
  } catch (error) {
    caught = error as PipelineError;
  }
  assert.ok(caught);
  assert.deepEqual(caught.issues.map((issue) => issue.code).sort(), [
    ErrorCode.INVALID_DURATION,
    ErrorCode.UNKNOWN_FIELD,
    ErrorCode.UNKNOWN_TASK,
    ErrorCode.UNKNOWN_TASK,
  ]);
  assert.match(caught.message, /4 problems found/);
});

Deno.test("normalize rejects a task id that shadows a source", () => {
  rejects(
    pipelineWith({
      sources: { web: source.path({ path: "../web" }) },
      tasks: { "web:build": task({ run: step }) },
    }),
    ErrorCode.INVALID_FIELD,
    "tasks.web:build",
    /reserved/,
  );
});

Deno.test("normalize validates sync settings", () => {
  rejects(
    pipelineWith({ sync: { github: { nodeVersion: "24" } as never } }),
    ErrorCode.INVALID_FIELD,
    "sync.github.nodeVersion",
  );
  rejects(
    pipelineWith({ sync: { tasks: { targets: [{ path: "tools/x.json" }] } } }),
    ErrorCode.INVALID_FIELD,
    "sync.tasks.targets[0].path",
  );
  rejects(
    pipelineWith({ sync: { tasks: { jobs: ["nope"] } } }),
    ErrorCode.UNKNOWN_JOB,
    "sync.tasks.jobs",
  );
  rejects(
    pipelineWith({ sync: { gihtub: true } as never }),
    ErrorCode.UNKNOWN_FIELD,
    "sync.gihtub",
    /Did you mean "github"/,
  );
});

Deno.test("normalize validates hand-written triggers", () => {
  rejects(
    pipelineWith({ triggers: { nightly: { kind: "cron", cron: "0 25 * * *" } } }),
    ErrorCode.INVALID_CRON,
    "triggers.nightly.cron",
    /hour field "25"/,
  );
  rejects(
    pipelineWith({ triggers: { ci: { kind: "github", events: ["pushh" as "push"] } } }),
    ErrorCode.INVALID_TRIGGER,
    "triggers.ci.events[0]",
    /Did you mean "push"/,
  );
});

for (const id of ["--force", "", "a b"]) {
  Deno.test(`normalize rejects job id ${JSON.stringify(id)}`, () => {
    rejects(
      pipelineWith({ jobs: { [id]: job({ target: "build" }) } }),
      ErrorCode.INVALID_FIELD,
      `jobs[${JSON.stringify(id)}]`,
      /not a valid job id/,
    );
  });
}

Deno.test("normalize rejects run with steps", () => {
  rejects(
    pipelineWith({ tasks: { build: task({ run: sh`a`, steps: [sh`b`] }) } }),
    ErrorCode.TASK_ARGUMENT_CONFLICT,
    "tasks.build.steps",
  );
});

Deno.test("normalize rejects cache with a cache directive", () => {
  rejects(
    pipelineWith({ tasks: { build: task({ cache: false }, [cache.use("file:local"), sh`x`]) } }),
    ErrorCode.INVALID_FIELD,
    "tasks.build.cache",
    /also contains a cache\.use/,
  );
});

Deno.test("normalize rejects two cache directives", () => {
  rejects(
    pipelineWith({
      tasks: { build: task({}, [cache.use("file:local"), cache.use("memory:x"), sh`x`]) },
    }),
    ErrorCode.INVALID_FIELD,
    "tasks.build.cache",
    /2 cache\.use/,
  );
});

Deno.test("normalize reports taskDefaults problems once", () => {
  const error = rejects(
    {
      name: "app",
      taskDefaults: { test: { timeout: "5 min", dependsOn: ["biuld"], timout: "1s" } as never },
      tasks: {
        build: task({ run: step }),
        "test:unit": task({ run: step }),
        "test:e2e": task({ run: step }),
      },
    },
    ErrorCode.INVALID_DURATION,
    "taskDefaults.test.timeout",
  );
  assert.deepEqual(error.issues.map((issue) => issue.path).sort(), [
    "taskDefaults.test.dependsOn",
    "taskDefaults.test.timeout",
    "taskDefaults.test.timout",
  ]);
});

Deno.test("normalize warns on unmatched taskDefaults", () => {
  const pipeline = definePipeline({
    name: "app",
    taskDefaults: { tset: { timeout: "5m" } },
    tasks: { test: task({ run: step }) },
  });
  assert.equal(pipeline.warnings.length, 1);
  assert.equal(pipeline.warnings[0].path, "taskDefaults.tset");
  assert.match(pipeline.warnings[0].message, /matches no task id.*Did you mean "test"/);
});

Deno.test("normalize rejects github sync paths outside root", () => {
  rejects(
    pipelineWith({ sync: { github: { workflow: "../x.yml" } } }),
    ErrorCode.PATH_OUTSIDE_ROOT,
    "sync.github.workflow",
  );
  rejects(
    pipelineWith({ sync: { github: { lock: "/tmp/x.json" } } }),
    ErrorCode.PATH_OUTSIDE_ROOT,
    "sync.github.lock",
  );
});

Deno.test("normalize rejects durations beyond timer range", () => {
  rejects(
    pipelineWith({ tasks: { build: task({ run: step, timeout: "600h" }) } }),
    ErrorCode.INVALID_DURATION,
    "tasks.build.timeout",
  );
  rejects(
    pipelineWith({ tasks: { build: task({ run: step, timeout: Infinity }) } }),
    ErrorCode.INVALID_DURATION,
    "tasks.build.timeout",
    /invalid duration Infinity/,
  );
});

Deno.test("normalize suggests an array for a single input string", () => {
  rejects(
    // deno-lint-ignore no-explicit-any
    pipelineWith({ tasks: { build: task({ inputs: "src/**" as any, run: step }) } }),
    ErrorCode.INVALID_FIELD,
    "tasks.build.inputs",
    /got a string\. Wrap the value in an array: \["src\/\*\*"\]\./,
  );
});

Deno.test("normalize gives a fix for an empty output pattern", () => {
  rejects(
    pipelineWith({ tasks: { build: task({ outputs: [""], run: step }) } }),
    ErrorCode.INVALID_FIELD,
    "tasks.build.outputs[0]",
    /empty output pattern\. Write a glob relative to the project directory, such as "dist\/\*\*"/,
  );
});
