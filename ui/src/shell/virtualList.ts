/**
 * Fixed-height virtual rows over a scrolling element: what every long list in the app uses
 * (jobs, snapshot components, drift changes, matrix rows), so 50,000 rows cost what 50 do.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";

export function useVirtualRows<E extends HTMLElement = HTMLDivElement>(
  count: number,
  rowHeight: number,
  overscan = 20,
) {
  const scrollRef = useRef<E>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan,
    // Rendered before the first measurement (and in tests, where there is no layout).
    initialRect: { width: 900, height: 600 },
  });
  return { scrollRef, virtualizer };
}
