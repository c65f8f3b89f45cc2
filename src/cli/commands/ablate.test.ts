import { describe, expect, it } from 'vitest';
import type { LabelledComponents } from '../../analysis/ablation.ts';
import { AblationSyntaxError } from '../../analysis/ablationSyntax.ts';
import { classLogits } from '../../analysis/zeroshot.ts';
import { rng } from '../../testkit/synthetic.ts';
import { tensor } from '../../math/tensor.ts';
import { ablationStudy, componentsFromRecord } from './ablate.ts';

const L = 3;
const H = 2;
const D = 4;

/** components whose parts sum to the embedding; `signal` goes into head (1, 0) */
function image(parts: { embed: number[]; mlp: number[][]; heads: number[][][]; cc: number[][] }): LabelledComponents['image'] {
  const embedding = new Float64Array(D);
  const add = (v: number[]) => v.forEach((x, k) => (embedding[k] += x));
  add(parts.embed);
  parts.mlp.forEach(add);
  parts.heads.forEach((l) => l.forEach(add));
  return {
    embedding: tensor('D', embedding, [D]),
    embedTerm: tensor('D', Float64Array.from(parts.embed), [D]),
    mlp: tensor('L D', Float64Array.from(parts.mlp.flat()), [L, D]),
    heads: tensor('L H D', Float64Array.from(parts.heads.flat(2)), [L, H, D]),
    classClass: tensor('L D', Float64Array.from(parts.cc.flat()), [L, D]),
  };
}

/**
 * Planted: classes e0 and e1. The label is carried only by head L1.H0 (+1 on e_label); the
 * embedding term leans 0.25 towards class 0 for everyone; every other term is constant.
 * Ablating L1.H0 (or any layer set containing layer 1) leaves the lean: all predicted class 0.
 */
function planted(n: number, groups = false): LabelledComponents[] {
  const out: LabelledComponents[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const signal = [0, 0, 0, 0];
    signal[label] = 1;
    const zero = [0, 0, 0, 0];
    const constant = [0, 0, 0.5, -0.5];
    out.push({
      image: image({
        embed: [0.25, 0, 0, 1],
        mlp: [constant, constant, constant],
        heads: [[constant, zero], [signal, constant], [zero, constant]],
        cc: [[0, 0, 0.1, 0], [0, 0, 0, 0.2], [0, 0, 0.3, 0]],
      }),
      label,
      ...(groups ? { group: i % 4 === 3 ? 1 : 0 } : {}),
    });
  }
  return out;
}

const W = tensor('C D', Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0]), [2, D]);

describe('ablationStudy', () => {
  it("ablationStudy(data, W, {ablate: ''}) gives the original accuracy before and after", async () => {
    const r = rng(3);
    const items: LabelledComponents[] = Array.from({ length: 40 }, (_, i) => {
      const g = () => Array.from({ length: D }, () => r.normal());
      return {
        image: image({ embed: g(), mlp: [g(), g(), g()], heads: [[g(), g()], [g(), g()], [g(), g()]], cc: [g(), g(), g()] }),
        label: i % 3,
      };
    });
    const W3 = tensor('C D', Float64Array.from({ length: 3 * D }, () => r.normal()), [3, D]);
    // the original accuracy, counted directly from the embeddings
    const hits = items.filter((it) => {
      const logits = classLogits(W3, it.image.embedding.data);
      return logits.indexOf(Math.max(...logits)) === it.label;
    }).length;
    const study = await ablationStudy(items, W3, { ablate: '' });
    expect(study.images).toBe(40);
    expect(study.classes).toBe(3);
    expect(study.before.top1).toBe(hits / 40);
    expect(study.before.top5).toBe(1); // 3 classes: every label is in the top 5
    expect(study.ablation?.set).toBe('');
    expect(study.ablation?.accuracy).toEqual(study.before);
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThan(40);
  });

  it("ablationStudy(planted, W, {ablate: ' l1.h0 '}) drops from 100% to 50% and reports the canonical set", async () => {
    const study = await ablationStudy(planted(20), W, { ablate: ' l1.h0 ' });
    expect(study.before.top1).toBe(1);
    expect(study.ablation).toEqual({ set: 'L1.H0', accuracy: { count: 20, top1: 0.5, top5: 1 } });
    expect(study.experiments).toBeUndefined();
  });

  it('ablationStudy(planted, W) runs the reference experiments: only sweep steps reaching layer 1 hurt', async () => {
    const study = await ablationStudy(planted(20), W);
    const e = study.experiments!;
    expect(e.mlpAndEmbed.set).toBe('mlp,embed');
    expect(e.classClass.set).toBe('cc');
    expect(e.both.set).toBe('mlp,embed,cc');
    // constant terms: replacing them by their means changes nothing
    expect([e.mlpAndEmbed, e.classClass, e.both].map((x) => x.accuracy.top1)).toEqual([1, 1, 1]);
    expect(e.msaSweep.map((x) => x.set)).toEqual(['L0', 'L0-1', 'L0-2']);
    expect(e.msaSweep.map((x) => x.accuracy.top1)).toEqual([1, 0.5, 0.5]);
  });

  it('ablationStudy(planted with groups) names the groups and the worst group', async () => {
    // group 1 = images 3, 7, 11, ... (all label 1), group 0 = the rest (10 of label 0, 5 of label 1)
    const study = await ablationStudy(planted(20, true), W, { ablate: 'L1.H0', groupNames: ['mixed', 'label one'] });
    expect(study.before.groups).toEqual([
      { group: 'mixed', count: 15, top1: 1 },
      { group: 'label one', count: 5, top1: 1 },
    ]);
    const after = study.ablation!.accuracy;
    expect(after.groups).toEqual([
      { group: 'mixed', count: 15, top1: 10 / 15 },
      { group: 'label one', count: 5, top1: 0 },
    ]);
    expect(after.worstGroup).toEqual({ group: 'label one', count: 5, top1: 0 });
  });

  it('ablationStudy(data, W, {ablate: out of range}) throws AblationSyntaxError naming the item', async () => {
    await expect(ablationStudy(planted(4), W, { ablate: 'L3.H0' })).rejects.toThrow(AblationSyntaxError);
    await expect(ablationStudy(planted(4), W, { ablate: 'L3.H0' })).rejects.toThrow(/layer 3 in 'L3.H0' is out of range/);
    await expect(ablationStudy(planted(4), W, { ablate: 'mlp,,embed' })).rejects.toThrow(/empty item at position 4/);
  });

  it('ablationStudy(async iterable) walks it twice and equals the array result', async () => {
    const items = planted(12, true);
    const source = { async *[Symbol.asyncIterator]() { for (const it of items) yield it; } };
    expect(await ablationStudy(source, W)).toEqual(await ablationStudy(items, W));
  });

  it('ablationStudy(a one-shot iterator) is refused rather than giving means over nothing', async () => {
    const once = planted(6)[Symbol.iterator]();
    await expect(ablationStudy({ [Symbol.iterator]: () => once }, W)).rejects.toThrow(/pass a re-iterable dataset/);
  });
});

describe('componentsFromRecord', () => {
  it('componentsFromRecord splits embed_mlp into the embedding term (row 0) and the MLP terms', () => {
    const rec = {
      heads: Float32Array.from({ length: 2 * 1 * 2 }, (_, i) => i),
      embed_mlp: Float32Array.from([1, 2, 3, 4, 5, 6]),
      class_class: Float32Array.from([7, 8, 9, 10]),
      embedding: Float32Array.from([0.6, 0.8]),
    };
    const c = componentsFromRecord(rec, { layers: 2, heads: 1, embedDim: 2 });
    expect(Array.from(c.embedTerm.data)).toEqual([1, 2]);
    expect(c.mlp.dims).toEqual([2, 2]);
    expect(Array.from(c.mlp.data)).toEqual([3, 4, 5, 6]);
    expect(c.heads.dims).toEqual([2, 1, 2]);
    expect(c.classClass.dims).toEqual([2, 2]);
    expect(Array.from(c.embedding.data)).toEqual(Array.from(rec.embedding));
  });
});
