import { IConstruct } from "constructs";
import { DefaultTokenResolver, StringConcat, TerraformDataSource, TerraformResource, TerraformStack, Tokenization } from "cdktf";

/** One resource or data source of a stack, with its arguments as Terraform will read them (tokens resolved). */
export interface Element {
  readonly construct: IConstruct;
  readonly kind: "resource" | "data";
  readonly type: string;
  readonly name: string;
  /** `aws_s3_bucket.name` or `data.aws_iam_policy_document.name`. */
  readonly address: string;
  readonly path: string;
  /** The synthesized arguments (snake_case, references as `${...}`); `{}` when they could not be resolved. */
  readonly values: Record<string, any>;
  /** False when resolving the arguments failed (the rules then see no arguments and judge nothing). */
  readonly resolved: boolean;
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Resolves tokens as `stack.toTerraform()` does (references become `${type.name.attr}`). */
export function resolveIn(stack: TerraformStack, value: unknown): any {
  return Tokenization.resolve(value, { scope: stack, preparing: false, resolver: RESOLVER });
}

const WHOLE_REF = /^\$\{((?:data\.)?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)((?:\.|\[)[^{}]*)?\}$/;

/** The resources and data sources of one stack (or of one subtree of it), indexed for the rules. */
export class StackModel {
  public readonly elements: Element[] = [];
  private readonly byAddress = new Map<string, Element>();
  private readonly byTypeIndex = new Map<string, Element[]>();

  constructor(
    public readonly stack: TerraformStack,
    root: IConstruct,
  ) {
    for (const c of root.node.findAll()) {
      const el = toElement(stack, c);
      if (!el) continue;
      this.elements.push(el);
      this.byAddress.set(el.address, el);
      const list = this.byTypeIndex.get(el.type) ?? [];
      list.push(el);
      this.byTypeIndex.set(el.type, list);
    }
  }

  /** Resources (or data sources) of one type. */
  public byType(type: string, kind: "resource" | "data" = "resource"): Element[] {
    return (this.byTypeIndex.get(type) ?? []).filter((e) => e.kind === kind);
  }

  /** The element a whole-string reference `${type.name.attr}` points to, if it is in this model. */
  public deref(value: unknown): Element | undefined {
    const target = refTarget(value);
    return target ? this.byAddress.get(target) : undefined;
  }

  /**
   * The elements of `type` whose argument `arg` points to `target`: by reference to any of its
   * attributes, or (for literal values) equal to one of the target's literal `names`.
   */
  public pointingTo(type: string, arg: string, target: Element, names: unknown[] = []): Element[] {
    const literals = names.filter((n) => typeof n === "string" && !isRef(n));
    return this.byType(type).filter((e) => {
      const v = e.values[arg];
      return refTarget(v) === target.address || (typeof v === "string" && literals.includes(v));
    });
  }
}

function toElement(stack: TerraformStack, c: IConstruct): Element | undefined {
  let kind: "resource" | "data";
  let type: string;
  let name: string;
  let raw: () => any;
  if (TerraformResource.isTerraformResource(c)) {
    const r = c as TerraformResource;
    kind = "resource";
    type = r.terraformResourceType;
    name = r.friendlyUniqueId;
    raw = () => r.toTerraform().resource?.[type]?.[name];
  } else if (c instanceof TerraformDataSource) {
    kind = "data";
    type = c.terraformResourceType;
    name = c.friendlyUniqueId;
    raw = () => c.toTerraform().data?.[type]?.[name];
  } else {
    return undefined;
  }
  let values: Record<string, any> = {};
  let resolved = true;
  try {
    const v = resolveIn(stack, raw());
    if (v && typeof v === "object") values = v;
  } catch {
    resolved = false;
  }
  return {
    construct: c,
    kind,
    type,
    name,
    address: kind === "data" ? `data.${type}.${name}` : `${type}.${name}`,
    path: c.node.path,
    values,
    resolved,
  };
}

/** Whether a value is (or contains) a reference or expression known only at plan or apply time. */
export function isRef(v: unknown): boolean {
  return typeof v === "string" && v.includes("${");
}

/** `type.name` (or `data.type.name`) of a whole-string reference, else undefined. */
export function refTarget(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  const m = WHOLE_REF.exec(v);
  return m ? m[1] : undefined;
}

/** A nested block as one object, whether cdktf synthesized it as an object or a one-element list. */
export function block(v: unknown): Record<string, any> | undefined {
  if (Array.isArray(v)) v = v[0];
  return v && typeof v === "object" ? (v as Record<string, any>) : undefined;
}

/** A repeated block or a list argument as a list (`undefined` and single objects included). */
export function list(v: unknown): any[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Three-valued truth of a boolean argument: true, false, or undefined when it is a reference or unset. */
export function truth(v: unknown): boolean | undefined {
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  return undefined;
}

/** A number argument, or undefined when it is unset or a reference. */
export function num(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}
