export * from "./contract";
export * from "./capture-format";
export * from "./engines";
export * from "./serving-endpoint";
export { KServeInstallation } from "./private/kserve-install";
