/**
 * CloudWatch and EC2 operations against their API reference pages (docs/aws-facts/cloudwatch-alarms.md and
 * docs/aws-facts/launch-templates-and-amis.md, "Operations audited against their API reference").
 */
import { DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { createHarness, rejection, type Harness } from './harness';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

const ALARM = 'webapp-unhealthy-hosts';

async function stateOf(name: string): Promise<string | undefined> {
  const { MetricAlarms } = await h.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return MetricAlarms?.[0]?.StateValue;
}

describe('CloudWatch SetAlarmState, as its API reference page says', () => {
  it('needs a StateReason of at most 1,023 characters', async () => {
    const missing = h.cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: undefined }),
    );
    expect((await rejection(missing)).name).toBe('ValidationException');
    const long = h.cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: 'x'.repeat(1024) }),
    );
    expect((await rejection(long)).name).toBe('ValidationException');
    expect(await stateOf(ALARM)).toBe('OK');
  });

  it('refuses StateReasonData that is not JSON with InvalidFormat, and takes JSON', async () => {
    const notJson = h.cloudWatch.send(
      new SetAlarmStateCommand({
        AlarmName: ALARM,
        StateValue: 'ALARM',
        StateReason: 'test',
        StateReasonData: '{not json',
      }),
    );
    expect((await rejection(notJson)).name).toBe('InvalidFormatFault');
    expect(await stateOf(ALARM)).toBe('OK');

    await h.cloudWatch.send(
      new SetAlarmStateCommand({
        AlarmName: ALARM,
        StateValue: 'ALARM',
        StateReason: 'test',
        StateReasonData: '{"version":"1.0"}',
      }),
    );
    expect(await stateOf(ALARM)).toBe('ALARM');
  });
});

describe('EC2 DescribeLaunchTemplateVersions without a launch template, as its API reference page says', () => {
  it("describes every template's $Latest or $Default version, and refuses numbers or no versions", async () => {
    const latest = await h.ec2.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['$Latest'] }));
    const templates = new Set(Object.values(h.environment.groups).map((group) => group.launchTemplateId));
    expect(latest.LaunchTemplateVersions?.map((version) => version.LaunchTemplateId).sort()).toEqual(
      [...templates].sort(),
    );

    const numbered = h.ec2.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['1'] }));
    expect((await rejection(numbered)).name).toBe('InvalidParameterValue');
    const none = h.ec2.send(new DescribeLaunchTemplateVersionsCommand({}));
    expect((await rejection(none)).name).toBe('MissingParameter');
  });
});
