export * from "./contract";
export * from "./drift-alarm";
