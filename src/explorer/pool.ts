/** A TEXTSPAN description pool: lines `property<TAB>text` (tagged) or plain lines (untagged). */
export interface DescriptionPool {
  texts: string[];
  properties: (string | null)[];
}

export function parseDescriptionPool(text: string): DescriptionPool {
  const texts: string[] = [];
  const properties: (string | null)[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const tab = line.indexOf('\t');
    const description = (tab >= 0 ? line.slice(tab + 1) : line).trim();
    if (!description || seen.has(description)) continue;
    seen.add(description);
    texts.push(description);
    properties.push(tab >= 0 ? line.slice(0, tab).trim() || null : null);
  }
  if (texts.length === 0) throw new Error('the description pool is empty');
  return { texts, properties };
}
