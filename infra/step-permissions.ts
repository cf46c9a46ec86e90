import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EVENT_SOURCE, executionArnFor } from '../lambdas/shared/contract';
import { STEPS, type GrantScope, type StepName } from '../state-machine/step-registry';

/** The resources the deployment may touch; every mutating permission is scoped to them. */
export interface DeploymentResources {
  readonly groupNames: readonly string[];
  readonly targetGroupArns: readonly string[];
  /** Launch templates of the two groups; absent: any launch template in the account and Region. */
  readonly launchTemplateIds?: readonly string[];
  /** Roles of the templates' instance profiles, which launching on a template passes to EC2. */
  readonly instanceRoleArns?: readonly string[];
  readonly stateMachineArn: string;
  readonly topicArn: string;
  /** The KMS key the topic is encrypted with, if any. */
  readonly topicKeyArn?: string;
  /** Where the synthetic checks run, if in a VPC (syntheticChecks.network). */
  readonly checksNetwork?: {
    readonly subnetIds: readonly string[];
    readonly securityGroupIds: readonly string[];
  };
}

/**
 * Least-privilege statements for one step: its registry entry's grants (state-machine/step-registry.ts),
 * each scope turned into the deployment's ARNs. A grant on a scope the deployment lacks (no instance roles,
 * a topic without a customer managed key) is left out.
 */
export function stepPermissions(
  stack: Stack,
  step: StepName,
  resources: DeploymentResources,
): iam.PolicyStatement[] {
  return STEPS[step].permissions.flatMap((grant) => {
    const scope = scopeOf(stack, grant.on, resources);
    return scope ? [new iam.PolicyStatement({ actions: [...grant.actions], ...scope })] : [];
  });
}

interface Scope {
  resources: string[];
  conditions?: Record<string, Record<string, unknown>>;
}

function scopeOf(stack: Stack, scope: GrantScope, resources: DeploymentResources): Scope | undefined {
  const launchTemplateArns = (resources.launchTemplateIds ?? ['*']).map((id) =>
    stack.formatArn({ service: 'ec2', resource: 'launch-template', resourceName: id }),
  );
  switch (scope) {
    case 'any':
      return { resources: ['*'] };
    case 'groups':
      return {
        resources: resources.groupNames.map((name) =>
          stack.formatArn({
            service: 'autoscaling',
            resource: 'autoScalingGroup',
            resourceName: `*:autoScalingGroupName/${name}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      };
    case 'launchTemplates':
      return { resources: launchTemplateArns };
    case 'launchesFromTemplates':
      return { resources: ['*'], conditions: { ArnLike: { 'ec2:LaunchTemplate': launchTemplateArns } } };
    case 'tagsOfLaunches':
      // Tags applied by a launch: AWS scopes them by the creating action, not by the template.
      return {
        resources: [stack.formatArn({ service: 'ec2', resource: '*', resourceName: '*' })],
        conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
      };
    case 'instanceProfiles':
      return {
        resources: [
          stack.formatArn({ service: 'iam', region: '', resource: 'instance-profile', resourceName: '*' }),
        ],
      };
    case 'instanceRoles':
      if (!resources.instanceRoleArns || resources.instanceRoleArns.length === 0) return undefined;
      return {
        resources: [...resources.instanceRoleArns],
        // EC2 receives the role at launch; AWS's action map names Auto Scaling as the receiver of the group
        // update's check (which of the two the check carries is UNCONFIRMED): allow both, for these roles only.
        conditions: {
          StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'autoscaling.amazonaws.com'] },
        },
      };
    case 'stateMachine':
      return { resources: [resources.stateMachineArn] };
    case 'executions':
      return { resources: [executionArnFor(resources.stateMachineArn, '*')] };
    case 'topic':
      return { resources: [resources.topicArn] };
    case 'topicKey':
      return resources.topicKeyArn ? { resources: [resources.topicKeyArn] } : undefined;
    case 'checksNetworkInterfaceCreation': {
      // Scoped: interfaces only in these subnets with these security groups (docs/aws-facts/iam-authorization.md#lambda-in-a-vpc).
      const network = resources.checksNetwork;
      if (!network) return undefined;
      return {
        resources: [
          ec2Arn(stack, 'network-interface', '*'),
          ...network.subnetIds.map((id) => ec2Arn(stack, 'subnet', id)),
          ...network.securityGroupIds.map((id) => ec2Arn(stack, 'security-group', id)),
        ],
      };
    }
    case 'checksNetworkInterfaces':
      // The guide: name the interface to delete, "or include all resource IDs"; Lambda names its own.
      return resources.checksNetwork ? { resources: [ec2Arn(stack, 'network-interface', '*')] } : undefined;
    case 'checksNetworkReads':
      // DescribeNetworkInterfaces "only works if it's allowed on all resources"; DescribeSubnets is a read.
      return resources.checksNetwork ? { resources: ['*'] } : undefined;
    case 'imageBuilderImages':
      // GetImage is authorized on the image (Service Authorization Reference, EC2 Image Builder: resource
      // type image, arn:…:imagebuilder:REGION:ACCOUNT:image/NAME/VERSION…).
      return {
        resources: [stack.formatArn({ service: 'imagebuilder', resource: 'image', resourceName: '*' })],
      };
    case 'listeners':
      // ModifyListener is authorized on the listener (Service Authorization Reference, Elastic Load
      // Balancing V2: resource type listener/app, arn:…:listener/app/NAME/ID/LISTENER-ID).
      return {
        resources: [
          stack.formatArn({ service: 'elasticloadbalancing', resource: 'listener', resourceName: 'app/*' }),
        ],
      };
    case 'defaultEventBus':
      // events:source holds the sources of the entries (AWS's own example policy takes it as multivalued:
      // docs/aws-facts/eventbridge.md); every entry needs one, so the set is never empty.
      return {
        resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
        conditions: { 'ForAllValues:StringEquals': { 'events:source': [EVENT_SOURCE] } },
      };
  }
}

function ec2Arn(stack: Stack, resource: string, resourceName: string): string {
  return stack.formatArn({ service: 'ec2', resource, resourceName });
}

/** The ARN a state machine of this name will have, known before it exists (breaks the guard's cycle). */
export function stateMachineArnFor(stack: Stack, name: string): string {
  return Arn.format(
    {
      service: 'states',
      resource: 'stateMachine',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    },
    stack,
  );
}
