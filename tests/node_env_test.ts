import assert from "node:assert/strict";
import { env } from "../core/env.ts";
import { ErrorCode } from "../core/errors.ts";
import { sh } from "../core/sh.ts";
import { renderShell, resolveDeclaredEnv } from "../node/env.ts";

const digest = (value: string) => `digest-of-${value.length}`;

Deno.test("resolveDeclaredEnv reads literals and source keys", () => {
  const resolved = resolveDeclaredEnv(
    { NODE_ENV: "test", NODE_AUTH_TOKEN: env.secret("NPM_TOKEN"), REGION: env.var("REGION") },
    { NPM_TOKEN: "tok-1", REGION: "eu" },
    "jobs.publish.env",
  );
  assert.deepEqual(resolved.values, { NODE_ENV: "test", NODE_AUTH_TOKEN: "tok-1", REGION: "eu" });
  assert.deepEqual(resolved.secretValues, ["tok-1"]);
  assert.deepEqual(resolved.issues, []);
});

Deno.test("resolveDeclaredEnv accepts destination keys", () => {
  const resolved = resolveDeclaredEnv(
    { NODE_AUTH_TOKEN: env.secret("NPM_TOKEN"), STAGE: env.var("DEPLOY_STAGE") },
    { NODE_AUTH_TOKEN: "rendered-token", STAGE: "beta" },
    "jobs.publish.env",
  );
  assert.deepEqual(resolved.values, { NODE_AUTH_TOKEN: "rendered-token", STAGE: "beta" });
  assert.deepEqual(resolved.secretValues, ["rendered-token"]);
});

Deno.test("resolveDeclaredEnv prefers the source key", () => {
  const resolved = resolveDeclaredEnv(
    { NODE_AUTH_TOKEN: env.secret("NPM_TOKEN") },
    { NPM_TOKEN: "source", NODE_AUTH_TOKEN: "destination" },
    "env",
  );
  assert.equal(resolved.values.NODE_AUTH_TOKEN, "source");
});

Deno.test("resolveDeclaredEnv maps selectors through the table", () => {
  const apiUrl = env.var("NODE_ENV", {
    prod: "https://api.example.com",
    dev: "http://localhost:3000",
  }, { default: "dev" });
  const cases: [Record<string, string>, string][] = [
    [{ NODE_ENV: "prod" }, "https://api.example.com"],
    [{}, "http://localhost:3000"],
    [{ NODE_ENV: "" }, "http://localhost:3000"],
    [{ API_URL: "prod" }, "https://api.example.com"],
    [{ API_URL: "https://api.example.com" }, "https://api.example.com"],
  ];
  for (const [source, expected] of cases) {
    const resolved = resolveDeclaredEnv({ API_URL: apiUrl }, source, "jobs.deploy.env");
    assert.deepEqual(resolved.issues, [], JSON.stringify(source));
    assert.equal(resolved.values.API_URL, expected, JSON.stringify(source));
  }
});

Deno.test("resolveDeclaredEnv uses var defaults", () => {
  const resolved = resolveDeclaredEnv(
    { NODE_ENV: env.var("NODE_ENV", { default: "dev" }) },
    {},
    "env",
  );
  assert.equal(resolved.values.NODE_ENV, "dev");
});

Deno.test("resolveDeclaredEnv reports every missing value", () => {
  const resolved = resolveDeclaredEnv(
    {
      NODE_AUTH_TOKEN: env.secret("NPM_TOKEN"),
      REGION: env.var("REGION"),
      API_URL: env.var("NODE_ENV", { prod: "p", dev: "d" }),
    },
    { NPM_TOKEN: "", NODE_ENV: "staging" },
    "jobs.deploy.env",
  );
  assert.deepEqual(resolved.issues.map((issue) => [issue.code, issue.path]), [
    [ErrorCode.MISSING_SECRET, "jobs.deploy.env.NODE_AUTH_TOKEN"],
    [ErrorCode.MISSING_VAR, "jobs.deploy.env.REGION"],
    [ErrorCode.UNMAPPED_VAR, "jobs.deploy.env.API_URL"],
  ]);
  assert.match(resolved.issues[0].message, /"NPM_TOKEN" \(or "NODE_AUTH_TOKEN"\)/);
  assert.match(resolved.issues[2].message, /"staging"/);
  assert.match(resolved.issues[2].hint ?? "", /prod, dev/);
});

Deno.test("resolveDeclaredEnv never names a secret value", () => {
  const resolved = resolveDeclaredEnv(
    { A: env.secret("PRESENT"), B: env.secret("ABSENT") },
    { PRESENT: "value-that-must-not-leak" },
    "env",
  );
  const text = JSON.stringify(resolved.issues);
  assert.equal(resolved.issues.length, 1);
  assert.ok(!text.includes("value-that-must-not-leak"));
});

Deno.test("renderShell passes secrets through env", () => {
  const command = sh`deploy --token ${env.secret("TOKEN")} --region ${env.var("REGION")}`;
  const rendered = renderShell(command, { TOKEN: "a b'c", REGION: "eu-1" }, "tasks.deploy", digest);
  assert.ok(!("issues" in rendered));
  if ("issues" in rendered) return;
  assert.equal(rendered.script, 'deploy --token "$ASYNC_PIPELINE_SECRET_0" --region eu-1');
  assert.equal(rendered.keyText, "deploy --token <secret:digest-of-5> --region eu-1");
  assert.deepEqual(rendered.secretValues, ["a b'c"]);
  assert.deepEqual(rendered.secretEnv, { ASYNC_PIPELINE_SECRET_0: "a b'c" });
});

Deno.test("renderShell reports missing references", () => {
  const command = sh`deploy ${env.secret("TOKEN")} ${env.var("REGION")}`;
  const rendered = renderShell(command, {}, "tasks.deploy step 1", digest);
  assert.ok("issues" in rendered);
  if (!("issues" in rendered)) return;
  assert.deepEqual(rendered.issues.map((issue) => issue.code), [
    ErrorCode.MISSING_SECRET,
    ErrorCode.MISSING_VAR,
  ]);
  assert.equal(rendered.issues[0].path, "tasks.deploy step 1");
});

Deno.test("renderShell passes an interpolated known secret through env", () => {
  const command = sh`deploy --token ${"a b'c"} --note ${"a b'c!"}`;
  const rendered = renderShell(command, {}, "tasks.deploy", digest, ["a b'c"]);
  assert.ok(!("issues" in rendered));
  if ("issues" in rendered) return;
  assert.equal(rendered.script, `deploy --token "$ASYNC_PIPELINE_SECRET_0" --note 'a b'\\''c!'`);
  assert.equal(rendered.display, `deploy --token *** --note 'a b'\\''c!'`);
  assert.equal(rendered.keyText, `deploy --token <secret:digest-of-5> --note 'a b'\\''c!'`);
  assert.deepEqual(rendered.secretEnv, { ASYNC_PIPELINE_SECRET_0: "a b'c" });
});

Deno.test("renderShell leaves literal text equal to a secret", () => {
  const rendered = renderShell(sh`echo 'tok' ${"x"}`, {}, "tasks.t", digest, ["tok", "x"]);
  assert.ok(!("issues" in rendered));
  if ("issues" in rendered) return;
  assert.equal(rendered.script, `echo 'tok' "$ASYNC_PIPELINE_SECRET_0"`);
});
