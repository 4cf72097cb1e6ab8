// The phone remote's page: follows the session over server-sent events, draws the countdown
// from the segment's end time (never by counting down), and sends the buttons to /api/command.
// Everything from the routine is set as text (textContent), never as markup.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const app = $("app");
  const els = {
    routine: $("routine"), progress: $("progress"), link: $("link"), phase: $("phase"),
    title: $("title"), side: $("side"), pressure: $("pressure"), countdown: $("countdown"),
    say: $("say"), next: $("next"), notice: $("notice"), awake: $("awake"),
    pause: $("pause"), buttons: document.querySelectorAll("button[data-command]"),
  };
  const token = decodeURIComponent(location.hash.slice(1));
  const PHASES = { lead_in: "Get ready", work: "", rest: "Rest", switch: "Switch sides" };
  // A stream quiet for this long is dead even if the browser has not noticed (the server
  // sends a ping every 15 s).
  const SILENCE_MS = 40000;

  let state = null;      // the last {"event": "state"} object
  let clock = null;      // {server, perf}: the server's wall clock (s) at performance.now() (ms)
  let source = null;     // the EventSource
  let heard = 0;         // performance.now() of the last message
  let retryMs = 1000;
  let retryTimer = 0;
  let tickTimer = 0;
  let watchdog = 0;
  let refused = false;
  let wakeLock = null;
  let fitted = "";       // the countdown's text shape the font size was fitted to

  // ------------------------------------------------------------------ time

  function serverNow() {
    if (!clock) return Date.now() / 1000;
    return clock.server + (performance.now() - clock.perf) / 1000;
  }

  function remaining() {
    if (!state) return null;
    if (state.state === "playing" && typeof state.segment_end === "number") {
      return Math.max(state.segment_end - serverNow(), 0);
    }
    return typeof state.remaining === "number" ? state.remaining : null;
  }

  // mm:ss rounded up (as the terminal shows it): 0:00 only when the segment is over.
  function clockText(seconds) {
    const total = Math.max(0, Math.ceil(seconds - 1e-6));
    const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    const two = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
  }

  // Measures the offset between this phone's clock and the server's: the fastest of three
  // round trips to /api/state, its server_time taken as the midpoint.
  async function measureClock() {
    let best = null;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      let body;
      try {
        const r = await fetch("/api/state", { headers: auth(), cache: "no-store" });
        const t1 = performance.now();
        if (!r.ok) { httpTrouble(r.status); return; }
        body = await r.json();
        const rtt = t1 - t0;
        if (!best || rtt < best.rtt) best = { rtt, server: body.server_time, perf: (t0 + t1) / 2 };
      } catch (e) {
        return; // the stream's own reconnect deals with a lost server
      }
    }
    if (best && typeof best.server === "number") {
      clock = { server: best.server, perf: best.perf };
      draw();
    }
  }

  // Redraws the countdown now, then again exactly when its shown second changes.
  function draw() {
    clearTimeout(tickTimer);
    const left = remaining();
    const text = left === null ? "––:––" : clockText(left);
    if (els.countdown.textContent !== text) els.countdown.textContent = text;
    fit(text);
    if (left !== null && left > 0 && state && state.state === "playing") {
      const shown = Math.ceil(left - 1e-6);
      const untilChange = left - (shown - 1);  // seconds until it shows one less
      tickTimer = setTimeout(draw, Math.max(untilChange * 1000 + 4, 4));
    }
  }

  // Makes the countdown as large as its box allows (width first, then height).
  function fit(text) {
    const shape = text.replace(/\d/g, "0");
    if (shape === fitted) return;
    const el = els.countdown, box = el.parentElement;
    el.style.fontSize = "100px";
    const w = el.scrollWidth, h = el.scrollHeight;
    const bw = box.clientWidth, bh = box.clientHeight;
    if (!w || !h || !bw) return;
    let size = 100 * bw / w;
    if (bh > 40) size = Math.min(size, 100 * bh / h);
    el.style.fontSize = `${Math.max(Math.floor(size * 0.97), 32)}px`;
    fitted = shape;
  }

  // ------------------------------------------------------------------ showing the session

  function show(s) {
    const before = state;
    state = s;
    const st = s.state === "finished" || s.state === "paused" ? s.state : "playing";
    app.dataset.state = st;
    els.routine.textContent = s.name || s.routine || "unknot";
    els.progress.textContent = s.of && s.step ? `Step ${s.step} of ${s.of}` : "";
    let title = s.title || "";
    if (s.side && title.endsWith(` · ${s.side}`)) title = title.slice(0, -(s.side.length + 3));
    if (st === "finished") {
      els.phase.textContent = "Finished";
      els.title.textContent = "Session over";
      els.side.textContent = els.pressure.textContent = els.say.textContent = els.next.textContent = "";
    } else {
      els.phase.textContent = st === "paused" ? "Paused" : (PHASES[s.kind] ?? "");
      els.title.textContent = title;
      els.side.textContent = s.side || "";
      els.pressure.textContent = typeof s.pressure === "number" ? `Pressure ${s.pressure}/10` : "";
      els.say.textContent = s.say || "";
      els.next.textContent = s.next ? `Next: ${s.next}` : (s.of ? "Last step" : "");
    }
    els.pause.textContent = st === "paused" ? "Resume" : "Pause";
    els.pause.dataset.command = st === "paused" ? "resume" : "pause";
    for (const b of els.buttons) {
      b.disabled = st === "finished";
      b.classList.remove("sent");
    }
    if (st === "finished") finished();
    if (!before || before.kind !== s.kind || before.title !== s.title) fitted = "";
    draw();
  }

  // The session is over and its server about to go: a new session has a new link, so there
  // is nothing to reconnect to.
  function finished() {
    releaseAwake();
    clearTimeout(retryTimer);
    clearTimeout(watchdog);
    if (source) source.close();
    source = null;
    setLink("ended", "Session ended");
  }

  function setLink(kind, text) {
    app.dataset.link = kind;
    els.link.textContent = text;
  }

  function notice(text) {
    els.notice.textContent = text;
    els.notice.hidden = !text;
  }

  function httpTrouble(status) {
    if (status === 401) {
      refused = true;
      setLink("refused", "Refused");
      notice("This link belongs to another session: open the link unknot shows now, or scan its QR code.");
    } else if (status === 429) {
      setLink("refused", "Refused");
      notice("Too many wrong links from this phone: wait a minute, then reload.");
    } else {
      notice(`unknot answered ${status}.`);
    }
  }

  // ------------------------------------------------------------------ the stream

  function auth() {
    return { Authorization: `Bearer ${token}` };
  }

  function connect() {
    clearTimeout(retryTimer);
    if (source) source.close();
    if (!token) {
      setLink("refused", "No token");
      notice("Open the full link unknot shows (it ends with #…), or scan its QR code.");
      return;
    }
    setLink("lost", state ? "Reconnecting…" : "Connecting…");
    const es = new EventSource(`/api/stream?token=${encodeURIComponent(token)}`);
    source = es;
    heard = performance.now();
    es.onopen = () => {
      if (es !== source) return;
      retryMs = 1000;
      heard = performance.now();
      setLink("live", "Live");
      notice("");
      measureClock();
    };
    es.onmessage = (e) => {
      if (es !== source) return;
      heard = performance.now();
      let obj;
      try { obj = JSON.parse(e.data); } catch (err) { return; }
      if (obj && obj.event === "state") {
        if (!clock && typeof obj.server_time === "number") {
          clock = { server: obj.server_time, perf: performance.now() };
        }
        show(obj);
      }
    };
    es.addEventListener("ping", () => { heard = performance.now(); });
    es.onerror = () => {
      if (es !== source) return;
      if (es.readyState === EventSource.CLOSED) {
        retry();
      } else {
        setLink("lost", "Reconnecting…");
      }
    };
  }

  // The browser gave up on the stream (an HTTP error, or the server gone): find out why, then
  // try again a little later each time.
  async function retry() {
    if (source) source.close();
    source = null;
    if (state && state.state === "finished") return;
    setLink("lost", "Reconnecting…");
    try {
      const r = await fetch("/api/state", { headers: auth(), cache: "no-store" });
      if (!r.ok) httpTrouble(r.status);
    } catch (e) {
      notice("Cannot reach unknot: is the session still running?");
    }
    if (refused) return;
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  }

  function checkAlive() {
    clearTimeout(watchdog);
    if (state && state.state === "finished") return;
    if (source && performance.now() - heard > SILENCE_MS) retry();
    watchdog = setTimeout(checkAlive, SILENCE_MS / 2);
  }

  // ------------------------------------------------------------------ buttons

  async function press(button) {
    keepAwake();
    const command = button.dataset.command;
    button.classList.add("sent");
    try {
      const r = await fetch("/api/command", {
        method: "POST",
        headers: { ...auth(), "Content-Type": "application/json" },
        body: JSON.stringify({ command }),
        cache: "no-store",
      });
      if (!r.ok) { button.classList.remove("sent"); httpTrouble(r.status); }
    } catch (e) {
      button.classList.remove("sent");
      notice("Cannot reach unknot: the button was not sent.");
    }
  }

  // ------------------------------------------------------------------ keeping the screen on

  async function keepAwake() {
    if (!("wakeLock" in navigator)) {
      els.awake.textContent = window.isSecureContext
        ? "This browser cannot keep the screen on: raise the screen timeout in the phone's settings."
        : "The screen may turn off (browsers keep it on only for https pages): raise the screen timeout in the phone's settings.";
      return;
    }
    if (wakeLock || document.visibilityState !== "visible" || (state && state.state === "finished")) return;
    try {
      const lock = await navigator.wakeLock.request("screen");
      wakeLock = lock;
      lock.addEventListener("release", () => { if (wakeLock === lock) wakeLock = null; });
      els.awake.textContent = "Screen kept on";
    } catch (e) {
      els.awake.textContent = "The browser would not keep the screen on: tap a button, or raise the screen timeout.";
    }
  }

  function releaseAwake() {
    if (wakeLock) { wakeLock.release().catch(() => {}); wakeLock = null; }
    els.awake.textContent = "";
  }

  // ------------------------------------------------------------------ start

  for (const b of els.buttons) b.addEventListener("click", () => press(b));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    keepAwake();
    if (state && state.state === "finished") return;
    if (!source || performance.now() - heard > SILENCE_MS) connect();
    else measureClock();
    draw();
  });
  window.addEventListener("resize", () => { fitted = ""; draw(); });
  connect();
  checkAlive();
  keepAwake();
  draw();
})();
