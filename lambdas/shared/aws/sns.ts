import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { callAws, CLIENT_CONFIG } from './call';

export const sns = new SNSClient(CLIENT_CONFIG);

/** SNS subjects must be "less than 100 characters long" (API_Publish). */
const MAX_SUBJECT_LENGTH = 99;

/**
 * SNS rejects a subject (InvalidParameter) that is empty, has line breaks or characters outside printable
 * ASCII; a notification must not be lost to a typographic dash in an application name.
 */
export function snsSubject(text: string): string {
  const printable = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7E]/g, '?')
    .trim();
  return (printable || 'Notification').slice(0, MAX_SUBJECT_LENGTH);
}

/**
 * Publishes `message`. `attributes` become String message attributes, which subscription filter policies
 * can match (e.g. only the `outcome` milestone: docs/events.md).
 */
export async function publish(
  topicArn: string,
  subject: string,
  message: string,
  attributes: Readonly<Record<string, string>> = {},
): Promise<void> {
  const messageAttributes = Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
  await callAws('Publish', () =>
    sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: snsSubject(subject),
        Message: message,
        ...(Object.keys(messageAttributes).length > 0 ? { MessageAttributes: messageAttributes } : {}),
      }),
    ),
  );
}
