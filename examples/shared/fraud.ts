import { Construct } from "constructs";
import { DriftAlarm, DriftAlarmProps, IServingEndpoint, ModelRegistry } from "../../src";

/**
 * The fraud model's drift alarm, as every example watches it: the baseline travels with the model
 * version (written by `npx cdktf-mlops baseline` at training time), and the watched features are the
 * model's inputs. `more` adds or overrides props (where it notifies, what it retrains).
 */
export function fraudDriftAlarm(
  scope: Construct,
  endpoint: IServingEndpoint,
  registry: ModelRegistry,
  more: Partial<DriftAlarmProps> = {},
): DriftAlarm {
  const version = registry.model("fraud", "3");
  return new DriftAlarm(scope, "fraud-drift", {
    endpoint,
    baselineS3Uri: `${version.artifactS3Uri}baseline.json`,
    baselineKmsKeyArn: version.artifactKmsKeyArn,
    numericFeatures: ["txn_amount", "txn_count_1h"],
    categoricalFeatures: ["merchant_category"],
    notify: ["ml-oncall@acme.io"],
    ...more,
  });
}
