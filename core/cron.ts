/** Five-field cron validation, matching what GitHub Actions `schedule` accepts. @module */

import { ErrorCode, PipelineError } from "./errors.ts";

const FIELDS = [
  { name: "minute", min: 0, max: 59, names: [] as string[] },
  { name: "hour", min: 0, max: 23, names: [] as string[] },
  { name: "day of month", min: 1, max: 31, names: [] as string[] },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  { name: "day of week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

/** The five-field form of each common cron macro, for the error that rejects the macro. */
const CRON_MACROS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/**
 * Validates a 5-field cron expression (minute hour day-of-month month
 * day-of-week). Throws `ASYNC_PIPELINE_INVALID_CRON` naming the bad field.
 */
export function validateCron(expression: unknown, path = "cron"): string {
  if (typeof expression !== "string") {
    throw cronError(path, `expected a cron string, got ${typeof expression}.`);
  }
  const macro = CRON_MACROS[expression.trim().toLowerCase()];
  if (macro !== undefined) {
    throw cronError(
      path,
      `"${expression}" is a cron macro, which GitHub Actions schedules do not accept; write "${macro}" instead.`,
    );
  }
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw cronError(
      path,
      `"${expression}" has ${fields.length} fields; cron needs 5 (minute hour day-of-month month day-of-week).`,
    );
  }
  fields.forEach((field, index) => {
    const spec = FIELDS[index];
    for (const item of field.split(",")) {
      if (!validItem(item, spec)) {
        throw cronError(
          path,
          `"${expression}": the ${spec.name} field "${field}" is invalid; it takes ${spec.min}-${spec.max}${
            spec.names.length ? " or names such as " + spec.names[1].toUpperCase() : ""
          }, "*", ranges (a-b), lists (a,b) and steps (*/n).`,
        );
      }
    }
  });
  return fields.join(" ");
}

function validItem(item: string, spec: (typeof FIELDS)[number]): boolean {
  const [range, step, ...rest] = item.split("/");
  if (rest.length > 0) return false;
  if (step !== undefined && !/^\d+$/.test(step)) return false;
  if (step !== undefined && Number(step) < 1) return false;
  if (range === "*") return true;
  const bounds = range.split("-");
  if (bounds.length > 2) return false;
  const numbers = bounds.map((bound) => parseValue(bound, spec));
  if (numbers.some((n) => n === undefined)) return false;
  if (numbers.length === 2 && (numbers[0] as number) > (numbers[1] as number)) return false;
  return true;
}

function parseValue(text: string, spec: (typeof FIELDS)[number]): number | undefined {
  const named = spec.names.indexOf(text.toLowerCase());
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  // GitHub accepts 7 as Sunday in the day-of-week field.
  const max = spec.name === "day of week" ? 7 : spec.max;
  return value >= spec.min && value <= max ? value : undefined;
}

function cronError(path: string, message: string): PipelineError {
  return new PipelineError(ErrorCode.INVALID_CRON, `${path}: ${message}`, {
    path,
    hint: 'Example: "0 9 * * 1" runs at 09:00 UTC every Monday.',
  });
}
