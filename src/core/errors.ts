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

  /**
   * Every problem of the props object, each with its field path (one element when there is one
   * problem; `field` is the first one's).
   */
  public readonly problems: ReadonlyArray<{ readonly field: string; readonly detail: string }>;

  /**
   * One error for several problems of one props object: one line per problem, each reading
   * `Type path: field detail` (with one problem, exactly the message of the constructor).
   */
  public static ofProblems(
    constructType: string,
    constructPath: string,
    problems: ReadonlyArray<{ readonly field: string; readonly detail: string }>,
  ): MlopsValidationError {
    if (problems.length <= 1)
      return new MlopsValidationError(constructType, constructPath, problems[0]?.field ?? "", problems[0]?.detail ?? "is invalid");
    const [first, ...rest] = problems;
    const more = rest.map((p) => `\n${constructType} ${constructPath}: ${p.field ? p.field + " " : ""}${p.detail}`).join("");
    return new MlopsValidationError(constructType, constructPath, first.field, first.detail + more, problems);
  }

  constructor(
    constructType: string,
    constructPath: string,
    field: string,
    detail: string,
    problems?: ReadonlyArray<{ readonly field: string; readonly detail: string }>,
  ) {
    super(`${constructType} ${constructPath}: ${field ? field + " " : ""}${detail}`);
    this.name = "MlopsValidationError";
    this.constructPath = constructPath;
    this.field = field;
    this.problems = problems ?? [{ field, detail }];
  }
}
