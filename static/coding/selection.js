// Kesra Coord, coding page: selecting a passage with the mouse, a finger or the
// keyboard (paragraphs, words), and the keys of the page.
(() => {
  "use strict";
  const K = window.KesraCodingParts;
  const article = K?.article;
  if (!article) return;
  const { panel, canCode, state, runs, runStart, runEnd } = K;
  const { readSelection, textBetween, showSelection } = K;

  document.addEventListener(
    "pointerdown",
    (event) => {
      state.pointer = event.pointerType;
    },
    true,
  );

  // A drag that starts in the text often ends outside it (past the end of a line, below
  // the last paragraph), where the article never sees the mouseup.
  let pressedInText = false;
  article.addEventListener("mousedown", (event) => {
    pressedInText = event.button === 0;
  });
  document.addEventListener("mouseup", (event) => {
    const fromText = pressedInText;
    pressedInText = false;
    if (event.button !== 0 || !fromText || article.contains(event.target)) return;
    setTimeout(() => choose(readSelection()));
  });

  article.addEventListener("mouseup", (event) => {
    if (event.button !== 0) return;
    setTimeout(() => {
      const chosen = readSelection();
      if (chosen) choose(chosen);
      else {
        const run = event.target.closest(".k");
        if (run) K.showDetails(run);
      }
    });
  });

  function choose(chosen) {
    if (!chosen) return;
    state.selection = chosen;
    K.openPicker();
  }

  // A finger selects with a long press and the handles, which send no mouseup: follow
  // the selection itself, and open the picker once it rests.
  let resting = null;
  document.addEventListener("selectionchange", () => {
    if (state.pointer !== "touch" && state.pointer !== "pen") return;
    clearTimeout(resting);
    resting = setTimeout(() => {
      const chosen = readSelection();
      if (!chosen) return;
      if (K.pickerOpen()) {
        state.selection = chosen;
        K.showQuote();
      } else choose(chosen);
    }, 350);
  });

  const paragraphs = () => [...article.querySelectorAll(".para > p")];
  let cursor = -1; // index of the keyboard paragraph

  function focusParagraph(index) {
    const all = paragraphs();
    if (!all.length) return;
    cursor = Math.max(0, Math.min(index, all.length - 1));
    const p = all[cursor];
    p.tabIndex = -1;
    p.focus({ preventScroll: state.pointer === "touch" });
  }

  function focusParagraphAt(offset) {
    const all = paragraphs();
    const index = all.findIndex((p) => Number(p.parentElement.dataset.o) > offset);
    focusParagraph((index === -1 ? all.length : index) - 1);
  }

  function paragraphSelection(p) {
    const body = [...p.querySelectorAll("span[data-o]")].filter(
      (run) => !run.classList.contains("speaker") && !run.classList.contains("stamp"),
    );
    if (!body.length) return null;
    const start = runStart(body[0]);
    const end = runEnd(body[body.length - 1]);
    return { start, end, passage: textBetween(start, end) };
  }

  /** Move one edge of the selection by a word (a run of non-space characters). */
  function stepWord(edge, step) {
    if (!state.selection) return;
    const first = article.querySelector("span[data-o]");
    const last = [...runs()].pop();
    const limit = last ? runEnd(last) : 0;
    const text = textBetween(first ? runStart(first) : 0, limit);
    const chars = Array.from(text);
    const space = (i) => /\s/.test(chars[i] ?? " ");
    let { start, end } = state.selection;
    const base = first ? runStart(first) : 0;
    let i = (edge === "start" ? start : end) - base;
    if (step > 0) {
      if (edge === "start") while (i < chars.length && !space(i)) i++;
      while (i < chars.length && space(i)) i++;
      if (edge === "end") while (i < chars.length && !space(i)) i++;
    } else {
      if (edge === "start") while (i > 0 && space(i - 1)) i--;
      while (i > 0 && !space(i - 1)) i--;
      if (edge === "end") while (i > 0 && space(i - 1)) i--;
    }
    if (edge === "start") start = i + base;
    else end = i + base;
    if (start >= end) return;
    state.selection = { start, end, passage: textBetween(start, end) };
    showSelection(start, end);
  }

  const typing = (target) => target.closest?.("input, select, textarea, [contenteditable]");

  article.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || K.pickerOpen()) return;
    const target = event.target;
    const inParagraph = target.matches?.(".para > p");
    const key = event.key;
    if (key === "Enter" && target.classList?.contains("k")) K.showDetails(target);
    else if (key === "j") focusParagraph(cursor + 1);
    else if (key === "k") focusParagraph(cursor - 1);
    else if (key === "n") K.stepCoded(1);
    else if (key === "p") K.stepCoded(-1);
    else if (key === "Enter" && inParagraph && canCode) {
      state.selection = paragraphSelection(target);
      if (state.selection) {
        showSelection(state.selection.start, state.selection.end);
        K.openPicker();
      }
    } else if (key === "c" && canCode) {
      state.selection = readSelection() || state.selection;
      K.openPicker();
    } else if ((key === "ArrowRight" || key === "ArrowLeft") && event.shiftKey && state.selection) {
      stepWord(event.altKey ? "start" : "end", key === "ArrowRight" ? 1 : -1);
    } else return;
    event.preventDefault();
  });

  // Keys that work anywhere on the page: Esc always; the others not while typing in a
  // field, and not while the picker is open (its own keys come first).
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      if (K.pickerOpen()) K.closePicker();
      else if (panel.classList.contains("open")) K.closeDetails();
      else return;
      event.preventDefault();
      return;
    }
    if (typing(event.target) || K.pickerOpen()) return;
    const mod = event.ctrlKey || event.metaKey;
    const letter = event.key.toLowerCase();
    if (canCode && mod && !event.altKey && (letter === "z" || letter === "y")) {
      if (letter === "y" || event.shiftKey) K.redo();
      else K.undo();
    } else if (mod || article.contains(event.target)) return;
    else if (event.key === "j") focusParagraph(0);
    else if (event.key === "n") K.stepCoded(1);
    else return;
    event.preventDefault();
  });

  Object.assign(K, { stepWord, focusParagraphAt });
})();
