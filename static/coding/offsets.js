// Kesra Coord: the coding page, in small classic scripts loaded in order (defer, no
// build step): offsets.js, shared.js, queue.js, undo.js, picker.js, selection.js,
// details.js, page.js. They share window.KesraCodingParts while the page loads;
// page.js publishes window.KesraCoding (used by find.js and suggest_inline.js) and
// removes the parts.
//
// This one: offsets. The server counts offsets in Unicode code points; the DOM counts
// UTF-16 units. cpLength() and cpToUtf16() are the only two places that convert
// between them.
(() => {
  "use strict";
  const K = {};
  window.KesraCodingParts = K;

  /** Code points in a UTF-16 string (a surrogate pair counts once). */
  function cpLength(text) {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  /** The UTF-16 index of code point `cp` in `text`. */
  function cpToUtf16(text, cp) {
    let i = 0;
    for (let n = 0; n < cp && i < text.length; n++) {
      const c = text.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    }
    return i;
  }

  const article = document.getElementById("source-text");
  Object.assign(K, { cpLength, cpToUtf16, article });
  if (!article) return;

  const runs = () => article.querySelectorAll("span[data-o]");
  const runOf = (node) =>
    (node.nodeType === Node.TEXT_NODE ? node.parentElement : node)?.closest("span[data-o]");
  const runStart = (run) => Number(run.dataset.o);
  const runEnd = (run) => runStart(run) + cpLength(run.textContent);

  /** Code-point offset of a DOM boundary point (node, offset) inside the article. */
  function pointToOffset(node, offset, isEnd) {
    const run = runOf(node);
    if (run && article.contains(run)) {
      if (node.nodeType === Node.TEXT_NODE) {
        return runStart(run) + cpLength(node.data.slice(0, offset));
      }
      return offset === 0 ? runStart(run) : runEnd(run);
    }
    // A boundary between runs (margin stripes, paragraph edges): snap to the
    // next run's start, or to the previous run's end for the end of a selection.
    const probe = document.createRange();
    probe.setStart(node, offset);
    const all = [...runs()];
    if (isEnd) {
      const before = all.filter((r) => probe.comparePoint(r, r.childNodes.length) <= 0).pop();
      return before ? runEnd(before) : 0;
    }
    const after = all.find((r) => probe.comparePoint(r, 0) >= 0);
    return after ? runStart(after) : all.length ? runEnd(all[all.length - 1]) : 0;
  }

  /** The source text between two offsets, rebuilt from the runs (lines joined by \n). */
  function textBetween(start, end) {
    let out = "";
    let position = null;
    let lastPara = null;
    for (const run of runs()) {
      const s = runStart(run);
      const text = run.textContent;
      const e = s + cpLength(text);
      if (e <= start) continue;
      if (s >= end) break;
      const para = run.closest(".para");
      if (position !== null && para !== lastPara && s > position) out += "\n".repeat(s - position);
      const from = cpToUtf16(text, Math.max(start, s) - s);
      const to = cpToUtf16(text, Math.min(end, e) - s);
      out += text.slice(from, to);
      position = Math.min(end, e);
      lastPara = para;
    }
    return out;
  }

  /** The current DOM selection as {start, end, passage}, trimmed of white space. */
  function readSelection() {
    const sel = window.getSelection();
    if (!sel.rangeCount || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0).cloneRange();
    if (!range.intersectsNode(article)) return null;
    // A drag that overshoots into the sidebar selects past the text: keep the text's part.
    const text = document.createRange();
    text.selectNodeContents(article);
    if (range.compareBoundaryPoints(Range.START_TO_START, text) < 0) {
      range.setStart(text.startContainer, text.startOffset);
    }
    if (range.compareBoundaryPoints(Range.END_TO_END, text) > 0) {
      range.setEnd(text.endContainer, text.endOffset);
    }
    let start = pointToOffset(range.startContainer, range.startOffset, false);
    let end = pointToOffset(range.endContainer, range.endOffset, true);
    if (end <= start) return null;
    let passage = textBetween(start, end);
    const lead = passage.length - passage.trimStart().length;
    const trail = passage.length - passage.trimEnd().length;
    start += cpLength(passage.slice(0, lead));
    end -= cpLength(passage.slice(passage.length - trail));
    passage = passage.trim();
    return passage ? { start, end, passage } : null;
  }

  /** Show offsets [start, end) as the DOM selection (for keyboard selection). */
  function showSelection(start, end) {
    const locate = (offset, isEnd) => {
      for (const run of runs()) {
        const s = runStart(run);
        const e = runEnd(run);
        if (offset >= s && (offset < e || (isEnd && offset === e))) {
          const node = run.firstChild || run;
          return [node, cpToUtf16(run.textContent, offset - s)];
        }
      }
      return null;
    };
    const a = locate(start, false);
    const b = locate(end, true);
    if (!a || !b) return;
    window.getSelection().setBaseAndExtent(a[0], a[1], b[0], b[1]);
  }

  Object.assign(K, { runs, runStart, runEnd, textBetween, readSelection, showSelection });
})();
