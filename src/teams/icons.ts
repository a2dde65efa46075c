import { encodePng } from './png';

type Point = readonly [number, number];

// An "M" drawn as one stroke with round ends and joins, in a unit box (y grows downwards):
// it reads as MitID-hjælperen's initial and stays legible at 32×32.
const M_STROKE: readonly Point[] = [
  [0, 1],
  [0, 0],
  [0.5, 0.62],
  [1, 0],
  [1, 1],
];

function distanceToSegment(px: number, py: number, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

interface Mark {
  /** The M's box in pixels: left, top, width, height. */
  box: [number, number, number, number];
  /** Stroke width in pixels. */
  stroke: number;
}

/** How much of each pixel the mark covers, 0…1, row by row; edges from 4×4 samples so they are smooth. */
function coverage(size: number, { box: [left, top, width, height], stroke }: Mark): Float64Array {
  const points = M_STROKE.map(([u, v]): Point => [left + u * width, top + v * height]);
  const distance = (px: number, py: number) =>
    Math.min(...points.slice(1).map((point, i) => distanceToSegment(px, py, points[i]!, point)));
  const half = stroke / 2;
  const result = new Float64Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // A pixel's centre is within 0.71 of all of it: only pixels on an edge need samples.
      const centre = distance(x + 0.5, y + 0.5);
      if (centre >= half + 0.75) continue;
      if (centre <= half - 0.75) {
        result[y * size + x] = 1;
        continue;
      }
      let inside = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) if (distance(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4) <= half) inside++;
      }
      result[y * size + x] = inside / 16;
    }
  }
  return result;
}

function hexToRgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

/**
 * The 192×192 colour icon: a white M on the accent colour. Teams crops the icon itself,
 * so the background fills the square and the mark stays inside the middle 96 pixels or so.
 */
export function colorIcon(accentColor: string): Buffer {
  const size = 192;
  const [r, g, b] = hexToRgb(accentColor);
  const mark: Mark = { box: [54, 58, 84, 76], stroke: 17 };
  const cover = coverage(size, mark);
  const pixels = new Uint8Array(size * size * 4);
  cover.forEach((c, i) => {
    pixels[i * 4] = Math.round(r + (255 - r) * c);
    pixels[i * 4 + 1] = Math.round(g + (255 - g) * c);
    pixels[i * 4 + 2] = Math.round(b + (255 - b) * c);
    pixels[i * 4 + 3] = 255;
  });
  return encodePng(size, size, pixels);
}

/** The 32×32 outline icon: the same M in white on a transparent background, as Teams requires. */
export function outlineIcon(): Buffer {
  const size = 32;
  const mark: Mark = { box: [5, 6, 22, 20], stroke: 4 };
  const cover = coverage(size, mark);
  const pixels = new Uint8Array(size * size * 4).fill(255);
  cover.forEach((c, i) => {
    pixels[i * 4 + 3] = Math.round(255 * c);
  });
  return encodePng(size, size, pixels);
}
