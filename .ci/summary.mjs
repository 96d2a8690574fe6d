// Prints "N passed, N failed" (and ", N skipped" when any) from vitest's JSON report.
import { readFileSync } from "node:fs";

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, "utf8"));
} catch {
  console.log("0 passed, 1 failed");
  console.error(`no test report at ${path}: the test run did not complete`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A failed test counts once; a file that failed without a failed test (it did not load) counts as
// one more. (numFailedTestSuites counts each describe block around a failure too.)
const filesFailedWithoutTest = (report.testResults ?? []).filter(
  (file) =>
    file.status === "failed" &&
    !(file.assertionResults ?? []).some((test) => test.status === "failed"),
).length;
const failed = (report.numFailedTests ?? 0) + filesFailedWithoutTest;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
if (passed === 0) {
  console.error("no test ran");
  process.exit(1);
}
