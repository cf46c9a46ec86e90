// Over 250 lines: the EC2 operations the steps use (images, launch templates and versions, launches), one route each over shared records.
/**
 * EC2 as the orchestrator sees it: AMIs and launch templates (with versions), and the resolution Auto
 * Scaling does at launch time.
 */
import {
  CreateLaunchTemplateVersionCommand,
  type CreateLaunchTemplateVersionCommandInput,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
  type Filter,
  type Image,
  type LaunchTemplate,
  type LaunchTemplateVersion,
  type ResponseLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import type { AmiDescription, EnvironmentDescription } from './environment';
import { serviceError } from './errors';
import { matchesWildcard, paginate } from './pagination';
import { route, type Route } from './router';

const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
const LAUNCH_TEMPLATE_ID = /^lt-[0-9a-f]{17}$/;

type LaunchTemplateData = Record<string, unknown>;

interface VersionRecord {
  readonly number: number;
  readonly description?: string;
  readonly data: LaunchTemplateData;
  readonly createdAt: number;
}

export interface LaunchTemplateRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  defaultVersion: number;
  readonly versions: VersionRecord[];
}

export interface ResolvedLaunch {
  template: LaunchTemplateRecord;
  version: number;
  imageId?: string;
  instanceType?: string;
}

const ec2Error = (name: string, message: string): Error => serviceError('ec2', name, message);

export class Ec2 {
  readonly images = new Map<string, AmiDescription>();
  private readonly region: string;
  readonly startedAt: number;
  readonly templates = new Map<string, LaunchTemplateRecord>();
  private readonly clientTokens = new Map<
    string,
    { fingerprint: string; templateId: string; version: number }
  >();
  private readonly createdBy: string;
  private readonly accountId: string;

  constructor(
    environment: EnvironmentDescription,
    private readonly now: () => number,
  ) {
    this.accountId = environment.accountId;
    this.region = environment.region;
    this.startedAt = now();
    this.createdBy = `arn:aws:iam::${environment.accountId}:root`;
    for (const ami of environment.amis) this.images.set(ami.id, { ...ami, tags: { ...ami.tags } });
    for (const group of Object.values(environment.groups)) {
      if (this.templates.has(group.launchTemplateId)) continue;
      this.templates.set(group.launchTemplateId, {
        id: group.launchTemplateId,
        name: group.launchTemplateName,
        createdAt: now(),
        defaultVersion: 1,
        versions: [
          {
            number: 1,
            data: {
              ...structuredClone(group.launchTemplateData ?? {}),
              ImageId: group.amiId,
              InstanceType: group.instanceType ?? 't3.micro',
            },
            createdAt: now(),
          },
        ],
      });
    }
  }

  routes(): Route[] {
    return [
      route(DescribeImagesCommand, (input) => {
        // Disabled AMIs only when asked (DescribeImages' IncludeDisabled).
        const images = this.describeImages(input.ImageIds, input.Owners, input.Filters).filter(
          (image) => input.IncludeDisabled === true || image.State !== 'disabled',
        );
        if (input.MaxResults === undefined) return { Images: images };
        if (input.ImageIds?.length) {
          throw ec2Error(
            'InvalidParameterCombination',
            'The parameter ImageIds cannot be used with MaxResults',
          );
        }
        const page = paginate(
          images,
          input.NextToken,
          clamp(input.MaxResults, 5, 1000),
          'DescribeImages',
          () => ec2Error('InvalidPaginationToken', `Invalid pagination token`),
        );
        return { Images: page.items, NextToken: page.nextToken };
      }),
      route(DescribeLaunchTemplatesCommand, (input) => {
        checkMaxResults(input.MaxResults);
        let templates = [...this.templates.values()];
        if (input.LaunchTemplateIds?.length)
          templates = input.LaunchTemplateIds.map((id) => this.templateById(id));
        if (input.LaunchTemplateNames?.length) {
          templates = input.LaunchTemplateNames.map((name) => this.templateByName(name));
        }
        templates = templates.filter((template) =>
          (input.Filters ?? []).every((filter) =>
            matchesFilter(filter, templateFilterValue(template, filter.Name)),
          ),
        );
        const page = launchTemplatePage(templates, input, 'DescribeLaunchTemplates');
        return {
          LaunchTemplates: page.items.map((t) => this.describeTemplate(t)),
          NextToken: page.nextToken,
        };
      }),
      route(DescribeLaunchTemplateVersionsCommand, (input) => {
        checkMaxResults(input.MaxResults);
        const templates =
          input.LaunchTemplateId !== undefined || input.LaunchTemplateName !== undefined
            ? [this.findTemplate(input.LaunchTemplateId, input.LaunchTemplateName)]
            : [...this.templates.values()];
        const accountWide = input.LaunchTemplateId === undefined && input.LaunchTemplateName === undefined;
        if (accountWide) checkAccountWideVersions(input.Versions);
        const versions: LaunchTemplateVersion[] = [];
        for (const template of templates) {
          const selected = input.Versions?.length
            ? input.Versions.map((spec) => this.version(template, spec))
            : [...template.versions].reverse();
          for (const version of selected) {
            if (input.MinVersion !== undefined && version.number < Number(input.MinVersion)) continue;
            if (input.MaxVersion !== undefined && version.number > Number(input.MaxVersion)) continue;
            versions.push(this.describeVersion(template, version));
          }
        }
        const page = launchTemplatePage(versions, input, 'DescribeLaunchTemplateVersions');
        return { LaunchTemplateVersions: page.items, NextToken: page.nextToken };
      }),
      route(CreateLaunchTemplateVersionCommand, (input) => {
        if (!input.LaunchTemplateData) {
          throw ec2Error('MissingParameter', 'The request must contain the parameter LaunchTemplateData');
        }
        const template = this.findTemplate(input.LaunchTemplateId, input.LaunchTemplateName);
        const version = this.createVersion(template, input.LaunchTemplateData, input);
        return { LaunchTemplateVersion: this.describeVersion(version.template, version.record) };
      }),
      route(ModifyLaunchTemplateCommand, (input) => {
        const template = this.findTemplate(input.LaunchTemplateId, input.LaunchTemplateName);
        if (input.DefaultVersion !== undefined) this.setDefaultVersion(template, input.DefaultVersion);
        return { LaunchTemplate: this.describeTemplate(template) };
      }),
    ];
  }

  /**
   * CreateLaunchTemplateVersion's effect. ClientToken makes the call idempotent; reusing a token with
   * different parameters is IdempotentParameterMismatch (API reference; EC2 "Ensuring idempotency").
   */
  private createVersion(
    template: LaunchTemplateRecord,
    data: NonNullable<CreateLaunchTemplateVersionCommandInput['LaunchTemplateData']>,
    request: Pick<
      CreateLaunchTemplateVersionCommandInput,
      'ClientToken' | 'SourceVersion' | 'VersionDescription'
    >,
  ): { template: LaunchTemplateRecord; record: VersionRecord } {
    const fingerprint = JSON.stringify([
      template.id,
      request.SourceVersion ?? null,
      request.VersionDescription ?? null,
      data,
    ]);
    const token = request.ClientToken;
    const previous = token === undefined ? undefined : this.clientTokens.get(token);
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        // UNCONFIRMED: exact message text.
        throw ec2Error(
          'IdempotentParameterMismatch',
          `The client token '${token}' has already been used with different request parameters.`,
        );
      }
      const existing = this.templates.get(previous.templateId);
      const record = existing?.versions.find((v) => v.number === previous.version);
      if (existing && record) return { template: existing, record };
    }
    // API reference: with SourceVersion the new version inherits everything it does not override;
    // without it, the new version holds only what the request gives.
    const base =
      request.SourceVersion !== undefined ? this.version(template, request.SourceVersion).data : {};
    const record: VersionRecord = {
      // docs/aws-facts/launch-templates-and-amis.md#createlaunchtemplateversion: versions are numbered in
      // creation order.
      number: template.versions.length + 1,
      description: request.VersionDescription,
      data: { ...structuredClone(base), ...structuredClone(data) },
      createdAt: this.now(),
    };
    template.versions.push(record);
    if (token !== undefined)
      this.clientTokens.set(token, { fingerprint, templateId: template.id, version: record.number });
    return { template, record };
  }

  /** ModifyLaunchTemplate's effect: the default version, which must exist. */
  private setDefaultVersion(template: LaunchTemplateRecord, spec: string): void {
    template.defaultVersion = this.version(template, spec).number;
  }

  /**
   * What a launch from this group configuration gets, resolved now (`$Latest`/`$Default` at launch time:
   * docs/aws-facts/launch-templates-and-amis.md).
   */
  resolveLaunch(templateId: string, versionSpec: string): ResolvedLaunch {
    const template = this.templateById(templateId);
    const version = this.version(template, versionSpec);
    const imageId = typeof version.data.ImageId === 'string' ? version.data.ImageId : undefined;
    const instanceType =
      typeof version.data.InstanceType === 'string' ? version.data.InstanceType : undefined;
    return { template, version: version.number, imageId, instanceType };
  }

  templateById(id: string): LaunchTemplateRecord {
    if (!LAUNCH_TEMPLATE_ID.test(id)) {
      throw ec2Error('InvalidLaunchTemplateId.Malformed', `The launch template ID '${id}' is malformed.`);
    }
    const template = this.templates.get(id);
    // EC2 error codes: InvalidLaunchTemplateId.NotFound (message text UNCONFIRMED).
    if (!template) {
      throw ec2Error(
        'InvalidLaunchTemplateId.NotFound',
        `The specified launch template, with template ID ${id}, does not exist.`,
      );
    }
    return template;
  }

  templateByName(name: string): LaunchTemplateRecord {
    for (const template of this.templates.values()) if (template.name === name) return template;
    throw ec2Error(
      'InvalidLaunchTemplateName.NotFoundException',
      'At least one of the launch templates specified in the request does not exist.',
    );
  }

  findTemplate(id: string | undefined, name: string | undefined): LaunchTemplateRecord {
    if (id !== undefined && name !== undefined) {
      throw ec2Error(
        'InvalidParameterCombination',
        'The parameters LaunchTemplateId and LaunchTemplateName cannot be used together.',
      );
    }
    if (id !== undefined) return this.templateById(id);
    if (name !== undefined) return this.templateByName(name);
    throw ec2Error(
      'MissingParameter',
      'The request must include either LaunchTemplateId or LaunchTemplateName.',
    );
  }

  /** A version by number, `$Latest` or `$Default`. */
  version(template: LaunchTemplateRecord, spec: string): VersionRecord {
    const number =
      spec === '$Latest'
        ? template.versions.length
        : spec === '$Default'
          ? template.defaultVersion
          : Number(spec);
    const found = Number.isInteger(number) ? template.versions.find((v) => v.number === number) : undefined;
    if (!found) {
      // EC2 error codes: InvalidLaunchTemplateId.VersionNotFound (message text UNCONFIRMED).
      throw ec2Error(
        'InvalidLaunchTemplateId.VersionNotFound',
        `Could not find launch template version ${spec} for launch template ${template.id}.`,
      );
    }
    return found;
  }

  private describeImages(
    ids: string[] | undefined,
    owners: string[] | undefined,
    filters: Filter[] | undefined,
  ): Image[] {
    let images = [...this.images.values()];
    if (ids?.length) {
      for (const id of ids) {
        // docs/aws-facts/launch-templates-and-amis.md#ami-ids-and-describeimages: a badly formed id is
        // InvalidAMIID.Malformed, an unknown one InvalidAMIID.NotFound.
        if (!AMI_ID.test(id))
          throw ec2Error('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
      }
      const missing = ids.filter((id) => !this.images.has(id));
      if (missing.length === 1)
        throw ec2Error('InvalidAMIID.NotFound', `The image id '[${missing[0]}]' does not exist`);
      if (missing.length > 1) {
        // UNCONFIRMED: plural wording.
        throw ec2Error('InvalidAMIID.NotFound', `The image ids '[${missing.join(', ')}]' do not exist`);
      }
      images = images.filter((image) => ids.includes(image.id));
    }
    // Every simulated AMI belongs to this account; other owners (amazon, aws-marketplace…) own none of them.
    if (owners?.length && !owners.some((owner) => owner === 'self' || /^\d{12}$/.test(owner))) images = [];
    images = images.filter((image) =>
      (filters ?? []).every((filter) =>
        matchesFilter(filter, imageFilterValue(image, this.tagsOf(image), filter.Name, this.accountId)),
      ),
    );
    return images.map((image) => ({
      ImageId: image.id,
      Name: image.name,
      State: image.state,
      CreationDate: image.creationDate ?? new Date(0).toISOString(),
      Tags: Object.entries(this.tagsOf(image)).map(([Key, Value]) => ({ Key, Value })),
      ...(image.sourceImageId !== undefined && {
        SourceImageId: image.sourceImageId,
        SourceImageRegion: this.region,
      }),
      ...(image.sourceInstanceId !== undefined && { SourceInstanceId: image.sourceInstanceId }),
      OwnerId: this.accountId,
      Architecture: 'x86_64',
      ImageType: 'machine',
      Public: false,
      RootDeviceType: 'ebs',
      RootDeviceName: '/dev/xvda',
      VirtualizationType: 'hvm',
      Hypervisor: 'xen',
      PlatformDetails: 'Linux/UNIX',
      ImageLocation: `${this.accountId}/${image.name}`,
    }));
  }

  /** An AMI's tags as they stand now: none before `tagsAfterSeconds`. */
  tagsOf(image: AmiDescription): Record<string, string> {
    const taggedAt = this.startedAt + (image.tagsAfterSeconds ?? 0) * 1000;
    return this.now() >= taggedAt ? image.tags : {};
  }

  private describeTemplate(template: LaunchTemplateRecord): LaunchTemplate {
    return {
      LaunchTemplateId: template.id,
      LaunchTemplateName: template.name,
      CreateTime: new Date(template.createdAt),
      CreatedBy: this.createdBy,
      DefaultVersionNumber: template.defaultVersion,
      LatestVersionNumber: template.versions.length,
    };
  }

  private describeVersion(template: LaunchTemplateRecord, version: VersionRecord): LaunchTemplateVersion {
    return {
      LaunchTemplateId: template.id,
      LaunchTemplateName: template.name,
      VersionNumber: version.number,
      VersionDescription: version.description,
      CreateTime: new Date(version.createdAt),
      CreatedBy: this.createdBy,
      DefaultVersion: version.number === template.defaultVersion,
      LaunchTemplateData: structuredClone(version.data) as ResponseLaunchTemplateData,
    };
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function matchesFilter(filter: Filter, values: string[]): boolean {
  const wanted = filter.Values ?? [];
  return wanted.some((pattern) => values.some((value) => matchesWildcard(pattern, value)));
}

function imageFilterValue(
  image: AmiDescription,
  tags: Record<string, string>,
  name: string | undefined,
  accountId: string,
): string[] {
  if (name === 'name') return [image.name];
  if (name === 'image-id') return [image.id];
  if (name === 'state') return [image.state];
  if (name === 'tag-key') return Object.keys(tags);
  if (name?.startsWith('tag:')) {
    const value = tags[name.slice(4)];
    return value === undefined ? [] : [value];
  }
  if (name === 'owner-id') return [accountId];
  throw ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`);
}

function templateFilterValue(template: LaunchTemplateRecord, name: string | undefined): string[] {
  if (name === 'launch-template-name') return [template.name];
  throw ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`);
}

/** DescribeLaunchTemplates and DescribeLaunchTemplateVersions take MaxResults from 1 to 200. */
function checkMaxResults(maxResults: number | undefined): void {
  if (maxResults !== undefined && (maxResults < 1 || maxResults > 200)) {
    throw ec2Error('InvalidParameterValue', `Value (${maxResults}) for parameter maxResults is invalid.`);
  }
}

/**
 * DescribeLaunchTemplateVersions without a launch template describes, of every template in the account,
 * "the latest version" (`$Latest`) or "the default version" (`$Default`): "You cannot specify numbers"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplateVersions.html).
 */
function checkAccountWideVersions(versions: string[] | undefined): void {
  // UNCONFIRMED: the error codes and texts; the page names the rule, not the error.
  if (!versions?.length) {
    throw ec2Error(
      'MissingParameter',
      'The request must include LaunchTemplateId, LaunchTemplateName or Versions ($Latest or $Default).',
    );
  }
  const numbered = versions.find((spec) => spec !== '$Latest' && spec !== '$Default');
  if (numbered !== undefined) {
    throw ec2Error(
      'InvalidParameterValue',
      `Version '${numbered}' requires LaunchTemplateId or LaunchTemplateName; only $Latest and $Default describe every launch template.`,
    );
  }
}

function launchTemplatePage<T>(
  items: T[],
  input: { NextToken?: string; MaxResults?: number },
  operation: string,
) {
  return paginate(items, input.NextToken, input.MaxResults ?? 1000, operation, () =>
    ec2Error('InvalidPaginationToken', 'Invalid pagination token'),
  );
}
