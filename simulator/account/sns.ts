/** SNS as the orchestrator uses it: Publish, recorded so tests and the CLI can show what was sent. */
import { PublishCommand } from '@aws-sdk/client-sns';
import { serviceError } from './errors';
import type { Random } from './random';
import { route, type Route } from './router';

export interface PublishedMessage {
  topicArn: string;
  subject?: string;
  message: string;
}

/** SNS API reference (Publish): messages up to 256 KB, subjects up to 100 characters. */
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_SUBJECT_LENGTH = 100;

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
          (input.Subject.length > MAX_SUBJECT_LENGTH || /[\n\r]/.test(input.Subject))
        ) {
          throw invalidParameter('Invalid parameter: Subject');
        }
        this.published.push({ topicArn, subject: input.Subject, message: input.Message });
        return { MessageId: this.ids.uuid() };
      }),
    ];
  }
}
