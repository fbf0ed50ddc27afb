import { FeatureGroupDefinition, FeatureType } from "../../src";

/** The fraud model's features, declared once and used by both example platforms. */
export const FRAUD_FEATURES: FeatureGroupDefinition[] = [
  {
    name: "customer_transactions",
    description: "Rolling transaction statistics per customer",
    recordIdentifier: "customer_id",
    eventTimeFeature: "event_time",
    ttlDays: 7,
    features: [
      { name: "customer_id", type: FeatureType.STRING },
      { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
      { name: "txn_count_1h", type: FeatureType.INT64 },
      { name: "txn_amount_avg_24h", type: FeatureType.FLOAT64 },
      { name: "distinct_merchants_7d", type: FeatureType.INT32 },
    ],
  },
  {
    name: "merchant_risk",
    recordIdentifier: "merchant_id",
    eventTimeFeature: "event_time",
    features: [
      { name: "merchant_id", type: FeatureType.STRING },
      { name: "event_time", type: FeatureType.UNIX_TIMESTAMP },
      { name: "chargeback_rate_30d", type: FeatureType.FLOAT64 },
      { name: "category", type: FeatureType.STRING },
    ],
  },
];
