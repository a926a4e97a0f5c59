/**
 * A team slug: lowercase letters, digits and dashes, 1 to 40 characters, no dash at either end. The same text is the
 * form's `pattern` attribute, which browsers compile with the `v` flag: there a literal "-" in a class must be escaped.
 */
export const SLUG_PATTERN = "[a-z0-9](?:[a-z0-9\\-]{0,38}[a-z0-9])?";

export const SLUG = new RegExp(`^(?:${SLUG_PATTERN})$`, "v");
