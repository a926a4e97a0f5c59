import { describe, expect, it } from "vitest";
import { parsePreviewHost } from "../../src/worker/preview.ts";

describe("preview host parsing", () => {
  it("reads port, sandbox id and token from the first label of the Host header", () => {
    expect(parsePreviewHost("3000-ab12cd-tok3n0123.localhost:8787")).toEqual({ port: 3000, sandboxId: "ab12cd", token: "tok3n0123" });
  });

  it("is case-insensitive, as DNS names are", () => {
    expect(parsePreviewHost("8080-AB12-TOKEN0123.preview.example.com")).toEqual({ port: 8080, sandboxId: "ab12", token: "token0123" });
  });

  it("does not treat the app's own hosts as previews", () => {
    expect(parsePreviewHost("localhost:8787")).toBeNull();
    expect(parsePreviewHost("127.0.0.1:8787")).toBeNull();
    expect(parsePreviewHost("app.example.com")).toBeNull();
    expect(parsePreviewHost(null)).toBeNull();
  });

  it("refuses ports outside 1-65535, short tokens and labels without a domain", () => {
    expect(parsePreviewHost("0-abc-tok3n0123.localhost")).toBeNull();
    expect(parsePreviewHost("70000-abc-tok3n0123.localhost")).toBeNull();
    expect(parsePreviewHost("3000-abc-short.localhost")).toBeNull();
    expect(parsePreviewHost("3000-abc-tok3n0123")).toBeNull();
  });
});
