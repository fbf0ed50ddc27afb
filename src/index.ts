export * from "./core";
export * from "./network";
export * from "./training-cluster";
export * from "./model-registry";
export * from "./feature-store";
export * from "./serving-endpoint";
export * from "./drift-alarm";
