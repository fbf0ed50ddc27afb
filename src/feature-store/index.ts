export * from "./contract";
export * from "./engines";
export * from "./feature-types";
export * from "./feature-store";
