import { Baseline, featureDrift, FeatureDrift, FeatureRecord, parseBaseline } from "./baseline";
import { CaptureFormats, DRIFT_NAMESPACE, DriftDimensions, EndpointMetrics, FeatureMetrics } from "./metrics";
import { parseKServeLog, parseSageMakerCapture, ParsedCapture } from "./parsers";

/** What the job reads objects through (S3 in Lambda, a fake in tests). */
export interface ObjectStore {
  /** Keys under `prefix` last modified at or after `since`. */
  list(bucket: string, prefix: string, since: Date): Promise<string[]>;
  /** The object's body as text. */
  get(bucket: string, key: string): Promise<string>;
}

/** One CloudWatch datum. */
export interface MetricDatum {
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Value: number;
  Unit: "None" | "Count";
  Timestamp: Date;
}

/** Where the job publishes (CloudWatch in Lambda, a fake in tests). */
export interface MetricSink {
  put(namespace: string, data: MetricDatum[]): Promise<void>;
}

/** The job's configuration (Lambda environment). */
export interface DriftJobConfig {
  endpointName: string;
  captureBucket: string;
  captureKeyPrefix: string;
  captureFormat: string;
  baselineBucket: string;
  baselineKey: string;
  /** Minutes of captures each run reads. */
  windowMinutes: number;
  /** Fewer records than this publish InsufficientRecords instead of statistics. */
  minRecords: number;
  /** Features to compute statistics for; empty means every baseline feature. */
  features: string[];
}

/** What one run found. */
export interface DriftReport {
  records: number;
  objects: number;
  unparseable: number;
  insufficient: boolean;
  fieldsAdded: string[];
  fieldsRemoved: string[];
  drift: FeatureDrift[];
}

/** Reads the window's captures, compares them with the baseline and publishes the drift metrics. */
export async function runDriftJob(config: DriftJobConfig, deps: { store: ObjectStore; metrics: MetricSink; now: Date }): Promise<DriftReport> {
  const baseline: Baseline = parseBaseline(await deps.store.get(config.baselineBucket, config.baselineKey));
  const parse: (text: string, order: string[]) => ParsedCapture =
    config.captureFormat === CaptureFormats.sagemaker
      ? parseSageMakerCapture
      : config.captureFormat === CaptureFormats.kserve
        ? parseKServeLog
        : () => {
            throw new Error(`unknown capture format ${config.captureFormat}`);
          };

  const since = new Date(deps.now.getTime() - config.windowMinutes * 60_000);
  const keys = await deps.store.list(config.captureBucket, config.captureKeyPrefix, since);
  const records: FeatureRecord[] = [];
  let unparseable = 0;
  for (const key of keys) {
    const parsed = parse(await deps.store.get(config.captureBucket, key), baseline.featureOrder);
    records.push(...parsed.records);
    unparseable += parsed.unparseable;
  }

  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) seen.add(k);
  const known = Object.keys(baseline.features);
  const fieldsAdded = [...seen].filter((f) => !known.includes(f)).sort();
  const fieldsRemoved = records.length ? known.filter((f) => !seen.has(f)).sort() : [];
  const insufficient = records.length < config.minRecords;
  const watched = (config.features.length ? config.features : known).filter((f) => known.includes(f));
  const drift = insufficient ? [] : watched.map((f) => featureDrift(f, baseline.features[f], records));

  const endpoint = { Name: DriftDimensions.endpoint, Value: config.endpointName };
  const datum = (MetricName: string, Value: number, feature?: string, Unit: "None" | "Count" = "None"): MetricDatum => ({
    MetricName,
    Dimensions: feature ? [endpoint, { Name: DriftDimensions.feature, Value: feature }] : [endpoint],
    Value,
    Unit,
    Timestamp: deps.now,
  });
  const data: MetricDatum[] = [
    datum(EndpointMetrics.records, records.length, undefined, "Count"),
    datum(EndpointMetrics.insufficientRecords, insufficient ? 1 : 0),
    datum(EndpointMetrics.fieldsAdded, fieldsAdded.length, undefined, "Count"),
    datum(EndpointMetrics.fieldsRemoved, fieldsRemoved.length, undefined, "Count"),
    datum(EndpointMetrics.unparseable, unparseable, undefined, "Count"),
  ];
  for (const d of drift) {
    data.push(datum(FeatureMetrics.psi, d.psi, d.feature), datum(FeatureMetrics.missingRate, d.missingRate, d.feature));
    if (d.ks !== undefined) data.push(datum(FeatureMetrics.ks, d.ks, d.feature));
    if (d.jsDistance !== undefined) data.push(datum(FeatureMetrics.jsDistance, d.jsDistance, d.feature));
  }
  for (let i = 0; i < data.length; i += 500) await deps.metrics.put(DRIFT_NAMESPACE, data.slice(i, i + 500));

  return { records: records.length, objects: keys.length, unparseable, insufficient, fieldsAdded, fieldsRemoved, drift };
}

/** The job's configuration from its Lambda environment. */
export function configFromEnv(env: Record<string, string | undefined>): DriftJobConfig {
  const need = (name: string) => {
    const v = env[name];
    if (!v) throw new Error(`environment variable ${name} is not set`);
    return v;
  };
  return {
    endpointName: need("ENDPOINT_NAME"),
    captureBucket: need("CAPTURE_BUCKET"),
    captureKeyPrefix: need("CAPTURE_PREFIX"),
    captureFormat: need("CAPTURE_FORMAT"),
    baselineBucket: need("BASELINE_BUCKET"),
    baselineKey: need("BASELINE_KEY"),
    windowMinutes: Number(need("WINDOW_MINUTES")),
    minRecords: Number(need("MIN_RECORDS")),
    features: JSON.parse(env.FEATURES ?? "[]") as string[],
  };
}

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The Lambda entry point. The AWS SDK v3 clients come from the Node.js Lambda runtime, so the job
 * ships with no dependency of its own.
 */
export async function handler(): Promise<DriftReport> {
  const s3sdk = require("@aws-sdk/client-s3");
  const cwsdk = require("@aws-sdk/client-cloudwatch");
  const s3 = new s3sdk.S3Client({});
  const cloudwatch = new cwsdk.CloudWatchClient({});
  const store: ObjectStore = {
    async list(bucket, prefix, since) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new s3sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key && o.LastModified && o.LastModified >= since) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async get(bucket, key) {
      const o = await s3.send(new s3sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      return o.Body.transformToString("utf-8");
    },
  };
  const metrics: MetricSink = {
    async put(namespace, data) {
      await cloudwatch.send(new cwsdk.PutMetricDataCommand({ Namespace: namespace, MetricData: data }));
    },
  };
  const report = await runDriftJob(configFromEnv(process.env), { store, metrics, now: new Date() });
  console.log(JSON.stringify({ ...report, drift: report.drift.map((d) => ({ ...d })) }));
  return report;
}
