/**
 * A small, safe Markdown → HTML renderer for notebook prose and markdown outputs: headings,
 * paragraphs, lists, block quotes, fenced code, tables, emphasis, code spans and links. All text is
 * escaped; raw HTML in the source is shown as text (the report must stay script-free).
 */
import { esc } from './render-svg.ts';

function inline(s: string): string {
  const codes: string[] = [];
  let t = s.replace(/`([^`]+)`/g, (_, c: string) => {
    codes.push(`<code>${esc(c)}</code>`);
    return `\uE000${codes.length - 1}\uE000`;
  });
  t = esc(t);
  t = t.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, href: string) => {
    const safe = /^(https?:|mailto:|#|\.{0,2}\/|[\w-]+\.(md|html)$)/i.test(href) ? href : '#';
    return `<a href="${safe}">${label}</a>`;
  });
  t = t
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>');
  t = t.replace(/(^|[^_\w])_([^_\s][^_]*)_(?=[^\w]|$)/g, '$1<em>$2</em>');
  return t.replace(/\uE000(\d+)\uE000/g, (_, i: string) => codes[Number(i)]);
}

function tableRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

export function markdownToHtml(md: string): string {
  const lines = md.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(' '))}</p>`);
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const ln = lines[i];
    const fence = /^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/.exec(ln);
    if (fence) {
      flush();
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence[1])) body.push(lines[i++]);
      out.push(
        `<pre class="code"><code${fence[2] ? ` data-lang="${esc(fence[2])}"` : ''}>${esc(body.join('\n'))}</code></pre>`,
      );
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(ln);
    if (h) {
      flush();
      out.push(`<h${h[1].length}>${inline(h[2])}</h${h[1].length}>`);
      continue;
    }
    if (/^\s*$/.test(ln)) {
      flush();
      continue;
    }
    if (/^ {0,3}([-*_])(\s*\1){2,}\s*$/.test(ln)) {
      flush();
      out.push('<hr>');
      continue;
    }
    if (/^\s*\|.*\|\s*$/.test(ln) && i + 1 < lines.length && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1])) {
      flush();
      const head = tableRow(ln);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i])) rows.push(tableRow(lines[i++]));
      i--;
      out.push(
        `<table><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>${rows
          .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
      continue;
    }
    const list = /^\s*([-*+]|\d+[.)])\s+/.exec(ln);
    // CommonMark: inside a paragraph only a bullet or "1." starts a list ("2023) pass …" is text).
    if (list && !(para.length > 0 && /^\d/.test(list[1]) && Number.parseInt(list[1], 10) !== 1)) {
      flush();
      const ordered = /\d/.test(list[1]);
      const items: string[] = [];
      while (i < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines[i])) {
        let item = lines[i].replace(/^\s*([-*+]|\d+[.)])\s+/, '');
        while (
          i + 1 < lines.length &&
          /^\s{2,}\S/.test(lines[i + 1]) &&
          !/^\s*([-*+]|\d+[.)])\s+/.test(lines[i + 1])
        )
          item += ` ${lines[++i].trim()}`;
        items.push(`<li>${inline(item)}</li>`);
        i++;
      }
      i--;
      out.push(ordered ? `<ol>${items.join('')}</ol>` : `<ul>${items.join('')}</ul>`);
      continue;
    }
    if (/^\s*>/.test(ln)) {
      flush();
      const q: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) q.push(lines[i++].replace(/^\s*>\s?/, ''));
      i--;
      out.push(`<blockquote>${markdownToHtml(q.join('\n'))}</blockquote>`);
      continue;
    }
    para.push(ln.trim());
  }
  flush();
  return out.join('\n');
}
