// xterm.js on a terminal session's WebSocket. Loaded on demand (terminal-tab.tsx imports it dynamically), so xterm
// is fetched only when a terminal is opened. Frames: binary = keys out / output in; text = JSON control messages
// (docs/api.md, Terminals), the same as @cloudflare/sandbox's terminal.
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";

export type TerminalState = "connecting" | "connected" | "reconnecting" | "exited" | "closed";

export type TerminalHandle = { focus: () => void; fit: () => void; dispose: () => void };

/** A brief drop is retried this often (the session waits for its client about a minute) before giving up. */
const RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 15000];

export function mountTerminal(element: HTMLElement, url: string, onState: (state: TerminalState, detail?: string) => void): TerminalHandle {
  const terminal = new Terminal({
    cursorBlink: true,
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
    fontSize: 13,
    scrollback: 5000,
    theme: { background: "#09090b" },
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(element);
  fit.fit();
  const encoder = new TextEncoder();
  let socket: WebSocket | null = null;
  let attempts = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let ended = false;

  const send = (data: string | Uint8Array) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(data);
  };
  const sendSize = () => send(JSON.stringify({ type: "resize", cols: terminal.cols, rows: terminal.rows }));
  const keys = terminal.onData((data) => send(encoder.encode(data)));
  const binary = terminal.onBinary((data) => send(Uint8Array.from(data, (c) => c.charCodeAt(0))));
  const resize = terminal.onResize(sendSize);

  const connect = () => {
    onState(attempts === 0 ? "connecting" : "reconnecting");
    const current = new WebSocket(url);
    current.binaryType = "arraybuffer";
    socket = current;
    let replaying = true;
    current.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) {
        // The server replays recent output before "ready": on a reconnect it replaces what the screen shows.
        if (replaying && attempts > 0) {
          terminal.reset();
          replaying = false;
        }
        terminal.write(new Uint8Array(event.data));
        return;
      }
      let message: { type?: string; message?: string; code?: number };
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (message.type === "ready") {
        replaying = false;
        attempts = 0;
        onState("connected");
        sendSize();
      } else if (message.type === "exit") {
        ended = true;
        onState("exited", `The shell exited (code ${message.code ?? "?"}).`);
      } else if (message.type === "error" && message.message) {
        onState("connected", message.message);
      }
    };
    current.onclose = (event) => {
      if (socket !== current) return;
      socket = null;
      if (ended) return;
      // 1000: the shell ended; 4000: another window took the session over; 4404/1008: it no longer exists.
      if (event.code === 4000) return void onState("closed", "This terminal was opened in another window.");
      if (attempts >= RECONNECT_DELAYS_MS.length) return void onState("closed", "The connection was lost.");
      retry = setTimeout(connect, RECONNECT_DELAYS_MS[attempts++]);
      onState("reconnecting");
    };
  };
  connect();

  return {
    focus: () => terminal.focus(),
    fit: () => {
      if (element.offsetParent !== null) fit.fit();
    },
    dispose: () => {
      ended = true;
      clearTimeout(retry);
      keys.dispose();
      binary.dispose();
      resize.dispose();
      socket?.close(1000);
      terminal.dispose();
    },
  };
}
