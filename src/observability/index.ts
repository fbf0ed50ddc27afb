export * from "./platform-alarms";
export * from "./platform-budget";
export * from "./platform-dashboard";
