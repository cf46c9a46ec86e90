import { handler as checkApproval } from '../../lambdas/check-approval/handler';
import { handler } from '../../lambdas/publish-milestone/handler';
import { CLIENT_CONFIG } from '../../lambdas/shared/aws/call';
import { DETAIL_TYPES, EVENT_SOURCE, milestoneDetailSchema } from '../../lambdas/shared/contract';
import { ANNOUNCE_RETRY_PAUSES_MS } from '../../lambdas/shared/milestones';
import { ENCRYPTED_TOPIC } from '../../simulator/account/environment';
import { createHarness, denying, type Harness, type HarnessOptions } from '../support/account';
import { awsCommandsIn, runAwsCommand } from '../support/aws-cli';

let h: Harness;

function account(options: HarnessOptions = {}): void {
  h = createHarness({ now: Date.UTC(2026, 0, 5, 9, 0, 0), ...options });
}

beforeEach(() => account());
afterEach(() => h.dispose());

const AMI = 'ami-0123456789abcdef0';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:webapp-deployments';
const EXECUTION_ARN =
  'arn:aws:states:us-east-1:123456789012:execution:webapp-blue-green-deployment:release-42';
const roles = {
  firstDeployment: false,
  active: { groupName: 'webapp-blue', capacity: { min: 2, desired: 3, max: 6 }, instanceCount: 3 },
  standby: { groupName: 'webapp-green' },
  targetCapacity: { min: 2, desired: 3, max: 6 },
};
const firstRoles = { ...roles, firstDeployment: true, active: null };

const announce = (milestone: string, fields: object = {}) =>
  handler({
    milestone,
    applicationName: 'webapp',
    notificationTopicArn: TOPIC,
    execution: {
      id: EXECUTION_ARN,
      name: 'release-42',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-blue-green-deployment',
      startTime: '2026-01-05T08:58:00.000Z',
    },
    amiId: AMI,
    roles,
    ...fields,
  });

/** Attempts of a call that reached the account (the SDK makes up to CLIENT_CONFIG.maxAttempts a call). */
const attempts = (operation: string) => h.account.apiCalls.byOperation[operation] ?? 0;

describe('publish-milestone', () => {
  it('started: one event on the default bus and one message on the topic, both saying who deploys what', async () => {
    await expect(announce('started')).resolves.toEqual({
      milestone: 'started',
      notified: true,
      eventPublished: true,
    });
    expect(h.events).toHaveLength(1);
    const [event] = h.events;
    expect(event).toMatchObject({
      source: EVENT_SOURCE,
      detailType: 'Blue/Green Deployment Started',
      resources: [EXECUTION_ARN],
      time: '2026-01-05T09:00:00.000Z',
    });
    const message = `webapp: deploying ${AMI} to webapp-green (3 instances); webapp-blue serves users meanwhile.`;
    expect(milestoneDetailSchema.parse(event.detail)).toEqual({
      milestone: 'started',
      schemaVersion: 1,
      application: 'webapp',
      execution: { name: 'release-42', arn: EXECUTION_ARN },
      amiId: AMI,
      newGroup: 'webapp-green',
      previousGroup: 'webapp-blue',
      firstDeployment: false,
      at: '2026-01-05T09:00:00.000Z',
      message,
      capacity: { min: 2, desired: 3, max: 6 },
    });
    expect(h.published).toEqual([
      {
        topicArn: TOPIC,
        subject: `[webapp] deployment started: ${AMI}`,
        message: [
          message,
          '',
          'Application: webapp',
          'Execution: release-42',
          'Milestone: started',
          `AMI: ${AMI}`,
          'New group: webapp-green',
          'Previous group: webapp-blue',
        ].join('\n'),
        attributes: { milestone: 'started', application: 'webapp' },
      },
    ]);
  });

  it('started on a first deployment: no group serves meanwhile', async () => {
    await announce('started', { roles: firstRoles });
    expect(h.events[0].detail).toMatchObject({
      previousGroup: null,
      firstDeployment: true,
      message: `webapp: first deployment: deploying ${AMI} to webapp-green (3 instances).`,
    });
    expect(h.published[0].message).toContain('Previous group: none (first deployment)');
  });

  it('new-version-ready: the launch template version and how many instances are in service', async () => {
    await announce('new-version-ready', {
      release: { launchTemplateId: 'lt-0123', version: 7, sourceVersion: 6 },
    });
    expect(h.events[0]).toMatchObject({ detailType: DETAIL_TYPES['new-version-ready'] });
    expect(h.events[0].detail).toMatchObject({
      milestone: 'new-version-ready',
      launchTemplateVersion: 7,
      instances: 3,
      message: expect.stringContaining('passed its synthetic checks'),
    });
    expect(h.published[0].subject).toBe(`[webapp] new version ready: ${AMI}`);
  });

  it('traffic-shifted: the rollback window it opens, and where the old fleet waits', async () => {
    await announce('traffic-shifted', { rollbackWindowMinutes: 30 });
    expect(h.events[0].detail).toMatchObject({
      milestone: 'traffic-shifted',
      rollbackWindowMinutes: 30,
      message: `webapp: ${AMI} now serves all traffic from webapp-green; webapp-blue waits in Standby through the 30-minute rollback window.`,
    });
  });

  it('approval-requested: what is awaited, until when, and commands that answer, which run as printed', async () => {
    await announce('approval-requested', { approval: { timeoutMinutes: 60, onTimeout: 'abort' } });
    const detail = milestoneDetailSchema.parse(h.events[0].detail);
    if (detail.milestone !== 'approval-requested') throw new Error(`announced ${detail.milestone}`);
    expect(detail).toMatchObject({
      milestone: 'approval-requested',
      deadline: '2026-01-05T10:00:00.000Z',
      onTimeout: 'abort',
    });
    expect(detail.message).toContain(
      'Unanswered by 2026-01-05T10:00:00.000Z, it aborts, production untouched.',
    );
    expect(h.published[0].subject).toBe(`[webapp] approval requested: ${AMI}`);
    // The approve command, run literally, lets the gate's check through; its reject form stops it.
    const gate = () =>
      checkApproval({
        groupName: 'webapp-green',
        onTimeout: 'abort',
        wait: { startedAt: null },
        timeoutSeconds: 3_600,
      });
    const context = { region: 'us-east-1', advance: () => Promise.resolve() };
    const [approve] = awsCommandsIn(h.published[0].message);
    expect(approve.text).toBe(detail.approveCommand);
    await runAwsCommand(approve, context);
    await expect(gate()).resolves.toMatchObject({ done: true });
    const [reject] = awsCommandsIn(detail.approveCommand.replace('Value=approve', 'Value=rollback'));
    await runAwsCommand(reject, context);
    await expect(gate()).rejects.toMatchObject({ name: 'RollbackRequestedError' });
  });

  it('window-passed: at its end, or promoted early by an operator, with the last check in words', async () => {
    const summary = 'rollback window of 60 minutes passed: 3 alarms OK, 3 of 3 targets healthy';
    await announce('window-passed', {
      window: {
        startedAt: '2026-01-05T08:00:00.000Z',
        done: true,
        detail: summary,
        elapsedSeconds: 3600,
        windowSeconds: 3600,
      },
    });
    await announce('window-passed', {
      window: {
        detail: 'promoted early by an operator at 12 of 60 minutes',
        elapsedSeconds: 720,
        windowSeconds: 3600,
      },
    });
    expect(h.events.map((event) => milestoneDetailSchema.parse(event.detail))).toEqual([
      expect.objectContaining({ milestone: 'window-passed', promoted: false, elapsedSeconds: 3600, summary }),
      expect.objectContaining({
        promoted: true,
        elapsedSeconds: 720,
        message: `webapp: ${AMI} was promoted by an operator before its rollback window ended; webapp-blue is retired next.`,
      }),
    ]);
  });

  it('a denied PutEvents is logged, not thrown: the topic is still told', async () => {
    await expect(denying(['events:PutEvents'], () => announce('started'))).resolves.toEqual({
      milestone: 'started',
      notified: true,
      eventPublished: false,
    });
    expect(h.events).toEqual([]);
    expect(h.published).toHaveLength(1);
    // Not retryable: one call, not five.
    expect(attempts('events:PutEvents')).toBe(1);
  });

  it('a denied Publish is logged, not thrown: the event is still put', async () => {
    await expect(denying(['sns:Publish'], () => announce('started'))).resolves.toMatchObject({
      notified: false,
      eventPublished: true,
    });
    expect(h.events).toHaveLength(1);
  });

  it('an encrypted topic needs its key: without it the message is lost, the event is not', async () => {
    h.dispose();
    account({ encryptedTopic: true });
    const output = await denying(['kms:GenerateDataKey'], () =>
      announce('started', { notificationTopicArn: ENCRYPTED_TOPIC.topicArn }),
    );
    expect(output).toMatchObject({ notified: false, eventPublished: true });
  });

  it('an entry EventBridge refuses as retryable (FailedEntryCount) is put again after a pause', async () => {
    h.dispose();
    account({
      fakeTimeouts: true,
      faults: { failEventEntry: (call) => call === 1 && 'ThrottlingException' },
    });
    const announced = announce('traffic-shifted', { rollbackWindowMinutes: 60 });
    await h.clock.tickAsync(ANNOUNCE_RETRY_PAUSES_MS[0] - 1);
    expect(h.events).toHaveLength(0);
    await h.clock.runAllAsync();
    await expect(announced).resolves.toMatchObject({ eventPublished: true });
    expect(h.events).toHaveLength(1);
    expect(attempts('events:PutEvents')).toBe(2);
  });

  it('an entry EventBridge refuses for good (InvalidArgument) is not sent again', async () => {
    h.dispose();
    account({ fakeTimeouts: true, faults: { failEventEntry: () => 'InvalidArgument' } });
    const announced = announce('started');
    await h.clock.runAllAsync();
    await expect(announced).resolves.toMatchObject({ notified: true, eventPublished: false });
    expect(attempts('events:PutEvents')).toBe(1);
  });

  it('EventBridge throttling every attempt: after every pause the milestone is given up, never thrown', async () => {
    h.dispose();
    account({
      fakeTimeouts: true,
      faults: { failAttempt: (operation) => operation === 'events:PutEvents' && 'throttling' },
    });
    const announced = announce('started');
    await h.clock.runAllAsync();
    await expect(announced).resolves.toMatchObject({ notified: true, eventPublished: false });
    expect(attempts('events:PutEvents')).toBe(
      CLIENT_CONFIG.maxAttempts * (ANNOUNCE_RETRY_PAUSES_MS.length + 1),
    );
  });

  it('I6: announcing twice tells twice, the same execution and milestone each time (a consumer tells a repeat by them)', async () => {
    await announce('started');
    await announce('started');
    expect(
      h.events.map((event) => [event.detail.milestone, (event.detail.execution as { arn: string }).arn]),
    ).toEqual([
      ['started', EXECUTION_ARN],
      ['started', EXECUTION_ARN],
    ]);
  });

  it('a malformed input (a wiring bug) is InvalidInputError, and announces nothing: the state machine goes on', async () => {
    await expect(announce('outcome')).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(announce('started', { roles: null })).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(announce('traffic-shifted')).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(h.events).toEqual([]);
    expect(h.published).toEqual([]);
  });
});
