/**
 * PNGs of the report's figures, rasterised from their SVGs by resvg (`@resvg/resvg-wasm`: the resvg renderer
 * compiled to WebAssembly, so the same code draws on every platform and no native binary is installed) with
 * the DejaVu Sans fonts of `dejavu-fonts-ttf` as its only fonts (the WASM build reads no system font): the
 * same SVG gives the same PNG bytes on every machine. Both packages are optional peer dependencies of
 * @ccl/eval, needed only when PNGs are asked for.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { PNG_ZOOM } from './sections/figure-set';

/** Loads packages relative to this module (works in the CJS and ESM builds: tsup `shims`). */
const localRequire = createRequire(__filename);

/** The fonts given to resvg: the figures' first font family (see svg.ts) in its regular and bold faces. */
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

/** The part of `@resvg/resvg-wasm`'s API used here. */
interface ResvgWasm {
  initWasm(module: Uint8Array): Promise<void>;
  Resvg: new (
    svg: string,
    options: { font: { fontBuffers: Uint8Array[]; defaultFontFamily: string }; fitTo: { mode: 'zoom'; value: number } },
  ) => { render(): { asPng(): Uint8Array; free(): void }; free(): void };
}

/** An SVG document to PNG bytes (at {@link PNG_ZOOM} times its size). */
export type Rasterise = (svg: string) => Uint8Array;

export const RASTERISER_MISSING =
  '@ccl/eval: PNG figures need the optional packages @resvg/resvg-wasm and dejavu-fonts-ttf: install them (npm install @resvg/resvg-wasm dejavu-fonts-ttf) or ask for SVG figures only';

let loaded: Promise<Rasterise> | null = null;

/** The rasteriser (loaded once per process); rejects with {@link RASTERISER_MISSING} when its packages are not installed. */
export function loadRasteriser(): Promise<Rasterise> {
  loaded ??= rasteriserFrom(localRequire).catch((e: unknown) => {
    loaded = null;
    throw e;
  });
  return loaded;
}

/** PNG bytes of an SVG document (e.g. a figure's `svg`), at twice its size; see {@link loadRasteriser} for what it needs. */
export async function rasteriseSvg(svg: string): Promise<Uint8Array> {
  return (await loadRasteriser())(svg);
}

/** The rasteriser with its packages found by `req` (a module's `require`). */
export async function rasteriserFrom(req: NodeJS.Require): Promise<Rasterise> {
  let resvg: ResvgWasm;
  let wasm: Buffer;
  let fonts: Uint8Array[];
  try {
    resvg = req('@resvg/resvg-wasm') as ResvgWasm;
    wasm = fs.readFileSync(req.resolve('@resvg/resvg-wasm/index_bg.wasm'));
    fonts = FONT_FILES.map((f) => fs.readFileSync(req.resolve(`dejavu-fonts-ttf/ttf/${f}`)));
  } catch {
    throw new Error(RASTERISER_MISSING);
  }
  try {
    await resvg.initWasm(wasm);
  } catch (e) {
    // another user of the package in this process initialised it already: the module is ready
    if (!/already initialized/i.test(String((e as Error)?.message ?? e))) throw e;
  }
  return (svg) => {
    const renderer = new resvg.Resvg(svg, { font: { fontBuffers: fonts, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'zoom', value: PNG_ZOOM } });
    try {
      const image = renderer.render();
      try {
        return image.asPng();
      } finally {
        image.free();
      }
    } finally {
      renderer.free();
    }
  };
}
