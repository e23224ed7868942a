import assert from "node:assert/strict";
import { validateCron } from "../core/cron.ts";
import { formatDurationLimit, parseDuration } from "../core/duration.ts";
import { ErrorCode } from "../core/errors.ts";

const DURATIONS: Array<[number | string, number]> = [
  [1500, 1500],
  ["500ms", 500],
  ["30s", 30_000],
  ["5m", 300_000],
  ["1h", 3_600_000],
  ["1.5s", 1500],
];

for (const [input, expected] of DURATIONS) {
  Deno.test(`parseDuration accepts ${JSON.stringify(input)}`, () => {
    assert.equal(parseDuration(input), expected);
  });
}

for (const input of ["", "5", "5 min", "-1s", "0s", 0, -5, Infinity, "1d", null]) {
  Deno.test(`parseDuration rejects ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => parseDuration(input, "tasks.build.timeout"),
      (error: Error & { code?: string; path?: string }) => {
        assert.equal(error.code, ErrorCode.INVALID_DURATION);
        assert.equal(error.path, "tasks.build.timeout");
        assert.match(error.message, /tasks\.build\.timeout/);
        return true;
      },
    );
  });
}

const VALID_CRONS = [
  "0 9 * * 1",
  "*/15 * * * *",
  "0 0 1 1 *",
  "30 2 * * MON-FRI",
  "0 0 * JAN,JUL 0",
  "5 4 * * 7",
  "0 22 * * 1-5",
];
for (const cron of VALID_CRONS) {
  Deno.test(`validateCron accepts ${cron}`, () => {
    assert.equal(validateCron(cron), cron);
  });
}

const INVALID_CRONS: Array<[string, RegExp]> = [
  ["0 9 * *", /has 4 fields/],
  ["0 9 * * 1 2026", /has 6 fields/],
  ["60 9 * * 1", /minute field "60"/],
  ["0 24 * * 1", /hour field "24"/],
  ["0 9 0 * 1", /day of month field "0"/],
  ["0 9 * 13 1", /month field "13"/],
  ["0 9 * * 8", /day of week field "8"/],
  ["*/0 * * * *", /minute field/],
  ["5-1 * * * *", /minute field "5-1"/],
  ["a * * * *", /minute field "a"/],
  ["@daily", /"@daily" is a cron macro, .* write "0 0 \* \* \*" instead/],
  ["@Hourly", /write "0 \* \* \* \*" instead/],
];
for (const [cron, pattern] of INVALID_CRONS) {
  Deno.test(`validateCron rejects ${cron}`, () => {
    assert.throws(
      () => validateCron(cron, "triggers.nightly"),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, ErrorCode.INVALID_CRON);
        assert.match(error.message, pattern);
        return true;
      },
    );
  });
}

for (
  const [ms, expected] of [
    [2000, "2s"],
    [90_000, "90s"],
    [300_000, "5m"],
    [7_200_000, "2h"],
    [1500, "1500ms"],
    [300, "300ms"],
  ] as const
) {
  Deno.test(`formatDurationLimit writes ${ms} as ${expected}`, () => {
    assert.equal(formatDurationLimit(ms), expected);
    assert.equal(parseDuration(expected), ms);
  });
}
