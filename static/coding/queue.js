// Kesra Coord, coding page: the write queue, through which every change goes (each
// write is confirmed by the server or visibly waiting, never lost), and its status line.
(() => {
  "use strict";
  const K = window.KesraCodingParts;
  const article = K?.article;
  if (!article) return;
  const { csrf, say, status } = K;

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
    K.forgetBatch?.(write.key); // an undo can no longer name it
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
    K.renderUndo?.(); // the undo and redo buttons
  }

  /** Say `value` ({text, kind}) on the status line until the next write. */
  function tell(value) {
    notice = value;
    render();
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

  /** Writes left waiting by this page before a reload, or by a page now closed. */
  function start() {
    adopt();
    if (refused.length) {
      notice = { text: say("refused", { reason: refused.at(-1).reason }), kind: "error" };
    }
    render();
  }

  Object.assign(K, { enqueue, render, tell, start });
})();
