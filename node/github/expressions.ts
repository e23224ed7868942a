/**
 * GitHub Actions expression text for env values and job conditions.
 *
 * @module
 */

import type { EnvValue } from "../../core/env.ts";

/** Quotes a string as a GitHub expression literal: single quotes, `'` doubled. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Makes a GitHub expression of each `${{` in a text that GitHub evaluates, so
 * that the text reaches the job as written: `${{` becomes `${{ '${{' }}`.
 */
export function escapeExpressions(text: string): string {
  return text.replaceAll("${{", "${{ '${{' }}");
}

/**
 * Renders one env value for a workflow `env:` map. A literal stays as
 * written, except that each `${{` becomes `${{ '${{' }}`. GitHub then does
 * not evaluate it, so the job gets the same text as a local run.
 * `env.secret("NAME")` becomes `${{ secrets.NAME }}`, and `env.var("NAME")`
 * becomes `${{ vars.NAME }}`, with `|| 'default'` when it has a default. A
 * mapped variable renders its selector, and the runner maps the selector
 * through the table at run time.
 */
export function envExpression(value: EnvValue): string {
  if (typeof value === "string") return escapeExpressions(value);
  if (value.kind === "secret") return `\${{ secrets.${value.name} }}`;
  const fallback = value.default === undefined ? "" : ` || ${literal(value.default)}`;
  return `\${{ vars.${value.name}${fallback} }}`;
}

/** Joins conditions with `||`, parenthesizing each one that contains `&&`. */
export function anyOf(conditions: readonly string[]): string {
  if (conditions.length === 1) return conditions[0];
  return conditions.map((condition) => condition.includes("&&") ? `(${condition})` : condition)
    .join(" || ");
}

/** Joins two conditions with `&&`, parenthesizing one that contains `||`. */
export function allOf(left: string, right: string): string {
  const wrap = (condition: string) => condition.includes("||") ? `(${condition})` : condition;
  return `${wrap(left)} && ${wrap(right)}`;
}
