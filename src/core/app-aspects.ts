import { App, Aspects, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";

/**
 * cdktf 0.21 invokes aspects from each stack down (`invokeAspects(stack)`), so an aspect added to
 * the App itself never runs. Hands the App's aspects to every stack of the app (once each), so that
 * `Aspects.of(app).add(...)` means what it says. Called from `MlopsStack.prepareStack()`, which cdktf
 * runs for every stack before it synthesizes any.
 */
export function inheritAppAspects(scope: IConstruct): void {
  let app: App;
  try {
    app = App.of(scope);
  } catch {
    return;
  }
  const appAspects = Aspects.of(app).all;
  if (appAspects.length === 0) return;
  for (const stack of app.node.findAll().filter(TerraformStack.isStack)) {
    const own = Aspects.of(stack);
    for (const a of appAspects) if (!own.all.includes(a)) own.add(a);
  }
}
