import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** Exactly as the README and a pipeline run it: through npm, whose own banner must stay off stdout. */
function npmRunSimulate(...args: string[]) {
  const result = spawnSync('npm', ['run', 'simulate', '--', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same CLI without npm and npx in front (each costs a Node start of its own): tsx's loader in one Node. */
function runSimulate(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'cli/simulate.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run simulate', () => {
  it('--scenario second-deployment --alarm-at 30 --json: a whole report larger than a pipe buffer, rollback then success, exit 0', () => {
    // Through npm: its "> script" banner used to come first on stdout and break the JSON (.npmrc silences
    // it); and a report larger than the 64 KiB pipe buffer used to be cut short by process.exit.
    const { code, stdout } = npmRunSimulate('--scenario', 'second-deployment', '--alarm-at', '30', '--json');
    expect(stdout.length).toBeGreaterThan(65_536);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      outcome: 'rolled-back',
      expectedOutcome: 'rolled-back',
      requests: { failed: 0 },
      invariantViolations: [],
    });
    // The first release erred and was rolled back; the next one deployed on the group that kept serving.
    expect(report.executions.map((execution: { outcome: string }) => execution.outcome)).toEqual([
      'rolled-back',
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

  it('combines options into the expected outcome', () => {
    const combined = runSimulate(
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

  it('exits 2 on a bad option or an unknown scenario, naming it', () => {
    const bad = runSimulate('--instances', 'many');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--instances takes a number, got "many"/);
    const unknown = runSimulate('--scenario', 'nope', '--quiet');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown scenario "nope"; choose one of: happy/);
  }, 60_000);
});
