import { KEY_STATES } from '../../lambdas/shared/contract';
import type { Scenario } from './catalog';

/**
 * Scenarios whose executions AMI events start: the account owner publishes, copies or re-enables an AMI,
 * EC2 sends "EC2 AMI State Change" to the default bus, and the synthesized DeployOnNewAmi rule starts the
 * state machine as its role (no hand-written `trigger: 'ami-event'` input).
 */
const IMAGE_PIPELINE = 'arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/webapp';
const OTHER_PIPELINE = 'arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/webapp-hardening-trial';
const RELEASE_IMAGE = 'arn:aws:imagebuilder:us-east-1:123456789012:image/webapp/1.1.0/1';
const OTHER_IMAGE = 'arn:aws:imagebuilder:us-east-1:123456789012:image/webapp-hardening-trial/1.2.0/1';

export const AMI_EVENT_SCENARIOS: readonly Scenario[] = [
  {
    name: 'not-our-ami',
    description: "An AMI of another application is published: the trigger's execution is skipped.",
    runs: [{ trigger: { publish: '{foreign}' }, expectedOutcome: 'skipped' }],
  },
  {
    name: 'late-tags',
    description:
      "The new AMI's event comes before its tags (Packer tags it once available): the execution waits for them, then deploys.",
    runs: [{ trigger: { publish: '{next}', tagsAfterSeconds: 90 }, expectedOutcome: 'succeeded' }],
  },
  {
    name: 'untagged-ami',
    description:
      "An AMI event for an AMI that never gets the application's tag: skipped once waits.amiTags has passed, nothing changed.",
    runs: [{ trigger: { publish: '{next}', tagsAfterSeconds: 86_400 }, expectedOutcome: 'skipped' }],
  },
  {
    name: 'foreign-event-then-pipeline',
    description:
      'An AMI event waits for the tags of an AMI that never gets them while a pipeline deploys a release: the guard lets the pipeline through, the event is skipped.',
    runs: [
      { trigger: { publish: '{next}', tagsAfterSeconds: 86_400 }, expectedOutcome: 'skipped' },
      { input: { amiId: '{third}' }, expectedOutcome: 'succeeded', concurrentWithPrevious: true },
    ],
  },
  {
    name: 'event-and-pipeline',
    description:
      "A new AMI's event and a pipeline start a deployment of it together: the pipeline's, with its overrides, deploys; the event's is skipped.",
    runs: [
      { trigger: { publish: '{next}' }, expectedOutcome: 'skipped' },
      {
        input: { amiId: '{next}', overrides: { rollbackWindowMinutes: 30 } },
        expectedOutcome: 'succeeded',
        concurrentWithPrevious: true,
      },
    ],
  },
  {
    name: 'copied-old-ami',
    description:
      'The serving release is copied (CopyImage, tags included): its AMI event is skipped as not newer, nothing changed.',
    runs: [{ trigger: { copyImage: '{current}' }, expectedOutcome: 'skipped' }],
  },
  {
    name: 'reenabled-old-ami',
    description:
      'An AMI of an older release, disabled, is re-enabled (EnableImage): its AMI event is skipped as not newer, nothing changed.',
    runs: [{ trigger: { enableImage: '{old}' }, expectedOutcome: 'skipped' }],
  },
  {
    name: 'release-during-deployment',
    description:
      'Two newer releases are published while a deployment is in its rollback window: the first waits its turn, the second (newer) supersedes it, waits for the deployment to end, then deploys.',
    runs: [
      { input: { amiId: '{next}' }, expectedOutcome: 'succeeded' },
      {
        trigger: { publish: '{third}' },
        expectedOutcome: 'skipped',
        concurrentWithPrevious: true,
        startsWhen: { state: KEY_STATES.window, afterSeconds: 60 },
      },
      {
        trigger: { publish: '{fourth}' },
        expectedOutcome: 'succeeded',
        concurrentWithPrevious: true,
        startsWhen: { state: KEY_STATES.window, afterSeconds: 300 },
      },
    ],
  },
  {
    name: 'image-builder',
    description:
      "EC2 Image Builder pipelines complete two images: another pipeline's is skipped, the configured pipeline's deploys once AVAILABLE (the AMI's own event starts nothing: its rule is off with a pipeline).",
    deployment: () => ({ imageBuilder: { pipelineArns: [IMAGE_PIPELINE] } }),
    imageBuilderImages: [
      { arn: OTHER_IMAGE, pipelineArn: OTHER_PIPELINE, amiId: '{third}' },
      { arn: RELEASE_IMAGE, pipelineArn: IMAGE_PIPELINE, amiId: '{next}' },
    ],
    runs: [
      { trigger: { imageBuilderImage: OTHER_IMAGE, testingSeconds: 30 }, expectedOutcome: 'skipped' },
      { trigger: { imageBuilderImage: RELEASE_IMAGE, testingSeconds: 30 }, expectedOutcome: 'succeeded' },
    ],
  },
];
