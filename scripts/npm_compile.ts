/**
 * Compiles the published source modules to ESM JavaScript and `.d.ts` files
 * with the TypeScript compiler, rewriting relative `.ts` imports to `.js`.
 *
 * @module
 */

import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import ts from "typescript";

/** Files and folders, relative to the repository root, that make up the published modules. */
export const SOURCE_ROOTS = ["mod.ts", "core", "node", "runtime", "cli"] as const;

/** Compiler options of the npm build. Node 20 runs ES2022 and resolves like `NodeNext`. */
export const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2023.d.ts"],
  types: ["node"],
  strict: true,
  declaration: true,
  rewriteRelativeImportExtensions: true,
  isolatedModules: true,
  skipLibCheck: true,
  noEmitOnError: true,
  newLine: ts.NewLineKind.LineFeed,
};

function isSourceModule(name: string): boolean {
  return /\.m?ts$/.test(name) && !name.endsWith(".d.ts") && !/_test\.m?ts$/.test(name);
}

/** Lists every published source module under `root`, sorted. Test modules are left out. */
export async function listSourceModules(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of SOURCE_ROOTS) {
    const path = join(root, entry);
    if (isSourceModule(entry)) {
      files.push(path);
      continue;
    }
    const names = await readdir(path, { recursive: true, withFileTypes: true });
    for (const dirent of names) {
      if (dirent.isFile() && isSourceModule(dirent.name)) {
        files.push(join(dirent.parentPath, dirent.name));
      }
    }
  }
  return files.sort();
}

/** Formats compiler diagnostics with file, line and column, one per line. */
export function formatDiagnostics(root: string, diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  });
}

/** Rewrites a relative `.ts`/`.mts` specifier to the emitted `.js`/`.mjs`; others stay. */
export function rewriteSpecifier(specifier: string): string {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return specifier;
  return specifier.replace(/\.ts$/, ".js").replace(/\.mts$/, ".mjs");
}

/**
 * Rewrites relative `.ts` specifiers in declaration files. The compiler's
 * `rewriteRelativeImportExtensions` rewrites them in JavaScript output only
 * (TypeScript 5.9), and a `.d.ts` that imports `./x.ts` fails to type-check
 * for consumers without `allowImportingTsExtensions`.
 */
function rewriteDeclarationSpecifiers(
  context: ts.TransformationContext,
): (node: ts.Bundle | ts.SourceFile) => ts.Bundle | ts.SourceFile {
  const { factory } = context;
  const rewrite = (literal: ts.Expression | undefined) =>
    literal && ts.isStringLiteral(literal) && rewriteSpecifier(literal.text) !== literal.text
      ? factory.createStringLiteral(rewriteSpecifier(literal.text))
      : undefined;

  const visit = (node: ts.Node): ts.Node => {
    if (ts.isImportDeclaration(node)) {
      const specifier = rewrite(node.moduleSpecifier);
      if (specifier) {
        return factory.updateImportDeclaration(
          node,
          node.modifiers,
          node.importClause,
          specifier,
          node.attributes,
        );
      }
    }
    if (ts.isExportDeclaration(node)) {
      const specifier = rewrite(node.moduleSpecifier);
      if (specifier) {
        return factory.updateExportDeclaration(
          node,
          node.modifiers,
          node.isTypeOnly,
          node.exportClause,
          specifier,
          node.attributes,
        );
      }
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const specifier = rewrite(node.argument.literal);
      if (specifier) {
        return factory.updateImportTypeNode(
          node,
          factory.createLiteralTypeNode(specifier as ts.StringLiteral),
          node.attributes,
          node.qualifier,
          node.typeArguments,
          node.isTypeOf,
        );
      }
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (node) => ts.isSourceFile(node) ? ts.visitEachChild(node, visit, context) : node;
}

/**
 * Compiles `files` into `outDir`, keeping their layout relative to `root`.
 * Returns the paths written, relative to `outDir`.
 *
 * @throws {Error} listing every compiler diagnostic; nothing is written then.
 */
export function compileModules(root: string, files: readonly string[], outDir: string): string[] {
  // typeRoots is explicit so that `types: ["node"]` resolves from the repository, whatever the
  // working directory of the build.
  const options: ts.CompilerOptions = {
    ...COMPILER_OPTIONS,
    rootDir: root,
    outDir,
    typeRoots: [join(root, "node_modules", "@types")],
  };
  const program = ts.createProgram({ rootNames: [...files], options });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) {
    throw new Error(`TypeScript reported errors:\n${formatDiagnostics(root, diagnostics)}`);
  }

  const written: string[] = [];
  const result = program.emit(
    undefined,
    (path, text) => {
      ts.sys.writeFile(path, text);
      written.push(relative(outDir, path));
    },
    undefined,
    false,
    { afterDeclarations: [rewriteDeclarationSpecifiers] },
  );
  if (result.emitSkipped || result.diagnostics.length > 0) {
    throw new Error(`TypeScript emit failed:\n${formatDiagnostics(root, result.diagnostics)}`);
  }
  return written.sort();
}
