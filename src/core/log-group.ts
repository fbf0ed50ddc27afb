import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";

/** Options of {@link encryptedLogGroup}. */
export interface LogGroupOptions {
  readonly name: string;
  readonly retentionDays: number;
  /** ARN of the KMS key that encrypts the log events. */
  readonly kmsKeyArn: string;
  readonly tags?: Record<string, string>;
}

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** A CloudWatch log group encrypted with a KMS key and with a retention: the one shape used everywhere. */
export function encryptedLogGroup(scope: Construct, id: string, opts: LogGroupOptions): CloudwatchLogGroup {
  return new CloudwatchLogGroup(scope, id, {
    name: opts.name,
    retentionInDays: opts.retentionDays,
    kmsKeyId: opts.kmsKeyArn,
    tags: opts.tags,
  });
}
