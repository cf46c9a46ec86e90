/**
 * The local engine needs `Promise.withResolvers` (Node ≥ 22). Importing the simulation must be enough: a
 * script that called `simulate()` without the CLI's polyfill import saw a caught task error escape as an
 * unhandled rejection, and a rejected request end as "failed".
 */
describe('the simulation on Node 20 without Promise.withResolvers', () => {
  const promise = Promise as unknown as { withResolvers?: unknown };
  const original = promise.withResolvers;

  afterAll(() => {
    promise.withResolvers = original;
  });

  it('still routes a task error to its Catch: bad input is rejected', async () => {
    delete promise.withResolvers;
    type Simulation = typeof import('../../../simulator/engine/simulation');
    let simulation: Simulation | undefined;
    jest.isolateModules(() => {
      simulation = jest.requireActual<Simulation>('../../../simulator/engine/simulation');
    });
    const report = await (simulation as Simulation).simulate({ scenario: 'bad-input', seed: 1 });
    // The deployment's own ending (the recovery its failure starts is tested with the scenarios).
    expect(report.executions[0].outcome).toBe('rejected');
  });
});
