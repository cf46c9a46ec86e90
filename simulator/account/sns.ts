/** SNS as the orchestrator uses it: Publish, recorded so tests and the CLI can show what was sent. */
import { PublishCommand } from '@aws-sdk/client-sns';
import { serviceError } from './errors';
import type { Random } from './random';
import { route, type Route } from './router';

export interface PublishedMessage {
  topicArn: string;
  subject?: string;
  message: string;
  /** String message attributes, by name, when the publisher set any (subscription filter policies match them). */
  attributes?: Record<string, string>;
}

/**
 * SNS API reference (Publish, https://docs.aws.amazon.com/sns/latest/api/API_Publish.html): messages up to
 * 256 KB; "Subjects must be UTF-8 text with no line breaks or control characters, and less than 100
 * characters long".
 */
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_SUBJECT_LENGTH = 99;
/** SNS API reference (Publish, MessageAttributes): at most 10 attributes a message. */
const MAX_ATTRIBUTES = 10;
const ATTRIBUTE_TYPES = /^(String|String\.Array|Number|Binary)(\..+)?$/;

const invalidParameter = (message: string): Error =>
  serviceError('sns', 'InvalidParameterException', message);

export class Sns {
  readonly published: PublishedMessage[] = [];

  constructor(private readonly ids: Random) {}

  routes(): Route[] {
    return [
      route(PublishCommand, (input) => {
        const topicArn = input.TopicArn ?? input.TargetArn;
        if (!topicArn || !/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/.test(topicArn)) {
          throw invalidParameter('Invalid parameter: TopicArn');
        }
        if (input.Message === undefined || input.Message === '') {
          throw invalidParameter('Invalid parameter: Empty message');
        }
        if (Buffer.byteLength(input.Message, 'utf8') > MAX_MESSAGE_BYTES) {
          throw invalidParameter('Invalid parameter: Message too long');
        }
        if (
          input.Subject !== undefined &&
          (input.Subject.length > MAX_SUBJECT_LENGTH || [...input.Subject].some(isControlCharacter))
        ) {
          throw invalidParameter('Invalid parameter: Subject');
        }
        const attributes = Object.entries(input.MessageAttributes ?? {});
        if (attributes.length > MAX_ATTRIBUTES) {
          throw invalidParameter('Invalid parameter: MessageAttributes: too many attributes');
        }
        for (const [name, attribute] of attributes) {
          if (!ATTRIBUTE_TYPES.test(attribute.DataType ?? '')) {
            throw invalidParameter(`Invalid parameter: MessageAttributes: ${name}: DataType`);
          }
          if (attribute.StringValue === undefined && attribute.BinaryValue === undefined) {
            throw invalidParameter(`Invalid parameter: MessageAttributes: ${name}: no value`);
          }
        }
        this.published.push({
          topicArn,
          subject: input.Subject,
          message: input.Message,
          ...(attributes.length > 0
            ? {
                attributes: Object.fromEntries(
                  attributes.map(([name, attribute]) => [name, attribute.StringValue ?? '']),
                ),
              }
            : {}),
        });
        return { MessageId: this.ids.uuid() };
      }),
    ];
  }
}

function isControlCharacter(character: string): boolean {
  const code = character.charCodeAt(0);
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}
