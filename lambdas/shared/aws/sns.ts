import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { callAws } from './call';

export const sns = new SNSClient({});

/** SNS subjects are limited to 100 characters. */
const MAX_SUBJECT_LENGTH = 100;

export async function publish(topicArn: string, subject: string, message: string): Promise<void> {
  await callAws('Publish', () =>
    sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: subject.slice(0, MAX_SUBJECT_LENGTH),
        Message: message,
      }),
    ),
  );
}
