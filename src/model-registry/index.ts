export * from "./contract";
export * from "./engines";
export * from "./model-registry";
