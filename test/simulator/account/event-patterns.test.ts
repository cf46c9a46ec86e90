import { targetInput, validateInputSpec, TargetInputError } from '../../../simulator/account/event-input';
import { matchesPattern, validatePattern } from '../../../simulator/account/event-patterns';

/**
 * Event patterns and target input as the EventBridge user guide documents them ("Amazon EventBridge event
 * patterns", "Content filtering…", "Arrays…", "Amazon EventBridge input transformation").
 */

// The user guide's EC2 example event, with a few more fields to filter on.
const event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', 'c-count': 3, nested: { risk: 8 } },
};

const matches = (pattern: Record<string, unknown>): boolean => {
  validatePattern(pattern);
  return matchesPattern(pattern, event);
};

describe('event patterns', () => {
  it('match any of the values in an array, exactly and case-sensitively, nested in detail', () => {
    expect(matches({ source: ['aws.ec2', 'aws.fargate'], detail: { state: ['RUNNING'] } })).toBe(true);
    expect(matches({ detail: { state: ['running'] } })).toBe(false);
    expect(matches({ detail: { nested: { risk: [8] } } })).toBe(true);
    expect(matches({ detail: { nested: { risk: ['8'] } } })).toBe(false);
    // Every field the pattern names must be in the event.
    expect(matches({ detail: { missing: ['RUNNING'] } })).toBe(false);
    expect(matches({ source: ['aws.ec2'], 'detail-type': ['Other'] })).toBe(false);
  });

  it('match an array in the event when it shares a value with the pattern', () => {
    expect(matches({ resources: ['x', 'arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'] })).toBe(
      true,
    );
    expect(matches({ resources: ['x'] })).toBe(false);
  });

  it('prefix matches the beginning of a string value', () => {
    expect(matches({ time: [{ prefix: '2015-11-11' }] })).toBe(true);
    expect(matches({ time: [{ prefix: '2017-10-02' }] })).toBe(false);
    expect(matches({ detail: { 'c-count': [{ prefix: '3' }] } })).toBe(false);
  });

  it('anything-but excludes a value, a list of values, or a prefix', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'RUNNING'] }] } })).toBe(false);
    expect(matches({ detail: { 'c-count': [{ 'anything-but': [100, 200] }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'RUN' } }] } })).toBe(false);
  });

  it('wildcard matches a whole string with stars for any run of characters, and anything-but excludes it', () => {
    expect(matches({ resources: [{ wildcard: 'arn:aws:ec2:*:instance/*' }] })).toBe(true);
    expect(matches({ resources: [{ wildcard: 'arn:aws:ec2:*:volume/*' }] })).toBe(false);
    expect(matches({ detail: { state: [{ wildcard: 'RUN' }] } })).toBe(false);
    expect(matches({ detail: { state: [{ wildcard: 'R*N*G' }] } })).toBe(true);
    expect(matches({ detail: { 'c-count': [{ wildcard: '*' }] } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { wildcard: '*UNN*' } }] } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { wildcard: '*recoverFrom*' } }] } })).toBe(true);
    // The execution input, as JSON text, in a Step Functions status change: a recovery is told apart.
    const input = (text: string) =>
      matchesPattern(
        { detail: { input: [{ 'anything-but': { wildcard: '*"recoverFrom"*' } }] } },
        {
          detail: { input: text },
        },
      );
    expect(input('{"amiId":"ami-0123"}')).toBe(true);
    expect(input('{"recoverFrom":"arn:aws:states:…","trigger":"recovery"}')).toBe(false);
    expect(input('{ "trigger": "recovery", "recoverFrom": "arn" }')).toBe(false);
    // A backslash escapes a star: only a literal star matches it.
    expect(matchesPattern({ name: [{ wildcard: 'a\\*b' }] }, { name: 'a*b' })).toBe(true);
    expect(matchesPattern({ name: [{ wildcard: 'a\\*b' }] }, { name: 'axb' })).toBe(false);
    expect(() => validatePattern({ name: [{ wildcard: 'a**b' }] })).toThrow(/consecutive wildcard/);
  });

  it('exists matches on the presence of a leaf, and an object is not a leaf', () => {
    expect(matches({ detail: { state: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { absent: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { state: [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: { nested: [{ exists: false }] } })).toBe(true);
  });

  it('numeric compares JSON numbers within one or two bounds', () => {
    expect(matches({ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } })).toBe(true);
    expect(matches({ detail: { 'c-count': [{ numeric: ['<', 3] }] } })).toBe(false);
    expect(matches({ detail: { 'c-count': [{ numeric: ['=', 3] }] } })).toBe(true);
    expect(matches({ detail: { state: [{ numeric: ['>', 0] }] } })).toBe(false);
    expect(() => validatePattern({ detail: { x: [{ numeric: ['>', 2e9] }] } })).toThrow(/1e9/);
  });

  it('refuses operators it does not model, and malformed patterns, rather than guess', () => {
    expect(() => validatePattern({ source: [{ suffix: '.ec2' }] })).toThrow(/does not model "suffix"/);
    expect(() => validatePattern({ source: [{ cidr: '10.0.0.0/24' }] })).toThrow(/does not model/);
    expect(() => validatePattern({ $or: [{ source: ['a'] }] })).toThrow(/does not model/);
    expect(() => validatePattern({ source: 'aws.ec2' })).toThrow(/must be in an array/);
    expect(() => validatePattern({ source: [] })).toThrow(/empty array/);
  });
});

describe('target input', () => {
  const rule = {
    ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/example',
    ruleName: 'example',
    ingestionTime: event.time,
  };
  const transformer = (inputTemplate: string) => ({
    inputTransformer: {
      inputPathsMap: { instance: '$.detail.instance-id', state: '$.detail.state', count: '$.detail.c-count' },
      inputTemplate,
    },
  });

  it('is the whole event by default, a constant Input, or what InputPath selects', () => {
    expect(JSON.parse(targetInput({}, event, rule))).toEqual(event);
    expect(targetInput({ input: '{"fixed":true}' }, event, rule)).toBe('{"fixed":true}');
    expect(JSON.parse(targetInput({ inputPath: '$.detail.nested' }, event, rule))).toEqual({ risk: 8 });
    expect(JSON.parse(targetInput({ inputPath: '$.resources[0]' }, event, rule))).toBe(event.resources[0]);
  });

  it('fills a JSON template: a string variable outside quotes is quoted, inside quotes it goes in as it is', () => {
    const out = targetInput(
      transformer(
        '{"instance" : <instance>, "state": [9, <state>, true], "n": <count>, "s": "instance \\"<instance>\\" is in <state>"}',
      ),
      event,
      rule,
    );
    expect(JSON.parse(out)).toEqual({
      instance: 'i-0123456789',
      state: [9, 'RUNNING', true],
      n: 3,
      s: 'instance "i-0123456789" is in RUNNING',
    });
    // Minified.
    expect(out).not.toMatch(/\s:/);
  });

  it('fills a text template with the values as text, and knows the predefined variables', () => {
    expect(targetInput(transformer('"instance <instance> is in <state>"'), event, rule)).toBe(
      '"instance i-0123456789 is in RUNNING"',
    );
    expect(
      JSON.parse(
        targetInput(
          transformer('{"rule": <aws.events.rule-name>, "arn": "<aws.events.rule-arn>"}'),
          event,
          rule,
        ),
      ),
    ).toEqual({
      rule: 'example',
      arn: rule.ruleArn,
    });
  });

  it('builds exactly what the synthesized DeployOnNewAmi target sends for an AMI event', () => {
    const spec = {
      inputTransformer: {
        inputPathsMap: { 'detail-ImageId': '$.detail.ImageId' },
        inputTemplate: '{"amiId":<detail-ImageId>,"trigger":"ami-event"}',
      },
    };
    const amiEvent = {
      ...event,
      detail: { RequestId: 'r', ImageId: 'ami-0a1b2c3d4e5f60002', State: 'available', ErrorMessage: '' },
    };
    expect(targetInput(spec, amiEvent, rule)).toBe('{"amiId":"ami-0a1b2c3d4e5f60002","trigger":"ami-event"}');
  });

  it('leaves out a variable whose path is not in the event; a JSON template left invalid is not delivered', () => {
    const paths = { state: '$.detail.state', absent: '$.detail.absent' };
    const inString = {
      inputTransformer: { inputPathsMap: paths, inputTemplate: '{"s": "<state><absent>"}' },
    };
    expect(JSON.parse(targetInput(inString, event, rule))).toEqual({ s: 'RUNNING' });
    const asValue = { inputTransformer: { inputPathsMap: paths, inputTemplate: '{"a": <absent>}' } };
    expect(() => targetInput(asValue, event, rule)).toThrow(TargetInputError);
  });

  it('refuses paths and settings it does not model', () => {
    expect(() => validateInputSpec({ inputPath: '$.detail.*' })).toThrow(/does not model/);
    expect(() => validateInputSpec({ input: '{}', inputPath: '$' })).toThrow(/at most one/);
    expect(() => validateInputSpec({ inputTransformer: { inputTemplate: '<aws.events.event>' } })).toThrow(
      /does not model/,
    );
  });
});
