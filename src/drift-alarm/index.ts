export * from "./job/metrics";
export * from "./drift-alarm";
