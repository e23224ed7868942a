import assert from "node:assert/strict";
import {
  type ChildHandlers,
  type ChildOptions,
  definedEnv,
  startDenoChild,
  startNodeChild,
  usesDenoCommand,
} from "../node/executor/child.ts";
import { groupLaunch } from "../node/executor/group_launcher.ts";
import { findExecutable } from "../node/executor/which.ts";
import { baseEnv } from "./support/projects.ts";

type Start = typeof startNodeChild;

interface Outcome {
  stdout: string[];
  stderr: string[];
  events: string[];
  code: number | null;
  signal: string | null;
}

/** Runs `sh -c script` through `start` and collects what the handlers received. */
function run(start: Start, script: string, options: Partial<ChildOptions> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const outcome: Outcome = { stdout: [], stderr: [], events: [], code: null, signal: null };
    const handlers: ChildHandlers = {
      onStdout: (chunk) => outcome.stdout.push(chunk),
      onStderr: (chunk) => outcome.stderr.push(chunk),
      onExit: () => outcome.events.push("exit"),
      onClose: (code, signal) => {
        outcome.events.push("close");
        outcome.code = code;
        outcome.signal = signal;
        resolve(outcome);
      },
      onError: reject,
    };
    try {
      start("sh", ["-c", script], {
        cwd: Deno.cwd(),
        env: baseEnv(),
        detached: false,
        ...options,
      }, handlers);
    } catch (error) {
      reject(error);
    }
  });
}

const STARTS: ReadonlyArray<[string, Start]> = [
  ["node", startNodeChild],
  ["deno", startDenoChild],
];

for (const [name, start] of STARTS) {
  Deno.test(`${name} child reports exit code and output`, async () => {
    const outcome = await run(start, "echo out; echo err >&2; exit 5");
    assert.equal(outcome.stdout.join(""), "out\n");
    assert.equal(outcome.stderr.join(""), "err\n");
    assert.equal(outcome.code, 5);
    assert.equal(outcome.signal, null);
    assert.deepEqual(outcome.events, ["exit", "close"]);
  });

  Deno.test(`${name} child reports a signal with a null code`, async () => {
    const outcome = await run(start, "kill -TERM $$");
    assert.equal(outcome.code, null);
    assert.equal(outcome.signal, "SIGTERM");
  });

  Deno.test(`${name} child passes on output larger than a read`, async () => {
    const script = "i=0; while [ $i -lt 3000 ]; do echo line-$i-abcdefghijklmnopqrstuvwxyz; " +
      "echo err-$i >&2; i=$((i+1)); done";
    const expected = Array.from(
      { length: 3000 },
      (_, line) => `line-${line}-abcdefghijklmnopqrstuvwxyz\n`,
    ).join("");
    for (let round = 0; round < 3; round++) {
      const outcome = await run(start, script);
      assert.equal(outcome.stdout.join(""), expected);
      assert.equal(outcome.stderr.join("").split("\n").length, 3001);
      assert.equal(outcome.code, 0);
    }
  });

  Deno.test(`${name} child decodes a character split across writes`, async () => {
    // "é" is \303\251 in UTF-8, and the pause makes the two bytes arrive apart.
    const outcome = await run(start, "printf '\\303'; sleep 0.1; printf '\\251\\n'");
    assert.equal(outcome.stdout.join(""), "é\n");
    assert.ok(!outcome.stdout.join("").includes("\ufffd"));
  });

  Deno.test(`${name} child gets input, and exactly the given env`, async () => {
    const outcome = await run(start, 'cat; echo "${ONLY_HERE-unset} ${HOME-nohome}"', {
      env: { PATH: baseEnv().PATH, ONLY_HERE: "set", SKIPPED: undefined },
      input: "line\n",
    });
    assert.equal(outcome.stdout.join(""), "line\nset nohome\n");
  });

  Deno.test(`${name} child ignores input it does not read`, async () => {
    const outcome = await run(start, "exit 0", { input: "x".repeat(1 << 20) });
    assert.equal(outcome.code, 0);
  });

  Deno.test(`${name} child in a missing directory fails with ENOENT`, async () => {
    await assert.rejects(
      run(start, "true", { cwd: "/surely/not/a/directory-5c1e" }),
      { code: "ENOENT" },
    );
  });
}

Deno.test("children start through Deno.Command under Deno", () => {
  assert.equal(usesDenoCommand, true);
});

Deno.test("definedEnv drops undefined values", () => {
  assert.deepEqual(definedEnv({ A: "1", B: undefined, C: "" }), { A: "1", C: "" });
});

Deno.test("definedEnv reuses one copy of a frozen env", () => {
  const env = Object.freeze({ A: "1", B: undefined });
  const first = definedEnv(env);
  assert.deepEqual(first, { A: "1" });
  assert.equal(definedEnv(env), first);
  assert.ok(Object.isFrozen(first));
});

Deno.test("definedEnv copies a mutable env each time", () => {
  const env: Record<string, string | undefined> = { A: "1" };
  const first = definedEnv(env);
  env.A = "2";
  const second = definedEnv(env);
  assert.notEqual(second, first);
  assert.deepEqual(second, { A: "2" });
});

Deno.test("groupLaunch passes absolute paths to setsid under Deno", async () => {
  const env = baseEnv();
  const launch = groupLaunch("sh", env);
  assert.equal(launch.detached, false);
  assert.equal(launch.file, await findExecutable("setsid", env));
  assert.deepEqual(launch.prefix, [await findExecutable("sh", env)]);
});

Deno.test("groupLaunch spawns detached outside Deno", () => {
  assert.deepEqual(groupLaunch("sh", baseEnv(), { slowDetach: false }), {
    file: "sh",
    prefix: [],
    detached: true,
  });
});

Deno.test("groupLaunch keeps a missing command's name", () => {
  assert.deepEqual(groupLaunch("surely-not-a-command-5c1e", baseEnv()), {
    file: "surely-not-a-command-5c1e",
    prefix: [],
    detached: true,
  });
});
