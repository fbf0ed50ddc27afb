import { App } from "cdktf";
import { buildReferencePlatform } from "../../examples/reference-platform/main";
import { buildSageMakerPlatform } from "../../examples/sagemaker-platform/main";
import { buildExistingClusterPlatform } from "../../examples/existing-cluster/main";
import { newApp, synthApp } from "../helpers";
import { outputProblems } from "./checker";

const EXAMPLES: Record<string, (app: App) => unknown> = {
  "reference-platform": buildReferencePlatform,
  "sagemaker-platform": buildSageMakerPlatform,
  "existing-cluster": buildExistingClusterPlatform,
};

describe.each(Object.entries(EXAMPLES))("examples/%s", (_name, build) => {
  test("passes the fuzz output checker: names within their rules and unique in their scope across stacks, no token text, Python that parses", () => {
    const app = newApp();
    build(app);
    expect(outputProblems(synthApp(app))).toEqual([]);
  });
});
