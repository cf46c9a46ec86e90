/**
 * CloudWatch composite alarm rules: `ALARM("a") OR (OK(b) AND NOT INSUFFICIENT_DATA("c"))`, `TRUE`, `FALSE`
 * (CloudWatch user guide, "Composite alarm rule expressions").
 */
import type { AlarmState } from './environment';

type Node =
  | { kind: 'state'; state: AlarmState; alarm: string }
  | { kind: 'constant'; value: boolean }
  | { kind: 'not'; operand: Node }
  | { kind: 'and' | 'or'; left: Node; right: Node };

export class AlarmRule {
  private readonly root: Node;
  /** Alarm names (or ARNs) the rule refers to. */
  readonly references: string[] = [];

  constructor(readonly text: string) {
    const parser = new Parser(text, this.references);
    this.root = parser.parse();
  }

  evaluate(stateOf: (alarm: string) => AlarmState | undefined): boolean {
    const visit = (node: Node): boolean => {
      switch (node.kind) {
        case 'state':
          return stateOf(node.alarm) === node.state;
        case 'constant':
          return node.value;
        case 'not':
          return !visit(node.operand);
        case 'and':
          return visit(node.left) && visit(node.right);
        case 'or':
          return visit(node.left) || visit(node.right);
      }
    };
    return visit(this.root);
  }
}

const STATES: readonly AlarmState[] = ['ALARM', 'OK', 'INSUFFICIENT_DATA'];

class Parser {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly references: string[],
  ) {}

  parse(): Node {
    const node = this.or();
    this.skipSpace();
    if (this.position < this.text.length) this.fail('unexpected text');
    return node;
  }

  private or(): Node {
    let left = this.and();
    while (this.keyword('OR')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.keyword('AND')) left = { kind: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): Node {
    if (this.keyword('NOT')) return { kind: 'not', operand: this.unary() };
    if (this.symbol('(')) {
      const node = this.or();
      if (!this.symbol(')')) this.fail('expected )');
      return node;
    }
    if (this.keyword('TRUE')) return { kind: 'constant', value: true };
    if (this.keyword('FALSE')) return { kind: 'constant', value: false };
    for (const state of STATES) {
      if (this.keyword(state)) {
        if (!this.symbol('(')) this.fail('expected (');
        const alarm = this.alarmName();
        if (!this.symbol(')')) this.fail('expected )');
        this.references.push(alarm);
        return { kind: 'state', state, alarm };
      }
    }
    return this.fail('expected an expression');
  }

  private alarmName(): string {
    this.skipSpace();
    if (this.text[this.position] === '"') {
      const end = this.text.indexOf('"', this.position + 1);
      if (end < 0) this.fail('unterminated alarm name');
      const name = this.text.slice(this.position + 1, end);
      this.position = end + 1;
      return name;
    }
    const match = /^[^()\s]+/.exec(this.text.slice(this.position));
    if (!match) return this.fail('expected an alarm name');
    this.position += match[0].length;
    return match[0];
  }

  private keyword(word: string): boolean {
    this.skipSpace();
    const next = this.text.slice(this.position, this.position + word.length);
    const after = this.text[this.position + word.length];
    if (next !== word || (after !== undefined && /[A-Za-z_]/.test(after))) return false;
    this.position += word.length;
    return true;
  }

  private symbol(character: string): boolean {
    this.skipSpace();
    if (this.text[this.position] !== character) return false;
    this.position++;
    return true;
  }

  private skipSpace(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position] as string)) this.position++;
  }

  private fail(reason: string): never {
    throw new Error(`Invalid alarm rule (${reason} at ${this.position}): ${this.text}`);
  }
}
