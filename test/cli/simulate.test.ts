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
  it('--alarm-at 30 --json: rolled back, zero failed requests, the old AMI serving, no invariant violated, exit 0', () => {
    // Through npm: its "> script" banner used to come first on stdout and break the JSON (.npmrc silences it).
    const { code, stdout } = npmRunSimulate('--alarm-at', '30', '--json');
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      outcome: 'rolled-back',
      expectedOutcome: 'rolled-back',
      requests: { failed: 0 },
      invariantViolations: [],
      finalState: { activeGroup: 'webapp-blue', activeAmis: ['ami-0a1b2c3d4e5f60001'] },
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

  it('prints a whole JSON report larger than a pipe buffer (it used to be cut at 64 KiB by process.exit)', () => {
    const { code, stdout } = runSimulate('--scenario', 'second-deployment', '--json', '--quiet');
    expect(stdout.length).toBeGreaterThan(65_536);
    expect(JSON.parse(stdout).executions).toHaveLength(2);
    expect(code).toBe(0);
  }, 60_000);

  it('combines options into the expected outcome, and exits 2 on a bad option with the usage', () => {
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
    const bad = runSimulate('--instances', 'many');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--instances takes a number, got "many"/);
    const unknown = runSimulate('--scenario', 'nope', '--quiet');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown scenario "nope"; choose one of: happy/);
  }, 60_000);
});
