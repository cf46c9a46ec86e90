import { simulateInProcess as simulate } from '../support/simulate-in-process';

describe('npm run simulate: load options', () => {
  it('--capacity too small for the traffic: capacity errors, not failed requests, exit 1', async () => {
    const { code, stdout } = await simulate('--capacity', '3', '--window-minutes', '5', '--quiet', '--json');
    const report = JSON.parse(stdout);
    expect(report.requests.failed).toBe(0);
    expect(report.requests.capacityErrors).toBeGreaterThan(0);
    expect(code).toBe(1);
  }, 60_000);

  it('--traffic and --scaling-policy are parsed into the run (a daily curve the fleet carries passes)', async () => {
    const { code, stdout } = await simulate(
      '--capacity',
      '10',
      '--traffic',
      'daily:5:25:0.25',
      '--scaling-policy',
      'cpu:90',
      '--window-minutes',
      '5',
      '--quiet',
    );
    expect(stdout).toMatch(/PASS {2}scenario happy: succeeded/);
    expect(stdout).not.toMatch(/capacity errors/);
    expect(code).toBe(0);
  }, 60_000);

  it('exits 2 on a malformed profile or policy, naming the option', async () => {
    for (const [option, value, message] of [
      ['--traffic', 'ramp:1:2', /--traffic takes step:FROM:TO:AT_SECONDS or daily/],
      ['--traffic', 'step:10:-1:60', /--traffic takes/],
      ['--traffic', 'daily:5:50:2', /--traffic takes/],
      ['--scaling-policy', 'memory:50', /--scaling-policy takes requests:TARGET/],
      ['--capacity', '0', /--capacity takes a number above 0/],
      ['--latency-bound', 'slow', /--latency-bound takes a number/],
    ] as const) {
      const { code, stderr } = await simulate(option, value);
      expect({ option, value, code }).toEqual({ option, value, code: 2 });
      expect(stderr).toMatch(message);
    }
  });
});
