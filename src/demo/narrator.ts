// Timestamped narration for the demo: each line shows the wall clock and the time since the start,
// and is kept, so the summary can say how long each step took.
export interface NarratedLine {
  at: Date;
  text: string;
}

export class Narrator {
  readonly lines: NarratedLine[] = [];
  private readonly start = Date.now();

  constructor(private readonly print: (line: string) => void = console.log) {}

  say(text: string): NarratedLine {
    const at = new Date();
    const line = { at, text };
    this.lines.push(line);
    const since = ((at.getTime() - this.start) / 1000).toFixed(1).padStart(6);
    for (const [i, part] of text.split('\n').entries())
      this.print(i === 0 ? `${at.toISOString().slice(11, 19)} +${since}s  ${part}` : `${' '.repeat(19)}${part}`);
    return line;
  }

  section(title: string): void {
    this.print(`\n== ${title}`);
  }
}
