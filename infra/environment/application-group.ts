import { Duration, Tags, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Sizes of one group when it is created; `desired` omitted means "start at `min`". */
export interface GroupCapacity {
  readonly min: number;
  readonly desired?: number;
  readonly max: number;
}

export interface ApplicationGroupProps {
  readonly vpc: ec2.IVpc;
  /** Name of both the Auto Scaling group and its launch template, e.g. `webapp-blue`. */
  readonly name: string;
  readonly capacity: GroupCapacity;
  readonly machineImage: ec2.IMachineImage;
  readonly instanceType: ec2.InstanceType;
  readonly userData: ec2.UserData;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly role: iam.IRole;
  readonly healthCheckGracePeriod: Duration;
  /** Receives the group's launch and terminate events (and their errors). */
  readonly notificationsTopic: sns.ITopic;
}

/**
 * The root volume, encrypted, without a size: it takes the size of the AMI's snapshot, so a later
 * application AMI with a larger root volume still launches from a launch template version derived
 * from this one (a fixed size smaller than the snapshot fails every launch).
 */
class EncryptedAmiSizedVolume extends ec2.BlockDeviceVolume {
  constructor() {
    super({ encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3, deleteOnTermination: true });
  }
}

/** The device name of the root volume of Amazon Linux 2023 AMIs. */
const ROOT_DEVICE = '/dev/xvda';

/**
 * One colour of the blue/green pair: a launch template and an Auto Scaling group with the same fixed name.
 *
 * After the first deployment the orchestrator owns the group's capacity, launch template version and
 * target group attachments, so the CloudFormation definition is shaped not to take them back on a later
 * `cdk deploy`: see the comments in the constructor.
 */
export class ApplicationGroup extends Construct {
  readonly launchTemplate: ec2.LaunchTemplate;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;

  constructor(scope: Construct, id: string, props: ApplicationGroupProps) {
    super(scope, id);

    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      launchTemplateName: props.name,
      machineImage: props.machineImage,
      instanceType: props.instanceType,
      userData: props.userData,
      securityGroup: props.securityGroup,
      role: props.role,
      requireImdsv2: true,
      // One hop: nothing on the instance (no containers) needs to reach the metadata service through a hop.
      httpPutResponseHopLimit: 1,
      blockDevices: [{ deviceName: ROOT_DEVICE, volume: new EncryptedAmiSizedVolume() }],
    });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      autoScalingGroupName: props.name,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      launchTemplate: this.launchTemplate,
      minCapacity: props.capacity.min,
      desiredCapacity: props.capacity.desired,
      maxCapacity: props.capacity.max,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: props.healthCheckGracePeriod,
      }),
      notifications: [{ topic: props.notificationsTopic }],
      // Free at one-minute granularity, and what an operator watches in the console during a deployment.
      groupMetrics: [autoscaling.GroupMetrics.all()],
    });

    // Names the instances after their group in the console (both the template and the group tag them); added
    // after the launch template's own `Name` tag (its construct path) so that this one wins.
    Tags.of(this.launchTemplate).add('Name', props.name);
    Tags.of(this.autoScalingGroup).add('Name', props.name);

    const group = this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;

    // CloudFormation would otherwise reset MinSize/MaxSize/DesiredCapacity to the template's values whenever
    // it updates the group for another reason, e.g. scale a standby group the orchestrator emptied back up.
    // AWS documents the policy for groups with scheduled actions; that it also applies without one is
    // UNCONFIRMED, and it is harmless either way. Green also leaves DesiredCapacity out for the same reason.
    group.cfnOptions.updatePolicy = {
      ...group.cfnOptions.updatePolicy,
      autoScalingScheduledAction: { ignoreUnmodifiedGroupSizeProperties: true },
    };
    if (props.capacity.desired !== undefined) {
      Validations.of(this.autoScalingGroup).acknowledge({
        id: '@aws-cdk/aws-autoscaling:desiredCapacitySet',
        reason:
          'The serving group must start at its serving size; the IgnoreUnmodifiedGroupSizeProperties update policy keeps CloudFormation from re-applying it unless the template changes it.',
      });
    }

    // Version 1 is the version CloudFormation creates with the template; later versions belong to the
    // orchestrator. Pointing the group at `LatestVersionNumber` (the CDK default) would let any change of
    // the template's data re-point the group on the next `cdk deploy`, and the data changes by itself: the
    // AMI comes from an SSM parameter that AWS updates with every Amazon Linux release, so an unrelated
    // deploy would silently roll the fleet's next launches back from the deployed AMI to a stock one.
    group.addPropertyOverride('LaunchTemplate.Version', '1');
  }
}
