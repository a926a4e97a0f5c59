import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { HydrationMarker } from "@/components/shell/hydration-marker.tsx";
import { ThemeProvider } from "@/components/shell/theme-provider.tsx";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "netM8: persistent AI agents", template: "%s · netM8" },
  description: "Persistent, autonomous AI agents with their own sandbox, files, processes and live previews.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-dvh font-sans">
        <ThemeProvider>{children}</ThemeProvider>
        <HydrationMarker />
      </body>
    </html>
  );
}
