"use client";

import { useEffect } from "react";

/** Marks the document once React has hydrated, so browser tests can wait for interactivity instead of sleeping. */
export function HydrationMarker() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return null;
}
