/**
 * Files of the user projects that the npm package tests install into. They
 * are strings, not modules of this repository, because they import
 * `@async/pipeline` the way a user's project does.
 *
 * @module
 */

/** `package.json` of an ES module project. */
export const PACKAGE_JSON = `${
  JSON.stringify({ name: "npm-fixture", private: true, type: "module" }, null, 2)
}\n`;

/**
 * The project's `pipeline.ts`. It uses syntax that only TypeScript accepts
 * (an interface, annotations, `import type`, `satisfies`), so loading it
 * proves that types were stripped or transpiled.
 */
export const PIPELINE_TS =
  `import { definePipeline, env, job, sh, task, trigger } from "@async/pipeline";
import type { PipelineConfig } from "@async/pipeline";

interface Greeting {
  readonly file: string;
  readonly text: string;
}

const greeting: Greeting = { file: "dist/greeting.txt", text: "hello from TypeScript" };
const writeGreeting: string =
  \`require("node:fs").mkdirSync("dist", { recursive: true }); \` +
  \`require("node:fs").writeFileSync(\${JSON.stringify(greeting.file)}, \${JSON.stringify(greeting.text)})\`;

const config = {
  name: "npm-fixture",
  sync: { github: true, tasks: true },
  triggers: {
    push: trigger.github({ events: ["push"], branches: ["main"] }),
  },
  tasks: {
    build: task({
      description: "Write the greeting",
      inputs: ["pipeline.ts"],
      outputs: [greeting.file],
      cache: true,
      run: sh\`node -e \${writeGreeting}\`,
    }),
    test: task({
      description: "Check the greeting",
      dependsOn: ["build"],
      run: sh\`node -e \${"process.exit(require('node:fs').existsSync('dist/greeting.txt') ? 0 : 1)"}\`,
    }),
    publish: task({
      description: "Stand-in for npm publish: needs the npm token",
      run: sh\`node -e \${"process.exit(process.env.NODE_AUTH_TOKEN ? 0 : 3)"}\`,
    }),
  },
  jobs: {
    verify: job({ target: "test", trigger: ["push"] }),
    publish: job({ target: "publish", env: { NODE_AUTH_TOKEN: env.secret("NPM_TOKEN") } }),
  },
} satisfies PipelineConfig;

export default definePipeline(config);
`;

/** A pipeline written as a plain ES module, loaded with `--config alt/pipeline.mjs`. */
export const PIPELINE_MJS = `import { definePipeline, job, sh, task } from "@async/pipeline";

export default definePipeline({
  name: "mjs-fixture",
  tasks: { hello: task({ run: sh\`node -e "console.log('hello')"\` }) },
  jobs: { verify: job({ target: "hello" }) },
});
`;

/**
 * A pipeline with an enum. Node's type stripping rejects enums, so on Node
 * with native TypeScript support it loads only through the jiti fallback.
 */
export const ENUM_PIPELINE_TS = `import { definePipeline, job, sh, task } from "@async/pipeline";

enum Step {
  Hello = "hello",
}

export default definePipeline({
  name: "enum-fixture",
  tasks: { [Step.Hello]: task({ run: sh\`node -e "console.log('hello')"\` }) },
  jobs: { verify: job({ target: Step.Hello }) },
});
`;

/**
 * `package.json` of a folder whose modules are CommonJS, as `npm init` writes
 * it. Node then rejects ES module syntax in its `.ts` files.
 */
export const COMMONJS_PACKAGE_JSON = `${
  JSON.stringify({ name: "commonjs-fixture", private: true, type: "commonjs" }, null, 2)
}\n`;

/** A pipeline written with ES module syntax, placed in the CommonJS folder. */
export const COMMONJS_PIPELINE_TS =
  `import { definePipeline, job, sh, task } from "@async/pipeline";

const name: string = "commonjs-fixture";

export default definePipeline({
  name,
  tasks: { hello: task({ run: sh\`node -e "console.log('hello')"\` }) },
  jobs: { verify: job({ target: "hello" }) },
});
`;

/**
 * A `node --test` file that imports every subpath of the package, checks
 * what each exports, and loads `pipeline.ts` through the public API.
 */
export const SUBPATHS_TEST_MJS = `import assert from "node:assert/strict";
import { test } from "node:test";

test("root subpath exports the authoring API", async () => {
  const root = await import("@async/pipeline");
  for (const name of ["definePipeline", "task", "job", "sh", "dependsOn"]) {
    assert.equal(typeof root[name], "function", name);
  }
  assert.equal(typeof root.env.secret, "function");
  assert.equal(typeof root.trigger.github, "function");
  assert.equal(typeof root.source.path, "function");
});

test("core subpath exports definePipeline", async () => {
  const core = await import("@async/pipeline/core");
  assert.equal(typeof core.definePipeline, "function");
  assert.equal(typeof core.PipelineError, "function");
});

test("node subpath loads pipeline.ts", async () => {
  const node = await import("@async/pipeline/node");
  const loaded = await node.loadPipeline(process.cwd());
  assert.equal(loaded.pipeline.name, "npm-fixture");
  assert.deepEqual(Object.keys(loaded.pipeline.jobs).sort(), ["publish", "verify"]);
});

test("runtime subpath runs a task", async () => {
  const { createRuntime, defineRuntime, task } = await import("@async/pipeline/runtime");
  const work = defineRuntime([task({ id: "greet" }, async () => "hello")]);
  const result = await createRuntime(work).run();
  assert.equal(result.status, "passed");
  assert.deepEqual(result.tasks.map((each) => [each.id, each.value]), [["greet", "hello"]]);
});

test("lima subpath loads", async () => {
  const lima = await import("@async/pipeline/lima");
  assert.notEqual(Object.keys(lima).length, 0);
});

test("cli subpath imports without running", async () => {
  const cli = await import("@async/pipeline/cli");
  assert.equal(typeof cli.main, "function");
  assert.equal(process.exitCode, undefined);
});
`;

/**
 * A script named `main.js` that imports the CLI module. Importing it must not
 * start the CLI, whatever the importing script is called.
 */
export const IMPORTS_CLI_MAIN_JS = `import { main } from "@async/pipeline/cli";

console.log(typeof main);
`;

/**
 * A \`node --test\` file doing what the API reference's \`runJob\` example does:
 * it runs the publish job with \`NPM_TOKEN\` faked, then with the rendered key
 * \`NODE_AUTH_TOKEN\`, and checks that a missing token fails before the task.
 */
export const PUBLISH_TEST_MJS = `import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPipeline, runJob } from "@async/pipeline/node";

const { pipeline } = await loadPipeline(process.cwd());

test("publish passes with a fake NPM_TOKEN", async () => {
  const record = await runJob(pipeline, {
    id: "publish",
    mode: "ci",
    cwd: process.cwd(),
    env: { ...process.env, NPM_TOKEN: "fake-token" },
  });
  assert.equal(record.status, "passed");
  assert.equal(record.mode, "ci");
  assert.deepEqual(record.tasks.map((each) => [each.id, each.status]), [["publish", "passed"]]);
});

test("publish accepts the rendered NODE_AUTH_TOKEN", async () => {
  const record = await runJob(pipeline, {
    id: "publish",
    cwd: process.cwd(),
    env: { PATH: process.env.PATH, NODE_AUTH_TOKEN: "fake-token" },
  });
  assert.equal(record.status, "passed");
});

test("publish without a token fails early", async () => {
  await assert.rejects(
    runJob(pipeline, { id: "publish", cwd: process.cwd(), env: { PATH: process.env.PATH } }),
    (error) => error.code === "ASYNC_PIPELINE_MISSING_SECRET" && !error.message.includes("fake"),
  );
});
`;

/**
 * A pipeline whose tasks run until they are stopped: `hold` writes
 * `hold.started` and waits, `ticks` prints a line every 50 ms.
 */
export const SIGNALS_PIPELINE_TS = `import { definePipeline, job, sh, task } from "@async/pipeline";

export default definePipeline({
  name: "signals-fixture",
  tasks: {
    hold: task({ run: sh\`echo started > hold.started; sleep 60 & wait\` }),
    ticks: task({ run: sh\`while :; do echo tick; sleep 0.05; done\` }),
  },
  jobs: {
    hold: job({ target: "hold" }),
    ticks: job({ target: "ticks" }),
  },
});
`;

/**
 * Enough chained tasks that the runner starts its spawner process under Node,
 * then a task whose timeout must stop a grandchild, and one that waits until
 * it is interrupted.
 */
export const MANY_PIPELINE_TS = `import { definePipeline, job, sh, task } from "@async/pipeline";

const tasks: Record<string, ReturnType<typeof task>> = {};
for (let i = 0; i < 60; i++) {
  tasks[\`step\${i}\`] = task({
    dependsOn: i === 0 ? [] : [\`step\${i - 1}\`],
    run: sh\`echo out-\${String(i)}; echo err-\${String(i)} >&2\`,
  });
}
// A pause after the chain gives the spawner time to start, even on a busy machine.
tasks.pause = task({ dependsOn: ["step59"], run: sh\`sleep 1\` });
tasks.slow = task({
  dependsOn: ["pause"],
  timeout: "500ms",
  run: sh\`sleep 60 & echo $! > slow.pid; wait\`,
});
tasks.hold = task({
  dependsOn: ["pause"],
  run: sh\`sleep 60 & echo $! > hold.pid; wait\`,
});

export default definePipeline({
  name: "many-fixture",
  tasks,
  jobs: {
    slow: job({ target: "slow" }),
    hold: job({ target: "hold" }),
  },
});
`;

/** A function step that prints a secret with `console.log` and `process.stdout.write`. */
export const CONSOLE_PIPELINE_TS =
  `import { definePipeline, env, job, task } from "@async/pipeline";

export default definePipeline({
  name: "console-fixture",
  tasks: {
    speak: task({
      cache: false,
      run: async (ctx) => {
        console.log("console " + ctx.env.TOKEN);
        process.stdout.write("write " + ctx.env.TOKEN + "\\n");
        // This error fails the task, and its message stays out of the task's output.
        setTimeout(() => {
          throw new Error("thrown from a timer");
        }, 1);
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
    }),
  },
  jobs: { speak: job({ target: "speak", env: { TOKEN: env.secret("CONSOLE_TOKEN") } }) },
});
`;

/** A TypeScript consumer that type-checks every subpath's declarations. */
export const CONSUMER_TS =
  `import { definePipeline, job, sh, task, type Pipeline } from "@async/pipeline";
import { PipelineError } from "@async/pipeline/core";
import { loadPipeline, type LoadedPipeline } from "@async/pipeline/node";
import { createRuntime, defineRuntime, task as runtimeTask } from "@async/pipeline/runtime";
import * as lima from "@async/pipeline/lima";
import { main } from "@async/pipeline/cli";

const pipeline: Pipeline = definePipeline({
  name: "typed",
  tasks: { a: task({ run: sh\`true\` }) },
  jobs: { verify: job({ target: "a" }) },
});
const load: (cwd: string) => Promise<LoadedPipeline> = loadPipeline;
const run: (argv?: readonly string[]) => Promise<number> = main;
const embedded = createRuntime(defineRuntime([runtimeTask({ id: "greet" }, async () => "hello")]));
const subpaths: object[] = [embedded, lima];
export { load, pipeline, PipelineError, run, subpaths };
`;

/**
 * `tsconfig.json` for the consumer: Node's module resolution, and library
 * checking on, so the package's `.d.ts` files are checked. TypeScript's own
 * `lib` files are skipped to save time.
 */
export function consumerTsconfig(typeRoots: string): string {
  return `${
    JSON.stringify(
      {
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          skipDefaultLibCheck: true,
          types: ["node"],
          typeRoots: [typeRoots],
        },
        files: ["consumer.ts"],
      },
      null,
      2,
    )
  }\n`;
}

/** A pipeline whose one task is cached after its first run. */
export const CACHED_PIPELINE_TS = `import { definePipeline, job, sh, task } from "@async/pipeline";

export default definePipeline({
  name: "cached-fixture",
  tasks: {
    copy: task({
      inputs: ["src/**"],
      outputs: ["dist/**"],
      cache: true,
      run: sh\`mkdir -p dist && cp src/input.txt dist/output.txt\`,
    }),
  },
  jobs: { copy: job({ target: "copy" }) },
});
`;

/**
 * A module for \`node --import\` that writes, at exit, the Node built-in
 * modules the process loaded after it (one a line) to the file named by
 * \`LOADED_BUILTINS_FILE\`.
 */
export const LOADED_BUILTINS_MJS = `import { writeFileSync } from "node:fs";

const before = new Set(process.moduleLoadList);
process.on("exit", () => {
  const loaded = process.moduleLoadList
    .filter((entry) => !before.has(entry) && entry.startsWith("NativeModule "))
    .map((entry) => entry.slice("NativeModule ".length));
  writeFileSync(process.env.LOADED_BUILTINS_FILE, loaded.join("\\n") + "\\n");
});
`;
