import { formatBytes, formatDuration, formatRelative, percent } from "./format";

describe("format", () => {
  it("formats bytes with binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MB");
    expect(formatBytes(-1)).toBe("–");
  });

  it("formats durations from milliseconds to hours", () => {
    expect(formatDuration(420)).toBe("420 ms");
    expect(formatDuration(1200)).toBe("1.2 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(2 * 3_600_000 + 60_000)).toBe("2 h 1 min");
  });

  it("formats relative times", () => {
    const now = 1_000_000_000;
    expect(formatRelative(now - 2000, now)).toBe("just now");
    expect(formatRelative(now - 30_000, now)).toBe("30 s ago");
    expect(formatRelative(now - 5 * 60_000, now)).toBe("5 min ago");
  });

  it("computes clamped percentages and unknown totals", () => {
    expect(percent(3, 6)).toBe(50);
    expect(percent(9, 6)).toBe(100);
    expect(percent(1, null)).toBeNull();
    expect(percent(0, 0)).toBeNull();
  });
});
