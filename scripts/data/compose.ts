/**
 * Small helpers for writing description lines combinatorially from hand-written vocabularies.
 * Everything is deterministic: the same vocabularies always give the same lines in the same order.
 */

/** Puts `item` where the template has `{}`. */
export function fill(template: string, item: string): string {
  if (!template.includes('{}')) throw new Error(`template without {}: ${template}`);
  return template.replace('{}', item);
}

/**
 * Pairs every item with `perItem` different templates. Item i starts at template i and takes every
 * `step`-th one after it, so neighbouring items use different frames and one item's lines are
 * spread across the list rather than taking near-identical neighbouring frames.
 */
export function rotate(items: readonly string[], templates: readonly string[], perItem = 1): string[] {
  if (perItem > templates.length) throw new Error(`perItem ${perItem} > ${templates.length} templates`);
  const step = Math.max(1, Math.floor(templates.length / perItem));
  const lines: string[] = [];
  items.forEach((item, i) => {
    for (let j = 0; j < perItem; j++) lines.push(fill(templates[(i + j * step) % templates.length], item));
  });
  return lines;
}

/**
 * Pairs every `{}`-item with `perItem` subjects (for "X of {subject}" frames), rotating through the
 * subjects so each subject is used about equally often.
 */
export function withSubjects(frames: readonly string[], subjects: readonly string[], perItem = 1): string[] {
  const lines: string[] = [];
  let next = 0;
  for (const frame of frames) {
    for (let j = 0; j < perItem; j++) lines.push(fill(frame, subjects[next++ % subjects.length]));
  }
  return lines;
}

/** "a" or "an" before a phrase, by its first sound as far as spelling tells (with the usual exceptions). */
export function withArticle(phrase: string): string {
  const lower = phrase.toLowerCase();
  const anException = /^(hour|honest|honou?r|heir)/.test(lower);
  const aException = /^(uni|use|usu|uti|eu|one|once|ukulele)/.test(lower);
  const vowel = /^[aeiou]/.test(lower);
  return `${(vowel && !aException) || anException ? 'an' : 'a'} ${phrase}`;
}
