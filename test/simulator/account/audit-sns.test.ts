/**
 * SNS Publish against its API reference page (docs/aws-facts/
 * api-errors-and-retries.md#operations-audited-against-their-api-reference).
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { createHarness, rejection, type Harness } from './harness';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:webapp-deployments';
const publish = (Subject: string) =>
  h.sns.send(new PublishCommand({ TopicArn: TOPIC, Subject, Message: 'x' }));

describe('SNS Publish, as its API reference page says', () => {
  it('takes a subject of fewer than 100 characters without control characters', async () => {
    await publish('s'.repeat(99));
    expect(h.published.map((message) => message.subject)).toEqual(['s'.repeat(99)]);
  });

  it.each(['s'.repeat(100), 'line\nbreak', 'tab\there', 'bell\u0007'])(
    'refuses the subject %j with InvalidParameter, and publishes nothing',
    async (subject) => {
      expect((await rejection(publish(subject))).name).toBe('InvalidParameterException');
      expect(h.published).toHaveLength(0);
    },
  );
});
