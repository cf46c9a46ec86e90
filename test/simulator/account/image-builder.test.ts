import { CopyImageCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { GetImageCommand, ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import { SimulatedAccount } from '../../../simulator/account';
import {
  DEFAULT_AMIS,
  defaultEnvironment,
  type EnvironmentDescription,
} from '../../../simulator/account/environment';
import { actingAs, type Principal } from '../../../simulator/account/iam/principal';
import { createHarness, rejection, type Harness } from './harness';

/**
 * EC2 Image Builder: GetImage (API reference) and the "EC2 Image Builder Image State Change" events
 * (Image Builder User Guide, "Amazon EventBridge integration in Image Builder").
 */

let h: Harness;
const imageBuilder = new ImagebuilderClient({ region: 'us-east-1' });
const BUILD_AMI = 'ami-0a1b2c3d4e5f6000b';
const IMAGE = 'arn:aws:imagebuilder:us-east-1:123456789012:image/webapp/1.2.0/1';
const PIPELINE = 'arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/webapp';

function withBuild(environment: EnvironmentDescription): void {
  environment.amis.push({
    id: BUILD_AMI,
    name: 'webapp-1.2.0',
    state: 'available',
    tags: { Application: 'webapp', Version: '1.2.0' },
    availableAfterSeconds: 60,
    tagsAfterSeconds: 90,
  });
  environment.imageBuilderImages = [
    {
      arn: IMAGE,
      pipelineArn: PIPELINE,
      amiId: BUILD_AMI,
      availableAfterSeconds: 120,
      tags: { team: 'web' },
    },
  ];
}

beforeEach(() => {
  h = createHarness({ now: Date.UTC(2026, 0, 5, 9, 0, 0), customize: withBuild });
});
afterEach(() => h.dispose());

const getImage = (arn: string) => imageBuilder.send(new GetImageCommand({ imageBuildVersionArn: arn }));

describe('the simulated EC2 Image Builder', () => {
  it('answers GetImage with the image, its status and, once the AMI exists, its output AMI', async () => {
    expect((await getImage(IMAGE)).image).toMatchObject({
      arn: IMAGE,
      name: 'webapp',
      state: { status: 'BUILDING' },
      sourcePipelineArn: PIPELINE,
      outputResources: { amis: [] },
      tags: { team: 'web' },
    });
    h.run(60);
    expect((await getImage(IMAGE)).image?.state?.status).toBe('TESTING');
    h.run(60);
    expect((await getImage(IMAGE)).image).toMatchObject({
      state: { status: 'AVAILABLE' },
      outputResources: {
        amis: [{ region: 'us-east-1', image: BUILD_AMI, name: 'webapp-1.2.0', accountId: '123456789012' }],
      },
    });
  });

  it('has distributed a tagged, available AMI by the time it reports AVAILABLE', async () => {
    h.run(120);
    const ami = (await h.ec2.send(new DescribeImagesCommand({ ImageIds: [BUILD_AMI] }))).Images?.[0];
    expect(ami?.State).toBe('available');
    expect(ami?.Tags).toEqual(expect.arrayContaining([{ Key: 'Version', Value: '1.2.0' }]));
  });

  it('sends "EC2 Image Builder Image State Change" for each change, with the image ARN and the states', () => {
    h.run(120);
    const imageEvents = h.account.serviceEvents.filter((event) => event.source === 'aws.imagebuilder');
    expect(imageEvents).toEqual([
      expect.objectContaining({
        'detail-type': 'EC2 Image Builder Image State Change',
        time: '2026-01-05T09:01:00Z',
        resources: [IMAGE],
        detail: { 'previous-state': { status: 'BUILDING' }, state: { status: 'TESTING' } },
      }),
      {
        version: '0',
        id: expect.any(String),
        'detail-type': 'EC2 Image Builder Image State Change',
        source: 'aws.imagebuilder',
        account: '123456789012',
        time: '2026-01-05T09:02:00Z',
        region: 'us-east-1',
        resources: [IMAGE],
        detail: { 'previous-state': { status: 'TESTING' }, state: { status: 'AVAILABLE' } },
      },
    ]);
    // EC2's own event for the AMI came first, when the build created it.
    expect(h.account.serviceEvents[0]).toMatchObject({ source: 'aws.ec2', detail: { ImageId: BUILD_AMI } });
  });

  it('resolves a version ARN, with or without wildcards, to the latest AVAILABLE build only', async () => {
    const version = 'arn:aws:imagebuilder:us-east-1:123456789012:image/webapp/1.x.x';
    expect((await rejection(getImage(version))).name).toBe('ClientException');
    h.run(120);
    expect((await getImage(version)).image?.arn).toBe(IMAGE);
  });

  it('refuses an ARN outside the pattern and one that names no image', async () => {
    expect(
      await rejection(getImage('arn:aws:imagebuilder:us-east-1:123456789012:image/WebApp')),
    ).toMatchObject({
      name: 'InvalidRequestException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(await rejection(getImage(IMAGE.replace('/1.2.0/1', '/9.9.9/1')))).toMatchObject({
      name: 'ClientException',
    });
  });

  it("authorizes GetImage, and the AMI operations, against the caller's policies", async () => {
    const caller: Principal = {
      name: 'step',
      sessionArn: 'arn:aws:sts::123456789012:assumed-role/StepRole/step',
      policies: [{ Statement: [{ Effect: 'Allow', Action: 'imagebuilder:GetImage', Resource: IMAGE }] }],
    };
    await expect(actingAs(caller, () => getImage(IMAGE))).resolves.toBeDefined();
    const other = IMAGE.replace('/1.2.0/1', '/1.1.0/1');
    expect(await rejection(actingAs(caller, () => getImage(other)))).toMatchObject({
      name: 'ForbiddenException',
      $metadata: { httpStatusCode: 403 },
    });
    const copy = new CopyImageCommand({
      Name: 'c',
      SourceImageId: DEFAULT_AMIS.current,
      SourceRegion: 'us-east-1',
    });
    expect((await rejection(actingAs(caller, () => h.ec2.send(copy)))).name).toBe('UnauthorizedOperation');
  });

  it('refuses an environment whose image would be AVAILABLE before its AMI is tagged', () => {
    const environment = defaultEnvironment();
    withBuild(environment);
    environment.imageBuilderImages = [{ arn: IMAGE, amiId: BUILD_AMI, availableAfterSeconds: 80 }];
    expect(() => new SimulatedAccount(environment)).toThrow(/tagged only after the image is AVAILABLE/);
  });
});
