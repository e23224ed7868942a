/**
 * A Babel plugin for the `jiti` loader that makes a missing named import an
 * error, as it is for Node's own loader and for Deno.
 *
 * jiti compiles `import { name } from "./mod.ts"` to a property read on the
 * imported module, so a name the module does not export reads as
 * `undefined`, and a pipeline that spreads it loses tasks without a word.
 * This plugin checks, before the rest of the module body runs, that each
 * named import that is still in the compiled code is a key of the imported
 * module. jiti's TypeScript transform has already removed the imports that
 * are only used as types by then, so a type imported without `import type`
 * passes, as it does under `tsc`.
 *
 * @module
 */

import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";

/** The parts of a Babel AST node that this plugin reads. */
interface Node {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** The parts of a Babel `NodePath` that this plugin uses. */
interface NodePath {
  readonly node: Node;
  get(key: "body"): NodePath[];
  unshiftContainer(key: "body", nodes: Node[]): unknown;
  replaceWith(node: Node): unknown;
  remove(): void;
}

/** The `@babel/types` builders that this plugin uses. */
interface Types {
  identifier(name: string): Node;
  stringLiteral(value: string): Node;
  memberExpression(object: Node, property: Node): Node;
  callExpression(callee: Node, args: Node[]): Node;
  expressionStatement(expression: Node): Node;
  binaryExpression(operator: string, left: Node, right: Node): Node;
  unaryExpression(operator: string, argument: Node): Node;
  newExpression(callee: Node, args: Node[]): Node;
  objectExpression(properties: Node[]): Node;
  objectProperty(key: Node, value: Node): Node;
  ifStatement(test: Node, consequent: Node): Node;
  throwStatement(argument: Node): Node;
}

/** Per-file state: the source and the marker calls this plugin added. */
interface FileState {
  readonly file: {
    readonly code: string;
    readonly opts: { readonly plugins?: readonly { readonly options?: unknown }[] };
  };
  markers?: Map<Node, Marker>;
}

/** A named import to check. */
interface Marker {
  /** The exported name. */
  readonly name: string;
  /** The module specifier, as written. */
  readonly source: string;
  /** Line of the specifier, counted from 1. */
  readonly line: number;
  /** Column of the specifier, counted from 0. */
  readonly column: number;
  /** Length of the specifier in the source, for the caret line. */
  readonly length: number;
}

/** The callee of the placeholder calls between the two visits of the program. */
const MARKER = "__asyncPipelineImportMarker";

/** The start and end of a node in the source, lines counted from 1 and columns from 0. */
interface Location {
  readonly start: { readonly line: number; readonly column: number };
  readonly end: { readonly line: number; readonly column: number };
}

/** Returns the name a specifier imports: `a` in `{ a as b }` and in `{ "a" as b }`. */
function importedName(specifier: Node): string | undefined {
  const imported = specifier.imported as Node | undefined;
  if (imported?.type === "Identifier") return imported.name as string;
  if (imported?.type === "StringLiteral") return imported.value as string;
  return undefined;
}

/**
 * Returns the path of the file being compiled. jiti passes Babel no file
 * name, only its `import.meta` plugin gets it, as its `filename` option.
 */
function compiledFile(state: FileState): string | undefined {
  for (const plugin of state.file.opts.plugins ?? []) {
    const filename = (plugin.options as { filename?: unknown } | undefined)?.filename;
    if (typeof filename === "string" && isAbsolute(filename)) return filename;
  }
  return undefined;
}

/**
 * Builds `new SyntaxError(message)`, with the stack that Node gives a failed
 * link when the file is known: `<url>:<line>`, the source line and a caret
 * line. The CLI reads the place from there.
 */
function missingExportError(t: Types, marker: Marker, state: FileState): Node {
  const message =
    `The requested module '${marker.source}' does not provide an export named '${marker.name}'`;
  const error = t.newExpression(t.identifier("SyntaxError"), [t.stringLiteral(message)]);
  const file = compiledFile(state);
  if (file === undefined) return error;
  const sourceLine = state.file.code.split(/\r?\n/)[marker.line - 1] ?? "";
  const caret = " ".repeat(marker.column) + "^".repeat(Math.max(1, marker.length));
  const stack = `${pathToFileURL(file).href}:${marker.line}\n${sourceLine}\n${caret}\n\n` +
    `SyntaxError: ${message}`;
  return t.callExpression(
    t.memberExpression(t.identifier("Object"), t.identifier("assign")),
    [error, t.objectExpression([t.objectProperty(t.identifier("stack"), t.stringLiteral(stack))])],
  );
}

/**
 * Returns the plugin. Babel runs the visitors of plugins in order, and jiti
 * adds this one after its own, so on entering the program the TypeScript
 * transform has already removed type-only imports. This plugin then puts a
 * placeholder call `marker(name)` at the top of the body for each named
 * import left. On leaving the program, jiti's module transform has turned
 * each `name` into `module.name`. This plugin then replaces each placeholder
 * with `if (!("name" in Object(module))) throw ...`.
 *
 * NOTE: re-exports (`export { name } from "./mod.ts"`) are not checked,
 * because jiti cannot tell a re-exported type from a value.
 */
export function namedImportCheck({ types: t }: { types: Types }): unknown {
  return {
    name: "async-pipeline-named-import-check",
    visitor: {
      Program: {
        enter(path: NodePath, state: FileState) {
          const markers = new Map<Node, Marker>();
          for (const statement of path.get("body")) {
            const node = statement.node;
            if (node.type !== "ImportDeclaration" || node.importKind === "type") continue;
            const source = (node.source as Node).value as string;
            for (const specifier of node.specifiers as Node[]) {
              if (specifier.type !== "ImportSpecifier" || specifier.importKind === "type") {
                continue;
              }
              const name = importedName(specifier);
              const loc = specifier.loc as Location | undefined;
              if (name === undefined || name === "default" || loc === undefined) continue;
              const local = (specifier.local as Node).name as string;
              const call = t.callExpression(t.identifier(MARKER), [t.identifier(local)]);
              const length = loc.start.line === loc.end.line
                ? loc.end.column - loc.start.column
                : name.length;
              markers.set(call, {
                name,
                source,
                line: loc.start.line,
                column: loc.start.column,
                length,
              });
            }
          }
          if (markers.size === 0) return;
          state.markers = markers;
          path.unshiftContainer("body", [...markers.keys()].map((c) => t.expressionStatement(c)));
        },
        exit(path: NodePath, state: FileState) {
          const markers = state.markers;
          if (markers === undefined) return;
          for (const statement of path.get("body")) {
            const call = statement.node.expression as Node | undefined;
            const marker = call === undefined ? undefined : markers.get(call);
            if (call === undefined || marker === undefined) continue;
            const [binding] = call.arguments as Node[];
            // Anything but `module.name` is a module transform this plugin does
            // not know, so it drops the check rather than guess.
            if (binding?.type !== "MemberExpression") {
              statement.remove();
              continue;
            }
            const missing = t.unaryExpression(
              "!",
              t.binaryExpression(
                "in",
                t.stringLiteral(marker.name),
                t.callExpression(t.identifier("Object"), [binding.object as Node]),
              ),
            );
            const error = missingExportError(t, marker, state);
            statement.replaceWith(t.ifStatement(missing, t.throwStatement(error)));
          }
        },
      },
    },
  };
}
