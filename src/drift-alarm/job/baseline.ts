import { binIndex, histogram, jsDistance, ksDistance, normalise, psi, quantileCuts } from "./stats";

/** A record of features as the parsers produce it: name to value (missing features are absent). */
export type FeatureRecord = Record<string, unknown>;

/** Baseline of a numeric feature: histogram over quantile cut points of the training sample. */
export interface NumericBaseline {
  type: "numeric";
  /** Sorted cut points; `cuts.length + 1` bins, the outer two open-ended. */
  cuts: number[];
  /** Share of non-missing training values in each bin. */
  frequencies: number[];
  /** Share of training records in which the feature is missing. */
  missingRate: number;
}

/** Baseline of a categorical feature: share of each category. */
export interface CategoricalBaseline {
  type: "categorical";
  /** Category to share of non-missing training values. */
  frequencies: Record<string, number>;
  missingRate: number;
}

/** The baseline file the drift job compares captured payloads with (format version 1). */
export interface Baseline {
  version: 1;
  /** Records in the training sample. */
  recordCount: number;
  /**
   * Feature names in the order of the model's inputs: the training sample's columns without the
   * excluded ones. Positional payloads (CSV bodies, row tensors) are mapped by this order, and a row
   * of another width is unparseable.
   */
  featureOrder: string[];
  /** Columns of the training sample left out of the model's inputs (`--exclude label`), in sample order. */
  excludedColumns?: string[];
  features: Record<string, NumericBaseline | CategoricalBaseline>;
}

/** Statistics of one feature in one window. */
export interface FeatureDrift {
  feature: string;
  type: "numeric" | "categorical";
  psi: number;
  /** Numeric features only. */
  ks?: number;
  /** Categorical features only. */
  jsDistance?: number;
  missingRate: number;
}

const isMissing = (v: unknown) => v === undefined || v === null || v === "" || (typeof v === "number" && Number.isNaN(v));

function asNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

/**
 * Builds a baseline from a training sample. A feature is numeric when every present value is a
 * number (or a numeric string), categorical otherwise.
 */
export function buildBaseline(records: FeatureRecord[], bins = 10, exclude: string[] = []): Baseline {
  const columns = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) columns.add(k);
  const order = [...columns].filter((c) => !exclude.includes(c));
  const excludedColumns = [...columns].filter((c) => exclude.includes(c));
  const features: Baseline["features"] = {};
  for (const name of order) {
    const present = records.map((r) => r[name]).filter((v) => !isMissing(v));
    const missingRate = records.length ? (records.length - present.length) / records.length : 0;
    const numbers = present.map(asNumber);
    if (present.length > 0 && numbers.every((n) => n !== undefined)) {
      const values = numbers as number[];
      const cuts = quantileCuts(values, bins);
      features[name] = { type: "numeric", cuts, frequencies: histogram(cuts, values), missingRate };
    } else {
      const counts: Record<string, number> = {};
      for (const v of present) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
      const keys = Object.keys(counts).sort();
      const shares = normalise(keys.map((k) => counts[k]));
      features[name] = { type: "categorical", frequencies: Object.fromEntries(keys.map((k, i) => [k, shares[i]])), missingRate };
    }
  }
  return { version: 1, recordCount: records.length, featureOrder: order, excludedColumns, features };
}

/** Checks that `value` is a baseline of format version 1; throws with the reason otherwise. */
export function parseBaseline(text: string): Baseline {
  const b = JSON.parse(text) as Baseline;
  if (b.version !== 1 || typeof b.features !== "object" || !Array.isArray(b.featureOrder)) {
    throw new Error("not a cdktf-mlops baseline (version 1 with featureOrder and features)");
  }
  for (const [name, f] of Object.entries(b.features)) {
    if (f.type === "numeric" && f.frequencies.length !== f.cuts.length + 1) {
      throw new Error(`baseline feature ${name}: ${f.cuts.length} cuts need ${f.cuts.length + 1} frequencies`);
    }
  }
  return b;
}

/**
 * Counts of one feature over a window, accumulated record by record: memory is bounded by the
 * baseline's bins and the categories seen, not by the number of records.
 */
export class FeatureAccumulator {
  /** Records in which the feature is present (not missing). */
  private present = 0;
  /** Numeric: count per baseline bin. */
  private readonly bins?: number[];
  /** Categorical: count per category seen (a box each, so that a count is one lookup). */
  private readonly categories?: Map<string, { n: number }>;
  /** Numeric with at most 16 sorted cuts: the cuts, counted through rather than searched. */
  private readonly fewCuts?: Float64Array;
  /** A record carried the feature's key (with any value, missing ones included). */
  public keySeen = false;

  constructor(
    public readonly name: string,
    private readonly baseline: NumericBaseline | CategoricalBaseline,
  ) {
    if (baseline.type === "numeric") {
      this.bins = new Array<number>(baseline.cuts.length + 1).fill(0);
      const cuts = baseline.cuts;
      // A few sorted cuts: the bin is the count of cuts at or below the value (binIndex's answer), which
      // a loop without early exit finds faster than a search whose branches are unpredictable.
      if (cuts.length <= 16 && cuts.every((c, i) => typeof c === "number" && (i === 0 || cuts[i - 1] <= c))) this.fewCuts = Float64Array.from(cuts);
    } else this.categories = new Map();
  }

  /** Adds the value of a record that has the feature's key. */
  addPresent(v: unknown): void {
    this.keySeen = true;
    this.add(v);
  }

  /** Adds the feature's value of one record. */
  add(v: unknown): void {
    if (isMissing(v)) return;
    this.present++;
    if (this.bins) {
      // A value that is not a number counts in no bin; it shows as schema drift elsewhere.
      const n = typeof v === "number" ? (Number.isFinite(v) ? v : undefined) : asNumber(v);
      if (n === undefined) return;
      const few = this.fewCuts;
      if (few === undefined) this.bins[binIndex((this.baseline as NumericBaseline).cuts, n)]++;
      else {
        let bin = 0;
        for (let i = 0; i < few.length; i++) bin += (n >= few[i]) as unknown as number;
        this.bins[bin]++;
      }
    } else {
      const c = typeof v === "string" ? v : String(v);
      const box = this.categories!.get(c);
      if (box !== undefined) box.n++;
      else this.categories!.set(c, { n: 1 });
    }
  }

  /** The statistics over `records` records (the window's total, present or not). */
  result(records: number): FeatureDrift {
    const name = this.name;
    const missingRate = records ? (records - this.present) / records : 0;
    const baseline = this.baseline;
    if (baseline.type === "numeric") {
      const actual = normalise(this.bins!);
      return {
        feature: name,
        type: "numeric",
        psi: psi(baseline.frequencies, actual),
        ks: ksDistance(baseline.frequencies, actual),
        missingRate,
      };
    }
    const categories = Object.keys(baseline.frequencies);
    const known = new Set(categories);
    // Categories the baseline never saw are kept as their own buckets: new categories are drift.
    const all = [...categories, ...[...this.categories!.keys()].filter((c) => !known.has(c)).sort()];
    const expected = all.map((c) => baseline.frequencies[c] ?? 0);
    const actual = normalise(all.map((c) => this.categories!.get(c)?.n ?? 0));
    return { feature: name, type: "categorical", psi: psi(expected, actual), jsDistance: jsDistance(expected, actual), missingRate };
  }
}

/** Drift statistics of one feature over the window's records. */
export function featureDrift(name: string, baseline: NumericBaseline | CategoricalBaseline, records: FeatureRecord[]): FeatureDrift {
  const acc = new FeatureAccumulator(name, baseline);
  for (const r of records) acc.add(r[name]);
  return acc.result(records.length);
}
