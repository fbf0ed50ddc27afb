export * from "./gpu-instances";
export * from "./gpu-node-pool";
export * from "./team-namespace";
export * from "./training-cluster";
