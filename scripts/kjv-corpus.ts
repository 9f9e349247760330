/**
 * Rebuilds data/kjv.txt.gz, the King James Bible corpus of the `kjv` dataset, from Debian's
 * bible-kjv-text package (public domain text; see data/README.md):
 *   apt-get install bible-kjv bible-kjv-text
 *   bible -l0 'ge1:1-re22:21' | node --import tsx scripts/kjv-corpus.ts | gzip -9n > data/kjv.txt.gz
 * Output: each chapter heading ("Genesis 1") on its own line, then one verse per line without its
 * number; a blank line between chapters. Plain ASCII, LF line ends, trailing newline.
 */
import { readFileSync } from 'node:fs';

const out: string[] = [];
for (const line of readFileSync(0, 'utf8').split('\n')) {
  const verse = /^\s+\d+ (.*)$/.exec(line);
  if (verse) out.push(verse[1]);
  else if (line.trim() !== '') out.push('', line.trim());
}
process.stdout.write(`${out.join('\n').replace(/^\n+/, '')}\n`);
