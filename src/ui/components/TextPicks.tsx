/**
 * The texts METHOD §10 picks for a target (a neuron's direction, an image embedding, a head term):
 * in pick order, each with its final coefficient and the cosine of the fit after it. The numbers
 * are on each row as data attributes for tests and scripts.
 */
import type { TextExplanation } from '../../api/explorer.ts';
import { formatValue } from '../lib/format.ts';

export interface TextPicksProps {
  picks: TextExplanation;
  /** what was decomposed, for screen readers ('words of L3.N17') */
  label: string;
  testId: string;
  /** data-part of the list */
  part: string;
}

export function TextPicks({ picks, label, testId, part }: TextPicksProps) {
  if (picks.texts.length === 0) return <p className="empty">No text picked: the target is zero.</p>;
  return (
    <ol className="textspan text-picks" aria-label={label} data-testid={testId} data-part={part}>
      {picks.texts.map((t, i) => (
        <li key={`${t.index}-${i}`} data-index={t.index} data-text={t.text} data-coefficient={t.coefficient} data-cosine={picks.cosine[i]}>
          <span className="ts-text">{t.text}</span>
          <span className="num small" title="final least-squares coefficient">
            {formatValue(t.coefficient)}
          </span>
          <span className="ts-bar" aria-label={`cosine of the fit after this text: ${formatValue(picks.cosine[i])}`}>
            <span style={{ width: `${Math.max(0, Math.min(1, picks.cosine[i])) * 100}%` }} />
          </span>
          <span className="num" title="cosine of the fit after this pick">
            {formatValue(picks.cosine[i])}
          </span>
        </li>
      ))}
    </ol>
  );
}
