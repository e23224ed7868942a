import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { lockPathFor } from "../node/github/files.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { assertValidWorkflow } from "./helpers/workflow_lint.ts";
import { tempDir } from "./support/temp_files.ts";

const WORKFLOW = ".github/workflows/async-pipeline.yml";
const LOCK = ".github/async-pipeline.lock.json";

const PIPELINE = `
import { definePipeline, job, sh, task, trigger } from "${MOD_URL}";

export default definePipeline({
  name: "app",
  triggers: { main: trigger.github({ events: ["push"], branches: ["main"] }) },
  sync: { github: true },
  tasks: { test: task({ run: sh\`node --test\` }) },
  jobs: { verify: job({ target: "test", trigger: ["main"] }) },
});
`;

async function withProject(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir("github-lock-");
  try {
    await writeFile(join(dir, "pipeline.ts"), PIPELINE);
    await writeFile(join(dir, "package.json"), "{}\n");
    await writeFile(join(dir, "package-lock.json"), "{}\n");
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const read = (dir: string, path: string) => readFile(join(dir, path), "utf8");

Deno.test("lock path follows the workflow", () => {
  assert.equal(lockPathFor(WORKFLOW), LOCK);
  assert.equal(lockPathFor(".github/workflows/release.yaml"), ".github/release.lock.json");
  assert.equal(lockPathFor("ci/flow.yml"), "ci/flow.lock.json");
  assert.equal(lockPathFor("flow.yml"), "flow.lock.json");
});

Deno.test("workflow flag keeps the default lock", async () => {
  await withProject(async (dir) => {
    assert.equal((await cli(dir, ["github", "generate"])).code, 0);
    const defaultLock = await read(dir, LOCK);

    const other = await cli(dir, [
      "github",
      "generate",
      "--workflow",
      ".github/workflows/other.yml",
    ]);
    assert.equal(other.stderr, "");
    assert.equal(
      other.stdout,
      "wrote .github/workflows/other.yml\nwrote .github/other.lock.json\n",
    );
    await assertValidWorkflow(await read(dir, ".github/workflows/other.yml"));
    assert.equal(
      JSON.parse(await read(dir, ".github/other.lock.json")).options.workflow,
      ".github/workflows/other.yml",
    );
    assert.equal(await read(dir, LOCK), defaultLock);

    const check = await cli(dir, ["github", "check"]);
    assert.equal(check.stdout, "GitHub workflow is current.\n");
    assert.equal(check.code, 0);
    const checkOther = await cli(dir, [
      "github",
      "check",
      "--workflow",
      ".github/workflows/other.yml",
    ]);
    assert.equal(checkOther.code, 0);
  });
});

Deno.test("workflow flag names only itself in header", async () => {
  await withProject(async (dir) => {
    await cli(dir, ["github", "generate", "--workflow", "ci/flow.yml"]);
    assert.match(
      await read(dir, "ci/flow.yml"),
      /\n# Regenerate it with: async-pipeline sync github generate --workflow ci\/flow\.yml\n/,
    );
    await cli(dir, ["github", "generate", "--workflow", "ci/flow.yml", "--lock", "ci/other.json"]);
    assert.match(
      await read(dir, "ci/flow.yml"),
      /\n# Regenerate it with: async-pipeline sync github generate --workflow ci\/flow\.yml --lock ci\/other\.json\n/,
    );
  });
});

Deno.test("check without lock gives no hash reason", async () => {
  await withProject(async (dir) => {
    await cli(dir, ["github", "generate"]);
    const edited = (await read(dir, WORKFLOW)).replace("ubuntu-latest", "ubuntu-22.04");
    await writeFile(join(dir, WORKFLOW), edited);
    await rm(join(dir, LOCK));

    const result = await cli(dir, ["github", "check"]);
    assert.equal(result.code, 1);
    const [first] = result.stdout.split("\n");
    assert.equal(
      first,
      `stale    ${WORKFLOW}: the lock is missing, so a hand edit cannot be told from a pipeline change`,
    );
    assert.ok(result.stdout.includes(`\nmissing  ${LOCK}\n`), result.stdout);
    assert.doesNotMatch(result.stdout, /records a different hash/);
  });
});

Deno.test("check with unreadable lock names it", async () => {
  await withProject(async (dir) => {
    await cli(dir, ["github", "generate"]);
    const edited = (await read(dir, WORKFLOW)).replace("ubuntu-latest", "ubuntu-22.04");
    await writeFile(join(dir, WORKFLOW), edited);
    await writeFile(join(dir, LOCK), "not json\n");

    const result = await cli(dir, ["github", "check"]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stdout.split("\n")[0],
      `stale    ${WORKFLOW}: the lock records no workflow hash, so a hand edit cannot be told from a pipeline change`,
    );
  });
});
