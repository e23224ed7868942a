import assert from "node:assert/strict";
import { ErrorCode, isPipelineError } from "../core/errors.ts";
import {
  detectFormat,
  readObjectField,
  removeEntry,
  setEntry,
} from "../node/sync/tasks/json_edit.ts";

const lines = (...list: string[]) => list.join("\n") + "\n";

Deno.test("detectFormat finds indent and line ending", () => {
  const cases: [string, { indent: string; eol: string }][] = [
    ['{\n    "a": 1\n}\n', { indent: "    ", eol: "\n" }],
    ['{\r\n  "a": 1\r\n}\r\n', { indent: "  ", eol: "\r\n" }],
    ['{\n\t"a": 1\n}', { indent: "\t", eol: "\n" }],
    ['{"a": 1}', { indent: "  ", eol: "\n" }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(detectFormat(text), expected, text);
});

Deno.test("setEntry appends with four spaces", () => {
  const text = lines(
    "{",
    '    "name": "app",',
    '    "scripts": {',
    '        "build": "tsc"',
    "    }",
    "}",
  );
  assert.equal(
    setEntry(text, "package.json", "scripts", "p:verify", "async-pipeline run verify"),
    lines(
      "{",
      '    "name": "app",',
      '    "scripts": {',
      '        "build": "tsc",',
      '        "p:verify": "async-pipeline run verify"',
      "    }",
      "}",
    ),
  );
});

Deno.test("setEntry keeps CRLF line endings", () => {
  const text = '{\r\n  "scripts": {\r\n    "build": "tsc"\r\n  }\r\n}\r\n';
  assert.equal(
    setEntry(text, "package.json", "scripts", "p:v", "x"),
    '{\r\n  "scripts": {\r\n    "build": "tsc",\r\n    "p:v": "x"\r\n  }\r\n}\r\n',
  );
});

Deno.test("setEntry keeps end-of-line comments", () => {
  const text = lines(
    "{",
    "  // tasks for local work",
    '  "tasks": {',
    '    "dev": "deno run main.ts" // the dev server',
    "  }",
    "}",
  );
  assert.equal(
    setEntry(text, "deno.jsonc", "tasks", "p:v", "x"),
    lines(
      "{",
      "  // tasks for local work",
      '  "tasks": {',
      '    "dev": "deno run main.ts", // the dev server',
      '    "p:v": "x"',
      "  }",
      "}",
    ),
  );
});

Deno.test("setEntry keeps trailing commas", () => {
  const text = lines("{", '  "tasks": {', '    "dev": "a", /* note */', "  },", "}");
  assert.equal(
    setEntry(text, "deno.jsonc", "tasks", "p:v", "x"),
    lines("{", '  "tasks": {', '    "dev": "a", /* note */', '    "p:v": "x",', "  },", "}"),
  );
});

Deno.test("setEntry creates the missing field", () => {
  const text = lines("{", '\t"name": "app" // the name', "}");
  assert.equal(
    setEntry(text, "package.json", "scripts", "p:v", "x"),
    lines("{", '\t"name": "app", // the name', '\t"scripts": {', '\t\t"p:v": "x"', "\t}", "}"),
  );
});

Deno.test("setEntry replaces a value in place", () => {
  const text = lines("{", '  "scripts": { "p:v": "old", "b": "c" } // inline', "}");
  assert.equal(
    setEntry(text, "package.json", "scripts", "p:v", "new"),
    lines("{", '  "scripts": { "p:v": "new", "b": "c" } // inline', "}"),
  );
});

Deno.test("setEntry formats inline objects", () => {
  const text = lines("{", '  "scripts": { "b": "c" }', "}");
  assert.equal(
    setEntry(text, "package.json", "scripts", "p:v", "x"),
    lines("{", '  "scripts": {', '    "b": "c",', '    "p:v": "x"', "  }", "}"),
  );
});

Deno.test("removeEntry drops whole lines", () => {
  const text = lines(
    "{",
    '  "tasks": {',
    '    "dev": "a", // c1',
    "    // about the middle entry",
    '    "p:mid": "b",',
    '    "p:last": "c"',
    "  }",
    "}",
  );
  const withoutMiddle = removeEntry(text, "deno.jsonc", "tasks", "p:mid");
  assert.equal(
    withoutMiddle,
    lines(
      "{",
      '  "tasks": {',
      '    "dev": "a", // c1',
      "    // about the middle entry",
      '    "p:last": "c"',
      "  }",
      "}",
    ),
  );
  assert.equal(
    removeEntry(withoutMiddle, "deno.jsonc", "tasks", "p:last"),
    lines("{", '  "tasks": {', '    "dev": "a" // c1', "    // about the middle entry", "  }", "}"),
  );
});

Deno.test("removeEntry keeps CRLF and trailing commas", () => {
  const text = '{\r\n  "tasks": {\r\n    "dev": "a",\r\n    "p:v": "b",\r\n  }\r\n}';
  assert.equal(
    removeEntry(text, "deno.jsonc", "tasks", "p:v"),
    '{\r\n  "tasks": {\r\n    "dev": "a",\r\n  }\r\n}',
  );
});

Deno.test("removeEntry falls back for inline objects", () => {
  const text = lines("{", '  "scripts": { "b": "c", "p:v": "x" }', "}");
  assert.equal(
    removeEntry(text, "package.json", "scripts", "p:v"),
    lines("{", '  "scripts": { "b": "c" }', "}"),
  );
});

Deno.test("removeEntry ignores a missing entry", () => {
  const text = lines("{", '  "scripts": {}', "}");
  assert.equal(removeEntry(text, "package.json", "scripts", "p:v"), text);
  assert.equal(removeEntry("{}", "package.json", "scripts", "p:v"), "{}");
});

Deno.test("readObjectField rejects invalid files", () => {
  const cases: [string, RegExp][] = [
    [
      '{\n  "scripts": {\n    "a": \n  }\n}',
      /package.json is not valid JSON: ValueExpected at line 4/,
    ],
    ["[]", /package.json must contain a JSON object/],
    ['{ "scripts": ["a"] }', /"scripts" in package.json must be an object.*found array/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => readObjectField(text, "package.json", "scripts"), (error) => {
      assert.ok(isPipelineError(error));
      assert.equal(error.code, ErrorCode.SYNC_FILE_INVALID);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("readObjectField returns entries", () => {
  const text = lines("{", "  // c", '  "tasks": { "a": "x", "b": { "command": "y" }, },', "}");
  const entries = readObjectField(text, "deno.jsonc", "tasks");
  assert.deepEqual([...entries.keys()], ["a", "b"]);
  assert.equal(entries.get("a"), "x");
  assert.equal(JSON.stringify(entries.get("b")), '{"command":"y"}');
  assert.equal(readObjectField("{}", "deno.json", "tasks").size, 0);
});

Deno.test("setEntry keeps a comment on the brace line", () => {
  const text = lines(
    "{",
    "  // c",
    '  "tasks": { /* inline */ "dev": "x" // after',
    "  }",
    "}",
  );
  const added = setEntry(text, "deno.jsonc", "tasks", "pipeline:verify", "deno task v");
  assert.equal(
    added,
    lines(
      "{",
      "  // c",
      '  "tasks": { /* inline */ "dev": "x", // after',
      '    "pipeline:verify": "deno task v"',
      "  }",
      "}",
    ),
  );
});

Deno.test("removeEntry restores a brace-line comment", () => {
  const text = lines(
    "{",
    '  "tasks": { /* inline */ "dev": "x" // after',
    "  }",
    "}",
  );
  const added = setEntry(text, "deno.jsonc", "tasks", "pipeline:verify", "deno task v");
  assert.equal(removeEntry(added, "deno.jsonc", "tasks", "pipeline:verify"), text);
});

Deno.test("removeEntry leaves an empty object as {}", () => {
  const text = lines("{", '  "scripts": {', '    "p:v": "x"', "  },", '  "name": "a"', "}");
  assert.equal(
    removeEntry(text, "package.json", "scripts", "p:v"),
    lines("{", '  "scripts": {},', '  "name": "a"', "}"),
  );
});

Deno.test("removeEntry keeps a comment in the emptied object", () => {
  const text = lines("{", '  "tasks": {', "    // synced below", '    "p:v": "x"', "  }", "}");
  assert.equal(
    removeEntry(text, "deno.jsonc", "tasks", "p:v"),
    lines("{", '  "tasks": {', "    // synced below", "  }", "}"),
  );
});
