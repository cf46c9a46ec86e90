/**
 * The AWS CLI, exactly as far as the orchestrator's recovery hints use it. `awsCommandsIn` finds every
 * `aws …` command a message prints and splits it into shell words; `runAwsCommand` sends the SDK v3 command
 * the CLI would send for it (answered by the simulated account while it is installed; a call made outside a
 * step acts as the account owner). A service, operation, flag, shorthand key or value form not listed here
 * fails loudly, and so does a placeholder that is not declared as operator input: a hint cannot print a
 * command its test did not run as printed.
 *
 * Where a command ends in prose: at an unquoted `;` or `)`, or at a `.` or `,` that ends a word.
 */
import {
  AttachTrafficSourcesCommand,
  AutoScalingClient,
  CancelInstanceRefreshCommand,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeTrafficSourcesCommand,
  DetachTrafficSourcesCommand,
  ExitStandbyCommand,
  ResumeProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateRuleCommand,
  ModifyListenerCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/** A value the orchestrator cannot know and prints as `<…>`: the operator supplies it. */
export interface OperatorInput {
  /** As printed, brackets included: `<lt-id>`. */
  readonly placeholder: string;
  readonly value: string;
  /** Why it is the operator's to give (the account's state does not determine it). */
  readonly reason: string;
}

export interface CliContext {
  /** Lets virtual time pass: waiters poll. */
  advance(seconds: number): Promise<void>;
  region: string;
  operatorInput?: readonly OperatorInput[];
}

/** One command as printed, and its shell words. */
export interface PrintedCommand {
  readonly text: string;
  readonly words: readonly string[];
}

/** Every `aws …` command in a message, in order. */
export function awsCommandsIn(message: string): PrintedCommand[] {
  const commands: PrintedCommand[] = [];
  const start = /(^|[\s(:])aws\s/g;
  let match: RegExpExecArray | null;
  while ((match = start.exec(message)) !== null) {
    const begin = match.index + match[1].length;
    const { words, end } = shellWords(message, begin);
    commands.push({ text: message.slice(begin, end).replace(/[\s;).,]+$/, ''), words });
    start.lastIndex = end;
  }
  return commands;
}

function shellWords(text: string, from: number): { words: string[]; end: number } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  const finish = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      finish();
      i++;
    } else if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      if (close < 0) throw new Error(`unterminated ${c} in: ${text.slice(from)}`);
      word += text.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '<') {
      // A placeholder, as printed: `<free priority>` is one word.
      const close = text.indexOf('>', i);
      if (close < 0) throw new Error(`unterminated placeholder in: ${text.slice(from)}`);
      word += text.slice(i, close + 1);
      inWord = true;
      i = close + 1;
    } else if (c === ';' || c === ')') {
      i++;
      break;
    } else if ((c === '.' || c === ',') && (i + 1 === text.length || /\s/.test(text[i + 1]))) {
      i++;
      break;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  finish();
  return { words, end: i };
}

/** `service operation` (or `service wait waiter`) of every command `runAwsCommand` can run. */
export const SUPPORTED_COMMANDS = [
  'autoscaling detach-traffic-sources',
  'autoscaling attach-traffic-sources',
  'autoscaling exit-standby',
  'autoscaling resume-processes',
  'autoscaling update-auto-scaling-group',
  'autoscaling cancel-instance-refresh',
  'autoscaling describe-traffic-sources',
  'autoscaling create-or-update-tags',
  'autoscaling delete-tags',
  'elbv2 create-rule',
  'elbv2 modify-listener',
  'elbv2 wait target-in-service',
] as const;
export type SupportedCommand = (typeof SUPPORTED_COMMANDS)[number];

/** The command's `service operation` key (`service wait waiter` for a waiter). */
export function commandKey(command: PrintedCommand): string {
  const [, service, operation, waiter] = command.words;
  return operation === 'wait' ? `${service} wait ${waiter}` : `${service} ${operation}`;
}

/** Runs one printed command; returns its key. */
export async function runAwsCommand(command: PrintedCommand, context: CliContext): Promise<SupportedCommand> {
  const words = command.words.map((word) => fillPlaceholders(word, command, context));
  if (words[0] !== 'aws') throw new Error(`not an aws command: ${command.text}`);
  const key = commandKey(command);
  if (!(SUPPORTED_COMMANDS as readonly string[]).includes(key)) {
    throw new Error(`the test's AWS CLI does not run "aws ${key}" (printed: ${command.text})`);
  }
  const args = new Arguments(words.slice(key.split(' ').length + 1), command.text);
  const autoScaling = new AutoScalingClient({ region: context.region });
  const elb = new ElasticLoadBalancingV2Client({ region: context.region });
  const supported = key as SupportedCommand;
  switch (supported) {
    case 'autoscaling detach-traffic-sources':
    case 'autoscaling attach-traffic-sources': {
      const input = {
        AutoScalingGroupName: args.string('auto-scaling-group-name'),
        TrafficSources: args.structs('traffic-sources', ['Identifier', 'Type']).map((source) => ({
          Identifier: scalar(source.Identifier, 'Identifier'),
          Type: optionalScalar(source.Type, 'Type'),
        })),
      };
      args.done();
      await autoScaling.send(
        supported === 'autoscaling detach-traffic-sources'
          ? new DetachTrafficSourcesCommand(input)
          : new AttachTrafficSourcesCommand(input),
      );
      break;
    }
    case 'autoscaling exit-standby': {
      const input = {
        AutoScalingGroupName: args.string('auto-scaling-group-name'),
        InstanceIds: args.strings('instance-ids'),
      };
      args.done();
      await autoScaling.send(new ExitStandbyCommand(input));
      break;
    }
    case 'autoscaling resume-processes': {
      const input = {
        AutoScalingGroupName: args.string('auto-scaling-group-name'),
        ScalingProcesses: args.strings('scaling-processes'),
      };
      args.done();
      await autoScaling.send(new ResumeProcessesCommand(input));
      break;
    }
    case 'autoscaling update-auto-scaling-group': {
      const template = args.optionalStruct('launch-template', [
        'LaunchTemplateId',
        'LaunchTemplateName',
        'Version',
      ]);
      const input = {
        AutoScalingGroupName: args.string('auto-scaling-group-name'),
        MinSize: args.optionalInt('min-size'),
        MaxSize: args.optionalInt('max-size'),
        DesiredCapacity: args.optionalInt('desired-capacity'),
        LaunchTemplate: template && {
          LaunchTemplateId: optionalScalar(template.LaunchTemplateId, 'LaunchTemplateId'),
          LaunchTemplateName: optionalScalar(template.LaunchTemplateName, 'LaunchTemplateName'),
          Version: optionalScalar(template.Version, 'Version'),
        },
      };
      args.done();
      await autoScaling.send(new UpdateAutoScalingGroupCommand(input));
      break;
    }
    case 'autoscaling cancel-instance-refresh': {
      const input = { AutoScalingGroupName: args.string('auto-scaling-group-name') };
      args.done();
      await autoScaling.send(new CancelInstanceRefreshCommand(input));
      break;
    }
    case 'autoscaling describe-traffic-sources': {
      const input = { AutoScalingGroupName: args.string('auto-scaling-group-name') };
      args.done();
      await autoScaling.send(new DescribeTrafficSourcesCommand(input));
      break;
    }
    case 'autoscaling create-or-update-tags': {
      const tags = args
        .structs('tags', ['ResourceId', 'ResourceType', 'Key', 'Value', 'PropagateAtLaunch'])
        .map((tag) => ({
          ResourceId: scalar(tag.ResourceId, 'ResourceId'),
          ResourceType: scalar(tag.ResourceType, 'ResourceType'),
          Key: scalar(tag.Key, 'Key'),
          Value: optionalScalar(tag.Value, 'Value'),
          PropagateAtLaunch: bool(tag.PropagateAtLaunch, 'PropagateAtLaunch'),
        }));
      args.done();
      await autoScaling.send(new CreateOrUpdateTagsCommand({ Tags: tags }));
      break;
    }
    case 'autoscaling delete-tags': {
      const tags = args.structs('tags', ['ResourceId', 'ResourceType', 'Key']).map((tag) => ({
        ResourceId: scalar(tag.ResourceId, 'ResourceId'),
        ResourceType: scalar(tag.ResourceType, 'ResourceType'),
        Key: scalar(tag.Key, 'Key'),
      }));
      args.done();
      await autoScaling.send(new DeleteTagsCommand({ Tags: tags }));
      break;
    }
    case 'elbv2 create-rule': {
      const input = {
        ListenerArn: args.string('listener-arn'),
        Priority: args.int('priority'),
        Conditions: args.structs('conditions', ['Field', 'HttpHeaderConfig']).map((condition) => {
          const config = struct(condition.HttpHeaderConfig, 'HttpHeaderConfig', ['HttpHeaderName', 'Values']);
          return {
            Field: scalar(condition.Field, 'Field'),
            HttpHeaderConfig: {
              HttpHeaderName: scalar(config.HttpHeaderName, 'HttpHeaderName'),
              Values: list(config.Values, 'Values'),
            },
          };
        }),
        Actions: forwardActions(args, 'actions', command),
      };
      args.done();
      await elb.send(new CreateRuleCommand(input));
      break;
    }
    case 'elbv2 modify-listener': {
      const input = {
        ListenerArn: args.string('listener-arn'),
        DefaultActions: forwardActions(args, 'default-actions', command),
      };
      args.done();
      await elb.send(new ModifyListenerCommand(input));
      break;
    }
    case 'elbv2 wait target-in-service': {
      const input = {
        TargetGroupArn: args.string('target-group-arn'),
        Targets: args.optionalStructs('targets', ['Id', 'Port'])?.map((target) => ({
          Id: scalar(target.Id, 'Id'),
          Port: target.Port === undefined ? undefined : Number(scalar(target.Port, 'Port')),
        })),
      };
      args.done();
      await waitTargetInService(elb, input, context);
      break;
    }
  }
  return supported;
}

/**
 * The CLI's `elbv2 wait target-in-service` (botocore waiter TargetInService: DescribeTargetHealth every 15 s,
 * at most 40 times; done when every listed target is healthy, an empty list is not; InvalidInstance retries).
 */
async function waitTargetInService(
  elb: ElasticLoadBalancingV2Client,
  input: { TargetGroupArn: string; Targets?: { Id: string; Port?: number }[] },
  context: CliContext,
): Promise<void> {
  for (let attempt = 1; attempt <= 40; attempt++) {
    try {
      const { TargetHealthDescriptions: described = [] } = await elb.send(
        new DescribeTargetHealthCommand(input),
      );
      if (described.length > 0 && described.every((target) => target.TargetHealth?.State === 'healthy'))
        return;
    } catch (error) {
      if ((error as Error).name !== 'InvalidInstance') throw error;
    }
    await context.advance(15);
  }
  throw new Error('Waiter TargetInService failed: Max attempts exceeded');
}

function fillPlaceholders(word: string, command: PrintedCommand, context: CliContext): string {
  if (word.includes('…')) throw new Error(`"…" is not a value: ${command.text}`);
  return word.replace(/<[^>]*>/g, (placeholder) => {
    const input = context.operatorInput?.find((candidate) => candidate.placeholder === placeholder);
    if (!input) {
      throw new Error(
        `${placeholder} in "${command.text}" is not declared as operator input: generate it from the account's state, or declare it with the reason the operator must give it`,
      );
    }
    return input.value;
  });
}

/** CLI shorthand syntax: `Key=value,Key2={Nested=x,List=[a,b]}`. */
type Shorthand = string | string[] | { [key: string]: Shorthand };

/** Top-level keys are checked here; nested ones (`'any'`) by `struct` where they are read. */
function parseShorthand(
  text: string,
  allowedKeys: readonly string[] | 'any',
  where: string,
): Record<string, Shorthand> {
  const result: Record<string, Shorthand> = {};
  for (const pair of splitTopLevel(text)) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new Error(`${where}: "${pair}" is not Key=value shorthand`);
    const key = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    if (allowedKeys !== 'any' && !allowedKeys.includes(key))
      throw new Error(`${where}: unsupported key ${key} (allowed: ${allowedKeys.join(', ')})`);
    if (key in result) throw new Error(`${where}: ${key} given twice`);
    if (value.startsWith('{') && value.endsWith('}')) {
      result[key] = parseShorthand(value.slice(1, -1), 'any', where);
    } else if (value.startsWith('[') && value.endsWith(']')) {
      result[key] = splitTopLevel(value.slice(1, -1));
    } else if (/[{}[\]]/.test(value)) {
      throw new Error(`${where}: malformed shorthand value ${value}`);
    } else {
      result[key] = value;
    }
  }
  return result;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '{' || c === '[') depth++;
    if (c === '}' || c === ']') depth--;
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (depth !== 0) throw new Error(`unbalanced brackets in shorthand: ${text}`);
  if (current !== '' || parts.length > 0) parts.push(current);
  return parts;
}

function scalar(value: Shorthand | undefined, key: string): string {
  if (typeof value !== 'string' || value === '')
    throw new Error(`${key}: expected a value, got ${JSON.stringify(value)}`);
  return value;
}

function bool(value: Shorthand | undefined, key: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false')
    throw new Error(`${key}: expected true or false, got ${JSON.stringify(value)}`);
  return value === 'true';
}

function optionalScalar(value: Shorthand | undefined, key: string): string | undefined {
  return value === undefined ? undefined : scalar(value, key);
}

function list(value: Shorthand | undefined, key: string): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new Error(`${key}: expected [a,b,…], got ${JSON.stringify(value)}`);
  return value;
}

function struct(
  value: Shorthand | undefined,
  key: string,
  allowedKeys: readonly string[],
): Record<string, Shorthand> {
  if (value === undefined || typeof value === 'string' || Array.isArray(value)) {
    throw new Error(`${key}: expected {Key=value,…}, got ${JSON.stringify(value)}`);
  }
  for (const nested of Object.keys(value)) {
    if (!allowedKeys.includes(nested))
      throw new Error(`${key}: unsupported key ${nested} (allowed: ${allowedKeys.join(', ')})`);
  }
  return value;
}

/** A command's `--flag value…` arguments; every flag must be read, once. */
class Arguments {
  private readonly values = new Map<string, string[]>();
  private readonly read = new Set<string>();

  constructor(
    words: readonly string[],
    private readonly text: string,
  ) {
    let flag: string | undefined;
    for (const word of words) {
      if (word.startsWith('--')) {
        flag = word.slice(2);
        if (this.values.has(flag)) throw new Error(`--${flag} given twice: ${text}`);
        this.values.set(flag, []);
      } else if (flag === undefined) {
        throw new Error(`unexpected "${word}" before any --flag: ${text}`);
      } else {
        this.values.get(flag)?.push(word);
      }
    }
  }

  string(flag: string): string {
    const [value, ...rest] = this.required(flag);
    if (rest.length > 0) throw new Error(`--${flag} takes one value: ${this.text}`);
    return value;
  }

  strings(flag: string): string[] {
    return this.required(flag);
  }

  int(flag: string): number {
    const value = this.string(flag);
    if (!/^\d+$/.test(value)) throw new Error(`--${flag} takes a whole number, not "${value}": ${this.text}`);
    return Number(value);
  }

  optionalInt(flag: string): number | undefined {
    return this.values.has(flag) ? this.int(flag) : undefined;
  }

  structs(flag: string, keys: readonly string[]): Record<string, Shorthand>[] {
    return this.required(flag).map((value) => parseShorthand(value, keys, `--${flag}`));
  }

  optionalStructs(flag: string, keys: readonly string[]): Record<string, Shorthand>[] | undefined {
    return this.values.has(flag) ? this.structs(flag, keys) : undefined;
  }

  optionalStruct(flag: string, keys: readonly string[]): Record<string, Shorthand> | undefined {
    if (!this.values.has(flag)) return undefined;
    const [value, ...rest] = this.structs(flag, keys);
    if (rest.length > 0) throw new Error(`--${flag} takes one value: ${this.text}`);
    return value;
  }

  /** Every flag given was understood. */
  done(): void {
    const unknown = [...this.values.keys()].filter((flag) => !this.read.has(flag));
    if (unknown.length > 0) {
      throw new Error(
        `the test's AWS CLI does not support ${unknown.map((flag) => `--${flag}`).join(', ')}: ${this.text}`,
      );
    }
  }

  private required(flag: string): string[] {
    const values = this.values.get(flag);
    if (!values || values.length === 0) throw new Error(`--${flag} is required: ${this.text}`);
    this.read.add(flag);
    return values;
  }
}

/** `--actions Type=forward,TargetGroupArn=…` (the only action type the printed commands use). */
function forwardActions(args: Arguments, flag: string, command: PrintedCommand) {
  return args.structs(flag, ['Type', 'TargetGroupArn']).map((action) => {
    if (action.Type !== 'forward')
      throw new Error(`only Type=forward actions are supported: ${command.text}`);
    return { Type: 'forward' as const, TargetGroupArn: scalar(action.TargetGroupArn, 'TargetGroupArn') };
  });
}
