/** Secret values in file names: masked in the run summary, `explain`, records and warnings. */

import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, job, sh, task } from "../mod.ts";
import { defaultTaskCache, executeRun } from "../node/runner/run_job.ts";
import type { RunEvent } from "../node/runner/events.ts";
import { filesContaining } from "./cache_fixture.ts";
import { cliCall } from "./support/cli.ts";
import { baseEnv, makeProject } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const SECRET = "s3cr3t-VALUE-42";

/** A pipeline whose job `plain` does not know the value as a secret and job `sec` does. */
const PIPELINE = `import { definePipeline, env, job, sh, task } from "@mod";
export default definePipeline({
  name: "names",
  cache: "file:local",
  tasks: { scan: task({ inputs: ["sin/**"] }, sh\`ls sin\`) },
  jobs: {
    plain: job({ target: "scan" }),
    sec: job({ target: "scan", env: { TOKEN: env.secret("MY_TOKEN") } }),
  },
});
`;

/** Makes the project, runs `plain` with a file named after the secret, then removes the file. */
async function removedSecretName(): Promise<string> {
  const dir = await makeProject(PIPELINE);
  const sin = join(dir, "sin");
  await Deno.mkdir(sin);
  await writeFile(join(sin, `in-${SECRET}.txt`), "x");
  await writeFile(join(sin, "keep.txt"), "y");
  const first = await cliCall(dir, ["run", "plain"], { env: baseEnv({ MY_TOKEN: SECRET }) });
  assert.equal(first.code, 0, first.stderr);
  await rm(join(sin, `in-${SECRET}.txt`));
  return dir;
}

Deno.test("summary masks secret input path", async () => {
  const dir = await removedSecretName();
  const run = await cliCall(dir, ["run", "sec"], { env: baseEnv({ MY_TOKEN: SECRET }) });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /scan: input removed: sin\/in-\*\*\*\.txt/);
  assert.ok(!run.stdout.includes(SECRET), run.stdout);
});

Deno.test("JSON record masks secret input path", async () => {
  const dir = await removedSecretName();
  const env = baseEnv({ MY_TOKEN: SECRET });
  const run = await cliCall(dir, ["run", "sec", "--format", "json"], { env });
  const record = JSON.parse(run.stdout);
  assert.deepEqual(record.tasks[0].cacheMiss.inputs.removed, ["sin/in-***.txt"]);
  assert.ok(!run.stdout.includes(SECRET));
});

Deno.test("explain masks secret input path", async () => {
  const dir = await removedSecretName();
  const env = baseEnv({ MY_TOKEN: SECRET });
  await cliCall(dir, ["run", "sec"], { env });
  const text = await cliCall(dir, ["explain", "scan"], { env });
  assert.match(text.stdout, /input removed: sin\/in-\*\*\*\.txt/);
  assert.ok(!text.stdout.includes(SECRET), text.stdout);
  const json = await cliCall(dir, ["explain", "scan", "--format", "json"], { env });
  assert.deepEqual(JSON.parse(json.stdout).cacheMiss.inputs.removed, ["sin/in-***.txt"]);
  assert.ok(!json.stdout.includes(SECRET), json.stdout);
});

Deno.test("secret input name stays off disk", async () => {
  const dir = await makeProject(PIPELINE);
  await Deno.mkdir(join(dir, "sin"));
  await writeFile(join(dir, "sin", `in-${SECRET}.txt`), "x");
  const env = baseEnv({ MY_TOKEN: SECRET });
  const first = await cliCall(dir, ["run", "sec"], { env });
  await writeFile(join(dir, "sin", `in2-${SECRET}.txt`), "x");
  const second = await cliCall(dir, ["run", "sec"], { env });
  assert.match(second.stdout, /scan: secret value in an input name: sin\/in-\*\*\*\.txt/);
  assert.match(
    second.stdout,
    /warning: task "scan" runs uncached: the name of its input sin\/in-\*\*\*\.txt contains a secret value/,
  );
  const explained = await cliCall(dir, ["explain", "scan"], { env });
  assert.match(explained.stdout, /the name of its input sin\/in-\*\*\*\.txt contains a secret/);
  const all = [first, second, explained].map((call) => call.stdout + call.stderr).join("");
  assert.ok(!all.includes(SECRET), all);
  assert.deepEqual(await filesContaining(dir, SECRET), []);
});

Deno.test("damaged entry warning masks secret", async () => {
  const cwd = await Deno.realPath(await tempDir("async-secret-names-"));
  const build = (requires: { secrets?: string[] }) =>
    definePipeline({
      name: "outnames",
      cache: "file:local",
      tasks: {
        out: task(
          { inputs: [], outputs: ["sname/**"], requires },
          sh`mkdir -p sname && touch "sname/name-$MY_TOKEN.txt"`,
        ),
      },
      jobs: { out: job({ target: "out" }) },
    });
  const env = baseEnv({ MY_TOKEN: SECRET });
  // Without `requires.secrets` the value is no secret of the run, so the entry keeps the name.
  const first = await executeRun(build({}), { id: "out", cwd, env }, {
    createCache: defaultTaskCache,
  });
  assert.equal(first.tasks[0].cacheKey !== undefined, true);
  const entry = join(cwd, ".async/cache/tasks/local", first.tasks[0].cacheKey!);
  await rm(join(entry, "files"), { recursive: true });
  await rm(join(cwd, "sname"), { recursive: true });

  const events: RunEvent[] = [];
  const record = await executeRun(
    build({ secrets: ["MY_TOKEN"] }),
    { id: "out", cwd, env },
    { createCache: defaultTaskCache, onEvent: (event) => events.push(event) },
  );
  const finished = events.find((event) => event.type === "task-finished");
  assert.ok(finished?.type === "task-finished");
  const warnings = finished.result.warnings ?? [];
  assert.equal(warnings.length, 2, warnings.join("\n"));
  assert.match(warnings[0], /is damaged \(.*sname\/name-\*\*\*\.txt/);
  assert.match(warnings[1], /the name of its output sname\/name-\*\*\*\.txt contains a secret/);
  const reason = record.tasks[0].cacheMiss;
  assert.equal(reason?.kind, "restore-failed");
  const printed = JSON.stringify([warnings, reason, finished.result.cacheMiss]);
  assert.ok(!printed.includes(SECRET), printed);
  const stored = await readFile(join(cwd, ".async/runs", record.id, "execution.json"), "utf8");
  assert.ok(!stored.includes(SECRET));
});
