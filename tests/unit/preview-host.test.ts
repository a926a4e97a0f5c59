import { describe, expect, it } from "vitest";
import { previewUrl } from "../../src/lib/previews/url.ts";
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

describe("preview URLs", () => {
  const target = { port: 8080, sandboxId: "abcdefghij0123456789", token: "a1b2c3d4e5f6g7h8i9j0k1l2" };

  it("puts local previews under *.localhost with the app's port, which browsers resolve to loopback", () => {
    expect(previewUrl("http://127.0.0.1:8787", target)).toBe("http://8080-abcdefghij0123456789-a1b2c3d4e5f6g7h8i9j0k1l2.localhost:8787/");
    expect(previewUrl("http://localhost:8787", target)).toBe("http://8080-abcdefghij0123456789-a1b2c3d4e5f6g7h8i9j0k1l2.localhost:8787/");
  });

  it("puts production previews on the app's own domain, in one label of at most 63 characters that parses back", () => {
    const url = new URL(previewUrl("https://netm8.example", { ...target, port: 65535 }));
    expect(url.origin).toBe("https://65535-abcdefghij0123456789-a1b2c3d4e5f6g7h8i9j0k1l2.netm8.example");
    expect(url.hostname.split(".")[0]!.length).toBeLessThanOrEqual(63);
    expect(parsePreviewHost(url.host)).toEqual({ ...target, port: 65535 });
  });

  it("refuses a label longer than DNS allows", () => {
    expect(() => previewUrl("https://netm8.example", { ...target, sandboxId: "x".repeat(36), token: "y".repeat(32) })).toThrow(/63/);
  });
});
