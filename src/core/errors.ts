/**
 * Thrown when a construct is given props it cannot build from. The message names the construct
 * type, its path in the construct tree, the field and the offending value, e.g.
 * `TrainingCluster ml-platform/training: gpuNodePools[1].maxSize (0) must be >= minSize (1)`.
 *
 * jsii cannot model a subclass of `Error`, so the class is TypeScript/JavaScript only: other languages
 * see the thrown error with the same message.
 *
 * @jsii ignore
 */
export class MlopsValidationError extends Error {
  /** The construct path, e.g. `ml-platform/training`. */
  public readonly constructPath: string;
  /** The field path inside the props, e.g. `gpuNodePools[1].maxSize`. */
  public readonly field: string;

  constructor(constructType: string, constructPath: string, field: string, detail: string) {
    super(`${constructType} ${constructPath}: ${field ? field + " " : ""}${detail}`);
    this.name = "MlopsValidationError";
    this.constructPath = constructPath;
    this.field = field;
  }
}
