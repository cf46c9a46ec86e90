import { seconds, timed, type Timed } from './startup';

/**
 * What `npm test` costs as the caches stand (run it once before for the warm figures): its three parts
 * timed apart, each in a new process as the script runs them, and jest's own count of tests.
 */
export interface TestSuiteReport {
  typecheck: Timed;
  lint: Timed;
  jest: Timed & { tests?: string };
}

export function measureTestSuite(): TestSuiteReport {
  const typecheck = timed('npm', ['run', 'typecheck']);
  const lint = timed('npm', ['run', 'lint']);
  const jest = timed('npx', ['jest', '--silent']);
  const tests = /Tests:\s+(.+)/.exec(jest.stderr)?.[1]?.trim();
  return { typecheck, lint, jest: { ms: jest.ms, ok: jest.ok, detail: jest.detail, tests } };
}

export function printTestSuiteTable(report: TestSuiteReport): void {
  process.stdout.write('\nnpm test, its parts as the caches stand (wall time on this machine)\n');
  const total = report.typecheck.ms + report.lint.ms + report.jest.ms;
  const rows: [string, string][] = [
    ['type check (tsc --build, incremental)', seconds(report.typecheck)],
    ['lint (eslint and prettier, cached)', seconds(report.lint)],
    [`jest (${report.jest.tests ?? 'tests not counted'})`, seconds(report.jest)],
    ['npm test in all', `${(total / 1000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) process.stdout.write(`  ${label.padEnd(width)}  ${value}\n`);
}

export const testSuiteFailed = (report: TestSuiteReport): boolean =>
  !report.typecheck.ok || !report.lint.ok || !report.jest.ok;
