export * from "./mlops-network";
