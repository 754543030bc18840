#!/usr/bin/env node
// Syntax-check Mermaid diagrams with the pinned mermaid@11 parser, no browser.
//
// Usage: node tools/mermaid-parse.mjs FILE [FILE ...]
//   FILE ending in .md/.markdown: every ```mermaid (or :::mermaid) block is checked,
//   using the same block regex as mermaid-cli, so "block N" matches mmdc's out-N.svg.
//   Any other FILE: the whole file is one diagram (.mmd).
//
// Prints one line per failing diagram, "path[:block N]: message", and exits 1 if
// any diagram fails (or a file has no Mermaid block / cannot be read), 0 otherwise.
// All files are checked in this one Node process.

import { readFile } from "node:fs/promises";
import { JSDOM } from "jsdom";

// Mermaid (through DOMPurify and d3) expects a browser-like global scope at import
// time, so install a jsdom window before importing it.
const dom = new JSDOM("<!DOCTYPE html><html><body></body></html>", {
  pretendToBeVisual: true,
});
const browserGlobals = [
  "window",
  "document",
  "navigator",
  "Element",
  "HTMLElement",
  "SVGElement",
  "Node",
  "DocumentFragment",
  "DOMParser",
  "XMLSerializer",
  "getComputedStyle",
  "requestAnimationFrame",
  "cancelAnimationFrame",
];
for (const name of browserGlobals) {
  if (name === "window") {
    globalThis.window = dom.window;
    continue;
  }
  const value = dom.window[name];
  if (value === undefined) continue;
  try {
    globalThis[name] = typeof value === "function" && /^[a-z]/.test(name)
      ? value.bind(dom.window)
      : value;
  } catch {
    // Some globals (e.g. navigator on newer Node) are getter-only; define them instead.
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
}

// Same expression mermaid-cli uses to find diagrams inside Markdown.
const MARKDOWN_BLOCK =
  /^[^\S\n]*[`:]{3}(?:mermaid)([^\S\n]*\r?\n([\s\S]*?))[`:]{3}[^\S\n]*$/gm;

const firstLine = (text) => String(text).trim().split("\n")[0];

function describeError(err) {
  if (err && typeof err === "object") {
    const msg = err.message ?? err.str ?? String(err);
    // Jison parse errors span several lines (source excerpt + caret + expectation);
    // keep them on one output line.
    return String(msg).replace(/\s*\n\s*/g, " | ").trim();
  }
  return String(err);
}

async function main(argv) {
  if (argv.length === 0) {
    process.stderr.write("usage: mermaid-parse.mjs FILE [FILE ...]\n");
    return 2;
  }
  // Silence mermaid's own console logging of parse errors; we report them ourselves.
  const { default: mermaid } = await import("mermaid");
  mermaid.initialize({ startOnLoad: false, logLevel: "fatal", securityLevel: "strict" });

  /** @type {{label: string, text: string}[]} */
  const diagrams = [];
  const failures = [];
  for (const path of argv) {
    let content;
    try {
      content = await readFile(path, "utf8");
    } catch (err) {
      failures.push(`${path}: cannot read: ${firstLine(err.message)}`);
      continue;
    }
    if (/\.(md|markdown)$/i.test(path)) {
      let n = 0;
      for (const match of content.matchAll(MARKDOWN_BLOCK)) {
        n += 1;
        diagrams.push({ label: `${path}:block ${n}`, text: match[2] });
      }
      if (n === 0) failures.push(`${path}: no mermaid block found`);
    } else {
      diagrams.push({ label: path, text: content });
    }
  }

  for (const { label, text } of diagrams) {
    if (text.trim() === "") {
      failures.push(`${label}: empty diagram`);
      continue;
    }
    try {
      // Throws on any syntax error or unknown diagram type (suppressErrors is off).
      await mermaid.parse(text);
    } catch (err) {
      failures.push(`${label}: ${describeError(err)}`);
    }
  }

  for (const line of failures) process.stdout.write(`${line}\n`);
  return failures.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    dom.window.close();
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`mermaid-parse: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 2;
  },
);
