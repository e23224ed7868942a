/** Tag triggers through the CLI: `github run`, `github generate` and `metadata` on real files. */

import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { tempDir } from "./support/temp_files.ts";

const SOURCE = `
import { definePipeline, env, job, sh, task, trigger } from ${JSON.stringify(MOD_URL)};

export default definePipeline({
  name: "app",
  triggers: {
    pr: trigger.github({ events: ["pull_request"] }),
    main: trigger.github({ events: ["push"], branches: ["main"] }),
    release: trigger.github({ events: ["push"], tags: ["v*"] }),
  },
  tasks: {
    test: task({ run: sh\`node -e "process.exit(0)"\` }),
    publish: task({ dependsOn: ["test"], run: sh\`node -e "process.exit(0)"\` }),
  },
  jobs: {
    ci: job({ target: "test", trigger: ["pr", "main"] }),
    release: job({
      target: "publish",
      trigger: ["release"],
      env: { NODE_AUTH_TOKEN: env.secret("NPM_TOKEN") },
    }),
  },
});
`;

async function project(): Promise<string> {
  const dir = await tempDir("tags-cli-");
  await writeFile(join(dir, "pipeline.ts"), SOURCE);
  await writeFile(join(dir, "package.json"), "{}\n");
  await writeFile(join(dir, "package-lock.json"), '{ "lockfileVersion": 3 }\n');
  return dir;
}

/** Runs `github run` for a push of `ref` and returns the output and the jobs that ran. */
async function githubRunPush(ref: string) {
  const dir = await project();
  const payload = join(dir, "push.json");
  await writeFile(payload, JSON.stringify({ ref }));
  const result = await cli(dir, ["github", "run"], {
    PATH: process.env.PATH,
    CI: "true",
    GITHUB_EVENT_NAME: "push",
    GITHUB_EVENT_PATH: payload,
    GITHUB_REF: ref,
    GITHUB_BASE_REF: "",
    NPM_TOKEN: "token-for-tests",
  });
  const runs = await readdir(join(dir, ".async/runs")).catch(() => [] as string[]);
  const jobs: string[] = [];
  for (const run of runs.sort()) {
    const record = JSON.parse(
      await readFile(join(dir, ".async/runs", run, "execution.json"), "utf8"),
    );
    jobs.push(`${record.jobId} ${record.status}`);
  }
  return { ...result, jobs };
}

Deno.test("cli github run starts the tag job for a version tag", async () => {
  const result = await githubRunPush("refs/tags/v1.2.0");
  assert.equal(result.stderr, "");
  assert.equal(result.code, 0);
  assert.deepEqual(result.jobs, ["release passed"]);
  assert.match(result.stdout, /^GitHub event: push of tag v1\.2\.0\n/);
  assert.match(
    result.stdout,
    /\nselected release: trigger "release" matches tag v1\.2\.0 \(pattern "v\*"\)\n/,
  );
  assert.match(result.stdout, /\nskipped ci: no trigger matches \("pr", "main"\)\n/);
});

Deno.test("cli github run leaves the tag job out of a branch push", async () => {
  const result = await githubRunPush("refs/heads/main");
  assert.equal(result.code, 0);
  assert.deepEqual(result.jobs, ["ci passed"]);
  assert.match(result.stdout, /\nskipped release: no trigger matches \("release"\)\n/);
});

Deno.test("cli github run starts nothing for another tag", async () => {
  const result = await githubRunPush("refs/tags/nightly");
  assert.equal(result.code, 0);
  assert.deepEqual(result.jobs, []);
  assert.match(result.stdout, /\nNo job matches push of tag nightly\.\n$/);
});

Deno.test("cli github generate writes tag filters that check accepts", async () => {
  const dir = await project();
  const generated = await cli(dir, ["github", "generate"]);
  assert.equal(generated.code, 0, generated.stderr);
  const text = await readFile(join(dir, ".github/workflows/async-pipeline.yml"), "utf8");
  assert.match(
    text,
    /\non:\n {2}push:\n {4}branches:\n {6}- main\n {4}tags:\n {6}- v\*\n {2}pull_request:\n/,
  );
  assert.match(
    text,
    /\n {4}if: github\.event_name == 'push' && startsWith\(github\.ref, 'refs\/tags\/'\)\n/,
  );
  const checked = await cli(dir, ["github", "check"]);
  assert.equal(checked.code, 0, checked.stderr);
});

Deno.test("cli metadata text shows tags next to branches", async () => {
  const dir = await project();
  const result = await cli(dir, ["metadata"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\n {2}main: github push branches main\n/);
  assert.match(result.stdout, /\n {2}release: github push tags v\*\n/);
});

Deno.test("cli metadata json carries the tags", async () => {
  const dir = await project();
  const result = await cli(dir, ["metadata", "--format", "json"]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout).triggers.release, {
    kind: "github",
    events: ["push"],
    tags: ["v*"],
  });
});
