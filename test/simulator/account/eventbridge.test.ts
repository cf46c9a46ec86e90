import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { entrySize, MAX_ENTRIES_BYTES } from '../../../simulator/account/eventbridge';
import type { PolicyStatement } from '../../../simulator/account/iam/policy-evaluation';
import { actingAs, type Principal } from '../../../simulator/account/iam/principal';
import { createHarness, rejection, type Harness, type HarnessOptions } from './harness';

/** PutEvents as docs/aws-facts/eventbridge.md records it: limits, per-entry answers, authorization. */

let h: Harness;
const events = new EventBridgeClient({ region: 'us-east-1' });
const DEFAULT_BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/default';

function account(options: HarnessOptions = {}): void {
  h = createHarness({ now: Date.UTC(2026, 0, 5, 9, 0, 0), ...options });
}
beforeEach(() => account());
afterEach(() => h.dispose());

const entry = (fields: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: 'asg-blue-green',
  DetailType: 'Blue/Green Deployment Started',
  Detail: JSON.stringify({ milestone: 'started' }),
  ...fields,
});
const put = (entries: PutEventsRequestEntry[]) => events.send(new PutEventsCommand({ Entries: entries }));

describe('the simulated EventBridge: PutEvents on the default bus', () => {
  it('puts every entry, answers an EventId for each, in order, and keeps what a rule would see', async () => {
    const answer = await put([
      entry(),
      entry({ DetailType: 'Other', Resources: ['arn:aws:states:us-east-1:123456789012:execution:x:y'] }),
      entry({ Time: new Date('2026-01-05T08:00:00Z') }),
    ]);
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries).toEqual([
      { EventId: expect.any(String) },
      { EventId: expect.any(String) },
      { EventId: expect.any(String) },
    ]);
    expect(h.events.map((event) => event.id)).toEqual(answer.Entries?.map((result) => result.EventId));
    expect(h.events[0]).toMatchObject({
      source: 'asg-blue-green',
      detailType: 'Blue/Green Deployment Started',
      detail: { milestone: 'started' },
      resources: [],
      // No Time: when the bus received it.
      time: '2026-01-05T09:00:00.000Z',
    });
    expect(h.events[1].resources).toEqual(['arn:aws:states:us-east-1:123456789012:execution:x:y']);
    expect(h.events[2].time).toBe('2026-01-05T08:00:00.000Z');
    expect(h.account.snapshot().events).toBe(3);
  });

  it('takes 1 to 10 entries; more or none refuses the whole call', async () => {
    await expect(put(Array.from({ length: 10 }, () => entry()))).resolves.toMatchObject({
      FailedEntryCount: 0,
    });
    const tooMany = await rejection(put(Array.from({ length: 11 }, () => entry())));
    expect(tooMany).toMatchObject({ name: 'ValidationException', $fault: 'client' });
    expect(tooMany.message).toMatch(
      /at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10/,
    );
    await expect(put([])).rejects.toMatchObject({ name: 'ValidationException' });
    expect(h.events).toHaveLength(10);
  });

  it('counts an entry as AWS does, and refuses a request over 256 KB whole', async () => {
    expect(entrySize(entry({ Detail: '{"a":"é"}', Resources: ['ab'], Time: new Date() }))).toBe(
      14 + 'asg-blue-green'.length + 'Blue/Green Deployment Started'.length + 10 + 2,
    );
    const fixed = entrySize(entry({ Detail: '{"x":""}' }));
    const padding = (bytes: number) => JSON.stringify({ x: 'y'.repeat(bytes - fixed) });
    await expect(put([entry({ Detail: padding(MAX_ENTRIES_BYTES) })])).resolves.toMatchObject({
      FailedEntryCount: 0,
    });
    const over = await rejection(put([entry({ Detail: padding(MAX_ENTRIES_BYTES + 1) })]));
    expect(over).toMatchObject({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
    });
    const together = await rejection(
      put([
        entry({ Detail: padding(MAX_ENTRIES_BYTES / 2) }),
        entry({ Detail: padding(MAX_ENTRIES_BYTES / 2 + 1) }),
      ]),
    );
    expect(together.name).toBe('ValidationException');
    expect(h.events).toHaveLength(1);
  });

  it('fails an entry alone (FailedEntryCount, ErrorCode, ErrorMessage), puts the others', async () => {
    const answer = await put([
      entry(),
      entry({ Detail: '{not json' }),
      entry({ Detail: '[1, 2]' }),
      entry({ Detail: undefined }),
      entry({ Source: 'aws.ec2' }),
      entry({ EventBusName: 'orders' }),
      entry({ EventBusName: DEFAULT_BUS }),
    ]);
    expect(answer.FailedEntryCount).toBe(5);
    expect(answer.Entries?.map((result) => result.ErrorCode ?? 'put')).toEqual([
      'put',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'NotAuthorizedForSourceException',
      'InvalidArgument',
      'put',
    ]);
    expect(answer.Entries?.[1].ErrorMessage).toBeTruthy();
    expect(h.events).toHaveLength(2);
  });

  it('fails the entries a test asks for with the code it asks for (failEventEntry), call by call', async () => {
    h.dispose();
    account({ faults: { failEventEntry: (call, index) => call === 1 && index === 1 && 'InternalFailure' } });
    const first = await put([entry(), entry(), entry()]);
    expect(first.FailedEntryCount).toBe(1);
    expect(first.Entries?.[1]).toEqual({
      ErrorCode: 'InternalFailure',
      ErrorMessage: 'Simulated InternalFailure.',
    });
    await expect(put([entry()])).resolves.toMatchObject({ FailedEntryCount: 0 });
    expect(h.events).toHaveLength(3);
  });

  it('throttles with ThrottlingException, 400, retried by the SDK', async () => {
    h.dispose();
    account({
      faults: {
        failAttempt: (operation, attempt) =>
          operation === 'events:PutEvents' && attempt === 1 && 'throttling',
      },
    });
    await expect(put([entry()])).resolves.toMatchObject({ FailedEntryCount: 0, $metadata: { attempts: 2 } });
    h.dispose();
    account({ faults: { failAttempt: (operation) => operation === 'events:PutEvents' && 'throttling' } });
    const throttled = await rejection(put([entry()]));
    expect(throttled).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
  });
});

describe('PutEvents authorization (docs/aws-facts/eventbridge.md#iam)', () => {
  const step = (...statements: PolicyStatement[]): Principal => ({
    name: 'publish-milestone',
    sessionArn: 'arn:aws:sts::123456789012:assumed-role/StepRole/publish-milestone',
    policies: [{ Version: '2012-10-17', Statement: statements }],
  });
  /** What infra/step-permissions.ts grants the steps that announce milestones. */
  const grant: PolicyStatement = {
    Effect: 'Allow',
    Action: 'events:PutEvents',
    Resource: DEFAULT_BUS,
    Condition: { 'ForAllValues:StringEquals': { 'events:source': ['asg-blue-green'] } },
  };

  it('the steps’ grant puts events of their own source on the default bus', async () => {
    await expect(actingAs(step(grant), () => put([entry(), entry()]))).resolves.toMatchObject({
      FailedEntryCount: 0,
    });
  });

  it('refuses another source, another bus, or no grant at all, whole, with AccessDeniedException (400)', async () => {
    const otherSource = await rejection(
      actingAs(step(grant), () => put([entry(), entry({ Source: 'billing' })])),
    );
    expect(otherSource).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect(otherSource.message).toBe(
      'User: arn:aws:sts::123456789012:assumed-role/StepRole/publish-milestone is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:123456789012:event-bus/default because no identity-based policy allows the events:PutEvents action',
    );
    const otherBus = await rejection(actingAs(step(grant), () => put([entry({ EventBusName: 'orders' })])));
    expect(otherBus.message).toContain('on resource: arn:aws:events:us-east-1:123456789012:event-bus/orders');
    await expect(actingAs(step(), () => put([entry()]))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(h.events).toEqual([]);
  });

  it('a detail-type condition is a single value: StringEquals on events:detail-type works as AWS’s example', async () => {
    const startedOnly: PolicyStatement = {
      ...grant,
      Condition: { StringEquals: { 'events:detail-type': 'Blue/Green Deployment Started' } },
    };
    await expect(actingAs(step(startedOnly), () => put([entry()]))).resolves.toBeDefined();
    await expect(
      actingAs(step(startedOnly), () => put([entry({ DetailType: 'Blue/Green Deployment Outcome' })])),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
