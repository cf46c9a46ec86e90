import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The real `npx cdk synth`, as a user runs it: the pinned CLI must read the cloud assembly the pinned
 * aws-cdk-lib writes (aws-cdk 3.0.0 could not), without AWS credentials, and bundle every Lambda with the
 * local esbuild (there is no Docker).
 */
function cdkSynth(...args: string[]): {
  code: number | null;
  output: string;
  templates: Record<string, { Resources: Record<string, { Type: string }> }>;
  /** aws-cdk-lib's built-in CloudFormation validation writes it when it ran. */
  validationReport?: { pluginReports: unknown[] };
} {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-synth-'));
  try {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
      CDK_DOCKER: 'false-docker',
    };
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir, ...args], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    const templates = Object.fromEntries(
      fs
        .readdirSync(outdir)
        .filter((file) => file.endsWith('.template.json'))
        .map((file) => [
          file.replace('.template.json', ''),
          JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8')),
        ]),
    );
    const report = path.join(outdir, 'validation-report.json');
    const validationReport = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')) : undefined;
    return { code: result.status, output: `${result.stdout}${result.stderr}`, templates, validationReport };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const count = (template: { Resources: Record<string, { Type: string }> }, type: string) =>
  Object.values(template.Resources).filter((resource) => resource.Type === type).length;

// The example configuration's real synth, and its assets, are tested in shipped-assets.test.ts.
describe('npx cdk synth', () => {
  it('with the reference configuration yields both stacks', () => {
    const { code, templates, validationReport } = cdkSynth('-c', 'config=config/reference.json');
    expect(code).toBe(0);
    // The one real synth of a test run with the built-in CloudFormation validation (shipped-assets turns it off).
    expect(validationReport).toMatchObject({ pluginReports: [] });
    expect(Object.keys(templates).sort()).toEqual(['BlueGreenReferenceEnvironment', 'WebappBlueGreen']);
    expect(count(templates.BlueGreenReferenceEnvironment, 'AWS::AutoScaling::AutoScalingGroup')).toBe(2);
  }, 120_000);
});
