import {
  CreateLaunchTemplateVersionCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import { DEFAULT_AMIS } from '../../../simulator/account';
import { createHarness, rejection, type Harness } from './harness';

describe('EC2: AMIs and launch templates', () => {
  let h: Harness;
  let ltId: string;
  beforeEach(() => {
    h = createHarness();
    ltId = h.environment.groups.green.launchTemplateId;
  });
  afterEach(() => h.dispose());

  describe('DescribeImages', () => {
    it('describes the default AMIs with state, name, tags and creation date', async () => {
      const { Images } = await h.ec2.send(
        new DescribeImagesCommand({ ImageIds: [DEFAULT_AMIS.next, DEFAULT_AMIS.foreign] }),
      );
      expect(Images?.map((i) => [i.ImageId, i.State, i.Name])).toEqual([
        [DEFAULT_AMIS.next, 'available', 'webapp-1.1.0'],
        [DEFAULT_AMIS.foreign, 'available', 'other-app-2.0.0'],
      ]);
      expect(Images?.[1]?.Tags).toContainEqual({ Key: 'Application', Value: 'other-app' });
      expect(Images?.[0]?.CreationDate).toBe('2025-02-01T00:00:00.000Z');
    });

    it('filters by tag and name (with wildcards)', async () => {
      const byTag = await h.ec2.send(
        new DescribeImagesCommand({ Filters: [{ Name: 'tag:Application', Values: ['webapp'] }] }),
      );
      expect(byTag.Images?.map((i) => i.ImageId)).toEqual([DEFAULT_AMIS.current, DEFAULT_AMIS.next]);
      const byName = await h.ec2.send(
        new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: ['other-*'] }] }),
      );
      expect(byName.Images?.map((i) => i.ImageId)).toEqual([DEFAULT_AMIS.foreign]);
    });

    it('rejects a malformed id and an unknown one with AWS’s codes and texts', async () => {
      const malformed = await rejection(h.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-123'] })));
      expect([malformed.name, malformed.message]).toEqual([
        'InvalidAMIID.Malformed',
        'Invalid id: "ami-123" (expecting "ami-...")',
      ]);
      const missing = await rejection(
        h.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })),
      );
      expect([missing.name, missing.message]).toEqual([
        'InvalidAMIID.NotFound',
        "The image id '[ami-0123456789abcdef0]' does not exist",
      ]);
      expect(missing.$fault).toBe('client');
    });
  });

  describe('launch template versions', () => {
    it('numbers versions in creation order and inherits from SourceVersion', async () => {
      const inherited = await h.ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: ltId,
          SourceVersion: '1',
          LaunchTemplateData: { ImageId: DEFAULT_AMIS.next },
        }),
      );
      expect(inherited.LaunchTemplateVersion).toMatchObject({
        VersionNumber: 2,
        DefaultVersion: false,
        LaunchTemplateData: { ImageId: DEFAULT_AMIS.next, InstanceType: 't3.micro' },
      });
      const bare = await h.ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateName: 'webapp-green',
          LaunchTemplateData: { ImageId: DEFAULT_AMIS.next },
        }),
      );
      expect(bare.LaunchTemplateVersion?.VersionNumber).toBe(3);
      expect(bare.LaunchTemplateVersion?.LaunchTemplateData).toEqual({ ImageId: DEFAULT_AMIS.next });
    });

    it('ClientToken: same request returns the same version; a different request is IdempotentParameterMismatch', async () => {
      const request = {
        LaunchTemplateId: ltId,
        SourceVersion: '1',
        LaunchTemplateData: { ImageId: DEFAULT_AMIS.next },
        ClientToken: 'deploy-1',
      };
      const first = await h.ec2.send(new CreateLaunchTemplateVersionCommand(request));
      const again = await h.ec2.send(new CreateLaunchTemplateVersionCommand(request));
      expect(again.LaunchTemplateVersion?.VersionNumber).toBe(first.LaunchTemplateVersion?.VersionNumber);
      const templates = await h.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [ltId] }));
      expect(templates.LaunchTemplates?.[0]).toMatchObject({
        LatestVersionNumber: 2,
        DefaultVersionNumber: 1,
      });
      const mismatch = await rejection(
        h.ec2.send(
          new CreateLaunchTemplateVersionCommand({
            ...request,
            LaunchTemplateData: { ImageId: DEFAULT_AMIS.foreign },
          }),
        ),
      );
      expect(mismatch.name).toBe('IdempotentParameterMismatch');
    });

    it('describes $Latest and $Default, and fails on a version that does not exist', async () => {
      await h.ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: ltId,
          SourceVersion: '$Latest',
          LaunchTemplateData: { ImageId: DEFAULT_AMIS.next },
        }),
      );
      const { LaunchTemplateVersions } = await h.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateId: ltId,
          Versions: ['$Latest', '$Default'],
        }),
      );
      expect(LaunchTemplateVersions?.map((v) => [v.VersionNumber, v.DefaultVersion])).toEqual([
        [2, false],
        [1, true],
      ]);
      await h.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: ltId, DefaultVersion: '2' }));
      const after = await h.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: ltId, Versions: ['$Default'] }),
      );
      expect(after.LaunchTemplateVersions?.[0]?.VersionNumber).toBe(2);
      const missing = await rejection(
        h.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: ltId, Versions: ['7'] })),
      );
      expect(missing.name).toBe('InvalidLaunchTemplateId.VersionNotFound');
    });

    it('rejects unknown and malformed launch templates', async () => {
      const unknown = await rejection(
        h.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: 'lt-0123456789abcdef0' })),
      );
      expect(unknown.name).toBe('InvalidLaunchTemplateId.NotFound');
      const malformed = await rejection(
        h.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: ['lt-1'] })),
      );
      expect(malformed.name).toBe('InvalidLaunchTemplateId.Malformed');
      const byName = await rejection(
        h.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['nope'] })),
      );
      expect(byName.name).toBe('InvalidLaunchTemplateName.NotFoundException');
    });
  });
});
