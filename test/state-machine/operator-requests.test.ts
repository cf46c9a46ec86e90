import { workflowFor } from '../../simulator/engine/simulation';

/**
 * Issue 12, item 3: which waits honour an operator's request to stop, read from the synthesized definition.
 * From the launch (which clears a request left by an earlier deployment) to the window, every wait does;
 * the wait before the launch and the clean-up waits do not.
 */
interface AslState {
  Type: string;
  /** The step's payload itself: the steps are invoked with payloadResponseOnly. */
  Parameters?: Record<string, unknown>;
  Branches?: { States: Record<string, AslState> }[];
}

function checks(states: Record<string, AslState>): Map<string, Record<string, unknown>> {
  const found = new Map<string, Record<string, unknown>>();
  for (const [name, state] of Object.entries(states)) {
    if (name.endsWith(': check') && state.Parameters) found.set(name, state.Parameters);
    for (const branch of state.Branches ?? []) {
      for (const [inner, payload] of checks(branch.States)) found.set(inner, payload);
    }
  }
  return found;
}

describe('operator requests in the synthesized definition', () => {
  const waits = checks(
    (workflowFor({ scenario: 'happy', seed: 1 }).asl as unknown as { States: Record<string, AslState> })
      .States,
  );
  const honouring = [...waits]
    .filter(([, payload]) => 'operatorRequestGroup.$' in payload)
    .map(([name]) => name.replace(/: check$/, ''));

  it('every wait from the launch to the end of the shift honours a request on the new group', () => {
    expect(honouring.sort()).toEqual(
      [
        'Wait until new instances are in service',
        'Wait until new targets are healthy in synthetic target group',
        'Wait until added instances are in service',
        'Wait until added targets are healthy in synthetic target group',
        'Wait until new targets are healthy in main target group',
        'Wait until old fleet is in standby',
        // A gradual shift's waits for each share (the bake is the window's monitor, which reads the request).
        'Wait until new share is healthy',
        'Wait until old share is in standby',
      ].sort(),
    );
    for (const name of honouring) {
      expect(waits.get(`${name}: check`)).toMatchObject({
        'operatorRequestGroup.$': '$.roles.standby.groupName',
      });
    }
  });

  it('the clean-up waits and the wait before the launch do not: a request there has nothing to stop', () => {
    const others = [...waits.keys()].map((name) => name.replace(/: check$/, ''));
    for (const name of ['Wait until standby group is empty', 'Abort: wait until new group is empty']) {
      expect(others).toContain(name);
      expect(honouring).not.toContain(name);
    }
  });
});
