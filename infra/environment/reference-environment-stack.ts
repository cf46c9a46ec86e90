// Over 250 lines: one stack's resources in the order they depend on each other; split, its wiring would be harder to follow.
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ApplicationAlarms } from './application-alarms';
import { ApplicationGroup, GroupCapacity } from './application-group';
import { applicationUserData } from './application-user-data';
import { alarmNames, referenceEnvironment, ReferenceEnvironmentSettings } from './settings';

export interface ReferenceEnvironmentStackProps extends StackProps {
  /**
   * Names, health-check timing, draining, capacity and alarms. The simulated AWS account reads the same
   * settings, so keep the default unless you also simulate with yours.
   * @default referenceEnvironment (infra/environment/settings.ts)
   */
  readonly settings?: ReferenceEnvironmentSettings;
  /**
   * ACM certificate for an HTTPS listener on 443; HTTP on 80 then redirects to it. The certificate's
   * domain must point at the load balancer, and synthetic checks must use that domain, not `loadBalancerUrl`.
   * @default - HTTP only, on port 80
   */
  readonly certificateArn?: string;
}

/**
 * The application environment the blue/green orchestrator expects, built to try the orchestrator on AWS:
 * a VPC over two AZs, an internet-facing ALB whose production listener forwards to the main target group
 * and, for requests with the synthetic header, to the synthetic target group; blue and green Auto Scaling
 * groups running a small application that reports its AMI; and the alarms the orchestrator watches.
 *
 * Cost, us-east-1 on-demand prices, idle or light traffic: about US$1.60 a day (~$50 a month): the ALB
 * ~$0.54 plus ~$0.24 for its two public IPv4 addresses, three t3.micro ~$0.75, 3 × 8 GiB gp3 ~$0.07,
 * alarms and flow logs a few cents. During a deployment the new fleet runs beside the old one until the
 * monitoring window ends (+$0.03 an hour for three t3.micro). No NAT gateway (that would add ~$1.08 a day):
 * instances need no internet, as the application arrives in user data and uses only the OS.
 *
 * Properties to wire another stack of the same app to (cross-stack references, no copied ARNs):
 * - `applicationName`, `settings`
 * - `blueGroupName`, `greenGroupName`, `blueGroupArn`, `greenGroupArn`, `blueGroup`, `greenGroup`
 * - `blueLaunchTemplateId`, `greenLaunchTemplateId`, `blueLaunchTemplate`, `greenLaunchTemplate`
 * - `mainTargetGroupArn`, `syntheticTargetGroupArn`, `mainTargetGroup`, `syntheticTargetGroup`
 * - `loadBalancer`, `loadBalancerDnsName`, `loadBalancerUrl` (the synthetic-check endpoint), `productionListener`
 * - `alarmNames`, `alarms`, `scalingEventsTopic`, `vpc`
 * The same values are stack outputs, for an orchestrator configured by hand.
 */
export class ReferenceEnvironmentStack extends Stack {
  /** The settings the environment was built from. */
  readonly settings: ReferenceEnvironmentSettings;
  readonly applicationName: string;
  readonly vpc: ec2.IVpc;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener users reach: HTTPS with a certificate, HTTP otherwise. */
  readonly productionListener: elbv2.ApplicationListener;
  readonly loadBalancerDnsName: string;
  /** `http://<ALB DNS name>` (`https://` with a certificate): where synthetic checks send their requests. */
  readonly loadBalancerUrl: string;
  /** Serves users: the production listener's default action. */
  readonly mainTargetGroup: elbv2.ApplicationTargetGroup;
  readonly mainTargetGroupArn: string;
  /** Serves requests with the synthetic header: a new fleet is tested here before it gets users. */
  readonly syntheticTargetGroup: elbv2.ApplicationTargetGroup;
  readonly syntheticTargetGroupArn: string;
  readonly blueGroup: autoscaling.AutoScalingGroup;
  readonly greenGroup: autoscaling.AutoScalingGroup;
  /** `<applicationName>-blue`: a plain string, known before deployment. */
  readonly blueGroupName: string;
  /** `<applicationName>-green`: a plain string, known before deployment. */
  readonly greenGroupName: string;
  /** IAM-ready ARN (`autoScalingGroup:*:autoScalingGroupName/<name>`: the group's UUID is a wildcard). */
  readonly blueGroupArn: string;
  /** IAM-ready ARN (`autoScalingGroup:*:autoScalingGroupName/<name>`: the group's UUID is a wildcard). */
  readonly greenGroupArn: string;
  readonly blueLaunchTemplate: ec2.LaunchTemplate;
  readonly greenLaunchTemplate: ec2.LaunchTemplate;
  readonly blueLaunchTemplateId: string;
  readonly greenLaunchTemplateId: string;
  /** The role of the instances' profile, which the orchestrator passes to EC2 when it launches a version. */
  readonly instanceRoleArn: string;
  readonly alarms: cloudwatch.IAlarm[];
  /** `<applicationName>-<suffix>` for each alarm of the settings: what the orchestrator watches by default. */
  readonly alarmNames: string[];
  /** Launch and terminate events (and errors) of both groups; subscribe to follow a deployment by e-mail. */
  readonly scalingEventsTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: ReferenceEnvironmentStackProps = {}) {
    super(scope, id, props);
    const settings = props.settings ?? referenceEnvironment;
    const app = settings.applicationName;
    this.settings = settings;
    this.applicationName = app;
    Tags.of(this).add('application', app);

    const vpc = this.createVpc();
    this.vpc = vpc;

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
    });
    // cdk-nag 3 reads these acknowledgements (one reason per rule) for the load balancer and its children.
    Validations.of(this.loadBalancer).acknowledge(
      {
        id: 'AwsSolutions-EC23',
        reason:
          'Internet-facing web application: the listener ports (80, and 443 with a certificate) must accept anyone. Instances accept traffic from the load balancer only.',
      },
      {
        id: 'AwsSolutions-ELB2',
        reason:
          'The orchestrator decides on CloudWatch metrics and target health, not request logs. Access logs need a Region-bound stack and an S3 bucket that `cdk destroy` cannot empty, which would leave paid storage behind after this throwaway environment is gone.',
      },
    );

    this.mainTargetGroup = this.createTargetGroup('MainTargetGroup', `${app}-main`, settings);
    this.syntheticTargetGroup = this.createTargetGroup('SyntheticTargetGroup', `${app}-synthetic`, settings);
    this.productionListener = this.createListeners(settings, props.certificateArn);
    const scheme = props.certificateArn === undefined ? 'http' : 'https';

    const instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc,
      description: `${app} instances: HTTP from the load balancer only, no outbound traffic`,
      allowAllOutbound: false,
    });
    instanceSecurityGroup.connections.allowFrom(
      this.loadBalancer,
      ec2.Port.tcp(80),
      'Load balancer to target',
    );

    // The application calls no AWS API, so the role grants nothing. It exists so that permissions (e.g.
    // AmazonSSMManagedInstanceCore, with a NAT gateway or SSM endpoints) can be added to the role later
    // without changing the launch templates, whose versions belong to the orchestrator after the first deploy.
    const instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `${app} instances: no permissions, the application calls no AWS API`,
    });

    this.instanceRoleArn = instanceRole.roleArn;

    this.scalingEventsTopic = new sns.Topic(this, 'ScalingEvents', {
      topicName: `${app}-scaling-events`,
      enforceSSL: true,
    });

    const group = (colour: 'blue' | 'green', capacity: GroupCapacity) =>
      new ApplicationGroup(this, colour === 'blue' ? 'Blue' : 'Green', {
        vpc,
        name: `${app}-${colour}`,
        capacity,
        // Resolved through an SSM parameter at deploy time: synthesizes offline, needs no lookup context.
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        instanceType: new ec2.InstanceType(settings.instanceType),
        userData: ec2.UserData.custom(
          applicationUserData({ applicationName: app, healthCheckPath: settings.healthCheck.path }),
        ),
        securityGroup: instanceSecurityGroup,
        role: instanceRole,
        healthCheckGracePeriod: Duration.seconds(settings.healthCheckGracePeriodSeconds),
        notificationsTopic: this.scalingEventsTopic,
      });
    // Blue serves from the start. Green waits at zero, attached to nothing, for the first deployment.
    const blue = group('blue', settings.initialCapacity);
    const green = group('green', { min: 0, max: settings.initialCapacity.max });
    // CloudFormation attaches blue when it creates the group; afterwards the orchestrator moves attachments
    // between the groups. An update of blue's definition may apply this attachment again, so change the
    // groups' definitions only while blue is the group that serves (docs/aws-deployment.md, "Good to know").
    blue.autoScalingGroup.attachToApplicationTargetGroup(this.mainTargetGroup);

    this.blueGroup = blue.autoScalingGroup;
    this.greenGroup = green.autoScalingGroup;
    this.blueGroupName = `${app}-blue`;
    this.greenGroupName = `${app}-green`;
    this.blueGroupArn = blue.autoScalingGroup.autoScalingGroupArn;
    this.greenGroupArn = green.autoScalingGroup.autoScalingGroupArn;
    this.blueLaunchTemplate = blue.launchTemplate;
    this.greenLaunchTemplate = green.launchTemplate;
    // Defined for a launch template created here; `!` only narrows the optional type of the interface.
    this.blueLaunchTemplateId = blue.launchTemplate.launchTemplateId!;
    this.greenLaunchTemplateId = green.launchTemplate.launchTemplateId!;
    this.mainTargetGroupArn = this.mainTargetGroup.targetGroupArn;
    this.syntheticTargetGroupArn = this.syntheticTargetGroup.targetGroupArn;
    this.loadBalancerDnsName = this.loadBalancer.loadBalancerDnsName;
    this.loadBalancerUrl = `${scheme}://${this.loadBalancer.loadBalancerDnsName}`;

    this.alarms = new ApplicationAlarms(this, 'Alarms', {
      settings,
      loadBalancer: this.loadBalancer,
      targetGroup: this.mainTargetGroup,
      syntheticTargetGroup: this.syntheticTargetGroup,
    }).alarms;
    this.alarmNames = alarmNames(settings);

    this.createOutputs();
  }

  /**
   * Public subnets for the load balancer, isolated ones (no route out) for instances: no NAT gateway to
   * pay for. Each resource brings its own security group, so the VPC's default group stays unused.
   */
  private createVpc(): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        // The ALB gets public addresses of its own; nothing else launched here should.
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'application', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      // Restricting the unused default group takes a custom-resource Lambda function; not worth it here.
      restrictDefaultSecurityGroup: false,
    });
    vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogs', {
          retention: logs.RetentionDays.ONE_WEEK,
          // `cdk destroy` should leave nothing behind that keeps costing.
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      ),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    return vpc;
  }

  private createTargetGroup(
    id: string,
    name: string,
    settings: ReferenceEnvironmentSettings,
  ): elbv2.ApplicationTargetGroup {
    const check = settings.healthCheck;
    return new elbv2.ApplicationTargetGroup(this, id, {
      vpc: this.vpc,
      targetGroupName: name,
      targetType: elbv2.TargetType.INSTANCE,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: 80,
      healthCheck: {
        path: check.path,
        interval: Duration.seconds(check.intervalSeconds),
        timeout: Duration.seconds(check.timeoutSeconds),
        healthyThresholdCount: check.healthyThresholdCount,
        unhealthyThresholdCount: check.unhealthyThresholdCount,
        healthyHttpCodes: check.matcherHttpCode,
      },
      deregistrationDelay: Duration.seconds(settings.deregistrationDelaySeconds),
    });
  }

  /** Returns the production listener, which holds the default action and the synthetic header rule. */
  private createListeners(
    settings: ReferenceEnvironmentSettings,
    certificateArn: string | undefined,
  ): elbv2.ApplicationListener {
    const forwardToMain = elbv2.ListenerAction.forward([this.mainTargetGroup]);
    let production: elbv2.ApplicationListener;
    if (certificateArn === undefined) {
      production = this.loadBalancer.addListener('Http', { port: 80, defaultAction: forwardToMain });
    } else {
      production = this.loadBalancer.addListener('Https', {
        port: 443,
        certificates: [elbv2.ListenerCertificate.fromArn(certificateArn)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultAction: forwardToMain,
      });
      this.loadBalancer.addListener('Http', {
        port: 80,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
    }
    production.addAction('Synthetic', {
      priority: settings.syntheticRulePriority,
      conditions: [
        elbv2.ListenerCondition.httpHeader(settings.syntheticHeader.name, [settings.syntheticHeader.value]),
      ],
      action: elbv2.ListenerAction.forward([this.syntheticTargetGroup]),
    });
    return production;
  }

  private createOutputs(): void {
    const outputs: Record<string, { value: string; description: string }> = {
      ApplicationName: { value: this.applicationName, description: 'Application name' },
      BlueGroupName: { value: this.blueGroupName, description: 'Blue Auto Scaling group' },
      GreenGroupName: { value: this.greenGroupName, description: 'Green Auto Scaling group' },
      BlueLaunchTemplateId: {
        value: this.blueLaunchTemplateId,
        description: 'Launch template of the blue group',
      },
      GreenLaunchTemplateId: {
        value: this.greenLaunchTemplateId,
        description: 'Launch template of the green group',
      },
      MainTargetGroupArn: { value: this.mainTargetGroupArn, description: 'Target group that serves users' },
      SyntheticTargetGroupArn: {
        value: this.syntheticTargetGroupArn,
        description: 'Target group for requests with the synthetic header',
      },
      ProductionListenerArn: {
        value: this.productionListener.listenerArn,
        description: 'Production listener',
      },
      LoadBalancerDnsName: { value: this.loadBalancerDnsName, description: 'ALB DNS name' },
      LoadBalancerUrl: { value: this.loadBalancerUrl, description: 'Synthetic-check endpoint' },
      AlarmNames: {
        value: this.alarmNames.join(','),
        description: 'Alarms the orchestrator watches (comma-joined)',
      },
      ScalingEventsTopicArn: {
        value: this.scalingEventsTopic.topicArn,
        description: 'Scaling events of both groups',
      },
    };
    for (const [id, output] of Object.entries(outputs)) {
      new CfnOutput(this, id, output);
    }
  }
}
