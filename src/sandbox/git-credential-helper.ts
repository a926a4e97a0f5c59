import type { GitCredentials } from "./types.ts";

/**
 * The credential helper of the platform's git calls. Git names the host it is about to send credentials to (after
 * every URL rewrite), and the token goes only to the hosts it is bound to, over HTTPS (plain HTTP to loopback only);
 * for any other host git goes on without it and the output says why. Values come from the environment of an
 * environment, never argv, config files or the remote URL.
 */
export const credentialHelper = [
  "!f() {",
  'test "$1" = get || exit 0; proto=; host=;',
  'while IFS== read -r key value; do test -z "$key" && break; case "$key" in protocol) proto=$value;; host) host=$value;; esac; done;',
  'for allowed in $NETM8_GIT_HOSTS; do test "$host" = "$allowed" || continue;',
  'case "$proto:$host" in https:*|http:localhost|http:localhost:*|http:127.0.0.1|http:127.0.0.1:*) ;;',
  `*) echo "netM8: the agent's git token is not sent over $proto to $host" >&2; exit 0;; esac;`,
  'echo "username=$GIT_USERNAME"; echo "password=$GIT_PASSWORD"; exit 0; done;',
  `echo "netM8: the agent's git token is bound to $NETM8_GIT_HOSTS, so this goes to $host without it" >&2;`,
  "}; f",
].join(" ");

/** The environment the helper reads. */
export function credentialEnv(credentials: GitCredentials): Record<string, string> {
  return { GIT_USERNAME: credentials.username, GIT_PASSWORD: credentials.password, NETM8_GIT_HOSTS: credentials.hosts.join(" ") };
}
