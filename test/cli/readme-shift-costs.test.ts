import * as fs from 'node:fs';
import * as path from 'node:path';
import { simulate } from '../../simulator/engine/simulation';

/**
 * The README's "What it costs" table for the gradual shift is what `npm run simulate` measures (found in
 * review: the table went stale when the review's fixes added calls, and a team sizing its API budget from
 * it would read old figures).
 */

const README = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

/** The cost table's row (the modes table above it also starts rows with the scenario's name). */
function row(scenario: string): number[] {
  const rows = README.split('\n')
    .filter((text) => text.startsWith(`| \`${scenario}\``))
    .map((line) =>
      line
        .split('|')
        .slice(2, 7)
        .map((cell) => Number(cell.trim())),
    )
    .filter((cells) => cells.every(Number.isInteger));
  if (rows.length !== 1) throw new Error(`no single README cost row for ${scenario}`);
  return rows[0];
}

it.each([['happy'], ['canary'], ['canary-by-weight'], ['linear'], ['linear-by-weight']])(
  'README cost row for %s is what npm run simulate measures (10 instances a side)',
  async (scenario) => {
    const report = await simulate({ scenario, seed: 1, instances: 10 });
    expect(report.executions[0].outcome).toBe('succeeded');
    const measured = [
      report.stateTransitions,
      report.lambdaInvocations,
      report.apiCalls.total,
      report.apiCalls.byOperation['cloudwatch:GetMetricData'] ?? 0,
      report.apiCalls.byOperation['elasticloadbalancing:ModifyListener'] ?? 0,
    ];
    expect(measured).toEqual(row(scenario));
  },
  120_000,
);
