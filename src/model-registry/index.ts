export * from "./engines";
export * from "./model-registry";
