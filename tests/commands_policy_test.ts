import assert from "node:assert/strict";
import { access, realpath } from "node:fs/promises";
import { join } from "node:path";
import { command, type CommandPolicy } from "../mod.ts";
import { ErrorCode, type PipelineError } from "../core/errors.ts";
import { decideCommand } from "../node/commands/policy.ts";
import { capBytes } from "../node/commands/record.ts";
import { createGovernedCommandRunner } from "../node/commands/runner.ts";
import type { CommandRecord } from "../node/types.ts";
import { tempDir } from "./support/temp_files.ts";

const PATH = Deno.env.get("PATH") ?? "";

async function realTempDir(): Promise<string> {
  return await realpath(await tempDir());
}

async function exists(path: string): Promise<boolean> {
  return await access(path).then(() => true, () => false);
}

function governed(policy: CommandPolicy | undefined) {
  const records: CommandRecord[] = [];
  const run = createGovernedCommandRunner({ policy, onRecord: (entry) => records.push(entry) });
  return { run, records };
}

/** argv that creates `marker` when it really runs. */
const touch = (marker: string) => ["sh", "-c", `echo ran; touch "${marker}"`];

Deno.test("policy allow runs the command", async () => {
  const cwd = await realTempDir();
  const { run } = governed(
    command.policy({ rules: [command.rule({ prefix: ["sh"], action: command.allow() })] }),
  );

  const result = await run(touch("marker"), { cwd, env: { PATH }, secretValues: [] });

  assert.equal(result.code, 0);
  assert.equal(result.stdout, "ran\n");
  assert.equal(await exists(join(cwd, "marker")), true);
});

Deno.test("policy deny names the rule", async () => {
  const cwd = await realTempDir();
  const { run } = governed(command.policy({
    rules: [
      command.rule({ prefix: ["npm", "publish"], action: command.deny() }),
      command.rule({ prefix: ["sh"], action: command.deny("Shell access is reserved for CI") }),
    ],
  }));

  await assert.rejects(
    run(touch("marker"), { cwd, env: { PATH }, secretValues: [] }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.COMMAND_DENIED);
      assert.equal(
        error.message,
        `Command "sh -c 'echo ran; touch \"marker\"'" is denied by commands.rules[1] (prefix ["sh"]). Shell access is reserved for CI.`,
      );
      assert.equal(error.path, "commands.rules[1]");
      return true;
    },
  );
  assert.equal(await exists(join(cwd, "marker")), false);
});

Deno.test("policy mock skips spawning", async () => {
  const cwd = await realTempDir();
  const { run } = governed(command.policy({
    rules: [command.rule({
      prefix: ["sh"],
      action: command.mock({ code: 3, stdout: "mocked\n", stderr: "warn\n" }),
    })],
  }));

  const result = await run(touch("marker"), { cwd, env: { PATH }, secretValues: [] });

  assert.deepEqual(result, { code: 3, stdout: "mocked\n", stderr: "warn\n" });
  assert.equal(await exists(join(cwd, "marker")), false);
});

Deno.test("policy first match wins", () => {
  const policy = command.policy({
    rules: [
      command.rule({ exact: ["npm", "publish"], action: command.mock({ stdout: "first" }) }),
      command.rule({ prefix: ["npm"], action: command.deny() }),
      command.rule({ prefix: ["npm", "publish"], action: command.allow() }),
    ],
  });

  const exact = decideCommand(policy, ["npm", "publish"], {});
  assert.equal(exact.outcome, "mock");
  assert.equal(exact.rule, 0);

  const longer = decideCommand(policy, ["npm", "publish", "--dry-run"], {});
  assert.equal(longer.outcome, "deny");
  assert.equal(longer.rule, 1);
});

Deno.test("policy fallback applies to unmatched", async () => {
  const cwd = await realTempDir();
  const denying = command.policy({
    rules: [command.rule({ prefix: ["git"], action: command.allow() })],
    fallback: command.deny(),
  });

  assert.equal(decideCommand(denying, ["git", "status"], {}).outcome, "allow");
  const { run } = governed(denying);
  await assert.rejects(
    run(touch("marker"), { cwd, env: { PATH }, secretValues: [] }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.COMMAND_DENIED);
      assert.match(error.message, /is denied by commands\.fallback\.$/);
      assert.equal(error.path, "commands.fallback");
      return true;
    },
  );
  assert.equal(await exists(join(cwd, "marker")), false);

  const defaulted = command.policy({ rules: [] });
  const decision = decideCommand(defaulted, ["anything"], {});
  assert.equal(decision.outcome, "allow");
  assert.equal(decision.rule, undefined);
});

Deno.test("policy without rules allows everything", () => {
  assert.equal(decideCommand(undefined, ["npm", "publish"], {}).outcome, "allow");
});

Deno.test("requireEnvironment allows matching environment", async () => {
  const cwd = await realTempDir();
  const { run, records } = governed(command.policy({
    rules: [command.rule({ prefix: ["sh"], action: command.requireEnvironment("production") })],
    record: true,
  }));

  const result = await run(touch("marker"), {
    cwd,
    env: { PATH, ASYNC_PIPELINE_ENVIRONMENT: "production" },
    secretValues: [],
  });

  assert.equal(result.code, 0);
  assert.equal(await exists(join(cwd, "marker")), true);
  assert.equal(records[0].action, "allow");
  assert.equal(records[0].environment, "production");
});

Deno.test("requireEnvironment denies other environments", async () => {
  const cwd = await realTempDir();
  const { run, records } = governed(command.policy({
    rules: [command.rule({ prefix: ["sh"], action: command.requireEnvironment("production") })],
    record: true,
  }));

  for (
    const [environment, described] of [["staging", 'it is "staging"'], [undefined, "it is not set"]]
  ) {
    const env: Record<string, string> = { PATH };
    if (environment) env.ASYNC_PIPELINE_ENVIRONMENT = environment;
    await assert.rejects(
      run(touch("marker"), { cwd, env, secretValues: [] }),
      (error: PipelineError) => {
        assert.equal(error.code, ErrorCode.COMMAND_DENIED);
        assert.match(error.message, /is denied by commands\.rules\[0\] \(prefix \["sh"\]\)/);
        assert.ok(
          error.message.endsWith(
            `it requires ASYNC_PIPELINE_ENVIRONMENT="production", but ${described}.`,
          ),
          error.message,
        );
        assert.equal(
          error.hint,
          "Set ASYNC_PIPELINE_ENVIRONMENT=production where this command is meant to run.",
        );
        return true;
      },
    );
  }
  assert.equal(await exists(join(cwd, "marker")), false);
  assert.deepEqual(records.map((record) => record.action), ["deny", "deny"]);
});

Deno.test("policy records capped redacted output", async () => {
  const cwd = await realTempDir();
  const secret = "tok-12345";
  const { run, records } = governed(command.policy({
    rules: [
      command.rule({
        exact: ["npm", "whoami"],
        action: command.mock({ stdout: `user ${secret}\n` }),
      }),
      command.rule({ prefix: ["npm", "publish"], action: command.deny() }),
    ],
    record: true,
    output: { maxBytes: 12, redactSecrets: true },
  }));
  const options = { cwd, env: { PATH }, secretValues: [secret] };

  await run(["npm", "whoami"], options);
  await run(["sh", "-c", `printf '%s' "${secret}-and-a-long-tail"; echo err >&2`], options);
  await assert.rejects(run(["npm", "publish", `--token=${secret}`], options));

  assert.deepEqual(records[0], {
    args: ["npm", "whoami"],
    action: "mock",
    rule: 0,
    code: 0,
    stdout: "user ***\n",
    stderr: "",
  });
  assert.deepEqual(records[1], {
    args: ["sh", "-c", `printf '%s' "***-and-a-long-tail"; echo err >&2`],
    action: "allow",
    code: 0,
    stdout: "***-and-a-lo",
    stderr: "err\n",
    truncated: true,
  });
  assert.equal(new TextEncoder().encode(records[1].stdout).length, 12);
  assert.deepEqual(records[2].args, ["npm", "publish", "--token=***"]);
  assert.equal(records[2].action, "deny");
  assert.equal(records[2].rule, 1);
  assert.match(records[2].reason ?? "", /denied by commands\.rules\[1\]/);
  assert.equal(JSON.stringify(records).includes(secret), false);
});

Deno.test("policy deny error masks secrets", async () => {
  const cwd = await realTempDir();
  const { run } = governed(command.policy({ rules: [], fallback: command.deny() }));

  await assert.rejects(
    run(["deploy", "--token", "hunter2"], { cwd, env: { PATH }, secretValues: ["hunter2"] }),
    (error: PipelineError) => {
      assert.equal(error.message, 'Command "deploy --token ***" is denied by commands.fallback.');
      return true;
    },
  );
});

Deno.test("policy redactSecrets false keeps output", async () => {
  const cwd = await realTempDir();
  const { run, records } = governed(command.policy({
    rules: [command.rule({ prefix: ["show"], action: command.mock({ stdout: "value s3cret" }) })],
    record: true,
    output: { redactSecrets: false },
  }));

  await run(["show", "s3cret"], { cwd, env: { PATH }, secretValues: ["s3cret"] });

  assert.equal(records[0].stdout, "value s3cret");
  assert.deepEqual(records[0].args, ["show", "***"]);
});

Deno.test("policy without record stores nothing", async () => {
  const cwd = await realTempDir();
  const { run, records } = governed(command.policy({
    rules: [command.rule({ prefix: ["x"], action: command.mock({}) })],
  }));

  await run(["x"], { cwd, env: { PATH }, secretValues: [] });

  assert.deepEqual(records, []);
});

Deno.test("governed runner missing executable", async () => {
  const cwd = await realTempDir();
  const { run } = governed(undefined);

  const result = await run(["no-such-command-anywhere"], { cwd, env: { PATH }, secretValues: [] });

  assert.equal(result.code, 127);
  assert.match(result.stderr, /no-such-command-anywhere: command not found/);
});

Deno.test("governed runner rejects empty argv", async () => {
  const { run } = governed(undefined);

  await assert.rejects(
    run([], { cwd: "/", env: {}, secretValues: [] }),
    (error: PipelineError) => error.code === ErrorCode.INVALID_FIELD,
  );
});

Deno.test("governed runner interrupt stops command", async () => {
  const cwd = await realTempDir();
  const { run } = governed(undefined);
  const controller = new AbortController();

  const running = run(["sh", "-c", "sleep 30"], {
    cwd,
    env: { PATH },
    secretValues: [],
    signal: controller.signal,
  });
  controller.abort();
  const result = await running;

  assert.equal(result.code, 143);
  assert.equal(result.signal, "SIGTERM");
});

Deno.test("capBytes keeps whole characters", () => {
  assert.deepEqual(capBytes("héllo", 2), { text: "h", truncated: true });
  assert.deepEqual(capBytes("héllo", 3), { text: "hé", truncated: true });
  assert.deepEqual(capBytes("héllo", 6), { text: "héllo", truncated: false });
  assert.deepEqual(capBytes("abc", 0), { text: "", truncated: true });
});

Deno.test("policy rule for a bare program matches it given by path", () => {
  const policy = command.policy({
    rules: [command.rule({ prefix: ["npm", "publish"], action: command.deny() })],
  });
  for (const program of ["/usr/bin/npm", "./bin/npm", "node_modules/.bin/npm"]) {
    const decision = decideCommand(policy, [program, "publish"], {});
    assert.equal(decision.outcome, "deny", program);
  }
});

Deno.test("policy rule for a bare program ignores other names", () => {
  const policy = command.policy({
    rules: [command.rule({ prefix: ["npm", "publish"], action: command.deny() })],
  });
  assert.equal(decideCommand(policy, ["/usr/bin/npmx", "publish"], {}).outcome, "allow");
  assert.equal(decideCommand(policy, ["/usr/bin/npm/", "publish"], {}).outcome, "allow");
});

Deno.test("policy rule with a program path matches that path only", () => {
  const policy = command.policy({
    rules: [command.rule({ exact: ["/usr/bin/npm", "publish"], action: command.deny() })],
  });
  assert.equal(decideCommand(policy, ["/usr/bin/npm", "publish"], {}).outcome, "deny");
  assert.equal(decideCommand(policy, ["npm", "publish"], {}).outcome, "allow");
  assert.equal(decideCommand(policy, ["/opt/bin/npm", "publish"], {}).outcome, "allow");
});
