/**
 * A per-image view (heatmaps, top-5) kept up to date incrementally: while what the view depends on
 * stays the same (its key: prompts, heads, ablation set, …), a refresh asks the worker only for the
 * images it has not asked for yet, so adding the k-th image costs one request for one image whatever
 * k is. A new key starts a new generation: every image is asked for again, and answers of older
 * generations are dropped.
 */

export interface ViewPlan {
  /** images to request now (none: nothing to do) */
  ids: string[];
  generation: number;
}

export class IncrementalView<T> {
  private key: string | undefined;
  private generation = 0;
  private readonly requested = new Set<string>();
  private results: Record<string, T> = {};

  /** what to request for `key` given the images that are ready now */
  plan(key: string, readyIds: readonly string[]): ViewPlan {
    if (key !== this.key) {
      this.key = key;
      this.generation++;
      this.requested.clear();
      this.results = {};
    }
    const ready = new Set(readyIds);
    // images removed since the last plan
    for (const id of [...this.requested]) if (!ready.has(id)) this.forget(id);
    const ids = readyIds.filter((id) => !this.requested.has(id));
    for (const id of ids) this.requested.add(id);
    return { ids, generation: this.generation };
  }

  /**
   * an answer for `plan`: the view's results for every image of the current generation, or
   * undefined when the answer is stale (the key changed while it was in flight)
   */
  receive(plan: ViewPlan, values: readonly T[]): Record<string, T> | undefined {
    if (plan.generation !== this.generation) return undefined;
    const next = { ...this.results };
    plan.ids.forEach((id, i) => {
      if (this.requested.has(id)) next[id] = values[i];
    });
    this.results = next;
    return next;
  }

  /** a request that failed: its images are asked for again on the next refresh */
  failed(plan: ViewPlan): void {
    if (plan.generation === this.generation) for (const id of plan.ids) this.requested.delete(id);
  }

  forget(id: string): void {
    this.requested.delete(id);
    if (id in this.results) {
      const { [id]: _dropped, ...rest } = this.results;
      this.results = rest;
    }
  }

  /** start over (a new model): the next plan asks for every image */
  reset(): void {
    this.key = undefined;
  }
}
