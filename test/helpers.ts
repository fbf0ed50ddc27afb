import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack, Testing } from "cdktf";
import { MlopsStack, MlopsStackProps, MlopsValidationError } from "../src";

/** A synthesized Terraform JSON document. */
export type TfDoc = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, Record<string, unknown>[]>;
  terraform?: Record<string, unknown>;
  output?: Record<string, unknown>;
};

/** A resource of a document: its type, name, `type.name` address and arguments. */
export interface TfResource {
  type: string;
  name: string;
  address: string;
  path: string;
  values: Record<string, any>;
}

export function newApp(): App {
  return Testing.app();
}

/** An MlopsStack in a fresh app, with the props of the reference platform unless told otherwise. */
export function newStack(props: Partial<MlopsStackProps> = {}, app: App = newApp(), id = "platform"): MlopsStack {
  return new MlopsStack(app, id, { region: "eu-west-1", name: "acme-ml", ...props });
}

/**
 * Synthesizes the app of `stack` and returns the stack's parsed cdk.tf.json, as `cdktf synth` writes
 * it (with each resource's construct path in its `//` metadata, which `Testing.synth` strips).
 */
export function synth(stack: TerraformStack): TfDoc {
  return synthApp(App.of(stack))[stack.node.id];
}

/** Synthesizes a whole app and returns each stack's parsed cdk.tf.json by stack id. */
export function synthApp(app: App): Record<string, TfDoc> {
  app.synth();
  const dir = path.join(app.outdir, "stacks");
  const out: Record<string, TfDoc> = {};
  for (const id of fs.readdirSync(dir)) {
    out[id] = JSON.parse(fs.readFileSync(path.join(dir, id, "cdk.tf.json"), "utf8"));
  }
  return out;
}

/** All resources (or data sources, with `kind = "data"`) of `type`, or of every type when `type` is left out. */
export function resources(doc: TfDoc, type?: string, kind: "resource" | "data" = "resource"): TfResource[] {
  const all: TfResource[] = [];
  for (const [t, byName] of Object.entries(doc[kind] ?? {})) {
    if (type && t !== type) continue;
    for (const [name, values] of Object.entries(byName)) {
      const meta = (values["//"] as { metadata?: { path?: string } } | undefined)?.metadata;
      all.push({ type: t, name, address: `${kind === "data" ? "data." : ""}${t}.${name}`, path: meta?.path ?? "", values });
    }
  }
  return all;
}

/** The single resource of `type` whose construct path ends with `pathSuffix`; fails otherwise. */
export function resource(doc: TfDoc, type: string, pathSuffix: string, kind: "resource" | "data" = "resource"): TfResource {
  const found = resources(doc, type, kind).filter((r) => r.path.endsWith(pathSuffix));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} at …${pathSuffix}, found ${found.length}: ${resources(doc, type, kind)
        .map((r) => r.path)
        .join(", ")}`,
    );
  }
  return found[0];
}

/** `${type.name.attr}`: the interpolation that references another resource's attribute. */
export function ref(r: TfResource, attr: string): string {
  return `\${${r.address}.${attr}}`;
}

/** The statements of the `aws_iam_policy_document` data source that `policyArg` (`${data...json}`) points to. */
export function policyStatements(doc: TfDoc, policyArg: string): Record<string, any>[] {
  const m = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policyArg);
  if (!m) throw new Error(`not a reference to a policy document: ${policyArg}`);
  const d = doc.data?.aws_iam_policy_document?.[m[1]] as { statement: Record<string, any>[] } | undefined;
  if (!d) throw new Error(`no policy document ${m[1]}`);
  return d.statement;
}

/** The values of a helm_release, parsed back from its single JSON values document. */
export function helmValues(r: TfResource): Record<string, any> {
  const values = r.values.values as string[];
  expect(values).toHaveLength(1);
  return JSON.parse(values[0]);
}

/** Every string anywhere in a JSON value. */
export function allStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => allStrings(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => allStrings(x, out));
  return out;
}

/** The MlopsValidationError that `build` throws (fails the test when it throws nothing or something else). */
export function validationError(build: () => unknown): Error {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(MlopsValidationError);
    return e as Error;
  }
  throw new Error("expected an MlopsValidationError, but nothing was thrown");
}

/** An ACM certificate ARN for exposure tests (well-formed; no such certificate exists). */
export const TEST_CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-aaaa-bbbb-cccc-111122223333";

/** Attributes of an EKS cluster made elsewhere, for `TrainingCluster.fromClusterAttributes` in tests. */
export const IMPORTED_CLUSTER = {
  clusterName: "prod-eks",
  clusterEndpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
  clusterCertificateAuthorityData: "Q0E=",
  oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
  oidcIssuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
  clusterSecurityGroupId: "sg-0123456789abcdef0",
  vpcId: "vpc-0123456789abcdef0",
  privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
};
