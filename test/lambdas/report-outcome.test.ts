import { handler } from '../../lambdas/report-outcome/handler';
import { ANNOUNCE_RETRY_PAUSES_MS } from '../../lambdas/shared/milestones';
import { CLIENT_CONFIG } from '../../lambdas/shared/aws/call';
import { EVENT_SOURCE, milestoneDetailSchema } from '../../lambdas/shared/contract';
import { createHarness, denying, type Harness, type HarnessOptions } from '../support/account';

let h: Harness;

function account(options: HarnessOptions = {}): void {
  h = createHarness(options);
}

/** Attempts of sns:Publish that reached the account (the SDK makes up to CLIENT_CONFIG.maxAttempts a call). */
const publishAttempts = () => h.account.apiCalls.byOperation['sns:Publish'] ?? 0;

const AMI = 'ami-0123456789abcdef0';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:webapp-deployments';
const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:webapp-blue-green-deployment:run-1';
const roles = {
  firstDeployment: false,
  active: { groupName: 'webapp-blue', capacity: { min: 2, desired: 3, max: 6 }, instanceCount: 3 },
  standby: { groupName: 'webapp-green' },
  targetCapacity: { min: 2, desired: 3, max: 6 },
};
const firstRoles = {
  ...roles,
  firstDeployment: true,
  active: null,
  targetCapacity: { min: 1, desired: 2, max: 4 },
};

const lambdaFailure = (errorType: string, errorMessage: string) => ({
  Error: errorType,
  Cause: JSON.stringify({
    errorType,
    errorMessage,
    trace: [`${errorType}: ${errorMessage}`, '    at run (handler.js:1:1)'],
  }),
});

const report = (fields: object) =>
  handler({
    applicationName: 'webapp',
    executionName: 'run-1',
    amiId: AMI,
    notificationTopicArn: TOPIC,
    ...fields,
  });

beforeEach(() => account());
afterEach(() => h.dispose());

describe('report-outcome', () => {
  it('succeeded: the new group serves, the old one was scaled to zero; the topic is told', async () => {
    await expect(report({ outcome: 'succeeded', roles })).resolves.toEqual({
      outcome: 'succeeded',
      amiId: AMI,
      activeGroup: 'webapp-green',
      previousGroup: 'webapp-blue',
      previousAmiId: null,
      reason: null,
      message: `webapp: ${AMI} now serves all traffic from webapp-green; webapp-blue was scaled to zero.`,
      notified: true,
    });
    expect(h.published).toEqual([
      {
        topicArn: TOPIC,
        subject: `[webapp] deployment succeeded: ${AMI}`,
        message: expect.stringContaining('Execution: run-1'),
        // Subscription filter policies can keep only outcomes, or only some (docs/events.md).
        attributes: { milestone: 'outcome', application: 'webapp', outcome: 'succeeded' },
      },
    ]);
  });

  it('puts the outcome milestone event on the default bus: the report, less `notified`', async () => {
    const output = await report({ outcome: 'rolled-back', roles, executionArn: EXECUTION_ARN });
    expect(h.events).toHaveLength(1);
    expect(h.events[0]).toMatchObject({
      source: EVENT_SOURCE,
      detailType: 'Blue/Green Deployment Outcome',
      resources: [EXECUTION_ARN],
    });
    const detail = milestoneDetailSchema.parse(h.events[0].detail);
    expect(detail).toEqual({
      milestone: 'outcome',
      schemaVersion: 1,
      application: 'webapp',
      execution: { name: 'run-1', arn: EXECUTION_ARN },
      amiId: output.amiId,
      newGroup: 'webapp-green',
      previousGroup: output.previousGroup,
      firstDeployment: false,
      at: expect.any(String),
      message: output.message,
      outcome: output.outcome,
      activeGroup: output.activeGroup,
      reason: output.reason,
    });
  });

  it('a rejected run before anything was known still announces its outcome, with nulls for what is unknown', async () => {
    await report({ outcome: 'rejected', amiId: null, failure: { Error: 'InvalidInputError', Cause: 'bad' } });
    expect(milestoneDetailSchema.parse(h.events[0].detail)).toMatchObject({
      outcome: 'rejected',
      amiId: null,
      newGroup: null,
      previousGroup: null,
      firstDeployment: null,
      activeGroup: null,
      execution: { name: 'run-1', arn: null },
    });
  });

  it('I3: an event EventBridge refuses is logged, never thrown, and leaves the report as it is', async () => {
    const output = await denying(['events:PutEvents'], () => report({ outcome: 'aborted', roles }));
    expect(output).toMatchObject({ outcome: 'aborted', notified: true });
    expect(h.events).toEqual([]);
  });

  it('a success records the AMI it replaced (what undo deploys again); other outcomes do not carry it', async () => {
    const previousAmiId = 'ami-0a1b2c3d4e5f60001';
    await expect(report({ outcome: 'succeeded', roles, previousAmiId })).resolves.toMatchObject({
      previousAmiId,
    });
    expect(await report({ outcome: 'rolled-back', roles, previousAmiId })).not.toHaveProperty(
      'previousAmiId',
    );
  });

  it('succeeded on a first deployment says so', async () => {
    const output = await report({ outcome: 'succeeded', roles: firstRoles });
    expect(output).toMatchObject({ activeGroup: 'webapp-green', previousGroup: null });
    expect(output.message).toBe(`webapp: first deployment: ${AMI} now serves all traffic from webapp-green.`);
  });

  it('skipped: carries the skip reason and says nothing changed', async () => {
    const skipReason = `AMI ${AMI} ("billing-1") is not an AMI of webapp: it has no tag Application=webapp`;
    const output = await report({ outcome: 'skipped', skipReason });
    expect(output).toMatchObject({ activeGroup: null, reason: skipReason });
    expect(output.message).toBe(`Skipped ${AMI}: ${skipReason}. Nothing was changed.`);
  });

  it('rejected: extracts the human message from a Lambda error Cause (JSON)', async () => {
    const output = await report({
      outcome: 'rejected',
      failure: lambdaFailure(
        'AmiNotAvailableError',
        `AMI ${AMI} is pending; start the deployment again once it is available.`,
      ),
    });
    expect(output.reason).toBe(`AMI ${AMI} is pending; start the deployment again once it is available.`);
    expect(output.message).toBe(
      `Rejected ${AMI}: AMI ${AMI} is pending; start the deployment again once it is available. Nothing was changed.`,
    );
    expect(output.activeGroup).toBeNull();
  });

  it('rejected before the AMI id was known speaks of "the requested AMI"', async () => {
    const output = await report({
      outcome: 'rejected',
      amiId: null,
      failure: lambdaFailure('InvalidInputError', 'Invalid deployment request: amiId: must be "ami-"…'),
    });
    expect(output.message).toMatch(/^Rejected the requested AMI: Invalid deployment request/);
  });

  it('aborted: production untouched, the standby group scaled back to zero; plain-text Cause kept as is', async () => {
    const output = await report({
      outcome: 'aborted',
      roles,
      failure: { Error: 'States.Timeout', Cause: 'The state timed out waiting for synthetic targets.' },
    });
    expect(output).toMatchObject({
      activeGroup: 'webapp-blue',
      previousGroup: 'webapp-blue',
      reason: 'The state timed out waiting for synthetic targets.',
    });
    expect(output.message).toBe(
      `Aborted ${AMI} before the traffic shift: The state timed out waiting for synthetic targets. ` +
        'Production was not touched; webapp-green was scaled back to zero.',
    );
  });

  it('rolled-back: the old group serves again, the new one was detached and scaled to zero', async () => {
    const output = await report({
      outcome: 'rolled-back',
      roles,
      failure: lambdaFailure('AlarmFiringError', 'Alarm webapp-5xx is in ALARM.'),
    });
    expect(output.activeGroup).toBe('webapp-blue');
    expect(output.message).toBe(
      `Rolled back ${AMI}: Alarm webapp-5xx is in ALARM. webapp-blue serves again; webapp-green was detached and scaled to zero.`,
    );
  });

  it('rolled-back after a first deployment says no previous version was serving', async () => {
    const output = await report({
      outcome: 'rolled-back',
      roles: firstRoles,
      failure: { Error: 'X', Cause: 'Boom.' },
    });
    expect(output.activeGroup).toBeNull();
    expect(output.message).toBe(
      `Rolled back ${AMI}: Boom. No previous version was serving; webapp-green was detached and scaled to zero.`,
    );
  });

  it('I3: manual-action-needed is loud: it starts with MANUAL ACTION NEEDED and says what to check', async () => {
    const output = await report({
      outcome: 'manual-action-needed',
      roles,
      failure: lambdaFailure('TransientAwsError', 'ExitStandby failed: Throttling: Rate exceeded'),
    });
    expect(output.activeGroup).toBeNull();
    expect(output.message).toMatch(/^MANUAL ACTION NEEDED:/);
    expect(output.message).toContain('ExitStandby failed: Throttling: Rate exceeded');
    expect(output.message).toContain('webapp-blue');
    expect(output.message).toContain('webapp-green');
    expect(output.message).toContain(
      'aws autoscaling describe-traffic-sources --auto-scaling-group-name webapp-blue; aws autoscaling describe-traffic-sources --auto-scaling-group-name webapp-green.',
    );
    expect(output.message).toContain("exit-standby for webapp-blue's Standby instances");
    // Runnable as printed: no placeholder (test/simulator/recovery-hints.test.ts runs it).
    expect(output.message).not.toMatch(/<[^>]*>|…/);
    expect(h.published).toEqual([
      expect.objectContaining({
        subject: `[webapp] deployment manual-action-needed: ${AMI}`,
        message: expect.stringMatching(/^MANUAL ACTION NEEDED:[\s\S]*Error: TransientAwsError/),
      }),
    ]);
  });

  it('falls back to the error name when a failure has no Cause, and to plain text for a broken JSON Cause', async () => {
    await expect(
      report({ outcome: 'aborted', roles, failure: { Error: 'States.TaskFailed' } }),
    ).resolves.toMatchObject({
      reason: 'States.TaskFailed',
    });
    await expect(
      report({ outcome: 'aborted', roles, failure: { Error: 'Lambda.Unknown', Cause: '{not json' } }),
    ).resolves.toMatchObject({ reason: '{not json' });
  });

  it('I3: a publish the topic refuses is reported as notified: false, never thrown, and not tried again', async () => {
    await expect(
      denying(['sns:Publish'], () => report({ outcome: 'rolled-back', roles })),
    ).resolves.toMatchObject({ notified: false });
    expect(h.published).toEqual([]);
    expect(publishAttempts()).toBe(1);
  });

  it('I3: a publish that keeps failing transiently ends, after every pause, as notified: false', async () => {
    h.dispose();
    account({
      fakeTimeouts: true,
      faults: { failAttempt: (operation) => operation === 'sns:Publish' && 'server-error' },
    });
    const reported = report({ outcome: 'manual-action-needed', roles });
    await h.clock.runAllAsync();
    await expect(reported).resolves.toMatchObject({
      notified: false,
      message: expect.stringMatching(/^MANUAL ACTION NEEDED:/),
    });
    expect(h.published).toEqual([]);
    expect(publishAttempts()).toBe(CLIENT_CONFIG.maxAttempts * (ANNOUNCE_RETRY_PAUSES_MS.length + 1));
  });

  it('tries a publish that failed transiently again, after a pause: the SDK gives up, the notification does not', async () => {
    h.dispose();
    // The first two publishes fail on every attempt the SDK makes (throttled, then 5xx); the third gets through.
    let failing = 2 * CLIENT_CONFIG.maxAttempts;
    account({
      fakeTimeouts: true,
      faults: {
        failAttempt: (operation) => {
          if (operation !== 'sns:Publish' || failing <= 0) return false;
          failing -= 1;
          return failing >= CLIENT_CONFIG.maxAttempts ? 'throttling' : 'server-error';
        },
      },
    });
    const reported = report({ outcome: 'rolled-back', roles });
    await h.clock.tickAsync(ANNOUNCE_RETRY_PAUSES_MS[0] - 1);
    expect(publishAttempts()).toBe(CLIENT_CONFIG.maxAttempts);
    await h.clock.runAllAsync();
    await expect(reported).resolves.toMatchObject({ outcome: 'rolled-back', notified: true });
    expect(h.published).toHaveLength(1);
    expect(publishAttempts()).toBe(2 * CLIENT_CONFIG.maxAttempts + 1);
  });

  it('without a topic it publishes no message, only the event', async () => {
    const output = await handler({
      outcome: 'succeeded',
      applicationName: 'webapp',
      executionName: 'run-1',
      amiId: AMI,
      roles,
    });
    expect(output.notified).toBe(false);
    expect(h.published).toEqual([]);
    expect(h.account.apiCalls.byOperation).toEqual({ 'events:PutEvents': 1 });
  });

  it('keeps the subject under 100 printable ASCII characters', async () => {
    await handler({
      outcome: 'rolled-back',
      applicationName: `webapp—${'x'.repeat(120)}`,
      executionName: 'run-1',
      amiId: AMI,
      notificationTopicArn: TOPIC,
    });
    const subject = h.published[0]?.subject ?? '';
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7E]+$/);
  });

  it('I3: malformed optional fields are dropped rather than failing the report', async () => {
    const output = await report({
      outcome: 'rolled-back',
      roles: { standby: 'webapp-green' },
      failure: 'boom',
      amiId: 42,
    });
    expect(output).toMatchObject({
      outcome: 'rolled-back',
      amiId: null,
      activeGroup: null,
      reason: null,
      notified: true,
    });
    expect(output.message).toBe(
      'Rolled back the requested AMI: no reason was recorded. The previously active group serves again; the standby group was detached and scaled to zero.',
    );
  });

  it('I6: reporting twice gives the same output', async () => {
    const fields = {
      outcome: 'aborted',
      roles,
      failure: lambdaFailure('SyntheticCheckFailedError', '1 of 6 failed'),
    };
    expect(await report(fields)).toEqual(await report(fields));
  });

  it('rejects an unknown outcome (a wiring bug) as InvalidInputError without publishing', async () => {
    await expect(report({ outcome: 'exploded' })).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(h.published).toEqual([]);
  });
});

describe('report-outcome when a clean-up fails', () => {
  it('I3: the manual-action message keeps what started the rollback and says what stopped it', async () => {
    const report = await handler({
      outcome: 'manual-action-needed',
      applicationName: 'webapp',
      executionName: 'deployment-1',
      amiId: 'ami-0123456789abcdef0',
      failure: {
        Error: 'AlarmFiringError',
        Cause: JSON.stringify({
          errorType: 'AlarmFiringError',
          errorMessage: '1 alarm firing: webapp-target-5xx is ALARM.',
        }),
      },
      cleanupFailure: {
        Error: 'WaitTimeoutError',
        Cause: JSON.stringify({
          errorType: 'WaitTimeoutError',
          errorMessage: 'Gave up waiting for the old targets.',
        }),
      },
    });
    expect(report.message).toMatch(
      /^MANUAL ACTION NEEDED: the deployment of ami-0123456789abcdef0 for webapp failed \(1 alarm firing: webapp-target-5xx is ALARM\) and cleaning up after it failed too: Gave up waiting for the old targets\./,
    );
    expect(report.reason).toBe('1 alarm firing: webapp-target-5xx is ALARM.');
  });
});
