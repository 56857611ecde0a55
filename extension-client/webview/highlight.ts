// Syntax highlighting for code blocks in the chat. highlight.js's core with the languages a coding
// assistant answers in most (each registers its usual aliases: ts, py, sh, cs, c++…). A block is
// highlighted only when its fence names a known language: guessing the language would run every
// grammar over every block. The result is sanitized once more (spans with classes only), so the
// highlighter is not trusted with model output either. Colours: chat.css, per VS Code theme kind.
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import makefile from 'highlight.js/lib/languages/makefile';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import powershell from 'highlight.js/lib/languages/powershell';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import scss from 'highlight.js/lib/languages/scss';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import swift from 'highlight.js/lib/languages/swift';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const LANGUAGES = {
  bash, c, cpp, csharp, css, diff, dockerfile, go, ini, java, javascript, json, kotlin, makefile, markdown, php, powershell,
  python, ruby, rust, scss, shell, sql, swift, typescript, xml, yaml,
};
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

/** Replaces the text of `code` with highlighted spans when highlight.js knows its language (by name or alias); returns whether it did. */
export function highlightCode(code: HTMLElement, language: string | undefined): boolean {
  const lang = language?.toLowerCase();
  if (!lang || !hljs.getLanguage(lang)) return false;
  const text = code.textContent ?? '';
  const html = hljs.highlight(text, { language: lang, ignoreIllegals: true }).value;
  const frag = DOMPurify.sanitize(html, { ALLOWED_TAGS: ['span'], ALLOWED_ATTR: ['class'], RETURN_DOM_FRAGMENT: true }) as DocumentFragment;
  // Highlighting only wraps text in spans: anything else means something went wrong, keep the text.
  if (frag.textContent !== text) return false;
  code.replaceChildren(frag);
  return true;
}
