import { describe, expect, it } from "vitest";
import { previewDomain, previewOriginPattern, previewUrl } from "../../src/lib/previews/url.ts";
import { isPreviewOwnCookie, parsePreviewHost } from "../../src/worker/preview.ts";

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
    expect(previewUrl({ appOrigin: "http://127.0.0.1:8787" }, target)).toBe(
      "http://8080-abcdefghij0123456789-a1b2c3d4e5f6g7h8i9j0k1l2.localhost:8787/",
    );
    expect(previewUrl({ appOrigin: "http://localhost:8787" }, target)).toBe(
      "http://8080-abcdefghij0123456789-a1b2c3d4e5f6g7h8i9j0k1l2.localhost:8787/",
    );
  });

  it("puts production previews on the app's own domain, in one label of at most 63 characters that parses back", () => {
    const url = new URL(previewUrl({ appOrigin: "https://netm8.example" }, { ...target, port: 65535 }));
    expect(url.origin).toBe("https://65535-abcdefghij0123456789-a1b2c3d4e5f6g7h8i9j0k1l2.netm8.example");
    expect(url.hostname.split(".")[0]!.length).toBeLessThanOrEqual(63);
    expect(parsePreviewHost(url.host)).toEqual({ ...target, port: 65535 });
  });

  it("refuses a label longer than DNS allows", () => {
    expect(() =>
      previewUrl({ appOrigin: "https://netm8.example" }, { ...target, sandboxId: "x".repeat(36), token: "y".repeat(32) }),
    ).toThrow(/63/);
  });
});

describe("a preview domain of its own (PREVIEW_DOMAIN)", () => {
  const target = { port: 8080, sandboxId: "abcdefghij0123456789", token: "a1b2c3d4e5f6g7h8i9j0k1l2" };
  const site = { appOrigin: "https://netm8.example", previewDomain: "netm8preview.dev" };

  it("puts previews on the preview domain, and only hosts there parse as previews", () => {
    const url = new URL(previewUrl(site, target));
    expect(url.origin).toBe("https://8080-abcdefghij0123456789-a1b2c3d4e5f6g7h8i9j0k1l2.netm8preview.dev");
    expect(parsePreviewHost(url.host, site.previewDomain)).toEqual(target);
    expect(parsePreviewHost(`${url.hostname.split(".")[0]}.netm8.example`, site.previewDomain)).toBeNull();
    expect(parsePreviewHost(`${url.hostname.split(".")[0]}.x.netm8preview.dev`, site.previewDomain)).toBeNull();
    expect(previewOriginPattern(site)).toBe("https://*.netm8preview.dev");
  });

  it("keeps a port given with the domain and ignores the Host header's port when parsing", () => {
    const local = { appOrigin: "http://127.0.0.1:8787", previewDomain: "previews.test:8787" };
    const url = new URL(previewUrl(local, target));
    expect(url.host).toBe("8080-abcdefghij0123456789-a1b2c3d4e5f6g7h8i9j0k1l2.previews.test:8787");
    expect(parsePreviewHost(url.host, local.previewDomain)).toEqual(target);
  });

  it("normalizes PREVIEW_DOMAIN and refuses one under the app's own host", () => {
    expect(previewDomain({ PREVIEW_DOMAIN: " *.NetM8Preview.dev/ " })).toBe("netm8preview.dev");
    expect(previewDomain({ PREVIEW_DOMAIN: "" })).toBeUndefined();
    expect(() => previewDomain({ PREVIEW_DOMAIN: "https://x.dev/path" })).toThrow(/host name/);
    expect(() => previewDomain({ PREVIEW_DOMAIN: "previews.netm8.example", APP_URL: "https://netm8.example" })).toThrow(/under it/);
  });
});

describe("cookies a preview may set", () => {
  it("keeps the workspace server's host-only cookies", () => {
    expect(isPreviewOwnCookie("theme=dark; Path=/; HttpOnly")).toBe(true);
    expect(isPreviewOwnCookie("__Host-vite=1; Path=/; Secure")).toBe(true);
  });

  it("drops any cookie with a Domain attribute and any cookie named like the app's", () => {
    expect(isPreviewOwnCookie("theme=dark; Domain=netm8.example")).toBe(false);
    expect(isPreviewOwnCookie("theme=dark; path=/; DOMAIN = .localhost")).toBe(false);
    for (const name of [
      "netm8.session_token",
      "__Host-netm8.session_token",
      "__Secure-netm8.session_token",
      "__secure-NETM8.admin_session",
    ])
      expect(isPreviewOwnCookie(`${name}=x; Path=/api`), name).toBe(false);
    expect(isPreviewOwnCookie("=netm8.session_token=x; Path=/")).toBe(false);
  });
});
