/** Debian packages the platform needs at run time (sandboxd) and the test suite needs on top (a real browser). */
export const RUNTIME_PACKAGES = ["bubblewrap", "passt", "git", "e2fsprogs", "python3", "python3-seccomp", "iproute2", "util-linux"];
export const TEST_PACKAGES = ["chromium", "fonts-liberation"];
