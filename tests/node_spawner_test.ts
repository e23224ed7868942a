import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setChildPolicy } from "../node/executor/child.ts";
import { runInProcessGroup } from "../node/executor/process_group.ts";
import { Spawner } from "../node/executor/spawner.ts";
import { checkTimeoutKillsGrandchildren } from "./support/process_checks.ts";
import { baseEnv, hasContent, isAlive, REPO_DIR, waitFor } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

/** Node 24 from the repository's devDependencies runs the spawner. */
const NODE = join(REPO_DIR, "node_modules/.bin/node");
const DENO = join(REPO_DIR, "node_modules/.bin/deno");

/** Ways to start children under test: Node's spawn directly, and through the spawner. */
const MODES: ReadonlyArray<[string, Parameters<typeof setChildPolicy>[0]]> = [
  ["direct", { denoCommand: false, spawnerAfter: Infinity }],
  ["spawner", { denoCommand: false, spawnerAfter: 0, node: NODE }],
];

/** Registers a test that runs with children started as `mode` sets. */
function modeTest(name: string, mode: Parameters<typeof setChildPolicy>[0], fn: () => unknown) {
  Deno.test(name, async () => {
    await setChildPolicy(mode);
    try {
      await fn();
    } finally {
      await setChildPolicy();
    }
  });
}

for (const [name, mode] of MODES) {
  modeTest(`${name} group output and exit code`, mode, async () => {
    const result = await runInProcessGroup("sh", ["-c", "echo out; echo err >&2; exit 4"], {
      cwd: await tempDir(),
      env: baseEnv(),
    });
    assert.equal(result.code, 4);
    assert.equal(result.stdout, "out\n");
    assert.equal(result.stderr, "err\n");
  });

  modeTest(`${name} group passes large output whole`, mode, async () => {
    const result = await runInProcessGroup(
      "sh",
      ["-c", "head -c 8000000 /dev/zero | tr '\\0' x; echo; echo done >&2"],
      { cwd: await tempDir(), env: baseEnv() },
    );
    assert.equal(result.code, 0);
    assert.equal(result.stdout.length, 8_000_001);
    assert.equal(result.stdout.replaceAll("x", ""), "\n");
    assert.equal(result.stderr, "done\n");
  });

  modeTest(`${name} group leader is the command`, mode, async () => {
    const result = await runInProcessGroup("sh", ["-c", 'echo "$$ $(ps -o pgid= -p $$)"'], {
      cwd: await tempDir(),
      env: baseEnv(),
    });
    const [pid, pgid] = result.stdout.trim().split(/\s+/).map(Number);
    assert.equal(pgid, pid);
  });

  modeTest(`${name} group input and env`, mode, async () => {
    const result = await runInProcessGroup("sh", ["-c", 'cat; echo "$ONLY_HERE"'], {
      cwd: await tempDir(),
      env: { PATH: baseEnv().PATH, ONLY_HERE: "yes" },
      input: "in\n",
    });
    assert.equal(result.stdout, "in\nyes\n");
  });

  modeTest(`${name} group timeout kills grandchildren`, mode, checkTimeoutKillsGrandchildren);

  modeTest(`${name} group abort before start`, mode, async () => {
    const result = await runInProcessGroup("sleep", ["30"], {
      cwd: await tempDir(),
      env: baseEnv(),
      signal: AbortSignal.abort(),
    });
    assert.equal(result.code, 143);
    assert.equal(result.signal, "SIGTERM");
  });

  modeTest(`${name} group stops leftover processes`, mode, async () => {
    const cwd = await tempDir();
    const pidFile = join(cwd, "background.pid");
    const result = await runInProcessGroup("sh", ["-c", `sleep 30 & echo $! > ${pidFile}`], {
      cwd,
      env: baseEnv(),
    });
    assert.equal(result.code, 0);
    const pid = Number(await readFile(pidFile, "utf8"));
    await waitFor("the background process to exit", () => !isAlive(pid));
  });

  modeTest(`${name} group missing command`, mode, async () => {
    await assert.rejects(
      runInProcessGroup("surely-not-a-command-5c1e", [], {
        cwd: await tempDir(),
        env: baseEnv(),
      }),
      { code: "ENOENT" },
    );
  });
}

Deno.test("spawner starts after the direct spawns", async () => {
  await setChildPolicy({ denoCommand: false, spawnerAfter: 2, node: NODE });
  try {
    // Spawns until one goes through the started spawner, for at most 10 seconds.
    const ppids: number[] = [];
    while (ppids.length < 100 && (ppids.length < 3 || ppids.at(-1) === Deno.pid)) {
      const result = await runInProcessGroup("sh", ["-c", "ps -o ppid= -p $$"], {
        cwd: await tempDir(),
        env: baseEnv(),
      });
      ppids.push(Number(result.stdout.trim()));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(ppids.slice(0, 2), [Deno.pid, Deno.pid]);
    assert.notEqual(ppids.at(-1), Deno.pid);
  } finally {
    await setChildPolicy();
  }
});

for (const [name, node] of [["unstartable", ""], ["missing", "/surely/not/node-5c1e"]]) {
  Deno.test(`${name} spawner leaves direct spawns`, async () => {
    await setChildPolicy({ denoCommand: false, spawnerAfter: 1, node });
    try {
      for (let i = 0; i < 4; i++) {
        const result = await runInProcessGroup("sh", ["-c", "ps -o ppid= -p $$"], {
          cwd: await tempDir(),
          env: baseEnv(),
        });
        assert.equal(result.code, 0);
        assert.equal(Number(result.stdout.trim()), Deno.pid);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await setChildPolicy();
    }
  });
}

Deno.test("spawner death fails running commands", async () => {
  const spawner = new Spawner(NODE);
  assert.equal(await spawner.whenStarted(), true);
  const cwd = await tempDir();
  const pidFile = join(cwd, "child.pid");
  let reported: number | undefined;
  const failed = new Promise<Error>((resolve) => {
    spawner.start("sh", ["-c", `echo $$ > ${pidFile}; sleep 30`], {
      cwd,
      env: baseEnv(),
      detached: true,
    }, {
      onSpawn: (pid) => reported = pid,
      onStdout: () => undefined,
      onStderr: () => undefined,
      onExit: () => undefined,
      onClose: () => resolve(new Error("closed")),
      onError: resolve,
    });
  });
  await waitFor("the child pid file", () => hasContent(pidFile));
  // Only a command whose pid reached the runner can be stopped by it.
  await waitFor("the reported pid", () => reported !== undefined);
  Deno.kill(spawner.pid!, "SIGKILL");
  const error = await failed;
  assert.match(error.message, /exited unexpectedly/);
  assert.equal(spawner.ready, false);
  const pid = Number(await readFile(pidFile, "utf8"));
  assert.equal(reported, pid);
  await waitFor("the orphaned command to exit", () => !isAlive(pid));
});

/**
 * Starts a runner whose spawner runs one long command, kills the runner with
 * SIGKILL (its whole process group when `group` is true) and checks that
 * the helper stops the command and exits. With `busy`, the runner also keeps
 * starting short commands, so the helper is likely reporting an exit when the
 * runner dies and that report fails.
 */
async function killRunner(group: boolean, busy = false): Promise<void> {
  const cwd = await tempDir();
  const pidFile = join(cwd, "child.pid");
  const script = join(cwd, "runner.ts");
  const spawnerUrl = new URL("../node/executor/spawner.ts", import.meta.url).href;
  await writeFile(
    script,
    `import { Spawner } from ${JSON.stringify(spawnerUrl)};
const spawner = new Spawner(${JSON.stringify(NODE)});
await spawner.whenStarted();
const noop = () => undefined;
spawner.start("sh", ["-c", "echo $$ > ${pidFile}; sleep 30"], {
  cwd: ${JSON.stringify(cwd)}, env: { PATH: Deno.env.get("PATH") ?? "" }, detached: true,
}, { onStdout: noop, onStderr: noop, onExit: noop, onClose: noop, onError: noop });
if (${busy}) {
  setInterval(() => {
    for (let i = 0; i < 4; i++) {
      spawner.start("true", [], {
        cwd: ${JSON.stringify(cwd)}, env: { PATH: Deno.env.get("PATH") ?? "" }, detached: true,
      }, { onStdout: noop, onStderr: noop, onExit: noop, onClose: noop, onError: noop });
    }
  }, 2);
}
console.log(spawner.pid);
setInterval(noop, 1000);
`,
  );
  const runner = spawn(DENO, ["run", "-A", "--config", join(REPO_DIR, "deno.json"), script], {
    stdio: ["ignore", "pipe", "inherit"],
    detached: group,
  });
  let output = "";
  runner.stdout.on("data", (chunk) => output += chunk);
  await waitFor("the command's pid file", () => hasContent(pidFile));
  await waitFor("the spawner's pid", () => output.trim() !== "");
  const helper = Number(output.trim());
  const pid = Number(await readFile(pidFile, "utf8"));
  const exited = new Promise((resolve) => runner.on("close", resolve));
  if (group) process.kill(-runner.pid!, "SIGKILL");
  else runner.kill("SIGKILL");
  await exited;
  await waitFor("the command to exit", () => !isAlive(pid));
  await waitFor("the spawner to exit", () => !isAlive(helper));
}

Deno.test("spawner kills commands when the runner dies", () => killRunner(false));

Deno.test("spawner kills commands when the runner's group is killed", () => killRunner(true));

Deno.test("spawner kills commands when a report to a dead runner fails", async () => {
  for (let round = 0; round < 5; round++) await killRunner(false, true);
});

Deno.test("spawner stops commands spawned before it was ready", async () => {
  const cwd = await tempDir();
  const pidFile = join(cwd, "child.pid");
  const script = join(cwd, "runner.ts");
  const childUrl = new URL("../node/executor/child.ts", import.meta.url).href;
  // The first command is spawned directly. The second starts the spawner,
  // and a command whose pid is unknown at first went through the ready spawner.
  await writeFile(
    script,
    `import { setChildPolicy, startChild } from ${JSON.stringify(childUrl)};
await setChildPolicy({ denoCommand: false, spawnerAfter: 1, node: ${JSON.stringify(NODE)} });
const noop = () => undefined;
const handlers = { onStdout: noop, onStderr: noop, onExit: noop, onClose: noop, onError: noop };
const options = { cwd: ${
      JSON.stringify(cwd)
    }, env: { PATH: Deno.env.get("PATH") ?? "" }, detached: true };
startChild("sh", ["-c", "echo $$ > ${pidFile}; sleep 30"], options, handlers);
while (startChild("true", [], options, handlers).pid !== undefined) {
  await new Promise((resolve) => setTimeout(resolve, 20));
}
await new Promise((resolve) => setTimeout(resolve, 200));
console.log("ready");
setInterval(noop, 1000);
`,
  );
  const runner = spawn(DENO, ["run", "-A", "--config", join(REPO_DIR, "deno.json"), script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  runner.stdout.on("data", (chunk) => output += chunk);
  await waitFor("the spawner to take over", () => output.includes("ready"));
  const pid = Number(await readFile(pidFile, "utf8"));
  const exited = new Promise((resolve) => runner.on("close", resolve));
  runner.kill("SIGKILL");
  await exited;
  await waitFor("the direct command to exit", () => !isAlive(pid), 5_000);
});
