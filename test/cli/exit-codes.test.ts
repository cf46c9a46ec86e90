import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_CODES } from '../../cli/operations/exit-codes';
import { EXIT_MEANINGS } from '../../cli/operations/exit-table';
import { OUTCOMES } from '../../lambdas/shared/contract';

const OPERATIONS = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');

/** The rows of the exit-code table in docs/operations.md: | code | `outcome` | meaning |. */
function documentedTable(): { code: number; outcome: string; meaning: string }[] {
  const start = OPERATIONS.indexOf('| Exit code | Outcome');
  expect(start).toBeGreaterThan(0);
  const lines = OPERATIONS.slice(start).split('\n');
  const rows = lines.slice(
    2,
    lines.findIndex((line, index) => index > 0 && !line.startsWith('|')),
  );
  return rows.map((row) => {
    const [code, outcome, meaning] = row
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    return { code: Number(code), outcome: outcome.replace(/`/g, ''), meaning };
  });
}

describe('exit codes', () => {
  it('the table in docs/operations.md is the code’s map, row for row, meanings included', () => {
    expect(documentedTable()).toEqual(
      Object.entries(EXIT_CODES).map(([outcome, code]) => ({
        code,
        outcome,
        meaning: EXIT_MEANINGS[outcome as keyof typeof EXIT_MEANINGS],
      })),
    );
  });

  it('every outcome of the state machine has a code, and the failures each their own', () => {
    for (const outcome of OUTCOMES) expect(EXIT_CODES[outcome]).toEqual(expect.any(Number));
    const failures = Object.entries(EXIT_CODES).filter(([, code]) => code !== 0);
    expect(new Set(failures.map(([, code]) => code)).size).toBe(failures.length);
  });
});
