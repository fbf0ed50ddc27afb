export * from "./contract";
export * from "./gpu-instances";
export * from "./gpu-node-pool";
export * from "./labels";
export * from "./team-namespace";
export * from "./training-cluster";
export * from "./imported-cluster";
export * from "./observability";
