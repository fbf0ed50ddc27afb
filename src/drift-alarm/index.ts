export * from "./drift-alarm";
