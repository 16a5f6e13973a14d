// Kesra Coord: the coding page. A text selection becomes code-point offsets; the code
// picker; a coding's details; and the write queue, through which every change goes:
// each write is confirmed by the server or visibly waiting, never lost.
//
// The server counts offsets in Unicode code points; the DOM counts UTF-16 units.
// cpLength() and cpToUtf16() are the only two places that convert between them.
(() => {
  "use strict";

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
  if (!article) {
    window.KesraCoding = { cpLength, cpToUtf16 };
    return;
  }
  const picker = document.getElementById("picker");
  const search = document.getElementById("picker-search");
  const several = document.getElementById("picker-more");
  const status = document.getElementById("coding-status");
  const stepCount = document.getElementById("step-count");
  const panel = document.getElementById("coding-panel");
  const tip = document.getElementById("tip");
  const canCode = article.dataset.canCode === "1";
  // Names of codes and coders: replaced out of band when the server sends new ones.
  const names = (id) => JSON.parse(document.getElementById(id)?.textContent || "{}");
  const strings = names("coding-strings");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  let selection = null; // {start, end, passage}: the passage being coded
  let active = 0; // index of the highlighted option among the visible ones
  let pointer = ""; // "mouse", "touch" or "pen": the last pointer pressed

  /** A translated string with its %(name)s placeholders filled in. */
  const say = (key, values = {}) =>
    (strings[key] || key).replace(/%\((\w+)\)s/g, (_m, name) => values[name] ?? "");

  /** At most `n` code points of `text`, with … when cut (never half an emoji). */
  function shorten(text, n) {
    const points = Array.from(text);
    return points.length > n ? `${points.slice(0, n).join("")}…` : text;
  }

  // --- Offsets -------------------------------------------------------------

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

  // --- The write queue -----------------------------------------------------
  //
  // Writes wait in order in localStorage (they survive a reload), one is sent at a
  // time, and a write that did not get an answer is sent again with the same key,
  // after 1, 2, 4 … 30 seconds or as soon as the link is back. The key is a UUID
  // made here: the server keeps each key's answer, so a retry never applies a write
  // twice, and the key names the write's batch of events (undo refers to it).
  //
  // Each open page keeps its own list under its own key, with a heartbeat; a page
  // that finds the list of a page that is gone (reloaded, closed) takes it over.

  const writer = document.getElementById("write-queue");
  const PREFIX = `kesra-writes:${article.dataset.queue}:`;
  const own = `${PREFIX}${newKey()}`;
  const RETRY_MAX_MS = 30_000;
  const ORPHAN_MS = 15_000;
  let queue = []; // writes waiting, oldest first: {key, url, values, kind, label}
  let refused = []; // writes the server refused: {key, label, reason}
  let sending = null;
  let retry = { timer: null, at: 0, delay: 0, problem: "" };
  let notice = null; // {text, kind}: the last outcome, when it says more than "saved"
  let savedOnce = false;
  const done = new Map(); // key -> {saved(message), failed(reason)} of this page's writes
  const confirmed = new Set(); // batches of this page's writes swapped in (for the poller)
  const undoStack = [];
  const redoStack = [];

  function newKey() {
    if (window.crypto?.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16)); // plain http has no randomUUID
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function persist(closed = false) {
    try {
      if (!queue.length && !refused.length) localStorage.removeItem(own);
      else localStorage.setItem(own, JSON.stringify({ beat: Date.now(), closed, queue, refused }));
    } catch {
      // Storage full or forbidden: the writes still wait in this page.
    }
  }

  /** Take over the waiting writes of pages of this source that are gone. */
  function adopt() {
    let found = false;
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const name = localStorage.key(i);
      if (!name?.startsWith(PREFIX) || name === own) continue;
      let list;
      try {
        list = JSON.parse(localStorage.getItem(name));
      } catch {
        list = null;
      }
      if (list && !list.closed && Date.now() - list.beat < ORPHAN_MS) continue;
      localStorage.removeItem(name);
      const known = new Set(queue.map((write) => write.key));
      queue.push(...(list?.queue || []).filter((write) => !known.has(write.key)));
      refused.push(...(list?.refused || []));
      found = true;
    }
    if (found) {
      persist();
      pump();
    }
  }

  function enqueue({ url, values, kind, label, saved, failed }) {
    const key = newKey();
    queue.push({ key, url, values, kind, label });
    if (saved || failed) done.set(key, { saved, failed });
    notice = null;
    persist();
    pump();
    return key;
  }

  function pump() {
    render();
    if (sending || !queue.length || retry.timer) return;
    if (!navigator.onLine) {
      wait("offline");
      return;
    }
    const write = queue[0];
    sending = write;
    // The answer is handled from htmx:afterRequest below; should htmx not send the
    // request at all, the promise settles without it and the write waits for a retry.
    const unanswered = () => {
      if (sending !== write) return;
      sending = null;
      wait("server");
    };
    htmx
      .ajax("POST", write.url, {
        source: writer,
        swap: "none",
        values: { ...write.values, show: article.dataset.show },
        headers: { "X-CSRFToken": csrf, "Idempotency-Key": write.key },
      })
      .then(unanswered, unanswered);
    render();
  }

  /** Wait before sending again: 1, 2, 4 … 30 s, or until the link is back. */
  function wait(problem) {
    retry.problem = problem;
    retry.delay = Math.min(retry.delay ? retry.delay * 2 : 1000, RETRY_MAX_MS);
    retry.at = Date.now() + retry.delay;
    retry.timer = setTimeout(() => {
      retry.timer = null;
      pump();
    }, retry.delay);
    render();
  }

  function sendNow() {
    clearTimeout(retry.timer);
    retry = { timer: null, at: 0, delay: 0, problem: "" };
    pump();
  }

  /** What a refusal says: the server's reason, or what its status means. */
  function reasonOf(xhr) {
    const body = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    const told = body.getElementById("write-message")?.textContent;
    if (told) return told;
    if (xhr.status === 403) return say("forbidden");
    if (xhr.status === 404) return say("gone");
    return `${say("unreadable")} (${xhr.status})`;
  }

  function finished(xhr) {
    const write = sending;
    sending = null;
    if (!write) return;
    const status = xhr.status;
    const outcome = xhr.getResponseHeader("Kesra-Write");
    if (status === 0 || status >= 500 || status === 408 || status === 429) {
      wait(navigator.onLine ? "server" : "offline");
    } else if (status === 403 && /CSRF/.test(xhr.responseText || "")) {
      wait("signedOut"); // a new sign-in changed the token: a reload picks the list up again
    } else if (status < 300 && !outcome) {
      wait("signedOut"); // redirected to the sign-in page
    } else if (outcome === "saved" || outcome === "already") {
      accept(write, outcome === "already" ? reasonOf(xhr) : "");
    } else {
      refuse(write, reasonOf(xhr));
    }
  }

  function accept(write, message) {
    queue = queue.filter((item) => item.key !== write.key);
    retry = { timer: null, at: 0, delay: 0, problem: "" };
    confirmed.add(write.key);
    savedOnce = true;
    notice = message ? { text: message, kind: "saved" } : null;
    persist();
    done.get(write.key)?.saved?.(message);
    done.delete(write.key);
    setTimeout(pump); // once htmx has let go of the request it is finishing
  }

  function refuse(write, reason) {
    queue = queue.filter((item) => item.key !== write.key);
    refused.push({ key: write.key, label: write.label, reason });
    notice = { text: say("refused", { reason }), kind: "error" };
    for (const stack of [undoStack, redoStack]) {
      const index = stack.findIndex((entry) => entry.batch === write.key);
      if (index >= 0) stack.splice(index, 1);
    }
    persist();
    done.get(write.key)?.failed?.(reason);
    done.delete(write.key);
    setTimeout(pump);
  }

  writer.addEventListener("htmx:afterRequest", (event) => finished(event.detail.xhr));
  window.addEventListener("online", sendNow);
  window.addEventListener("offline", render);
  window.addEventListener("pagehide", () => persist(true));
  window.addEventListener("beforeunload", (event) => {
    if (!queue.length) return;
    event.preventDefault();
    event.returnValue = ""; // the browser asks whether to leave with writes waiting
  });
  setInterval(() => {
    if (queue.length || refused.length) persist(); // the heartbeat of this page's list
    adopt();
    if (retry.timer) render();
  }, 1000);

  const undoButton = document.getElementById("undo-button");
  const redoButton = document.getElementById("redo-button");

  /** The status line: saved / saving… / N waiting (why) / not saved: reason. */
  function render() {
    const n = queue.length;
    let text = "";
    let kind = "";
    if (n && (retry.problem === "offline" || !navigator.onLine)) {
      [text, kind] = [say("offline", { n }), "waiting"];
    } else if (n && retry.problem === "server" && retry.timer) {
      const s = Math.max(1, Math.ceil((retry.at - Date.now()) / 1000));
      [text, kind] = [say("retrying", { n, s }), "waiting"];
    } else if (n && retry.problem === "signedOut" && retry.timer) {
      [text, kind] = [say("signedOut", { n }), "error"];
    } else if (n) {
      [text, kind] = [n > 1 ? `${say("saving")} ${say("waiting", { n })}` : say("saving"), "saving"];
    } else if (notice) {
      [text, kind] = [notice.text, notice.kind];
    } else if (savedOnce) {
      [text, kind] = [`✓ ${say("saved")}`, "saved"];
    }
    if (status.textContent !== text) status.textContent = text;
    status.title = text; // the whole of it where a small screen cuts it short
    status.className = `status${kind ? ` status-${kind}` : ""}`;
    renderRefused();
    if (undoButton) {
      undoButton.disabled = !undoStack.length;
      redoButton.disabled = !redoStack.length;
      undoButton.title = undoStack.length ? `${say("undo")}: ${undoStack.at(-1).label}` : "";
      redoButton.title = redoStack.length ? `${say("redo")}: ${redoStack.at(-1).label}` : "";
    }
  }

  /** Refused writes stay listed with their reason until dismissed: redo them by hand. */
  function renderRefused() {
    const list = document.getElementById("write-refused");
    if (!list) return;
    list.hidden = !refused.length;
    if (list.childElementCount === refused.length) return;
    list.replaceChildren(
      ...refused.map((item) => {
        const li = document.createElement("li");
        const text = document.createElement("span");
        text.textContent = `${say("refused", { reason: item.reason })} (${item.label})`;
        const dismiss = document.createElement("button");
        dismiss.type = "button";
        dismiss.className = "small";
        dismiss.dataset.dismiss = item.key;
        dismiss.textContent = say("dismiss");
        li.append(text, " ", dismiss);
        return li;
      }),
    );
  }

  document.getElementById("write-refused")?.addEventListener("click", (event) => {
    const key = event.target.closest("button[data-dismiss]")?.dataset.dismiss;
    if (!key) return;
    refused = refused.filter((item) => item.key !== key);
    persist();
    render();
  });

  // The poller skips the events of this page's own writes: their answers are in already.
  document.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt.id !== "poller" || !confirmed.size) return;
    const mine = [...confirmed];
    event.detail.elt.kesraMine = mine;
    event.detail.parameters.mine = mine.join(",");
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const sent = event.detail.elt.kesraMine;
    if (event.detail.elt.id === "poller" && sent && event.detail.successful) {
      for (const key of sent) confirmed.delete(key);
    }
  });

  // --- Undo and redo -------------------------------------------------------
  //
  // Both are writes like any other: undo sends the batch of the action to reverse, and
  // its own key becomes the batch of the undo, which redo reverses in turn.

  function remember(key, label) {
    undoStack.push({ batch: key, label });
    redoStack.length = 0;
    render();
  }

  function reverse(from, to, kind) {
    const entry = from.pop();
    if (!entry) {
      notice = { text: say(kind === "undo" ? "nothingToUndo" : "nothingToRedo"), kind: "" };
      render();
      return;
    }
    const key = enqueue({
      url: article.dataset.undoUrl,
      values: { batch: entry.batch },
      kind,
      label: `${say(kind)}: ${entry.label}`,
      saved: () => {
        notice = { text: say(kind === "undo" ? "undone" : "redone", { what: entry.label }), kind: "saved" };
        render();
        refreshDetails();
      },
    });
    to.push({ batch: key, label: entry.label });
    render();
  }

  const undo = () => reverse(undoStack, redoStack, "undo");
  const redo = () => reverse(redoStack, undoStack, "redo");
  undoButton?.addEventListener("click", undo);
  redoButton?.addEventListener("click", redo);
  if (canCode) document.querySelector(".undo-redo")?.removeAttribute("hidden");

  // --- The picker ----------------------------------------------------------

  const options = () => [...picker.querySelectorAll("li[role=option]")].filter((li) => !li.hidden);
  const pickerOpen = () => picker && !picker.hidden;

  function highlight(index) {
    const visible = options();
    visible.forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = Math.max(0, Math.min(index, visible.length - 1));
    const current = visible[active];
    search.setAttribute("aria-activedescendant", current ? current.id : "");
    current?.scrollIntoView({ block: "nearest" });
  }

  function filterOptions() {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const li of picker.querySelectorAll("li[role=option]")) {
      const name = li.querySelector(".name").textContent.toLowerCase();
      li.hidden = !words.every((w) => name.includes(w));
      li.querySelector(".key").textContent = !li.hidden && shown < 9 ? String(++shown) : "";
    }
    highlight(0);
  }

  function showQuote() {
    document.getElementById("picker-quote").textContent = shorten(selection.passage, 90);
  }

  /** Place the picker beside the selection: below it if there is room, else above; on a
   * small screen with room for neither, at the bottom, the selection scrolled above it. */
  function placePicker() {
    const gap = pointer === "touch" ? 28 : 8; // clear of the selection handles on a phone
    const width = picker.offsetWidth;
    const height = picker.offsetHeight;
    const box = selectionBox();
    picker.style.left = `${Math.max(8, Math.min(box.left, window.innerWidth - width - 8))}px`;
    if (box.bottom + gap + height < window.innerHeight) {
      picker.style.top = `${box.bottom + gap}px`;
    } else if (box.top - gap - height > 0) {
      picker.style.top = `${box.top - gap - height}px`;
    } else {
      const top = Math.max(8, window.innerHeight - height - 8);
      picker.style.top = `${top}px`;
      if (box.bottom + gap > top || box.top < 0) {
        window.scrollBy({ top: box.top - Math.max(8, top - gap - box.height) });
      }
    }
  }

  function selectionBox() {
    const sel = window.getSelection();
    const rect = sel.rangeCount ? sel.getRangeAt(0).getBoundingClientRect() : null;
    return rect && rect.height ? rect : article.getBoundingClientRect();
  }

  function openPicker() {
    if (!canCode || !selection) return;
    showQuote();
    picker.hidden = false;
    tip.hidden = true;
    search.value = "";
    filterOptions();
    picker.querySelectorAll("li.applied, li.pending").forEach((li) => {
      li.classList.remove("applied", "pending");
    });
    placePicker();
    // On a phone the keyboard would cover the codes: focus the list, type on request.
    if (pointer === "touch") picker.focus({ preventScroll: true });
    else search.focus({ preventScroll: true });
  }

  function closePicker(refocus = true) {
    if (!pickerOpen()) return;
    picker.hidden = true;
    if (refocus) focusParagraphAt(selection ? selection.start : 0);
  }

  function apply(li, keepOpen = false) {
    if (!li || !selection) return;
    const code = li.querySelector(".name").textContent.split(" › ").pop(); // the code, not its path
    const label = say("apply", { passage: shorten(selection.passage, 30), code });
    li.classList.remove("applied");
    li.classList.add("pending");
    const key = enqueue({
      url: article.dataset.createUrl,
      values: { ...selection, codes: li.dataset.id },
      kind: "apply",
      label,
      // ✓ only once the server has it
      saved: (message) => {
        li.classList.remove("pending");
        if (!message) li.classList.add("applied");
      },
      failed: () => li.classList.remove("pending"),
    });
    remember(key, label);
    if (keepOpen || several?.checked) search.focus({ preventScroll: true });
    else closePicker();
  }

  function applyInVivo() {
    if (!selection) return;
    const label = say("inVivo", { passage: shorten(selection.passage, 30) });
    const key = enqueue({
      url: article.dataset.createUrl,
      values: { ...selection, in_vivo: "on" },
      kind: "apply",
      label,
    });
    remember(key, label);
    closePicker();
  }

  if (picker) {
    picker.tabIndex = -1;
    search.addEventListener("input", filterOptions);
    search.addEventListener("keydown", (event) => {
      const visible = options();
      const digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code)?.[1];
      if (event.key === "ArrowDown") highlight(active + 1);
      else if (event.key === "ArrowUp") highlight(active - 1);
      else if (event.key === "Enter") apply(visible[active], event.shiftKey);
      else if (/^Arrow(Left|Right)$/.test(event.key) && event.shiftKey && search.value === "") {
        // As in the text: Shift+←/→ moves the selection's end, Alt+Shift+←/→ its start.
        stepWord(event.altKey ? "start" : "end", event.key === "ArrowRight" ? 1 : -1);
        showQuote();
        search.blur(); // focus() again puts the caret back into the box: typing filters
        search.focus({ preventScroll: true });
      } else if (digit && search.value === "" && !event.ctrlKey && !event.altKey) {
        apply(visible[Number(digit) - 1], event.shiftKey); // Shift+digit: add several
      } else return;
      event.preventDefault();
    });
    picker.addEventListener("click", (event) => {
      const li = event.target.closest("li[role=option]");
      if (li) apply(li, event.shiftKey);
      if (event.target.id === "picker-invivo") applyInVivo();
      if (event.target.id === "picker-close") closePicker();
    });
    document.addEventListener("pointerdown", (event) => {
      if (pickerOpen() && !picker.contains(event.target)) closePicker(false);
    });
  }

  // --- Selecting with the mouse, a finger or the keyboard ------------------

  document.addEventListener(
    "pointerdown",
    (event) => {
      pointer = event.pointerType;
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
        if (run) showDetails(run);
      }
    });
  });

  function choose(chosen) {
    if (!chosen) return;
    selection = chosen;
    openPicker();
  }

  // A finger selects with a long press and the handles, which send no mouseup: follow
  // the selection itself, and open the picker once it rests.
  let resting = null;
  document.addEventListener("selectionchange", () => {
    if (pointer !== "touch" && pointer !== "pen") return;
    clearTimeout(resting);
    resting = setTimeout(() => {
      const chosen = readSelection();
      if (!chosen) return;
      if (pickerOpen()) {
        selection = chosen;
        showQuote();
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
    p.focus({ preventScroll: pointer === "touch" });
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
    if (!selection) return;
    const first = article.querySelector("span[data-o]");
    const last = [...runs()].pop();
    const limit = last ? runEnd(last) : 0;
    const text = textBetween(first ? runStart(first) : 0, limit);
    const chars = Array.from(text);
    const space = (i) => /\s/.test(chars[i] ?? " ");
    let { start, end } = selection;
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
    selection = { start, end, passage: textBetween(start, end) };
    showSelection(start, end);
  }

  const codedRuns = () => [...article.querySelectorAll(".k")];

  function stepCoded(direction, filter) {
    const list = filter ? codedRuns().filter(filter) : codedRuns();
    if (!list.length) return;
    const current = list.indexOf(document.activeElement);
    const next = list[(current + direction + list.length) % list.length];
    article.querySelectorAll(".flash").forEach((run) => run.classList.remove("flash"));
    next.classList.add("flash");
    next.tabIndex = -1;
    next.focus();
    next.scrollIntoView({ block: "center" });
    stepCount.textContent = `${list.indexOf(next) + 1} / ${list.length}`;
  }

  const typing = (target) => target.closest?.("input, select, textarea, [contenteditable]");

  article.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || pickerOpen()) return;
    const target = event.target;
    const inParagraph = target.matches?.(".para > p");
    const key = event.key;
    if (key === "Enter" && target.classList?.contains("k")) showDetails(target);
    else if (key === "j") focusParagraph(cursor + 1);
    else if (key === "k") focusParagraph(cursor - 1);
    else if (key === "n") stepCoded(1);
    else if (key === "p") stepCoded(-1);
    else if (key === "Enter" && inParagraph && canCode) {
      selection = paragraphSelection(target);
      if (selection) {
        showSelection(selection.start, selection.end);
        openPicker();
      }
    } else if (key === "c" && canCode) {
      selection = readSelection() || selection;
      openPicker();
    } else if ((key === "ArrowRight" || key === "ArrowLeft") && event.shiftKey && selection) {
      stepWord(event.altKey ? "start" : "end", key === "ArrowRight" ? 1 : -1);
    } else return;
    event.preventDefault();
  });

  // Keys that work anywhere on the page: Esc always; the others not while typing in a
  // field, and not while the picker is open (its own keys come first).
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      if (pickerOpen()) closePicker();
      else if (panel.classList.contains("open")) closeDetails();
      else return;
      event.preventDefault();
      return;
    }
    if (typing(event.target) || pickerOpen()) return;
    const mod = event.ctrlKey || event.metaKey;
    const letter = event.key.toLowerCase();
    if (canCode && mod && !event.altKey && (letter === "z" || letter === "y")) {
      if (letter === "y" || event.shiftKey) redo();
      else undo();
    } else if (mod || article.contains(event.target)) return;
    else if (event.key === "j") focusParagraph(0);
    else if (event.key === "n") stepCoded(1);
    else return;
    event.preventDefault();
  });

  // --- Coded passages: details, tooltips, stepping through a code ----------

  /** The codings under a run: data-k holds {id: [code, coder, memo count, review mark]}. */
  function facts(run) {
    const data = run.closest(".para").dataset.k;
    const all = data ? JSON.parse(data) : {};
    return run.dataset.c.split(" ").map((id) => {
      const [code, coder, memos, review] = all[id] || [];
      return { id, code, coder, memos, review };
    });
  }

  const hint = panel.innerHTML; // what the panel says before a passage is chosen

  function showDetails(run) {
    tip.hidden = true;
    loadDetails(run.dataset.c.split(" ").join(","));
  }

  function loadDetails(ids) {
    panel.dataset.ids = ids;
    htmx
      .ajax("GET", `${article.dataset.panelUrl}?ids=${ids}&show=${article.dataset.show}`, {
        target: "#coding-panel",
        swap: "innerHTML",
      })
      .then(() => {
        panel.classList.add("open");
        keepInSight(ids);
      })
      .catch(() => {});
  }

  /** On a small screen the details are a sheet over the text: keep the passage above it. */
  function keepInSight(ids) {
    if (getComputedStyle(panel).position !== "fixed") return;
    const run = article.querySelector(`.k[data-c~="${ids.split(",")[0]}"]`);
    if (!run) return;
    const rect = run.getBoundingClientRect();
    const room = panel.getBoundingClientRect().top - 12;
    if (rect.bottom > room || rect.top < 0) {
      window.scrollBy({ top: rect.top - Math.max(8, room - rect.height) });
    }
  }

  /** After an undo or redo, the details on show may tell of a coding that changed. */
  function refreshDetails() {
    if (panel.classList.contains("open") && panel.dataset.ids) loadDetails(panel.dataset.ids);
  }

  function closeDetails() {
    panel.classList.remove("open");
    panel.innerHTML = hint;
    delete panel.dataset.ids;
  }

  panel.addEventListener("click", (event) => {
    if (event.target.closest("[data-close-details]")) closeDetails();
  });

  function showTip(run) {
    const codeNames = names("code-names");
    const coderNames = names("coder-names");
    tip.replaceChildren();
    for (const fact of facts(run)) {
      const line = document.createElement("div");
      const swatch = document.createElement("i");
      swatch.className = `swatch m${fact.code}`;
      const name = codeNames[fact.code] ?? "?";
      line.append(swatch, ` ${name} · ${coderNames[fact.coder] ?? "?"}`);
      if (fact.memos) line.append(` · ✎${fact.memos}`);
      if (fact.review) line.append(fact.review === "a" ? " · ✓" : " · ✗");
      tip.append(line);
    }
    const rect = run.getBoundingClientRect();
    tip.hidden = false;
    tip.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - tip.offsetWidth - 8))}px`;
    tip.style.top = `${rect.bottom + 6}px`;
  }

  article.addEventListener("mouseover", (event) => {
    const run = event.target.closest(".k");
    if (run && pointer !== "touch" && !pickerOpen()) showTip(run); // a tap opens the details
  });
  article.addEventListener("mouseout", (event) => {
    if (event.target.closest(".k")) tip.hidden = true;
  });
  article.addEventListener("focusin", (event) => {
    if (event.target.classList.contains("k")) showTip(event.target);
    else tip.hidden = true;
  });
  article.addEventListener("focusout", () => {
    tip.hidden = true;
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.step");
    if (!button) return;
    const code = Number(button.dataset.code);
    stepCoded(1, (run) => facts(run).some((fact) => fact.code === code));
  });

  // The forms in a coding's details (change, adjust, remove, memo) go through the queue.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-write]");
    if (!form) return;
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    if (form.hasAttribute("data-use-selection")) {
      const chosen = readSelection() || selection;
      if (!chosen) {
        notice = { text: say("noSelection"), kind: "error" };
        render();
        return;
      }
      Object.assign(values, { start: chosen.start, end: chosen.end });
    }
    const kind = form.dataset.write;
    const passage = form.closest(".coding-card")?.querySelector("blockquote")?.textContent || "";
    const label = say(kind, { passage: shorten(passage, 30) });
    const busy = form.querySelector("button[type=submit]");
    if (busy) busy.disabled = true; // the answer brings fresh details
    const key = enqueue({
      url: form.getAttribute("action"), // not form.action: a field is named "action"
      values,
      kind,
      label,
      failed: () => {
        if (busy) busy.disabled = false;
      },
    });
    if (kind !== "memo") remember(key, label);
  });

  // A swapped-in paragraph keeps the keyboard focus its old copy had.
  let focused = null;
  document.addEventListener("htmx:oobBeforeSwap", (event) => {
    const target = event.detail.target;
    if (!target.classList?.contains("para") || !target.contains(document.activeElement)) return;
    const run = document.activeElement.closest("span[data-o]");
    focused = { id: target.id, run: run?.dataset.o };
  });
  document.addEventListener("htmx:oobAfterSwap", () => {
    if (!focused) return;
    const para = document.getElementById(focused.id);
    const again = focused.run
      ? para?.querySelector(`span[data-o="${focused.run}"]`)
      : para?.querySelector("p");
    focused = null;
    if (!again) return;
    again.tabIndex = -1;
    again.focus({ preventScroll: true });
  });

  document.getElementById("show")?.addEventListener("change", (event) => {
    event.target.form.submit();
  });

  // Links from retrieval, review and conclusions open the text at ?at=<offset>.
  const at = Number(new URLSearchParams(window.location.search).get("at"));
  if (at) {
    const target = [...runs()].find((run) => runStart(run) <= at && at < runEnd(run));
    if (target) {
      target.classList.add("flash");
      target.tabIndex = -1;
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "center" });
    }
  }

  // Writes left waiting by this page before a reload, or by a page now closed.
  adopt();
  if (refused.length) {
    notice = { text: say("refused", { reason: refused.at(-1).reason }), kind: "error" };
  }
  render();

  /** Select [start, end) and open the picker on it (find in this source codes its hit). */
  function codeSpan(start, end) {
    selection = { start, end, passage: textBetween(start, end) };
    showSelection(start, end);
    openPicker();
  }

  /** A write of another module (suggest_inline.js) through this page's queue; undoable or not. */
  function write(options, undoable = false) {
    const key = enqueue(options);
    if (undoable) remember(key, options.label);
    return key;
  }

  const api = { cpLength, cpToUtf16, readSelection, textBetween, showSelection, codeSpan, write };
  window.KesraCoding = api;
})();
