export * from "./mlops-guardrails";
