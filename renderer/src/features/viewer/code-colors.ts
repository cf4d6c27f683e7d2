/**
 * The colours the viewer paints codes in. A codebook often gives subcodes shades of their
 * parent's colour (the sample's casualties reds); side by side in the margin those read as
 * one code. Here a subcode whose hue is within HUE_MIN of its parent's, or of a sibling drawn
 * before it, is turned to a hue of its own; its lightness and saturation are kept, so a
 * light shade stays light. The stored colours are not changed.
 */

export interface ColoredCode {
  id: string;
  parent_id: string | null;
  color: string;
}

const HUE_MIN = 28;
/** Turns tried in order, away from the parent's hue. */
const TURNS = [60, -60, 120, -120, 90, -90, 150, -150, 30, -30, 180];

interface Hsl {
  h: number;
  s: number;
  l: number;
}

export function hexToHsl(hex: string): Hsl | null {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  const n = parseInt(m[1]!, 16);
  const r = ((n >> 16) & 255) / 255;
  const g = ((n >> 8) & 255) / 255;
  const b = (n & 255) / 255;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 2;
  if (max === min) return { h: 0, s: 0, l };
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  const h = max === r ? ((g - b) / d + (g < b ? 6 : 0)) * 60 : max === g ? ((b - r) / d + 2) * 60 : ((r - g) / d + 4) * 60;
  return { h, s, l };
}

export function hslToHex({ h, s, l }: Hsl): string {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  const hex = (x: number) =>
    Math.round(x * 255)
      .toString(16)
      .padStart(2, '0');
  return `#${hex(f(0))}${hex(f(8))}${hex(f(4))}`;
}

/** Distance between two hues on the colour wheel, 0–180. */
export function hueDistance(a: number, b: number): number {
  const d = Math.abs((((a - b) % 360) + 360) % 360);
  return d > 180 ? 360 - d : d;
}

/** Greys have no hue to tell apart: they count as near only to other greys. */
function near(a: Hsl, b: Hsl): boolean {
  const grey = (c: Hsl) => c.s < 0.12;
  if (grey(a) || grey(b)) return grey(a) && grey(b) && Math.abs(a.l - b.l) < 0.15;
  return hueDistance(a.h, b.h) < HUE_MIN;
}

/** The colour each code is painted in, by code id; codes come parents before children or in any order. */
export function displayColors(codes: ColoredCode[]): Map<string, string> {
  const out = new Map<string, string>();
  const byId = new Map(codes.map((c) => [c.id, c]));
  const children = new Map<string | null, ColoredCode[]>();
  for (const c of codes) {
    const parent = c.parent_id && byId.has(c.parent_id) ? c.parent_id : null;
    const list = children.get(parent) ?? [];
    list.push(c);
    children.set(parent, list);
  }
  const visit = (parentId: string | null, parentHsl: Hsl | null) => {
    const taken: Hsl[] = parentHsl ? [parentHsl] : [];
    for (const c of children.get(parentId) ?? []) {
      const own = hexToHsl(c.color);
      let color = c.color;
      let hsl = own;
      if (own && parentHsl && taken.some((t) => near(own, t))) {
        // A grey parent gives no hue to turn from: start from the child's own hue.
        const base = parentHsl.s < 0.12 ? own.h : parentHsl.h;
        const s = Math.max(own.s, 0.45);
        const l = Math.min(Math.max(own.l, 0.35), 0.7);
        for (const turn of TURNS) {
          const candidate = { h: (((base + turn) % 360) + 360) % 360, s, l };
          if (!taken.some((t) => near(candidate, t))) {
            hsl = candidate;
            color = hslToHex(candidate);
            break;
          }
        }
      }
      if (hsl) taken.push(hsl);
      out.set(c.id, color);
      visit(c.id, hsl);
    }
  };
  visit(null, null);
  return out;
}
