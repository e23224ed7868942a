/**
 * An esbuild plugin that loads Node's built-in modules without building their
 * ES module namespace.
 *
 * `import { readFile } from "node:fs"` makes Node build the whole namespace of
 * `node:fs`, which reads every export, getters included: reading
 * `fs.ReadStream` loads Node's stream implementation, and `node:util` loads
 * its diff code. The bundle instead reads only the names the package imports
 * from the module object that `process.getBuiltinModule()` returns (or
 * `require()` on Node before 20.16).
 *
 * Modules in {@link LAZY_BUILTINS} load on the first call of one of their
 * functions, so a run that spawns no process never loads `node:child_process`.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type * as esbuild from "esbuild";
import ts from "typescript";

/**
 * Built-ins whose imported functions load the module on first call. A run
 * whose tasks are all cached spawns no process, so it skips loading
 * `node:child_process` and the socket code that comes with it.
 */
export const LAZY_BUILTINS: readonly string[] = ["node:child_process"];

/** Names imported from each built-in, across the package's modules. */
export interface BuiltinImports {
  /** Named imports, by module specifier such as `node:fs`. */
  readonly named: Map<string, Set<string>>;
  /**
   * Built-ins imported whole somewhere (default, namespace or re-export).
   * They stay plain imports, because every export may be read.
   */
  readonly whole: Set<string>;
}

/** Creates an empty {@link BuiltinImports}. */
export function emptyBuiltinImports(): BuiltinImports {
  return { named: new Map(), whole: new Set() };
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:");
}

/** Adds the built-in imports of one JavaScript module's source text to `into`. */
export function scanBuiltinImports(text: string, into: BuiltinImports): void {
  const file = ts.createSourceFile("module.js", text, ts.ScriptTarget.Latest, false);
  for (const statement of file.statements) {
    const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
        statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
      ? statement.moduleSpecifier.text
      : undefined;
    if (specifier === undefined || !isBuiltin(specifier)) continue;
    const clause = ts.isImportDeclaration(statement) ? statement.importClause : undefined;
    const bindings = clause?.namedBindings;
    if (!clause) {
      // A re-export, or an import for side effects only: keep the module's own import.
      into.whole.add(specifier);
      continue;
    }
    if (clause.isTypeOnly) continue;
    if (clause.name || (bindings && ts.isNamespaceImport(bindings))) {
      into.whole.add(specifier);
      continue;
    }
    const names = into.named.get(specifier) ?? new Set<string>();
    for (const element of bindings?.elements ?? []) {
      if (!element.isTypeOnly) names.add((element.propertyName ?? element.name).text);
    }
    into.named.set(specifier, names);
  }
}

/** Reads `files` (JavaScript, relative to `dir`) and collects their built-in imports. */
export async function collectBuiltinImports(
  dir: string,
  files: readonly string[],
): Promise<BuiltinImports> {
  const imports = emptyBuiltinImports();
  for (const file of files.filter((path) => /\.m?js$/.test(path))) {
    scanBuiltinImports(await readFile(join(dir, file), "utf8"), imports);
  }
  return imports;
}

/**
 * Returns the source of the module that replaces the built-in `id` and
 * exports `names`. With `lazy`, every name must be a function of the module.
 */
export function builtinModuleSource(
  id: string,
  names: readonly string[],
  lazy: boolean,
): string {
  const load = `load(${JSON.stringify(id)})`;
  const lines = [
    'import { createRequire } from "node:module";',
    "const load = globalThis.process.getBuiltinModule ?? createRequire(import.meta.url);",
  ];
  if (lazy) {
    for (const name of names) {
      lines.push(`export function ${name}(...args) { return ${load}.${name}(...args); }`);
    }
  } else {
    lines.push(`const builtin = ${load};`);
    for (const name of names) lines.push(`export const ${name} = builtin.${name};`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Checks that every name imported from a lazy built-in is a function of that
 * module, as the build's runtime loads it. Only a function can load its
 * module on first call.
 *
 * @throws {Error} naming the first import that is not a function.
 */
export async function checkLazyBuiltins(imports: BuiltinImports): Promise<void> {
  for (const id of LAZY_BUILTINS) {
    if (imports.whole.has(id)) continue;
    const module = await import(id) as Record<string, unknown>;
    for (const name of imports.named.get(id) ?? []) {
      if (typeof module[name] !== "function") {
        throw new Error(
          `"${name}" imported from ${id} is not a function, so it cannot load its module on ` +
            "first call. Import it another way or remove the module from LAZY_BUILTINS.",
        );
      }
    }
  }
}

const NAMESPACE = "async-pipeline-builtin";

/**
 * Creates the esbuild plugin that resolves static named imports of a built-in
 * to a module from {@link builtinModuleSource}. Built-ins in `imports.whole`
 * and dynamic `import()` calls stay as they are.
 */
export function builtinPlugin(imports: BuiltinImports): esbuild.Plugin {
  return {
    name: "async-pipeline-builtins",
    setup(build) {
      build.onResolve({ filter: /^node:/ }, (args) => {
        // Only the package's own modules: other plugins' generated modules keep their imports.
        if (args.namespace !== "file" || args.kind !== "import-statement") return undefined;
        if (imports.whole.has(args.path) || !imports.named.has(args.path)) return undefined;
        return { path: args.path, namespace: NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: builtinModuleSource(
          args.path,
          [...imports.named.get(args.path)!].sort(),
          LAZY_BUILTINS.includes(args.path),
        ),
        loader: "js",
      }));
    },
  };
}
