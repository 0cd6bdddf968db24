/**
 * Every import of every file of a TypeScript project, read with the TypeScript compiler's own
 * parser (through the API of `typescript` 7, which runs the compiler in a child process), so
 * that no form is missed: `import`, `import type`, `export ... from`, `export * from`,
 * `import("...")` in code and in types, `import x = require(...)`. A regular expression over
 * the text would miss some of these and be fooled by strings and comments.
 *
 * The API is the compiler's "unstable" one: if a TypeScript upgrade changes it, this file
 * stops compiling or throws, loudly, rather than reading fewer imports.
 */
import { isBuiltin } from "node:module";
import { dirname, relative, resolve, sep } from "node:path";
import type { Node, SourceFile } from "typescript/unstable/ast";
import { SyntaxKind } from "typescript/unstable/ast";
import {
  isCallExpression,
  isExportDeclaration,
  isExternalModuleReference,
  isIdentifier,
  isImportDeclaration,
  isImportEqualsDeclaration,
  isImportTypeNode,
  isLiteralTypeNode,
  isNoSubstitutionTemplateLiteral,
  isStringLiteral,
} from "typescript/unstable/ast/is";
import { skipTrivia } from "typescript/unstable/ast/scanner";
import { API } from "typescript/unstable/sync";

/** How a file names another module. */
export type ImportForm =
  | "import" // import ... from "x", import "x"
  | "export-from" // export ... from "x", export * from "x"
  | "dynamic" // import("x") in code
  | "import-type" // import("x") in a type position
  | "require"; // import x = require("x"), require("x")

export interface ImportEdge {
  readonly form: ImportForm;
  /** Erased from the JavaScript: `import type`, `export type ... from`, a type-position import. */
  readonly typeOnly: boolean;
  /** The specifier as written; null when it is computed (`import(name)`). */
  readonly specifier: string | null;
  /** 1-based line in the importing file. */
  readonly line: number;
  /** For a relative specifier: the imported file, relative to the project root ("/"-separated). */
  readonly target: string | null;
  /** A Node built-in (`node:fs`, or `fs`). */
  readonly builtin: boolean;
}

export interface ImportGraph {
  /** Every source file of the project, relative to `root`, "/"-separated, sorted. */
  readonly files: readonly string[];
  readonly imports: ReadonlyMap<string, readonly ImportEdge[]>;
}

/**
 * Reads the project of `tsconfig` (relative to `root`). Relative specifiers are resolved the
 * NodeNext way (`./x.js` names `./x.ts`); one that names no file of the project has a null
 * target and is left for the caller to report.
 */
export function readImportGraph(root: string, tsconfig: string): ImportGraph {
  const api = new API({ cwd: root });
  try {
    const snapshot = api.updateSnapshot({ openProject: tsconfig });
    const project = snapshot.getProjects()[0];
    if (project === undefined) throw new Error(`no project for ${tsconfig}`);
    const program = project.program;
    const files = project.rootFiles.map((file) => toRelative(root, file)).sort();
    const known = new Set(files);
    const imports = new Map<string, readonly ImportEdge[]>();
    for (const file of files) {
      const source = program.getSourceFile(resolve(root, file));
      if (source === undefined) throw new Error(`the compiler did not parse ${file}`);
      imports.set(file, importsOf(source, root, known));
    }
    return { files, imports };
  } finally {
    api.close();
  }
}

function importsOf(source: SourceFile, root: string, known: ReadonlySet<string>): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const from = dirname(source.fileName);
  const add = (form: ImportForm, typeOnly: boolean, specifierNode: Node | undefined, at: Node) => {
    const specifier = specifierNode === undefined ? null : literalText(specifierNode);
    const start = skipTrivia(source.text, at.pos);
    const line = source.getLineAndCharacterOfPosition(start).line + 1;
    let target: string | null = null;
    if (specifier?.startsWith(".")) {
      const candidate = toRelative(root, resolve(from, sourceNameOf(specifier)));
      target = known.has(candidate) ? candidate : null;
    }
    const builtin = specifier !== null && !specifier.startsWith(".") && isBuiltin(specifier);
    edges.push({ form, typeOnly, specifier, line, target, builtin });
  };

  const visit = (node: Node): void => {
    if (isImportDeclaration(node)) {
      const typeOnly = node.importClause?.phaseModifier === SyntaxKind.TypeKeyword;
      add("import", typeOnly, node.moduleSpecifier, node);
    } else if (isExportDeclaration(node)) {
      if (node.moduleSpecifier !== undefined)
        add("export-from", node.isTypeOnly, node.moduleSpecifier, node);
    } else if (isImportEqualsDeclaration(node)) {
      if (isExternalModuleReference(node.moduleReference))
        add("require", node.isTypeOnly, node.moduleReference.expression, node);
    } else if (isImportTypeNode(node)) {
      const argument = isLiteralTypeNode(node.argument) ? node.argument.literal : undefined;
      add("import-type", true, argument, node);
    } else if (isCallExpression(node)) {
      if (node.expression.kind === SyntaxKind.ImportKeyword) {
        add("dynamic", false, node.arguments[0], node);
      } else if (isIdentifier(node.expression) && node.expression.text === "require") {
        add("require", false, node.arguments[0], node);
      }
    }
    node.forEachChild(visit);
  };
  source.forEachChild(visit);
  return edges;
}

/** The text of a string literal; null for anything computed. */
function literalText(node: Node): string | null {
  return isStringLiteral(node) || isNoSubstitutionTemplateLiteral(node) ? node.text : null;
}

/** `./x.js` is written for `./x.ts` (NodeNext), `./x.mjs` for `./x.mts`. */
function sourceNameOf(specifier: string): string {
  return specifier
    .replace(/\.js$/, ".ts")
    .replace(/\.mjs$/, ".mts")
    .replace(/\.cjs$/, ".cts");
}

function toRelative(root: string, file: string): string {
  return relative(root, file).split(sep).join("/");
}
