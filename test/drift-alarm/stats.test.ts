import { binIndex, histogram, jsDistance, ksDistance, normalise, psi, quantileCuts } from "../../src/drift-alarm/job/stats";

describe("drift statistics, against values computed by hand (and by scipy for Jensen-Shannon)", () => {
  test("PSI of [0.5, 0.5] vs [0.25, 0.75] is 0.25·ln2 + 0.25·ln1.5 = 0.274653", () => {
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.25 * Math.log(2) + 0.25 * Math.log(1.5), 10);
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.274653, 6);
  });

  test("PSI of a ten-bin shift: 2·0.05·ln2 + 2·0.05·ln1.5 = 0.109861", () => {
    const expected = new Array(10).fill(0.1);
    const actual = [0.05, 0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15, 0.15];
    expect(psi(expected, actual)).toBeCloseTo(0.109861, 6);
    expect(ksDistance(expected, actual)).toBeCloseTo(0.1, 10);
  });

  test("PSI is 0 for equal distributions and finite for an empty bucket (epsilon 1e-4)", () => {
    expect(psi([0.2, 0.8], [0.2, 0.8])).toBe(0);
    const v = psi([0.5, 0.5, 0], [0.4, 0.4, 0.2]);
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeCloseTo(-0.1 * Math.log(0.8) * 2 + (0.2 - 1e-4) * Math.log(0.2 / 1e-4), 8);
  });

  test("KS distance is the largest CDF gap", () => {
    expect(ksDistance([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.25, 12);
    expect(ksDistance([1, 0, 0], [0, 0, 1])).toBe(1);
  });

  test("Jensen-Shannon distance (base 2): 0 for equal, 1 for disjoint, 0.557923 for [.5,.5] vs [1,0]", () => {
    expect(jsDistance([0.3, 0.7], [0.3, 0.7])).toBe(0);
    expect(jsDistance([1, 0], [0, 1])).toBeCloseTo(1, 12);
    // scipy.spatial.distance.jensenshannon([0.5, 0.5], [1, 0], base=2) == 0.5579230452841438
    expect(jsDistance([0.5, 0.5], [1, 0])).toBeCloseTo(0.5579230452841438, 12);
  });

  test("different lengths are refused", () => {
    expect(() => psi([1], [0.5, 0.5])).toThrow("distributions of different lengths (1 and 2)");
  });

  test("bins: below the first cut is bin 0, a value equal to a cut goes up", () => {
    const cuts = [10, 20, 30];
    expect([-5, 10, 15, 20, 29.9, 30, 1e9].map((v) => binIndex(cuts, v))).toEqual([0, 1, 1, 2, 2, 3, 3]);
    expect(histogram(cuts, [1, 11, 12, 35])).toEqual([0.25, 0.5, 0, 0.25]);
    expect(normalise([0, 0])).toEqual([0, 0]);
  });

  test("quantile cuts split a uniform sample evenly and drop repeats", () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    expect(quantileCuts(values, 4)).toEqual([25, 50, 75]);
    expect(quantileCuts([1, 1, 1, 1, 2], 4)).toEqual([1]);
    expect(quantileCuts([], 10)).toEqual([]);
  });
});
