import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * Every `docs/….md#anchor` the code cites, and every `….md#anchor` link between the documents, names a
 * heading that exists: a reader sent to a section finds it. (Found in review: the gradual shift's code cited
 * two design sections before they were written.)
 */

const ROOT = join(__dirname, '..', '..');
const SOURCES = ['lambdas', 'state-machine', 'infra', 'simulator', 'cli', 'docs'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(full);
    return /\.(ts|md)$/.test(entry.name) ? [full] : [];
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorsOf(file: string): Set<string> {
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) =>
        line
          .replace(/^#+ /, '')
          .replace(/`/g, '')
          .toLowerCase()
          .replace(/[^a-z0-9 _-]/g, '')
          .replace(/ /g, '-'),
      ),
  );
}

function citations(): { from: string; file: string; anchor: string }[] {
  const files = [...SOURCES.flatMap((dir) => filesUnder(join(ROOT, dir))), join(ROOT, 'README.md')];
  return files.flatMap((from) => {
    const text = readFileSync(from, 'utf8');
    const markdown = from.endsWith('.md');
    const pattern = markdown ? /\(([\w./-]+\.md)#([\w-]+)\)/g : /(docs\/[\w/-]+\.md)#([\w-]+)/g;
    return [...text.matchAll(pattern)].map((match) => ({
      from: relative(ROOT, from),
      file: markdown ? join(dirname(from), match[1]) : join(ROOT, match[1]),
      anchor: match[2],
    }));
  });
}

describe('section links', () => {
  it('every cited section of a document exists', () => {
    const found = citations();
    expect(found.length).toBeGreaterThan(100);
    const broken = found
      .filter(({ file, anchor }) => !existsSync(file) || !anchorsOf(file).has(anchor))
      .map(({ from, file, anchor }) => `${from} → ${relative(ROOT, file)}#${anchor}`);
    expect([...new Set(broken)]).toEqual([]);
  });
});
