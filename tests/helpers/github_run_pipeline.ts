/** A pipeline whose jobs cover every kind of trigger, for `github run` tests. */

import { definePipeline, job, sh, task, trigger } from "../../mod.ts";

/** Source of the pipeline; `modUrl` is where `@async/pipeline` is imported from. */
export function runPipelineSource(modUrl: string): string {
  return `
import { definePipeline, job, sh, task, trigger } from "${modUrl}";

export default definePipeline({
  name: "app",
  triggers: {
    main: trigger.github({ events: ["push", "pull_request"], branches: ["main"] }),
    features: trigger.github({ events: ["push"], branches: ["feature/**", "!feature/wip"] }),
    nightly: trigger.cron("0 3 * * *"),
    manual: trigger.manual(),
  },
  tasks: {
    test: task({ run: sh\`node -e "process.exit(0)"\` }),
    fail: task({ run: sh\`node -e "process.exit(3)"\` }),
  },
  jobs: {
    verify: job({ target: "test", trigger: ["main"] }),
    preview: job({ target: "test", trigger: ["features"] }),
    nightly: job({ target: "test", trigger: ["nightly"] }),
    release: job({ target: "test", trigger: ["manual"] }),
    broken: job({ target: "fail", trigger: ["manual"] }),
    local: job({ target: "test" }),
  },
});
`;
}

/** The same pipeline, defined in-process for pure selection tests. */
export const runPipeline = definePipeline({
  name: "app",
  triggers: {
    main: trigger.github({ events: ["push", "pull_request"], branches: ["main"] }),
    features: trigger.github({ events: ["push"], branches: ["feature/**", "!feature/wip"] }),
    nightly: trigger.cron("0 3 * * *"),
    manual: trigger.manual(),
  },
  tasks: {
    test: task({ run: sh`node -e "process.exit(0)"` }),
    fail: task({ run: sh`node -e "process.exit(3)"` }),
  },
  jobs: {
    verify: job({ target: "test", trigger: ["main"] }),
    preview: job({ target: "test", trigger: ["features"] }),
    nightly: job({ target: "test", trigger: ["nightly"] }),
    release: job({ target: "test", trigger: ["manual"] }),
    broken: job({ target: "fail", trigger: ["manual"] }),
    local: job({ target: "test" }),
  },
});
