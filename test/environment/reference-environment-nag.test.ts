import { Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ReferenceEnvironmentStack } from '../../infra/environment/reference-environment-stack';
import { testApp } from './test-app';

/** Every `Validations.of(…).acknowledge(…)` in the tree, with the construct it was made on. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

// cdk-nag 3 is a CDK validation plugin: registered on the app, it runs during synthesis, which fails
// on any unacknowledged finding (error or warning); `validateScope` gives the same findings as a list.
describe.each([
  ['HTTP only', undefined],
  [
    'with a certificate',
    'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  ],
])('AwsSolutions checks, %s', (_variant, certificateArn) => {
  let stack: Stack;
  let cleanup: () => void;

  beforeAll(() => {
    const test = testApp();
    cleanup = test.cleanup;
    stack = new ReferenceEnvironmentStack(test.app, 'Environment', { certificateArn });
    Validations.of(test.app).addPlugins(new AwsSolutionsChecks(test.app));
    test.app.synth();
  });

  afterAll(() => cleanup());

  it('leave no unacknowledged finding, error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledge only the load balancer findings, each with a concrete reason', () => {
    const nag = acknowledgements(stack).filter((ack) => /AwsSolutions-/.test(ack.id));
    expect(nag.map((ack) => [ack.path, ack.id.replace(/^annotation::/i, '')])).toEqual([
      ['Environment/LoadBalancer', 'AwsSolutions-EC23'],
      ['Environment/LoadBalancer', 'AwsSolutions-ELB2'],
    ]);
    for (const ack of acknowledgements(stack)) {
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });

  it('leave no CDK warning or error', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});
