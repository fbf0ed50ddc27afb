/** Value types of features. Each engine accepts the types it can store (see its docs). */
export enum FeatureType {
  STRING = "String",
  INT32 = "Int32",
  INT64 = "Int64",
  FLOAT32 = "Float32",
  FLOAT64 = "Float64",
  BOOL = "Bool",
  /** A point in time (event time features). */
  UNIX_TIMESTAMP = "UnixTimestamp",
}

/** One feature of a group. */
export interface FeatureDefinition {
  /** Feature name. */
  readonly name: string;
  /** Value type. */
  readonly type: FeatureType;
}

/** A feature group (Feast: entity + feature view; SageMaker: feature group). */
export interface FeatureGroupDefinition {
  /** Group name. */
  readonly name: string;
  /** The feature that identifies a record (Feast join key, SageMaker record identifier); one of `features`. */
  readonly recordIdentifier: string;
  /** The feature that holds the event time; one of `features`. */
  readonly eventTimeFeature: string;
  /** The features, including the record identifier and the event time. */
  readonly features: FeatureDefinition[];
  /**
   * Serve the group from the online store.
   * @default true
   */
  readonly online?: boolean;
  /**
   * Keep the group's history in the offline store.
   * @default true
   */
  readonly offline?: boolean;
  /**
   * How long a record stays valid online, days (Feast view TTL; SageMaker online TTL).
   * @default - no expiry
   */
  readonly ttlDays?: number;
  /**
   * Description.
   * @default - none
   */
  readonly description?: string;
}

/** A problem an engine finds in the feature group declarations. */
export interface FeatureGroupIssue {
  readonly path: (string | number)[];
  readonly message: string;
}
