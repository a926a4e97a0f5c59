import { describe, expect, it } from "vitest";
import { parseListeningSockets } from "../../src/sandbox/listening-ports.ts";

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 11 1
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12 1
   2: 0100007F:0BB9 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 13 1`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000
   1: 00000000000000000000000001000000:1389 00000000000000000000000000000000:0000 0A 00000000:00000000
   2: 0000000000000000FFFF00000100007F:1770 00000000000000000000000000000000:0000 0A 00000000:00000000`;

describe("listening sockets read from /proc/net/tcp and tcp6", () => {
  it("lists each listening port once, sorted, with the addresses it is bound to", () => {
    expect(parseListeningSockets(`${TCP}\n${TCP6}`)).toEqual([
      { port: 3000, addresses: ["127.0.0.1"] },
      { port: 5001, addresses: ["::1"] },
      { port: 6000, addresses: ["::ffff:7f00:1"] },
      { port: 8080, addresses: ["0.0.0.0", "::"] },
    ]);
  });

  it("leaves out connections that are not listening, and lines that do not parse", () => {
    expect(parseListeningSockets("   0: 0100007F:0BB9 0100007F:D431 01 0\n garbage\n   1: zz:zz 00:00 0A")).toEqual([]);
  });
});
