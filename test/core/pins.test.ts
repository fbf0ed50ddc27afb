import * as fs from "fs";
import * as path from "path";
import { Pins } from "../../src/core";

const README = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");

/** Every version the README names right after a chart's name (`name` 1.2.3, `name` v1.2.3). */
function versionsNamed(chart: string, text = README): string[] {
  const re = new RegExp("`" + chart.replace(/[-.]/g, "\\$&") + "`(?: chart)? (v?\\d+\\.\\d+\\.\\d+)", "g");
  return [...text.matchAll(re)].map((m) => m[1]);
}

describe("the one table of pinned versions", () => {
  test.each(Object.entries(Pins.charts))("the README names %s at the version of the table, and only that one", (_, chart) => {
    const named = versionsNamed(chart.chart);
    expect(named.length).toBeGreaterThan(0);
    expect([...new Set(named)]).toEqual([chart.version]);
  });

  test("the finder sees every version named, a stale one included", () => {
    expect(versionsNamed("mlflow", "community-charts `mlflow` 1.11.4, later `mlflow` chart 1.11.5; `mlflow-x` 9.9.9")).toEqual(["1.11.4", "1.11.5"]);
  });

  test("the Feast image and chart are of one release", () => {
    expect(Pins.images.feastFeatureServer.endsWith(`:${Pins.charts.feastFeatureServer.version}`)).toBe(true);
  });
});
