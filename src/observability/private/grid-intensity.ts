// Grid carbon intensity per AWS region, shipped with the library for the dashboard's CO2e estimate.
//
// Source: Cloud Carbon Footprint (Thoughtworks, Apache-2.0), location-based grid emissions factors of AWS
// regions in metric tons CO2e per kWh: packages/aws/src/domain/AwsFootprintEstimationConstants.ts
// (AWS_EMISSIONS_FACTORS_METRIC_TON_PER_KWH) at commit 0656d55594b69d74ce35ff18019be36140beaa50, the US
// regions through packages/core/src/FootprintEstimationConstants.ts (US_NERC_REGIONS_EMISSIONS_FACTORS:
// RFC 0.000410608, SERC 0.000379069, WECC 0.000322167). PUE: that project's AWS average, 1.135.
// Retrieved 2026-12-02. An estimate: grid factors are yearly averages of the local grid, not the
// market-based figures of AWS's own carbon reporting.

/** The table's provenance, shown on the dashboard beside every estimate. */
export const GRID_INTENSITY_SOURCE = "Cloud Carbon Footprint AWS grid factors (commit 0656d55, retrieved 2026-12-02), PUE 1.135";

/** AWS's average power usage effectiveness as that source uses it. */
export const PUE = 1.135;

const RFC = 0.000410608;
const SERC = 0.000379069;
const WECC = 0.000322167;

/** Metric tons CO2e per kWh, by AWS region. */
export const GRID_INTENSITY_T_PER_KWH: Readonly<Record<string, number>> = {
  "us-east-1": SERC,
  "us-east-2": RFC,
  "us-west-1": WECC,
  "us-west-2": WECC,
  "us-gov-east-1": SERC,
  "us-gov-west-1": WECC,
  "af-south-1": 0.000928,
  "ap-east-1": 0.00081,
  "ap-south-1": 0.000708,
  "ap-northeast-3": 0.000506,
  "ap-northeast-2": 0.0005,
  "ap-southeast-1": 0.0004085,
  "ap-southeast-2": 0.00079,
  "ap-northeast-1": 0.000506,
  "ca-central-1": 0.00013,
  "cn-north-1": 0.000555,
  "cn-northwest-1": 0.000555,
  "eu-central-1": 0.000338,
  "eu-west-1": 0.000316,
  "eu-west-2": 0.000228,
  "eu-south-1": 0.000233,
  "eu-west-3": 0.000052,
  "eu-north-1": 0.000008,
  "me-south-1": 0.000732,
  "sa-east-1": 0.000074,
};

/** The source's average over its regions, for a region it does not list. */
export const GRID_INTENSITY_UNKNOWN_T_PER_KWH = 0.00038738;

/** kg CO2e per kWh of `region`, and whether the table lists the region (else the average). */
export function gridIntensityKgPerKwh(region: string): { kgPerKwh: number; listed: boolean } {
  const t = GRID_INTENSITY_T_PER_KWH[region];
  return { kgPerKwh: (t ?? GRID_INTENSITY_UNKNOWN_T_PER_KWH) * 1000, listed: t !== undefined };
}
