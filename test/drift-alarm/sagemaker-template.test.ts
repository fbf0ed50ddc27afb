/**
 * SageMaker capture lines read from SageMaker's own layout (`templatedInput`): a line in that layout gives
 * its `endpointInput` without parsing the object around the data, and every line it reads gives exactly
 * the input that parsing the line (`parsedEndpointInput`) gives; any other line is left to the parse.
 */
import fc from "fast-check";
import { parsedEndpointInput, parseSageMakerCapture, templatedInput } from "../../src/drift-alarm/job/parsers";

const OUTPUT_KEY = ',"endpointOutput":';
const ORDER = ["a", "b", "c"];

/** A capture line as SageMaker writes it (key order of its documentation and of real captures). */
function line(input: { observedContentType: string; mode?: string; data: string; encoding: string }, tail = true): string {
  const endpointInput = { observedContentType: input.observedContentType, mode: input.mode ?? "INPUT", data: input.data, encoding: input.encoding };
  const endpointOutput = { observedContentType: "application/json", mode: "OUTPUT", data: '{"predictions": [0.02]}', encoding: "JSON" };
  return JSON.stringify({
    captureData: tail ? { endpointInput, endpointOutput } : { endpointInput },
    eventMetadata: { eventId: "e-1", inferenceTime: "2026-11-25T10:30:00Z" },
    eventVersion: "0",
  });
}

/** What the parse gives (mode aside: the reader does not use it), or "throws". */
function parsed(text: string): unknown {
  try {
    const input = parsedEndpointInput(text);
    if (!input || typeof input.data !== "string") return input;
    return { observedContentType: input.observedContentType, data: input.data, encoding: input.encoding };
  } catch {
    return "throws";
  }
}

const read = (text: string) => templatedInput(text, text.indexOf(OUTPUT_KEY));

// Text with everything JSON escapes or that sits next to the layout's delimiters.
const awkward = fc.array(fc.constantFrom(...'ab"\\\u0001\n\t{}:,é\u2028\ud800'), { maxLength: 12 }).map((cs) => cs.join(""));
const body = fc.oneof(
  fc.record({ a: fc.double({ noNaN: true, noDefaultInfinity: true }), b: fc.integer(), c: awkward }).map((r) => JSON.stringify({ instances: [r] })),
  fc.constant('{"instances":[{"a":1}]}","encoding":"JSON"},"endpointOutput":{'),
  fc.constant(""),
  awkward,
);
const inputArb = fc.record({
  observedContentType: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("application/json", "text/csv", "application/jsonlines") },
    { weight: 1, arbitrary: awkward },
  ),
  mode: fc.oneof({ weight: 9, arbitrary: fc.constant("INPUT") }, { weight: 1, arbitrary: fc.constantFrom("OUTPUT", "input") }),
  data: body,
  encoding: fc.oneof({ weight: 4, arbitrary: fc.constantFrom("JSON", "CSV", "BASE64") }, { weight: 1, arbitrary: awkward }),
});
/**
 * One edit of a line: a character put in, taken out or replaced, anywhere, or (half the time) next to
 * one of the line's delimiters.
 */
const editArb = fc.record({
  at: fc.nat(),
  nearDelimiter: fc.boolean(),
  offset: fc.integer({ min: -1, max: 1 }),
  kind: fc.constantFrom("insert", "delete", "replace"),
  char: fc.constantFrom('"', "\\", "}", "{", ",", ":", " ", "a", "\u0001"),
});
function edit(text: string, e: { at: number; nearDelimiter: boolean; offset: number; kind: string; char: string }): string {
  const delimiters = [...text.matchAll(/["{}:,\\]/g)].map((m) => m.index);
  const at = e.nearDelimiter ? Math.max(0, delimiters[e.at % delimiters.length] + e.offset) : e.at % (text.length + 1);
  if (e.kind === "insert") return text.slice(0, at) + e.char + text.slice(at);
  return text.slice(0, at) + (e.kind === "replace" ? e.char : "") + text.slice(at + 1);
}

describe("SageMaker lines in SageMaker's layout", () => {
  test("any line, intact or with one edit anywhere: what the reader gives is what the parse gives", () => {
    let readLines = 0;
    let declined = 0;
    fc.assert(
      fc.property(inputArb, fc.boolean(), fc.option(editArb, { nil: undefined, freq: 2 }), (input, tail, e) => {
        const intact = line(input, tail || !e);
        const text = e ? edit(intact, e) : intact;
        const got = read(text);
        if (got === undefined) declined++;
        else {
          readLines++;
          expect(got).toEqual(parsed(text));
        }
      }),
      { numRuns: 3000, seed: 17 },
    );
    // Both ways were taken, many times.
    expect(readLines).toBeGreaterThan(1000);
    expect(declined).toBeGreaterThan(600);
  });

  test("the usual line is read, with its content type, data and encoding", () => {
    const data = JSON.stringify({ instances: [{ a: 1.5, b: 2, c: 'say "hi" \\ é' }] });
    const text = line({ observedContentType: "application/json", data, encoding: "JSON" });
    expect(read(text)).toEqual({ observedContentType: "application/json", data, encoding: "JSON" });
    expect(parseSageMakerCapture(text, ORDER)).toEqual({ records: [{ a: 1.5, b: 2, c: 'say "hi" \\ é' }], unparseable: 0 });
  });

  test.each([
    ["a mode other than INPUT", line({ observedContentType: "application/json", mode: "input", data: "{}", encoding: "JSON" })],
    ["a content type with an escape", line({ observedContentType: 'a"b', data: "{}", encoding: "JSON" })],
    ["an encoding with an escape", line({ observedContentType: "application/json", data: "{}", encoding: "JS\nON" })],
    [
      "a raw control character in the encoding (not JSON)",
      line({ observedContentType: "application/json", data: "{}", encoding: "JSON" }).replace('"encoding":"JSON"', '"encoding":"JS\u0001ON"'),
    ],
    [
      "a raw control character in the content type (not JSON)",
      line({ observedContentType: "application/json", data: "{}", encoding: "JSON" }).replace("application/json", "application/\tjson"),
    ],
    ["no outputs", line({ observedContentType: "application/json", data: "{}", encoding: "JSON" }, false)],
    [
      "another key order",
      JSON.stringify({ captureData: { endpointInput: { data: "{}", encoding: "JSON", observedContentType: "x", mode: "INPUT" } } }),
    ],
    ["white space between tokens", line({ observedContentType: "application/json", data: "{}", encoding: "JSON" }).replace('"mode":', '"mode": ')],
  ])("%s: left to the parse", (_name, text) => {
    expect(read(text)).toBeUndefined();
    expect(parsed(text)).not.toBeUndefined();
  });

  test("a data string that is not one JSON string (an unescaped quote) is left to the parse, which counts the line", () => {
    const text = line({ observedContentType: "application/json", data: "{}", encoding: "JSON" }).replace('"data":"{}"', '"data":"{"}"');
    expect(read(text)).toBeUndefined();
    expect(parseSageMakerCapture(text, ORDER)).toEqual({ records: [], unparseable: 1 });
  });
});
