import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { npmBannerNote, wantsJsonOutput } from '../../cli/npm-banner';

const ROOT = path.join(__dirname, '..', '..');

/** npm as a person runs it: no silence or JSON mode inherited from an npm that started the tests. */
function npm(...args: string[]) {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (/^npm_(config_(loglevel|json)|lifecycle_)/i.test(key)) delete env[key];
  const result = spawnSync('npm', args, { cwd: ROOT, env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run', () => {
  it('a mistyped script prints npm’s error and the script it meant (the project does not silence npm)', () => {
    const { code, stdout, stderr } = npm('run', 'simulat');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/Missing script: "simulat"/);
    expect(stderr).toMatch(/npm run simulate/);
  });

  it('without -s, npm’s banner comes first on standard output, and a command asked for JSON says how to leave it out', () => {
    const { code, stdout, stderr } = npm('run', 'simulate', '--', '--json', '--scenario', 'nope');
    expect(code).toBe(2);
    expect(stdout).toMatch(/^\n> asg-blue-green@[\d.]+ simulate\n/);
    expect(stderr).toContain(
      'note: npm printed its "> simulate" banner on standard output before the JSON; for the JSON alone run npm run -s simulate -- --json --scenario nope',
    );
  }, 30_000);

  it('with -s, standard output is the command’s alone, and no note', () => {
    const { code, stdout, stderr } = npm('run', '-s', 'simulate', '--', '--json', '--scenario', 'nope');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).not.toContain('note: npm printed');
    expect(stderr).toMatch(/^unknown scenario "nope"/);
  }, 30_000);

  it('the note: only under `npm run <that script>`, not silent, not in npm’s JSON mode', () => {
    const argv = ['--output', 'json'];
    const env = { npm_lifecycle_event: 'ops' };
    expect(npmBannerNote('ops', argv, env)).toBe(
      'note: npm printed its "> ops" banner on standard output before the JSON; for the JSON alone run npm run -s ops -- --output json',
    );
    expect(npmBannerNote('ops', argv, {})).toBeUndefined();
    expect(npmBannerNote('ops', argv, { npm_lifecycle_event: 'test' })).toBeUndefined();
    expect(npmBannerNote('ops', argv, { ...env, npm_config_loglevel: 'silent' })).toBeUndefined();
    expect(npmBannerNote('ops', argv, { ...env, npm_config_json: 'true' })).toBeUndefined();
    expect(wantsJsonOutput(['--json'])).toBe(true);
    expect(wantsJsonOutput(['status', '--output', 'json'])).toBe(true);
    expect(wantsJsonOutput(['status', '--output=json'])).toBe(true);
    expect(wantsJsonOutput(['status', '--output', 'text', 'json'])).toBe(false);
  });

  it('every npm command the documents give for JSON output runs silent (npm run -s)', () => {
    const documents = [
      path.join(ROOT, 'README.md'),
      ...fs
        .readdirSync(path.join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.md'))
        .map((file) => path.join(ROOT, 'docs', file)),
    ];
    const commands = documents.flatMap((file) =>
      fs
        .readFileSync(file, 'utf8')
        // A shell command continued on the next line is one command.
        .replace(/\\\n\s*/g, ' ')
        .split('\n')
        .flatMap((line) => [...line.matchAll(/npm run [^`#;|&]*/g)].map((match) => match[0].trim()))
        .filter((command) => wantsJsonOutput(command.split(/\s+/)))
        .map((command) => ({ file: path.relative(ROOT, file), command })),
    );
    expect(commands.length).toBeGreaterThan(1);
    const notSilent = commands.filter(({ command }) => !/^npm run (-s|--silent) /.test(command));
    expect(notSilent).toEqual([]);
  });
});
