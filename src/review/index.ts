export * from "./load";
export * from "./diff";
export * from "./dangers";
export * from "./cost";
export * from "./platform";
export * from "./review";
export { main } from "./cli";
