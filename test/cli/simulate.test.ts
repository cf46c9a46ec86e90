import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { simulateInProcess } from '../support/simulate-in-process';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Exactly as the README and a pipeline run it: through npm, silent (`npm run -s`, npm's documented way to
 * keep its "> script" banner off standard output; test/cli/npm-run.test.ts checks the documents say so).
 */
function npmRunSimulate(...args: string[]) {
  const result = spawnSync('npm', ['run', '-s', 'simulate', '--', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run simulate', () => {
  it('--scenario second-deployment --alarm-at 30 --json: a whole report larger than a pipe buffer, rollback then success, exit 0', () => {
    // Through npm: its "> script" banner used to come first on stdout and break the JSON (`npm run -s`
    // leaves it out); and a report larger than the 64 KiB pipe buffer used to be cut short by process.exit.
    const { code, stdout } = npmRunSimulate('--scenario', 'second-deployment', '--alarm-at', '30', '--json');
    expect(stdout.length).toBeGreaterThan(65_536);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      outcome: 'rolled-back',
      expectedOutcome: 'rolled-back',
      requests: { failed: 0 },
      invariantViolations: [],
    });
    // The first release erred and was rolled back (its recovery found the clean-up done); the next one
    // deployed on the group that kept serving.
    expect(report.executions.map((execution: { outcome: string }) => execution.outcome)).toEqual([
      'rolled-back',
      'skipped',
      'succeeded',
    ]);
    expect(report.finalState).toMatchObject({
      activeGroup: 'webapp-green',
      activeAmis: ['ami-0cccccccccccc0003'],
    });
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining([
        'scenario',
        'simulatedSeconds',
        'realMs',
        'stateTransitions',
        'lambdaInvocations',
        'apiCalls',
        'timeline',
      ]),
    );
    expect(code).toBe(0);
  }, 60_000);

  it('combines options into the expected outcome', async () => {
    const combined = await simulateInProcess(
      '--window-minutes',
      '5',
      '--instances',
      '4',
      '--boot-seconds',
      '90',
      '--fail-synthetic',
      '--quiet',
    );
    expect(combined.stdout).toMatch(/PASS {2}scenario happy: aborted \(expected aborted\)/);
    expect(combined.code).toBe(0);
  }, 60_000);

  it('rolls back on the alarm whatever second of the minute CloudWatch evaluates it at', async () => {
    const { code, stdout } = await simulateInProcess(
      '--scenario',
      'alarm-rollback',
      '--alarm-second',
      '40',
      '--quiet',
    );
    expect(stdout).toMatch(/PASS {2}scenario alarm-rollback: rolled-back \(expected rolled-back\)/);
    expect(code).toBe(0);
  }, 60_000);

  it('exits 2 on a bad option or an unknown scenario, naming it', async () => {
    const bad = await simulateInProcess('--instances', 'many');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--instances takes a number, got "many"/);
    const second = await simulateInProcess('--alarm-second', '60');
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/--alarm-second takes a whole second of the minute, from 0 to 59/);
    const unknown = await simulateInProcess('--scenario', 'nope', '--quiet');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown scenario "nope"; choose one of: happy/);
  }, 60_000);

  it('--list aligns every description, whatever the length of the scenario names', async () => {
    const { code, stdout } = await simulateInProcess('--list');
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    const starts = new Set(lines.map((line) => /^\S+\s+/.exec(line)?.[0].length));
    expect(starts.size).toBe(1);
    expect(code).toBe(0);
  });
});
