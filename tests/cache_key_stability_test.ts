/**
 * Cache keys of tasks that are not source tasks stay what they were, so
 * entries stored by earlier versions keep hitting. The keys below were
 * computed before source tasks got their own part of the key manifest.
 */

import assert from "node:assert/strict";
import process from "node:process";
import { definePipeline, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import { makeProject } from "./cache_fixture.ts";
import { baseEnv } from "./support/projects.ts";

/** Keys of `build` and `test` on the platforms they were pinned on. */
const PINNED: Record<string, { build: string; test: string }> = {
  "linux-x64": {
    build: "61b9e94bf57b6defae9fd98be0fcdf67574376397ddf230116c557c5403d2d42",
    test: "1385ddb6b618a6028a638b962f1c364f132892634f6b71db99f444ef0e780d0b",
  },
};

const platform = `${process.platform}-${process.arch}`;

Deno.test({
  name: "plain task keys are unchanged",
  ignore: PINNED[platform] === undefined,
  fn: async () => {
    const dir = await makeProject({ "src/a.txt": "a\n", "src/b.txt": "b\n" });
    const pipeline = definePipeline({
      name: "pinned",
      cache: "file:local",
      env: { MODE: "release" },
      tasks: {
        build: task(
          { inputs: ["src/**"], outputs: ["dist/**"] },
          sh`mkdir -p dist && cat src/a.txt src/b.txt > dist/all.txt`,
        ),
        test: task({ dependsOn: ["build"], inputs: ["dist/**"] }, sh`cat dist/all.txt`),
      },
      jobs: { verify: job({ target: "test" }) },
    });
    const record = await runJob(pipeline, { id: "verify", cwd: dir, env: baseEnv() });
    assert.equal(record.status, "passed");
    const keys = Object.fromEntries(record.tasks.map((result) => [result.id, result.cacheKey]));
    assert.deepEqual(keys, PINNED[platform]);
  },
});
