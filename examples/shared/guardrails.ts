import { App, Aspects } from "cdktf";
import { GuardrailPack, MlopsGuardrails } from "../../src";

/** Checks every resource of every stack of `app` against every rule pack; an unsuppressed error fails the synth. */
export function withGuardrails(app: App): App {
  Aspects.of(app).add(new MlopsGuardrails({ packs: [GuardrailPack.SECURITY, GuardrailPack.COST, GuardrailPack.DATA_PROTECTION] }));
  return app;
}
