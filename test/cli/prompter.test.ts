/**
 * The terminal prompter on a pretend terminal, read back through a small screen model: an interrupted list
 * prompt leaves no key hints (or anything else) on screen, an answered one leaves one summary line.
 */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/cli/errors.js';
import { terminalPrompter, type PrompterOptions } from '../../src/cli/prompter.js';

// inquirer decides about colour once, when it loads, from the environment: make it want colour, so the
// --no-color test below shows tapctl's decision winning over inquirer's own.
process.env.FORCE_COLOR = '1';

class Terminal extends Writable {
  readonly isTTY = true;
  readonly columns = 100;
  readonly rows = 30;
  raw = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.raw += chunk.toString();
    this.emit('wrote');
    cb();
  }
  /** The screen after everything written: CSI cursor moves and erases applied. */
  screen(): string[] {
    const lines: string[][] = [[]];
    let row = 0;
    let col = 0;
    const text = this.raw;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === '\x1b' && text[i + 1] === '[') {
        const m = /^\x1b\[([?\d;]*)([A-Za-z])/.exec(text.slice(i));
        if (!m) continue;
        i += m[0].length - 1;
        const n = m[1] === '' ? undefined : Number(m[1].replace('?', ''));
        switch (m[2]) {
          case 'A': row = Math.max(0, row - (n ?? 1)); break;
          case 'B': row += n ?? 1; break;
          case 'C': col += n ?? 1; break;
          case 'D': col = Math.max(0, col - (n ?? 1)); break;
          case 'G': col = (n ?? 1) - 1; break;
          case 'K': lines[row] = m[1] === '2' ? [] : (lines[row] ?? []).slice(0, col); break;
          case 'J': lines.splice(row + 1); lines[row] = (lines[row] ?? []).slice(0, col); break;
          default: break; // colours, cursor visibility
        }
        while (lines.length <= row) lines.push([]);
        continue;
      }
      if (ch === '\n') {
        row++;
        col = 0;
        while (lines.length <= row) lines.push([]);
        continue;
      }
      if (ch === '\r') {
        col = 0;
        continue;
      }
      const line = (lines[row] ??= []);
      while (line.length < col) line.push(' ');
      line[col++] = ch;
    }
    return lines.map((l) => l.join('').trimEnd()).filter((l) => l !== '');
  }
}

function pretendTerminal(options?: PrompterOptions) {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input, isRaw: true });
  const output = new Terminal();
  // Like process.stderr, the terminal outlives a prompt: inquirer ends the stream it writes through.
  Object.assign(output, { end: () => output });
  const shown = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => output.raw.includes(text) && (output.off('wrote', check), resolve());
      output.on('wrote', check);
      check();
    });
  return { input, output, shown, prompter: terminalPrompter(input, output, options) };
}

const CHOICES = [
  { value: 'ecommerce', name: 'ecommerce', description: 'the full platform' },
  { value: 'catalog-api', name: 'catalog-api', description: 'product catalog API' },
] as const;

describe('terminal prompts', () => {
  it('a list interrupted with Ctrl-C leaves no key hints on screen', async () => {
    const t = pretendTerminal();
    const answer = t.prompter.select({ message: 'Which platform?', choices: CHOICES });
    await t.shown('navigate');
    expect(t.output.screen().join('\n')).toMatch(/navigate/);
    t.input.write('\x03');
    await expect(answer).rejects.toBeInstanceOf(InterruptedError);
    expect(t.output.screen()).toEqual([]);
  });

  it('an answered list leaves its answer, on one line, and no key hints', async () => {
    const t = pretendTerminal();
    const answer = t.prompter.select({ message: 'Which platform?', choices: CHOICES });
    await t.shown('navigate');
    t.input.write('\x1b[B');
    t.input.write('\r');
    await expect(answer).resolves.toBe('catalog-api');
    expect(t.output.screen()).toEqual(['✔ Which platform? catalog-api']);
  });

  it('a text question interrupted with Ctrl-C leaves nothing either', async () => {
    const t = pretendTerminal();
    const answer = t.prompter.input({ message: 'Project name' });
    await t.shown('Project name');
    t.input.write('sho');
    t.input.write('\x03');
    await expect(answer).rejects.toBeInstanceOf(InterruptedError);
    expect(t.output.screen()).toEqual([]);
  });

  it('the IoHost colour decision holds for prompts too: without colour, no escape code paints the approval question', async () => {
    const SGR = /\x1b\[[0-9;]*m/;
    const coloured = pretendTerminal({ colour: true });
    const yes = coloured.prompter.confirm({ message: "Deploy 3 resource changes to 'dev'?", default: false });
    await coloured.shown('Deploy 3');
    coloured.input.write('y\r');
    await expect(yes).resolves.toBe(true);
    expect(coloured.output.raw).toMatch(SGR);

    const plain = pretendTerminal({ colour: false });
    const no = plain.prompter.confirm({ message: "Deploy 3 resource changes to 'dev'?", default: false });
    await plain.shown('Deploy 3');
    plain.input.write('n\r');
    await expect(no).resolves.toBe(false);
    expect(plain.output.raw).not.toMatch(SGR);
    expect(plain.output.screen()).toEqual(["✔ Deploy 3 resource changes to 'dev'? no"]);
  });
});
