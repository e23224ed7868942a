/**
 * Build, test and pack a small TypeScript library.
 *
 * Run it from this directory with the repository's CLI:
 * `../../node_modules/.bin/deno run -A ../../cli/main.ts run release`.
 */

import { definePipeline, job, sh, task } from "../../mod.ts";

// The TypeScript compiler installed at the repository root.
const tsc = sh.raw("../../node_modules/.bin/tsc");

export default definePipeline({
  name: "slug",
  tasks: {
    build: task({
      description: "Compile src/ to dist/ with declarations",
      requires: { tools: ["node"] },
      run: [sh`rm -rf dist`, sh`${tsc} -p tsconfig.json`],
    }),
    test: task({
      description: "Run the tests against the compiled output",
      dependsOn: ["build"],
      requires: { runtimes: ["node"] },
      run: sh`node --test --test-reporter=spec test/*.test.mjs`,
    }),
    pack: task({
      description: "Write the npm tarball to dist/",
      dependsOn: ["build"],
      requires: { tools: ["npm"] },
      run: sh`npm pack --pack-destination dist --silent`,
    }),
  },
  jobs: {
    release: job({ description: "Build, test and pack", target: ["test", "pack"] }),
  },
});
