import { DEFAULT_AMIS } from '../../simulator/account/environment';
import { passed, simulate, type SimulationHooks } from '../../simulator/engine/simulation';
import { findScenario, type Scenario } from '../../simulator/scenarios/catalog';

/**
 * Runs started by an account action: the account owner publishes a build (or copies, re-enables, completes
 * an Image Builder image), EC2 sends its event, and the execution is the one the synthesized EventBridge
 * rule starts as its role. Taking the rule away, or its grant, leaves the run with no execution, reported.
 */

const lateTags = findScenario('late-tags');
const IMAGE = 'arn:aws:imagebuilder:us-east-1:123456789012:image/webapp/1.1.0/1';

function run(scenario: Scenario, hooks: SimulationHooks = {}) {
  return simulate({ scenario: scenario.name, seed: 1 }, { ...hooks, scenario });
}

describe('runs started by the synthesized EventBridge rules', () => {
  it('late-tags: the build the run publishes starts the one execution, which waits for the tags and deploys', async () => {
    const report = await run(lateTags);
    expect(passed(report)).toBe(true);
    expect(report.executions).toEqual([
      expect.objectContaining({ name: expect.stringMatching(/.+/), outcome: 'succeeded' }),
    ]);
    expect(report.executions[0].notStarted).toBeUndefined();
    expect(report.finalState.activeAmis).toEqual([DEFAULT_AMIS.next]);
  }, 120_000);

  it('without the rule (deployOnNewAmi: false) nothing starts, and the run fails saying so', async () => {
    const report = await run({ ...lateTags, deployment: () => ({ deployOnNewAmi: false }) });
    expect(passed(report)).toBe(false);
    expect(report.executions).toEqual([
      expect.objectContaining({
        name: '',
        notStarted: true,
        outcome: 'failed',
        expectedOutcome: 'succeeded',
        message: expect.stringMatching(
          /^no execution started: did the rule match\? \(published ami-0a1b2c3d4e5f60002; 0 of 1/,
        ),
      }),
    ]);
    expect(report.stateTransitions).toBe(0);
    expect(report.finalState.activeAmis).toEqual([DEFAULT_AMIS.current]);
  }, 120_000);

  it("a delivery the rule's role may not make (no states:StartExecution) is reported, and nothing starts", async () => {
    const report = await run(lateTags, {
      rules: (rules) =>
        rules.map((rule) => ({
          ...rule,
          targets: rule.targets.map((target) => ({
            ...target,
            role: target.role && { ...target.role, policies: [] },
          })),
        })),
    });
    expect(passed(report)).toBe(false);
    expect(report.executions).toEqual([
      expect.objectContaining({
        notStarted: true,
        outcome: 'failed',
        message: expect.stringMatching(
          /^no execution started: rule \S*DeployOnNewAmi\S* could not start the state machine: AccessDeniedException: /,
        ),
      }),
    ]);
    expect(report.stateTransitions).toBe(0);
  }, 120_000);

  describe('an action that two rules act on starts two executions', () => {
    const twoRules: SimulationHooks['rules'] = (rules) => [
      ...rules,
      ...rules.map((rule) => ({ ...rule, name: `${rule.name}Again` })),
    ];
    const publishNext: Scenario = {
      name: 'publish-next',
      description: 'A new build is published.',
      runs: [{ trigger: { publish: '{next}' }, expectedOutcome: 'succeeded', moreOutcomes: ['skipped'] }],
    };

    it('each declared in order by the run: the first deploys, the second is skipped', async () => {
      const report = await run(publishNext, { rules: twoRules });
      expect(report.executions.map(({ outcome, expectedOutcome }) => [outcome, expectedOutcome])).toEqual([
        ['succeeded', 'succeeded'],
        ['skipped', 'skipped'],
      ]);
      expect(passed(report)).toBe(true);
    }, 120_000);

    it('one the run does not declare is reported as expected by none, and the run does not pass', async () => {
      const report = await run(
        { ...publishNext, runs: [{ trigger: { publish: '{next}' }, expectedOutcome: 'succeeded' }] },
        { rules: twoRules },
      );
      expect(report.executions.map((execution) => execution.expectedOutcome)).toEqual(['succeeded', 'none']);
      expect(passed(report)).toBe(false);
    }, 120_000);

    it('one the run declares and no rule starts is reported as not started', async () => {
      const report = await run(publishNext);
      expect(report.executions[1]).toMatchObject({
        notStarted: true,
        expectedOutcome: 'skipped',
        message: expect.stringMatching(/^no execution started: did the rule match\? .*1 of 2/),
      });
      expect(passed(report)).toBe(false);
    }, 120_000);
  });

  it('an EC2 Image Builder image that completes: its output AMI is distributed, and its event deploys it', async () => {
    const report = await run({
      name: 'image-builder-release',
      description: 'An Image Builder pipeline completes an image of the next release.',
      imageBuilderImages: [{ arn: IMAGE, amiId: '{next}' }],
      runs: [{ trigger: { imageBuilderImage: IMAGE, testingSeconds: 30 }, expectedOutcome: 'succeeded' }],
    });
    // No pipeline configured (imageBuilder): the AMI's own event deploys it, and nothing else starts.
    expect(report.executions).toEqual([
      expect.objectContaining({ outcome: 'succeeded', expectedOutcome: 'succeeded' }),
    ]);
    expect(report.finalState.activeAmis).toEqual([DEFAULT_AMIS.next]);
  }, 120_000);

  it("copied-old-ami: the owner's CopyImage is not counted among the orchestrator's calls", async () => {
    const report = await simulate({ scenario: 'copied-old-ami', seed: 1 });
    expect(passed(report)).toBe(true);
    expect(report.apiCalls.byOperation['ec2:CopyImage']).toBeUndefined();
  }, 120_000);
});
