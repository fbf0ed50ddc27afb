import { isAscii } from "buffer";
import { Baseline, FeatureAccumulator, FeatureDrift, FeatureRecord, parseBaseline } from "./baseline";
import { CaptureFormats, DRIFT_NAMESPACE, DriftDimensions, EndpointMetrics, FeatureMetrics } from "./metrics";
import { asBuffer, emitKServeLog, emitKServeLogBytes, emitSageMakerCapture, emitSageMakerLine, isBlank, RecordSink } from "./parsers";

/** An object of a listing page. */
export interface ListedObject {
  key: string;
  lastModified: Date;
}

/** One page of a listing (ListObjectsV2 with an optional delimiter). */
export interface ListPage {
  objects: ListedObject[];
  /** Common prefixes, when listed with a delimiter. */
  prefixes: string[];
  /** Token of the next page; absent on the last page. */
  nextToken?: string;
}

/** What the job reads objects through (S3 in Lambda, a fake in tests). */
export interface ObjectStore {
  /** One page of the keys under `prefix`. */
  list(bucket: string, prefix: string, options: { delimiter?: string; continuationToken?: string }): Promise<ListPage>;
  /** The object's body as text. */
  get(bucket: string, key: string): Promise<string>;
  /** The object's body as bytes (KServe objects are scanned without decoding them first). */
  getBytes?(bucket: string, key: string): Promise<Uint8Array>;
  /** The object's body in chunks, for objects read line by line without holding them whole. */
  stream?(bucket: string, key: string): Promise<AsyncIterable<Uint8Array | string>>;
}

/** A message of the capture queue (an S3 event notification). */
export interface QueueMessage {
  receiptHandle: string;
  body: string;
}

/** The queue of S3 event notifications of new capture objects (SQS in Lambda, a fake in tests). */
export interface CaptureQueue {
  /** Up to `max` messages (at most 10); none when the queue is empty. */
  receive(max: number): Promise<QueueMessage[]>;
  /** Deletes read messages (at most 10 at once). */
  delete(receiptHandles: string[]): Promise<void>;
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
  /** The type each watched feature's alarms expect (`numeric` or `categorical`); checked against the baseline. */
  featureTypes?: Record<string, string>;
  /** URL of the SQS queue of S3 notifications of new capture objects (KServe captures, whose keys carry no time). */
  queueUrl?: string;
  /** Objects read at the same time. @default 32 */
  readConcurrency?: number;
}

/** What one run found. */
export interface DriftReport {
  records: number;
  objects: number;
  unparseable: number;
  insufficient: boolean;
  /** The run stopped at its time budget before reading every object of the window. */
  truncated: boolean;
  /**
   * Watched features whose alarms could never fire: absent from the baseline (a typo, an old baseline),
   * or of another type there (`name (numeric alarms, categorical in the baseline)`).
   */
  unknownFeatures: string[];
  fieldsAdded: string[];
  fieldsRemoved: string[];
  drift: FeatureDrift[];
}

/** What the job runs with besides its configuration. */
export interface DriftJobDeps {
  store: ObjectStore;
  metrics: MetricSink;
  /** The capture queue, for KServe captures. */
  queue?: CaptureQueue;
  /** The run's time: the window ends here. */
  now: Date;
  /** Milliseconds on a monotonic clock. @default Date.now */
  clock?: () => number;
  /** `clock()` value by which reading stops (what was read is published). @default - no budget */
  deadline?: number;
}

/** Distinct field names remembered per run (for SchemaFieldsAdded): bounded like everything else. */
const MAX_SEEN_FIELDS = 1000;

/** `yyyy/mm/dd/hh/` of a time (UTC), the hour folders of SageMaker data capture. */
export function hourPrefix(t: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${t.getUTCFullYear()}/${p(t.getUTCMonth() + 1)}/${p(t.getUTCDate())}/${p(t.getUTCHours())}/`;
}

/**
 * The hour folders a window touches, from the hour before `since` (capture files are written
 * up to a few minutes after their hour) to the hour of `now`.
 */
export function windowHours(since: Date, now: Date): string[] {
  const hour = 3_600_000;
  const out: string[] = [];
  for (let t = Math.floor(since.getTime() / hour) * hour - hour; t <= now.getTime(); t += hour) out.push(hourPrefix(new Date(t)));
  return out;
}

/** Keys of S3 event notification messages (`Records[].s3.object.key`, URL-encoded with '+' for spaces). */
export function keysOfNotification(body: string): string[] {
  const event = JSON.parse(body) as { Records?: { eventName?: string; s3?: { object?: { key?: string } } }[] };
  return (event.Records ?? [])
    .filter((r) => (r.eventName ?? "ObjectCreated").startsWith("ObjectCreated") && typeof r.s3?.object?.key === "string")
    .map((r) => decodeURIComponent(r.s3!.object!.key!.replace(/\+/g, " ")));
}

/** A source of the window's object keys; `done()` is called once the object was read. */
interface KeySource {
  next(): Promise<{ key: string; done: () => Promise<void> } | undefined>;
  /** Called at the end of the run. */
  close(): Promise<void>;
}

/** Keys of SageMaker captures: only the hour folders of the window, under every variant. */
async function sageMakerKeys(config: DriftJobConfig, store: ObjectStore, since: Date, now: Date): Promise<KeySource> {
  const listAll = async (prefix: string, delimiter?: string) => {
    const objects: ListedObject[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await store.list(config.captureBucket, prefix, { delimiter, continuationToken: token });
      objects.push(...page.objects);
      prefixes.push(...page.prefixes);
      token = page.nextToken;
    } while (token);
    return { objects, prefixes };
  };
  const prefix = config.captureKeyPrefix.endsWith("/") ? config.captureKeyPrefix : `${config.captureKeyPrefix}/`;
  const variants = (await listAll(prefix, "/")).prefixes;
  const keys: string[] = [];
  for (const variant of variants) {
    for (const hour of windowHours(since, now)) {
      for (const o of (await listAll(`${variant}${hour}`)).objects) if (o.lastModified >= since) keys.push(o.key);
    }
  }
  let i = 0;
  return {
    async next() {
      return i < keys.length ? { key: keys[i++], done: async () => undefined } : undefined;
    },
    async close() {},
  };
}

/**
 * Keys of KServe captures: drained from the queue of S3 notifications, a few receives ahead of the
 * readers; a message is deleted once its objects were read.
 */
function queueKeys(config: DriftJobConfig, queue: CaptureQueue, readers: number): KeySource {
  const buffer: { key: string; done: () => Promise<void> }[] = [];
  const toDelete: string[] = [];
  const ahead = Math.max(1, Math.ceil(readers / 10));
  let empty = false;
  const flush = async (all: boolean) => {
    while (toDelete.length >= 10 || (all && toDelete.length)) await queue.delete(toDelete.splice(0, 10));
  };
  const take = (messages: QueueMessage[]) => {
    if (messages.length === 0) empty = true;
    for (const m of messages) {
      let keys: string[];
      try {
        keys = keysOfNotification(m.body).filter((k) => k.startsWith(config.captureKeyPrefix));
      } catch {
        keys = [];
      }
      // A message without capture keys (the s3:TestEvent, another prefix) is read and gone.
      if (keys.length === 0) toDelete.push(m.receiptHandle);
      let pending = keys.length;
      for (const key of keys) {
        buffer.push({
          key,
          done: async () => {
            if (--pending === 0) {
              toDelete.push(m.receiptHandle);
              await flush(false);
            }
          },
        });
      }
    }
  };
  const inFlight = new Set<Promise<void>>();
  let failed: unknown;
  const fill = () => {
    while (!empty && failed === undefined && inFlight.size < ahead && buffer.length + inFlight.size * 10 < 2 * readers) {
      const p: Promise<void> = queue
        .receive(10)
        .then(take)
        .catch((e) => {
          failed = e;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  };
  return {
    async next() {
      fill();
      while (buffer.length === 0 && inFlight.size > 0) {
        await Promise.race(inFlight);
        fill();
      }
      if (failed !== undefined) throw failed;
      return buffer.shift();
    },
    close: () => flush(true),
  };
}

/** Feeds the lines of a chunked body to `line`, holding at most one line and one chunk. */
async function forEachLine(chunks: AsyncIterable<Uint8Array | string>, line: (l: string) => void, stop: () => boolean): Promise<boolean> {
  const decoder = new TextDecoder("utf-8");
  // Until a chunk holds a byte above 127, the UTF-8 decoder holds no partial character, and an ASCII chunk
  // is the same text as latin1, which Node copies without decoding.
  let ascii = true;
  let carry = "";
  for await (const chunk of chunks) {
    let decoded: string;
    if (typeof chunk === "string") decoded = chunk;
    else {
      const bytes = asBuffer(chunk);
      ascii &&= isAscii(bytes);
      decoded = ascii ? bytes.toString("latin1") : decoder.decode(chunk, { stream: true });
    }
    // Lines are cut from the chunk's own text: only a line that spans chunks is joined, so the chunk is
    // not copied again into one string with the carry.
    let start = 0;
    let end = decoded.indexOf("\n");
    if (carry) {
      if (end < 0) decoded = carry + decoded;
      else {
        line(carry + decoded.slice(0, end));
        start = end + 1;
        end = decoded.indexOf("\n", start);
      }
    }
    while (end >= 0) {
      line(decoded.slice(start, end));
      start = end + 1;
      end = decoded.indexOf("\n", start);
    }
    carry = decoded.slice(start);
    if (stop()) return false;
  }
  carry += decoder.decode();
  if (carry) line(carry);
  return true;
}

/** Reads the window's captures, compares them with the baseline and publishes the drift metrics. */
export async function runDriftJob(config: DriftJobConfig, deps: DriftJobDeps): Promise<DriftReport> {
  const clock = deps.clock ?? Date.now;
  const outOfTime = () => deps.deadline !== undefined && clock() >= deps.deadline;
  const baseline: Baseline = parseBaseline(await deps.store.get(config.baselineBucket, config.baselineKey));
  const sagemaker = config.captureFormat === CaptureFormats.sagemaker;
  if (!sagemaker && config.captureFormat !== CaptureFormats.kserve) throw new Error(`unknown capture format ${config.captureFormat}`);
  const queue = deps.queue;
  if (!sagemaker && !queue) throw new Error("KServe captures are read from the queue of their S3 notifications: QUEUE_URL is not set");

  // --- what is watched, checked against the baseline on every run --------------------------------
  const known = Object.keys(baseline.features);
  const watchedNames = config.features.length ? config.features : known;
  const unknownFeatures = watchedNames.flatMap((f) => {
    if (!(f in baseline.features)) return [f];
    const expected = config.featureTypes?.[f];
    return expected && expected !== baseline.features[f].type ? [`${f} (${expected} alarms, ${baseline.features[f].type} in the baseline)`] : [];
  });
  const accumulators = watchedNames.filter((f) => f in baseline.features).map((f) => new FeatureAccumulator(f, baseline.features[f]));

  // --- streaming statistics: every record is counted and dropped ----------------------------------
  let records = 0;
  const seen = new Set<string>();
  // A record's keys are visited once (for..in over a parsed object is the engine's fast path), each key
  // handing its value to its feature's accumulator: a feature the record lacks adds nothing either way.
  // Names an object inherits (`constructor`) or watched twice take the plain loop, which reads them all.
  // Other keys are remembered in the same map (as null) the first time they are seen, so that a record's
  // keys cost one lookup each.
  const byName = new Map<string, FeatureAccumulator | null>(accumulators.map((a) => [a.name, a]));
  const plain = byName.size !== accumulators.length || accumulators.some((a) => a.name in Object.prototype);
  const sink: RecordSink = plain
    ? (r: FeatureRecord) => {
        records++;
        if (seen.size < MAX_SEEN_FIELDS) for (const k in r) seen.add(k);
        for (const a of accumulators) a.add(r[a.name]);
      }
    : (r: FeatureRecord) => {
        records++;
        for (const k in r) {
          const a = byName.get(k);
          // A watched feature's key is remembered by its accumulator; only other keys go in the set.
          if (a) a.addPresent(r[k]);
          else if (a === undefined && seen.size < MAX_SEEN_FIELDS) {
            seen.add(k);
            byName.set(k, null);
          }
        }
      };
  // Positional rows carry the feature order's names: counted by index, without a record object.
  const byPosition = baseline.featureOrder.map((f) => accumulators.find((a) => a.name === f));
  let positionalSeen = false;
  sink.row = (values: unknown[]) => {
    records++;
    if (!positionalSeen) {
      for (const f of baseline.featureOrder) if (seen.size < MAX_SEEN_FIELDS) seen.add(f);
      positionalSeen = true;
    }
    for (let i = 0; i < byPosition.length; i++) byPosition[i]?.add(values[i]);
  };

  const since = new Date(deps.now.getTime() - config.windowMinutes * 60_000);
  const readers = Math.max(1, config.readConcurrency ?? 32);
  const source = sagemaker ? await sageMakerKeys(config, deps.store, since, deps.now) : queueKeys(config, queue!, readers);
  const order = baseline.featureOrder;
  let unparseable = 0;
  let objects = 0;
  let truncated = false;
  const worker = async () => {
    for (;;) {
      if (outOfTime()) {
        truncated = true;
        return;
      }
      const next = await source.next();
      if (!next) return;
      if (sagemaker && deps.store.stream) {
        const complete = await forEachLine(
          await deps.store.stream(config.captureBucket, next.key),
          (line) => {
            if (!isBlank(line) && !emitSageMakerLine(line, order, sink)) unparseable++;
          },
          outOfTime,
        );
        objects++;
        if (!complete) {
          truncated = true;
          return;
        }
      } else if (!sagemaker && deps.store.getBytes) {
        unparseable += emitKServeLogBytes(await deps.store.getBytes(config.captureBucket, next.key), order, sink);
        objects++;
      } else {
        const text = await deps.store.get(config.captureBucket, next.key);
        unparseable += sagemaker ? emitSageMakerCapture(text, order, sink) : emitKServeLog(text, order, sink);
        objects++;
      }
      await next.done();
    }
  };
  await Promise.all(Array.from({ length: readers }, worker));
  await source.close();

  for (const a of accumulators) if (a.keySeen) seen.add(a.name);
  const fieldsAdded = [...seen].filter((f) => !(f in baseline.features)).sort();
  const fieldsRemoved = records ? known.filter((f) => !seen.has(f)).sort() : [];
  const insufficient = records < config.minRecords;
  const drift = insufficient ? [] : accumulators.map((a) => a.result(records));

  const endpoint = { Name: DriftDimensions.endpoint, Value: config.endpointName };
  const datum = (MetricName: string, Value: number, feature?: string, Unit: "None" | "Count" = "None"): MetricDatum => ({
    MetricName,
    Dimensions: feature ? [endpoint, { Name: DriftDimensions.feature, Value: feature }] : [endpoint],
    Value,
    Unit,
    Timestamp: deps.now,
  });
  const data: MetricDatum[] = [
    datum(EndpointMetrics.records, records, undefined, "Count"),
    datum(EndpointMetrics.insufficientRecords, insufficient ? 1 : 0),
    datum(EndpointMetrics.fieldsAdded, fieldsAdded.length, undefined, "Count"),
    datum(EndpointMetrics.fieldsRemoved, fieldsRemoved.length, undefined, "Count"),
    datum(EndpointMetrics.unparseable, unparseable, undefined, "Count"),
    datum(EndpointMetrics.unknownFeatures, unknownFeatures.length, undefined, "Count"),
    datum(EndpointMetrics.windowTruncated, truncated ? 1 : 0),
    datum(EndpointMetrics.objectsRead, objects, undefined, "Count"),
  ];
  for (const d of drift) {
    data.push(datum(FeatureMetrics.psi, d.psi, d.feature), datum(FeatureMetrics.missingRate, d.missingRate, d.feature));
    if (d.ks !== undefined) data.push(datum(FeatureMetrics.ks, d.ks, d.feature));
    if (d.jsDistance !== undefined) data.push(datum(FeatureMetrics.jsDistance, d.jsDistance, d.feature));
  }
  for (let i = 0; i < data.length; i += 500) await deps.metrics.put(DRIFT_NAMESPACE, data.slice(i, i + 500));

  return { records, objects, unparseable, insufficient, truncated, unknownFeatures, fieldsAdded, fieldsRemoved, drift };
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
    ...(env.FEATURE_TYPES ? { featureTypes: JSON.parse(env.FEATURE_TYPES) as Record<string, string> } : {}),
    ...(env.QUEUE_URL ? { queueUrl: env.QUEUE_URL } : {}),
    ...(env.READ_CONCURRENCY ? { readConcurrency: Number(env.READ_CONCURRENCY) } : {}),
  };
}

/** Time the Lambda keeps after the reading stops, to publish the metrics and log the report. */
export const PUBLISH_RESERVE_MS = 20_000;

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The Lambda entry point. The AWS SDK v3 clients come from the Node.js Lambda runtime, so the job
 * ships with no dependency of its own.
 */
export async function handler(_event?: unknown, context?: { getRemainingTimeInMillis?: () => number }): Promise<DriftReport> {
  const s3sdk = require("@aws-sdk/client-s3");
  const cwsdk = require("@aws-sdk/client-cloudwatch");
  const config = configFromEnv(process.env);
  const s3 = new s3sdk.S3Client({});
  const cloudwatch = new cwsdk.CloudWatchClient({});
  const store: ObjectStore = {
    async list(bucket, prefix, options) {
      const page = await s3.send(
        new s3sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: options.delimiter, ContinuationToken: options.continuationToken }),
      );
      return {
        objects: (page.Contents ?? []).filter((o: { Key?: string; LastModified?: Date }) => o.Key && o.LastModified).map((o: { Key: string; LastModified: Date }) => ({ key: o.Key, lastModified: o.LastModified })),
        prefixes: (page.CommonPrefixes ?? []).map((p: { Prefix?: string }) => p.Prefix).filter(Boolean),
        nextToken: page.IsTruncated ? page.NextContinuationToken : undefined,
      };
    },
    async get(bucket, key) {
      const o = await s3.send(new s3sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      return o.Body.transformToString("utf-8");
    },
    async getBytes(bucket, key) {
      const o = await s3.send(new s3sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      return o.Body.transformToByteArray();
    },
    async stream(bucket, key) {
      const o = await s3.send(new s3sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      return o.Body as AsyncIterable<Uint8Array>;
    },
  };
  let queue: CaptureQueue | undefined;
  if (config.queueUrl) {
    const sqssdk = require("@aws-sdk/client-sqs");
    const sqs = new sqssdk.SQSClient({});
    queue = {
      async receive(max) {
        // A one-second long poll asks every SQS server, so an empty answer means an empty queue.
        const r = await sqs.send(new sqssdk.ReceiveMessageCommand({ QueueUrl: config.queueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: 1 }));
        return (r.Messages ?? []).map((m: { ReceiptHandle: string; Body: string }) => ({ receiptHandle: m.ReceiptHandle, body: m.Body }));
      },
      async delete(handles) {
        await sqs.send(
          new sqssdk.DeleteMessageBatchCommand({ QueueUrl: config.queueUrl, Entries: handles.map((h, i) => ({ Id: String(i), ReceiptHandle: h })) }),
        );
      },
    };
  }
  const metrics: MetricSink = {
    async put(namespace, data) {
      await cloudwatch.send(new cwsdk.PutMetricDataCommand({ Namespace: namespace, MetricData: data }));
    },
  };
  const remaining = context?.getRemainingTimeInMillis?.();
  const deadline = remaining === undefined ? undefined : Date.now() + Math.max(0, remaining - PUBLISH_RESERVE_MS);
  const report = await runDriftJob(config, { store, queue, metrics, now: new Date(), deadline });
  console.log(JSON.stringify({ ...report, drift: report.drift.map((d) => ({ ...d })) }));
  return report;
}
