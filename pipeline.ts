/**
 * This repository's own pipeline. `npx deno task verify` runs the verify job
 * through the CLI: type check, lint, format check and the test suite. The
 * three static checks are cached on the source files, so a second run with no
 * edits restores them; the test suite always runs.
 */

import { definePipeline, job, sh, task, trigger } from "./mod.ts";

const deno = sh.raw("./node_modules/.bin/deno");

export default definePipeline({
  name: "async-pipeline",
  triggers: {
    push: trigger.github({ events: ["push"], branches: ["main"] }),
    pullRequest: trigger.github({ events: ["pull_request"], branches: ["main"] }),
  },
  namedInputs: {
    // Everything `deno check`, `deno lint` and `deno fmt` read, without the
    // npm build, the benchmark results and the example outputs they skip.
    sources: [
      "**/*.ts",
      "**/*.json",
      "**/*.md",
      "!npm/**",
      "!bench/results/**",
      "!bench/work/**",
      "!examples/*/dist/**",
    ],
  },
  taskDefaults: {
    typecheck: { cache: "file:local", inputs: ["sources"] },
    lint: { cache: "file:local", inputs: ["sources"] },
    fmt: { cache: "file:local", inputs: ["sources"] },
  },
  tasks: {
    typecheck: task({
      description: "Type-check every module",
      run: sh`${deno} check mod.ts core/ node/ runtime/ cli/ scripts/ tests/ pipeline.ts`,
    }),
    lint: task({ description: "Lint the sources", run: sh`${deno} lint` }),
    fmt: task({ description: "Check formatting", run: sh`${deno} fmt --check` }),
    test: task({
      description: "Run the test suite",
      dependsOn: ["typecheck"],
      run: sh`${deno} run -A scripts/test_tmpdir.ts -A --parallel tests/`,
    }),
  },
  jobs: {
    verify: job({
      description: "Type check, lint, format check and tests",
      target: ["typecheck", "lint", "fmt", "test"],
      trigger: ["push", "pullRequest"],
    }),
  },
});
