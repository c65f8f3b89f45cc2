/** A minimal SVG string builder for charts drawn as pure functions (no DOM): export = display. */

export type Attrs = Record<string, string | number | undefined | null | false>;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** numbers rounded to 3 decimals, so output is stable and small */
export function num(v: number): string {
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? '0' : String(r);
}

function attrs(a: Attrs): string {
  let s = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null || v === false) continue;
    s += ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v)}"`;
  }
  return s;
}

export function el(tag: string, a: Attrs = {}, ...children: (string | false | null | undefined)[]): string {
  const inner = children.filter((c): c is string => typeof c === 'string').join('');
  return inner ? `<${tag}${attrs(a)}>${inner}</${tag}>` : `<${tag}${attrs(a)}/>`;
}

export function text(content: string, a: Attrs = {}): string {
  return `<text${attrs(a)}>${escapeXml(content)}</text>`;
}

export interface ChartFrame {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

/** a standalone SVG document (xmlns set, so the string can be saved as a file) */
export function svgDocument(frame: Pick<ChartFrame, 'width' | 'height'>, title: string, body: string, className = 'chart'): string {
  return el(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', class: className, width: frame.width, height: frame.height, viewBox: `0 0 ${num(frame.width)} ${num(frame.height)}`, role: 'img', 'aria-label': title, 'font-family': 'system-ui, sans-serif', 'font-size': 11 },
    el('title', {}, escapeXml(title)),
    body,
  );
}
