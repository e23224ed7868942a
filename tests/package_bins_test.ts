/** `node_modules/.bin` directories on the `PATH` of shell steps and `ctx.command`. */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { definePipeline } from "../core/pipeline.ts";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import {
  pathWithoutPackageBins,
  pathWithPackageBins,
  withPackageBins,
} from "../node/executor/package_bins.ts";
import { HostCommandExecutor } from "../node/executor/host.ts";
import { directCommandRunner } from "../node/runner/command.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const someTask = definePipeline({ name: "p", tasks: { t: task({ run: sh`true` }) } }).tasks.t;

/** Writes an executable shell script at `path`. */
async function writeScript(path: string, body: string): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

/** Creates a project with a `hello` tool in its `node_modules/.bin` and an empty `packages/app`. */
async function projectWithTool(): Promise<string> {
  const dir = await Deno.realPath(await tempDir());
  await writeScript(join(dir, "node_modules/.bin/hello"), 'echo "hello from $(basename "$PWD")"');
  await mkdir(join(dir, "packages/app"), { recursive: true });
  return dir;
}

/** Makes `node_modules/.bin` in each of `dirs` under a new project and returns the project. */
async function withBins(...dirs: string[]): Promise<string> {
  const root = await Deno.realPath(await tempDir());
  for (const dir of dirs) await mkdir(join(root, dir, "node_modules/.bin"), { recursive: true });
  await mkdir(join(root, "packages/app"), { recursive: true });
  return root;
}

Deno.test("pathWithPackageBins puts existing bins first, nearest first", async () => {
  const root = await withBins("", "packages/app");
  assert.equal(
    pathWithPackageBins(join(root, "packages/app"), "/usr/bin:/bin"),
    `${root}/packages/app/node_modules/.bin:${root}/node_modules/.bin:/usr/bin:/bin`,
  );
});

Deno.test("pathWithPackageBins leaves out directories already on PATH", async () => {
  const root = await withBins("", "packages/app");
  assert.equal(
    pathWithPackageBins(join(root, "packages/app"), `${root}/node_modules/.bin:/usr/bin`),
    `${root}/packages/app/node_modules/.bin:${root}/node_modules/.bin:/usr/bin`,
  );
});

Deno.test("pathWithPackageBins returns PATH itself without bins", async () => {
  const root = await withBins();
  assert.equal(pathWithPackageBins(join(root, "packages/app"), "/usr/bin"), "/usr/bin");
});

Deno.test("pathWithPackageBins without a PATH lists the bins only", async () => {
  const root = await withBins("");
  assert.equal(pathWithPackageBins(root, undefined), `${root}/node_modules/.bin`);
});

Deno.test("pathWithPackageBins sees a bin directory made after an earlier call", async () => {
  const root = await withBins();
  assert.equal(pathWithPackageBins(root, "/usr/bin"), "/usr/bin");
  await mkdir(join(root, "node_modules/.bin"), { recursive: true });
  assert.equal(pathWithPackageBins(root, "/usr/bin"), `${root}/node_modules/.bin:/usr/bin`);
});

Deno.test("host shell step finds a tool in a parent's node_modules/.bin", async () => {
  const dir = await projectWithTool();
  const result = await new HostCommandExecutor().runShell("hello", {
    cwd: join(dir, "packages/app"),
    env: baseEnv({ PATH: "/usr/bin:/bin" }),
    task: someTask,
  });
  assert.equal(result.stderr, "");
  assert.equal(result.stdout, "hello from app\n");
  assert.equal(result.code, 0);
});

Deno.test("host shell step keeps the shell of the run's PATH", async () => {
  const dir = await projectWithTool();
  const marker = join(dir, "fake-sh-ran");
  await writeScript(join(dir, "node_modules/.bin/sh"), `touch ${marker}; exit 9`);
  const result = await new HostCommandExecutor().runShell("echo real shell", {
    cwd: dir,
    env: baseEnv({ PATH: "/usr/bin:/bin" }),
    task: someTask,
  });
  assert.equal(result.stdout, "real shell\n");
  assert.equal(existsSync(marker), false);
});

Deno.test("host checkTool finds a tool in node_modules/.bin", async () => {
  const dir = await projectWithTool();
  const executor = new HostCommandExecutor({
    path: "/usr/bin:/bin",
    cwd: join(dir, "packages/app"),
  });
  assert.equal(await executor.checkTool("hello"), true);
  assert.equal(await executor.checkTool("no-such-tool-here"), false);
});

Deno.test("ctx.command finds a tool in node_modules/.bin", async () => {
  const dir = await projectWithTool();
  const result = await directCommandRunner(["hello"], {
    cwd: join(dir, "packages/app"),
    env: baseEnv({ PATH: "/usr/bin:/bin" }),
    secretValues: [],
  });
  assert.equal(result.stdout, "hello from app\n");
  assert.equal(result.code, 0);
});

Deno.test("run finds a tool in node_modules/.bin without npx", async () => {
  const dir = await projectWithTool();
  await writeFile(
    join(dir, "pipeline.ts"),
    `import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "bins",
  tasks: { greet: task({ requires: { tools: ["hello"] } }, sh\`hello > greeting.txt\`) },
  jobs: { main: job({ target: "greet" }) },
});
`,
  );
  const env = baseEnv();
  env.PATH = (env.PATH ?? "").split(":").filter((entry) => !entry.includes("node_modules"))
    .join(":");
  const result = await cli(dir, ["run", "main"], env);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await readFile(join(dir, "greeting.txt"), "utf8"), `hello from ${basename(dir)}\n`);
});

Deno.test("withPackageBins shares one frozen copy among directories with the same bins", async () => {
  const root = await withBins("");
  await mkdir(join(root, "packages/lib"), { recursive: true });
  const env = Object.freeze({ PATH: "/usr/bin", HOME: "/home/u" });
  const app = withPackageBins(env, join(root, "packages/app"));
  assert.equal(Object.isFrozen(app), true);
  assert.equal(withPackageBins(env, join(root, "packages/lib")), app);
  assert.equal(app.HOME, "/home/u");
  assert.equal(app.PATH, `${root}/node_modules/.bin:/usr/bin`);
});

Deno.test("withPackageBins returns env itself without bins", async () => {
  const root = await withBins();
  const env = Object.freeze({ PATH: "/usr/bin" });
  assert.equal(withPackageBins(env, root), env);
});

Deno.test("pathWithoutPackageBins drops node_modules/.bin directories", () => {
  assert.equal(
    pathWithoutPackageBins("/repo/node_modules/.bin:/usr/bin:/opt/.bin:/bin"),
    "/usr/bin:/opt/.bin:/bin",
  );
  assert.equal(pathWithoutPackageBins("/usr/bin:/bin"), "/usr/bin:/bin");
});

Deno.test("host shell step ignores an sh in a node_modules/.bin the PATH lists", async () => {
  const dir = await projectWithTool();
  const marker = join(dir, "fake-sh-ran");
  await writeScript(join(dir, "node_modules/.bin/sh"), `touch ${marker}; exit 0`);
  const result = await new HostCommandExecutor().runShell("echo real shell; exit 4", {
    cwd: dir,
    env: baseEnv({ PATH: `${dir}/node_modules/.bin:/usr/bin:/bin` }),
    task: someTask,
  });
  assert.equal(result.stdout, "real shell\n");
  assert.equal(result.code, 4);
  assert.equal(existsSync(marker), false);
});

Deno.test("ctx.command keeps the system's setsid and sh", async () => {
  const dir = await projectWithTool();
  const marker = join(dir, "fake-ran");
  for (const name of ["setsid", "sh"]) {
    await writeScript(join(dir, `node_modules/.bin/${name}`), `touch ${marker}; echo fake; exit 0`);
  }
  const options = { cwd: dir, env: baseEnv({ PATH: "/usr/bin:/bin" }), secretValues: [] };
  const failing = await directCommandRunner(["false"], options);
  assert.equal(failing.code, 1);
  const echo = await directCommandRunner(["echo", "hello"], options);
  assert.equal(echo.stdout, "hello\n");
  assert.equal(existsSync(marker), false);
});
