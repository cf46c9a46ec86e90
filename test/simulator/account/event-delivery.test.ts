import {
  CopyImageCommand,
  DescribeImagesCommand,
  DisableImageCommand,
  EnableImageCommand,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DEFAULT_AMIS } from '../../../simulator/account/environment';
import type { EventRule, RuleState } from '../../../simulator/account/event-rules';
import type { PolicyStatement } from '../../../simulator/account/iam/policy-evaluation';
import type { Principal } from '../../../simulator/account/iam/principal';
import { COPY_SECONDS } from '../../../simulator/account/ec2-images';
import { createHarness, rejection, STATE_MACHINE_ARN, type Harness } from './harness';

/**
 * Events on the default bus reach the rules' targets: "EC2 AMI State Change" as EC2 sends it ("Monitor AMI
 * events using Amazon EventBridge"), PutEvents entries, matched by pattern and started as the target's role.
 */

let h: Harness;
const NEW_BUILD = 'ami-0a1b2c3d4e5f60009';
const START = Date.UTC(2026, 0, 5, 9, 0, 0);

beforeEach(() => {
  h = createHarness({
    now: START,
    customize: (environment) => {
      environment.amis.push({
        id: NEW_BUILD,
        name: 'webapp-1.2.0',
        state: 'available',
        tags: { Application: 'webapp', Version: '1.2.0' },
        availableAfterSeconds: 30,
        tagsAfterSeconds: 40,
      });
    },
  });
});
afterEach(() => h.dispose());

const role = (statements: PolicyStatement[]): Principal => ({
  name: 'EventsRole',
  sessionArn: 'arn:aws:sts::123456789012:assumed-role/EventsRole/DeployOnNewAmi',
  policies: [{ Version: '2012-10-17', Statement: statements }],
});
const mayStart = role([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: STATE_MACHINE_ARN }]);

/** The rule the construct synthesizes (infra/blue-green-deployment.ts), with the role given. */
const deployOnNewAmi = (targetRole: Principal, state: RuleState = 'ENABLED'): EventRule => ({
  name: 'DeployOnNewAmi',
  state,
  eventPattern: {
    source: ['aws.ec2'],
    'detail-type': ['EC2 AMI State Change'],
    detail: { State: ['available'] },
  },
  targets: [
    {
      id: 'Target0',
      arn: STATE_MACHINE_ARN,
      role: targetRole,
      inputTransformer: {
        inputPathsMap: { 'detail-ImageId': '$.detail.ImageId' },
        inputTemplate: '{"amiId":<detail-ImageId>,"trigger":"ami-event"}',
      },
    },
  ],
});

function wire(rule: EventRule): void {
  h.account.setEventRules([rule], ({ stateMachineArn, input }) => {
    expect(stateMachineArn).toBe(STATE_MACHINE_ARN);
    h.stepFunctions.start(JSON.parse(input));
  });
}
const describe1 = async (id: string, includeDisabled = false) =>
  (await h.ec2.send(new DescribeImagesCommand({ ImageIds: [id], IncludeDisabled: includeDisabled })))
    .Images?.[0];

describe('a new build published during the simulation', () => {
  it('is pending, then available with an "EC2 AMI State Change" event as AWS documents it', async () => {
    wire(deployOnNewAmi(mayStart));
    expect((await describe1(NEW_BUILD))?.State).toBe('pending');
    h.run(29);
    expect(h.account.serviceEvents).toEqual([]);
    h.run(1);
    expect((await describe1(NEW_BUILD))?.State).toBe('available');
    expect(h.account.serviceEvents).toEqual([
      {
        version: '0',
        id: expect.any(String),
        'detail-type': 'EC2 AMI State Change',
        source: 'aws.ec2',
        account: '123456789012',
        time: '2026-01-05T09:00:30Z',
        region: 'us-east-1',
        resources: [`arn:aws:ec2:us-east-1::image/${NEW_BUILD}`],
        detail: { RequestId: expect.any(String), ImageId: NEW_BUILD, State: 'available', ErrorMessage: '' },
      },
    ]);
    // The event comes before the tags (tagsAfterSeconds counts from the simulation's start).
    expect((await describe1(NEW_BUILD))?.Tags).toEqual([]);
  });

  it('starts the state machine through the rule, as its role, with the transformed input', () => {
    wire(deployOnNewAmi(mayStart));
    h.run(30);
    expect(h.stepFunctions.executions.map((execution) => JSON.parse(execution.input))).toEqual([
      { amiId: NEW_BUILD, trigger: 'ami-event' },
    ]);
    expect(h.account.eventDeliveries).toEqual([
      expect.objectContaining({
        rule: 'DeployOnNewAmi',
        targetId: 'Target0',
        targetArn: STATE_MACHINE_ARN,
        input: `{"amiId":"${NEW_BUILD}","trigger":"ami-event"}`,
        delivered: true,
      }),
    ]);
  });

  it('is not delivered when the role may not start the state machine, and is not retried', () => {
    wire(deployOnNewAmi(role([{ Effect: 'Allow', Action: 'states:ListExecutions', Resource: '*' }])));
    h.run(120);
    expect(h.stepFunctions.executions).toEqual([]);
    expect(h.account.eventDeliveries).toEqual([
      expect.objectContaining({
        delivered: false,
        error: { name: 'AccessDeniedException', message: expect.stringMatching(/states:StartExecution/) },
      }),
    ]);
  });

  it('matches nothing while the rule is DISABLED', () => {
    wire(deployOnNewAmi(mayStart, 'DISABLED'));
    h.run(30);
    expect(h.account.serviceEvents).toHaveLength(1);
    expect(h.account.eventDeliveries).toEqual([]);
    expect(h.stepFunctions.executions).toEqual([]);
  });
});

describe("the owner's AMI operations", () => {
  it('CopyImage makes a new AMI, pending for a while, then available with an event; tags only when asked', async () => {
    wire(deployOnNewAmi(mayStart));
    const plain = await h.ec2.send(
      new CopyImageCommand({ Name: 'copy', SourceImageId: DEFAULT_AMIS.current, SourceRegion: 'us-east-1' }),
    );
    const tagged = await h.ec2.send(
      new CopyImageCommand({
        Name: 'copy-tagged',
        SourceImageId: DEFAULT_AMIS.current,
        SourceRegion: 'us-east-1',
        CopyImageTags: true,
      }),
    );
    const copy = await describe1(String(tagged.ImageId));
    expect(copy).toMatchObject({
      State: 'pending',
      SourceImageId: DEFAULT_AMIS.current,
      SourceImageRegion: 'us-east-1',
    });
    expect(copy?.Tags).toEqual(expect.arrayContaining([{ Key: 'Application', Value: 'webapp' }]));
    expect((await describe1(String(plain.ImageId)))?.Tags).toEqual([]);
    h.run(COPY_SECONDS);
    expect((await describe1(String(plain.ImageId)))?.State).toBe('available');
    const copies = h.account.serviceEvents.filter((event) => event.detail.ImageId !== NEW_BUILD);
    expect(copies.map((event) => event.detail)).toEqual([
      expect.objectContaining({ ImageId: plain.ImageId, State: 'available' }),
      expect.objectContaining({ ImageId: tagged.ImageId, State: 'available' }),
    ]);
    // The rule cannot tell a copy from a build: both start an execution (the steps tell them apart).
    expect(h.stepFunctions.executions.map((execution) => JSON.parse(execution.input).amiId)).toEqual(
      expect.arrayContaining([plain.ImageId, tagged.ImageId]),
    );
  });

  it('CopyImage refuses an AMI that does not exist or is in another Region', async () => {
    const unknown = await rejection(
      h.ec2.send(
        new CopyImageCommand({
          Name: 'c',
          SourceImageId: 'ami-0123456789abcdef0',
          SourceRegion: 'us-east-1',
        }),
      ),
    );
    expect(unknown.name).toBe('InvalidAMIID.NotFound');
    const elsewhere = await rejection(
      h.ec2.send(
        new CopyImageCommand({ Name: 'c', SourceImageId: DEFAULT_AMIS.current, SourceRegion: 'eu-west-1' }),
      ),
    );
    expect(elsewhere.name).toBe('InvalidAMIID.NotFound');
  });

  it('DisableImage hides the AMI with a "disabled" event; EnableImage brings it back with an "available" one', async () => {
    wire(deployOnNewAmi(mayStart));
    await h.ec2.send(new DisableImageCommand({ ImageId: DEFAULT_AMIS.current }));
    expect(await describe1(DEFAULT_AMIS.current)).toBeUndefined();
    expect((await describe1(DEFAULT_AMIS.current, true))?.State).toBe('disabled');
    await h.ec2.send(new EnableImageCommand({ ImageId: DEFAULT_AMIS.current }));
    expect((await describe1(DEFAULT_AMIS.current))?.State).toBe('available');
    expect(h.account.serviceEvents.map((event) => event.detail.State)).toEqual(['disabled', 'available']);
    // Only the re-enabled AMI's "available" event matches the rule.
    expect(h.account.eventDeliveries.map((delivery) => delivery.input)).toEqual([
      `{"amiId":"${DEFAULT_AMIS.current}","trigger":"ami-event"}`,
    ]);
  });
});

describe('events put with PutEvents', () => {
  it('meet the rules of the default bus too', async () => {
    const rule: EventRule = {
      name: 'Milestones',
      state: 'ENABLED',
      eventPattern: {
        source: [{ prefix: 'asg-blue-green' }],
        detail: { milestone: [{ 'anything-but': 'started' }] },
      },
      targets: [{ id: 'T', arn: STATE_MACHINE_ARN, role: mayStart, inputPath: '$.detail' }],
    };
    wire(rule);
    const events = new EventBridgeClient({ region: 'us-east-1' });
    const entry = (milestone: string) => ({
      Source: 'asg-blue-green',
      DetailType: 'Milestone',
      Detail: JSON.stringify({ milestone }),
    });
    await events.send(new PutEventsCommand({ Entries: [entry('started'), entry('finished')] }));
    expect(h.account.eventDeliveries.map((delivery) => delivery.input)).toEqual(['{"milestone":"finished"}']);
  });
});
