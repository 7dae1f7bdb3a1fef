// The web chat page. ES5 on purpose (checked by a test): WeChat's in-app browser on older phones runs old engines.
// It uses XMLHttpRequest, EventSource and localStorage only, each guarded where a browser may refuse it.
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("anju-data").textContent);
  var COUNTER_FROM = Math.floor(DATA.maxChars * 0.9);

  var $ = function (id) { return document.getElementById(id); };
  var list = $("messages"), chips = $("chips"), chipsWrap = $("chipsWrap"), form = $("composer"), input = $("input");
  var sendBtn = $("send"), counter = $("counter"), notice = $("notice");
  var busy = false, typingRow = null, welcome = null, events = null, sessionReady = false;
  var seen = {}, lastPushSeq = 0, shownUpTo = 0, readSent = 0, lastSources = "";

  function store(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      window.localStorage.setItem(key, value);
    } catch (e) { /* private mode, or storage refused: the page still works */ }
    return value;
  }
  var locale = store("anju.locale");
  if (!DATA.strings[locale]) locale = /^en/i.test(navigator.language || "") ? "en" : "zh-CN";

  function t(key, values) {
    var text = DATA.strings[locale][key];
    for (var name in values || {}) text = text.split("{{" + name + "}}").join(String(values[name]));
    return text;
  }
  /** Characters as the server counts them: code points, so an emoji counts once. */
  function length(text) { return text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, "_").length; }

  function request(method, url, body, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.timeout = 30000;
    xhr.setRequestHeader("Accept", "application/json");
    if (body !== undefined) xhr.setRequestHeader("Content-Type", "application/json");
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) return;
      var data = null;
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (e) { data = null; }
      done(xhr.status, data);
    };
    xhr.send(body === undefined ? null : JSON.stringify(body));
  }

  // ---- drawing the conversation ----

  function showNotice(text) {
    notice.textContent = text || "";
    notice.hidden = !text;
  }

  function makeRow(role, extra) {
    var row = document.createElement("div");
    row.className = "row " + role + (extra ? " " + extra : "");
    var who = document.createElement("span");
    who.className = "sr";
    who.textContent = role === "user" ? t("you") : t("bot");
    row.appendChild(who);
    return row;
  }

  function place(row) {
    list.insertBefore(row, typingRow && typingRow.parentNode === list ? typingRow : null);
  }

  function addBubble(role, text, extra) {
    var row = makeRow(role, extra);
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.textContent = text;
    row.appendChild(bubble);
    place(row);
    return row;
  }

  /** Only the newest buttons can be pressed: older ones answered a question already gone by. */
  function disableChoices(except) {
    var buttons = list.querySelectorAll(".choice");
    for (var i = 0; i < buttons.length; i++) if (buttons[i].parentNode !== except) buttons[i].disabled = true;
  }

  function addEntry(entry) {
    if (seen[entry.seq]) return null;
    seen[entry.seq] = true;
    if (entry.kind === "push" && entry.seq > lastPushSeq) lastPushSeq = entry.seq;
    var mine = entry.from === "resident";
    var row = addBubble(mine ? "user" : "bot", entry.text, entry.kind === "push" ? "push" : "");
    row.setAttribute("data-seq", String(entry.seq));
    var sources = entry.sources && entry.sources.length ? t("sources") + entry.sources.join(locale === "en" ? "; " : "；") : "";
    // Each step of one conversation (raising a demand takes three) rests on the same sources: said once.
    if (sources && sources !== lastSources) {
      var src = document.createElement("div");
      src.className = "sources";
      src.textContent = sources;
      row.appendChild(src);
    }
    if (!mine) lastSources = sources;
    if (mine) disableChoices(null);
    if (entry.choices && entry.choices.length) {
      disableChoices(null);
      var box = document.createElement("div");
      box.className = "choices";
      for (var i = 0; i < entry.choices.length; i++) box.appendChild(choiceButton(entry.choices[i], entry.promptId, box));
      row.appendChild(box);
    }
    return row;
  }

  function choiceButton(choice, promptId, box) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "choice";
    b.textContent = choice.label;
    b.addEventListener("click", function () {
      if (busy || b.disabled) return;
      var button = { value: choice.value };
      if (promptId) button.promptId = promptId;
      if (send(choice.label, button)) {
        var all = box.querySelectorAll(".choice");
        for (var i = 0; i < all.length; i++) all[i].disabled = true;
        b.className += " picked";
      }
    });
    return b;
  }

  function addDivider() {
    var d = document.createElement("div");
    d.className = "divider";
    var s = document.createElement("span");
    s.textContent = t("new_messages");
    d.appendChild(s);
    place(d);
    return d;
  }

  /**
   * New rows in view: a long answer is shown from its start (the resident reads down), a short one at the bottom.
   */
  function reveal(first) {
    if (!first) return;
    var top = first.offsetTop - 8;
    var bottom = list.scrollHeight - list.clientHeight;
    list.scrollTop = Math.min(top, bottom);
  }

  function showTyping(on) {
    if (on && !typingRow) {
      typingRow = makeRow("bot", "typing");
      var b = document.createElement("div");
      b.className = "bubble";
      for (var i = 0; i < 3; i++) { var d = document.createElement("span"); d.className = "dot"; b.appendChild(d); }
      var sr = document.createElement("span");
      sr.className = "sr";
      sr.textContent = t("typing");
      b.appendChild(sr);
      typingRow.appendChild(b);
      list.appendChild(typingRow);
      list.scrollTop = list.scrollHeight;
    } else if (!on && typingRow) {
      list.removeChild(typingRow);
      typingRow = null;
    }
  }

  function setBusy(on) {
    busy = on;
    sendBtn.disabled = on;
    var buttons = chips.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = on;
    showTyping(on);
  }

  // ---- reading: what was shown is marked read, never what merely arrived ----

  function markShown(seq) {
    if (seq > shownUpTo) shownUpTo = seq;
    flushRead();
  }
  function flushRead() {
    if (document.hidden || !sessionReady || shownUpTo <= readSent) return;
    var upTo = shownUpTo;
    readSent = upTo;
    request("POST", "/api/web/read", { upTo: upTo }, function (status) { if (status !== 200 && readSent === upTo) readSent = 0; });
  }
  document.addEventListener("visibilitychange", flushRead);

  // ---- sending ----

  function updateCounter() {
    var n = length(input.value);
    var over = n > DATA.maxChars;
    counter.hidden = n < COUNTER_FROM;
    counter.textContent = t("counter", { count: n, max: DATA.maxChars });
    counter.className = "counter" + (over ? " over" : "");
    input.className = over ? "over" : "";
    if (!over && notice.getAttribute("data-kind") === "too_long") { showNotice(""); notice.removeAttribute("data-kind"); }
  }

  function autoGrow() {
    input.style.height = "auto";
    input.style.height = input.scrollHeight + 2 + "px";
  }

  /** Sends what the resident typed, or a button (its label is what they see they said). False when not sent. */
  function send(text, button) {
    if (busy) return false;
    var clean = (text || "").replace(/^\s+|\s+$/g, "");
    if (!clean) return false;
    var n = length(clean);
    if (n > DATA.maxChars) {
      showNotice(t("too_long", { count: n, max: DATA.maxChars }));
      notice.setAttribute("data-kind", "too_long");
      input.focus();
      return false;
    }
    showNotice("");
    var mine = addBubble("user", clean);
    list.scrollTop = list.scrollHeight;
    disableChoices(null);
    if (!button) { input.value = ""; autoGrow(); updateCounter(); }
    setBusy(true);
    var body = { text: clean, locale: locale };
    if (button) body.button = button;
    request("POST", "/api/web/chat", body, function (status, data) {
      setBusy(false);
      if (status === 200 && data && data.entries) {
        list.removeChild(mine);
        var first = null;
        for (var i = 0; i < data.entries.length; i++) {
          var row = addEntry(data.entries[i]);
          if (row && data.entries[i].from === "assistant" && !first) first = row;
        }
        reveal(first);
        if (data.entries.length) markShown(data.entries[data.entries.length - 1].seq);
        if (data.locale && data.locale !== locale) applyLocale(data.locale);
        return;
      }
      mine.className += " failed";
      var message = status === 0 ? t("network") : status === 401 ? t("no_session") : t("server");
      addBubble("bot", message, "error");
      list.scrollTop = list.scrollHeight;
      if (!button) { input.value = input.value ? clean + "\n" + input.value : clean; autoGrow(); updateCounter(); }
      if (status === 401) startSession();
    });
    return true;
  }

  // ---- the page's own controls ----

  function renderChips() {
    chips.innerHTML = "";
    chips.setAttribute("aria-label", t("chips_label"));
    var items = DATA.chips[locale];
    for (var i = 0; i < items.length; i++) {
      (function (chip) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "chip";
        b.textContent = chip.label;
        b.disabled = busy;
        b.addEventListener("click", function () { send(chip.label, { value: chip.value }); });
        chips.appendChild(b);
      })(items[i]);
    }
    chips.scrollLeft = 0;
    chipEdges();
  }

  function chipEdges() {
    var more = chips.scrollWidth - chips.clientWidth - chips.scrollLeft > 4;
    chipsWrap.className = "chips-wrap" + (chips.scrollLeft > 4 ? " more-left" : "") + (more ? " more-right" : "");
  }

  function applyLocale(next) {
    locale = DATA.strings[next] ? next : "zh-CN";
    store("anju.locale", locale);
    document.documentElement.lang = locale;
    document.title = t("doc_title");
    $("title").textContent = t("title");
    var lang = $("langBtn");
    lang.textContent = t("other_language");
    lang.setAttribute("aria-label", t("other_language_label"));
    lang.setAttribute("lang", locale === "en" ? "zh-CN" : "en");
    var size = $("sizeBtn");
    size.textContent = t("text_size");
    size.setAttribute("aria-label", t("text_size_label"));
    input.placeholder = t("placeholder");
    $("inputLabel").textContent = t("input_label");
    sendBtn.textContent = t("send");
    if (welcome) welcome.lastChild.textContent = t("welcome");
    renderChips();
    updateCounter();
  }

  function applyTextSize(large) {
    // Larger text makes everything taller: a resident reading the newest message should still see it after.
    var atBottom = list.scrollHeight - list.clientHeight - list.scrollTop < 40;
    document.documentElement.className = large ? "large" : "";
    if (atBottom) list.scrollTop = list.scrollHeight;
    $("sizeBtn").setAttribute("aria-pressed", String(large));
    store("anju.largeText", large ? "1" : "0");
    chipEdges();
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); send(input.value); });
  input.addEventListener("keydown", function (e) {
    // Enter sends on a computer; on a phone, Enter while composing Chinese (IME) must not.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      send(input.value);
    }
  });
  input.addEventListener("input", function () { autoGrow(); updateCounter(); });
  chips.addEventListener("scroll", chipEdges);
  window.addEventListener("resize", chipEdges);
  $("langBtn").addEventListener("click", function () {
    var next = locale === "en" ? "zh-CN" : "en";
    var label = t("other_language");
    applyLocale(next);
    // Said to the assistant too, so caseworkers' answers and notices come in this language from now on.
    if (sessionReady) send(label, { value: "/lang " + next });
  });
  $("sizeBtn").addEventListener("click", function () { applyTextSize(document.documentElement.className !== "large"); });

  // ---- the resident's identity, history and pushes ----

  function startSession() {
    request("POST", "/api/web/session", {}, function (status) {
      if (status !== 200 && status !== 201) {
        showNotice(status === 0 ? t("network") : t("server"));
        setTimeout(startSession, 10000);
        return;
      }
      loadHistory();
    });
  }

  function loadHistory() {
    request("GET", "/api/web/history", undefined, function (status, data) {
      if (status === 401) { showNotice(t("no_session")); return; }
      if (status !== 200 || !data) { showNotice(t("history_error")); return; }
      sessionReady = true;
      var entries = data.entries || [];
      var firstUnread = null;
      for (var i = 0; i < entries.length; i++) {
        var unread = entries[i].kind === "push" && entries[i].seq > data.readUpTo;
        if (unread && !firstUnread) firstUnread = addDivider();
        addEntry(entries[i]);
      }
      if (firstUnread) reveal(firstUnread);
      else list.scrollTop = list.scrollHeight;
      if (entries.length) markShown(entries[entries.length - 1].seq);
      listen();
    });
  }

  function listen() {
    if (typeof window.EventSource !== "function" && typeof window.EventSource !== "object") return;
    if (events) events.close();
    events = new EventSource("/api/web/events?after=" + lastPushSeq);
    events.addEventListener("entry", function (e) {
      var entry;
      try { entry = JSON.parse(e.data); } catch (err) { return; }
      var row = addEntry(entry);
      if (!row) return;
      reveal(row);
      markShown(entry.seq);
    });
  }

  applyLocale(locale);
  applyTextSize(store("anju.largeText") === "1");
  welcome = addBubble("bot", t("welcome"));
  startSession();
})();
